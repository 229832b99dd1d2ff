#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "trust.h"

int
account_decide(const struct hg_policy *pol, struct hg_record *r,
    struct hg_msg *msg)
{
	struct policy_decision d;
	struct policy_input in;
	time_t when = (time_t)(r->ts_ms / 1000);
	char **groups = NULL;
	size_t ngroups = 0;
	const char *reason;
	struct tm tm;
	int err;

	memset(&in, 0, sizeof(in));
	memset(&d, 0, sizeof(d));
	r->rule[0] = '\0';
	if (!trust_name_ok(r->user)) {
		err = HG_ERR_UNKNOWN_USER;
		reason = hg_reason(err);
		goto out;
	}
	err = policy_user_groups(r->user, &groups, &ngroups, msg);
	if (err == HG_ERR_UNKNOWN_USER) {
		reason = hg_reason(err);
		goto out;
	}
	if (err != 0) {
		err = HG_ERR_INTERNAL;
		reason = "internal-error";
		goto out;
	}
	in.user = r->user;
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	in.service = r->service;
	in.rhost = r->rhost;
	/* The module sends only factors proven for this very user. */
	in.mfa = strstr(r->factors, "totp") != NULL ||
	    strstr(r->factors, "scratch") != NULL;
	in.when = localtime_r(&when, &tm);
	/* With no policy this denies with reason policy-invalid. */
	err = policy_decide(pol, &in, &d);
	reason = policy_reason_str(d.reason);
	if (err == 0 && !d.allow)
		err = HG_ERR_DENIED;
	if (d.file != NULL)
		snprintf(r->rule, sizeof(r->rule), "%s:%u", d.file, d.line);
 out:
	snprintf(r->result, sizeof(r->result), "%s",
	    err == 0 ? "allow" : "deny");
	snprintf(r->pam, sizeof(r->pam), "%s", err == 0 ? "PAM_SUCCESS" :
	    err == HG_ERR_UNKNOWN_USER ? "PAM_USER_UNKNOWN" :
	    "PAM_PERM_DENIED");
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	policy_groups_free(groups, ngroups);
	return err;
}

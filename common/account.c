/* The account-phase decision of a record (account.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "err.h"
#include "trust.h"

int
account_groups(const char *user, char ***groups, size_t *ngroups,
    const char **reason, struct hg_msg *msg)
{
	int err;

	*groups = NULL;
	*ngroups = 0;
	if (!trust_name_ok(user))
		err = HG_ERR_UNKNOWN_USER;
	else
		err = policy_user_groups(user, groups, ngroups, msg);
	*reason = err == HG_ERR_UNKNOWN_USER ? hg_reason(err) :
	    "internal-error";
	return err;
}

int
account_decide(const struct hg_policy *pol, struct hg_record *r,
    char **groups, size_t ngroups, bool mfa, const char **reason)
{
	struct policy_decision d;
	struct policy_input in;
	time_t when = (time_t)(r->ts_ms / 1000);
	struct tm tm;
	int err;

	memset(&in, 0, sizeof(in));
	memset(&d, 0, sizeof(d));
	in.user = r->user;
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	in.service = r->service;
	in.rhost = r->rhost;
	in.mfa = mfa;
	in.when = localtime_r(&when, &tm);
	/* With no policy this denies with reason policy-invalid. */
	err = policy_decide(pol, &in, &d);
	*reason = policy_reason_str(d.reason);
	if (err == 0 && !d.allow)
		err = HG_ERR_DENIED;
	if (d.file != NULL)
		snprintf(r->rule, sizeof(r->rule), "%s:%u", d.file, d.line);
	return err;
}

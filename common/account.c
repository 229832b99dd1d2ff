#include "config.h"

#include <stdio.h>
#include <syslog.h>
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

/* Decide R here, loading the policy as hostgated would. */
static int
decide_locally(struct submit_ctx *c, struct hg_record *r)
{
	struct hg_policy *pol = NULL;
	struct hg_msg msg = { "" };
	int err;

	if (policy_load(c->conf->policy, 0, &pol, &msg) != 0)
		hg_logf(&c->log, LOG_ALERT, __func__, "%s; the policy is invalid, "
		    "denying everyone", msg.text);
	msg.text[0] = '\0';
	if ((err = account_decide(pol, r, &msg)) == HG_ERR_INTERNAL)
		hg_logf(&c->log, LOG_ERR, __func__, "%s; denying", msg.text);
	policy_free(pol);
	return err;
}

int
account_check(struct submit_ctx *c, struct hg_record *r)
{
	struct hg_record reply;
	int err;

	/* hostgated decides only if it holds the policy we would load. */
	policy_stamp(c->conf->policy, r->policy);
	err = submit_helper(c, RECORD_T_DECIDE, r, &reply);
	if (err == 0) {
		if (c->conf->debug)
			hg_logf(&c->log, LOG_DEBUG, __func__, "account decision "
			    "from hostgated: seq %lld", reply.seq);
		snprintf(r->result, sizeof(r->result), "%s", reply.result);
		snprintf(r->pam, sizeof(r->pam), "%s", reply.pam);
		snprintf(r->reason, sizeof(r->reason), "%s", reply.reason);
		snprintf(r->rule, sizeof(r->rule), "%s", reply.rule);
		return strcmp(reply.result, "allow") == 0 ? 0 :
		    strcmp(reply.reason, "unknown-user") == 0 ?
		    HG_ERR_UNKNOWN_USER : HG_ERR_DENIED;
	}
	if (err == HG_ERR_POLICY && c->conf->debug)
		hg_logf(&c->log, LOG_DEBUG, __func__, "hostgated does not hold the "
		    "policy %s: deciding here", c->conf->policy);
	err = decide_locally(c, r);
	/* To the helper if it is up and root's, else the spool. */
	if (submit_record(c, r) != 0 && err == 0) {
		hg_logf(&c->log, LOG_ERR, __func__, "audit=required and the "
		    "record could not be stored: denying");
		err = HG_ERR_IO;
	}
	return err;
}

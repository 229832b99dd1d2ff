/*
 * hostgated's decision service: the policy kept loaded ("warm"), and the
 * account decisions the module asks for over the socket.
 *
 * A RECORD_T_DECIDE names the policy the module would load (its identity,
 * policy_stamp()).  We decide only if that is the identity of the policy
 * we hold warm, refreshed first; otherwise (another policy= or config= on
 * the PAM stack line, files changed in between, or no identity at all)
 * the reply has no seq and reason "other-policy", nothing is stored, and
 * the module decides with its own policy and sends us that record as an
 * ordinary one.  So every stack gets the decision of its own policy,
 * helper or not.  Both ways decide with account_decide() (common/).
 */
#ifndef HG_DECIDE_H
#define HG_DECIDE_H

#include <sys/types.h>

#include <stdbool.h>

#include "policy.h"
#include "record.h"

/* The policy, kept loaded, and its identity then (policy_stamp()). */
struct decide_warm {
	const char		*path;
	struct hg_policy	*pol;
	char			 stamp[POLICY_STAMP_HEX + 1];
	bool			 loaded;
	long long		 declined;	/* declined since the log */
	long long		 declined_log;	/* when that was, ms */
};

/*
 * Start W on the policy PATH (borrowed: it must outlive W) and load it;
 * a policy that does not load is logged and decisions deny, as
 * decide_refresh() says.
 */
void decide_start(struct decide_warm *w, const char *path);

/*
 * Reload the policy if any of its files changed since it was loaded (or
 * if FORCE).  A policy that does not load leaves none: decisions then deny
 * with policy-invalid, as the module's local path does, and the error is
 * logged once for each change.  A passing failure (no memory, no
 * descriptor) leaves W declining every request until a load works.
 */
void decide_refresh(struct decide_warm *w, bool force);

/*
 * Whether the decision request R, from the peer PID and UID, names the
 * policy W holds, refreshed first: only then may decide_record() answer
 * it.  Declines are logged at most once a minute, with their count.
 */
bool decide_named(struct decide_warm *w, const struct hg_record *r,
    pid_t pid, uid_t uid);

/*
 * Decide the account-phase record R with W's policy (decide_named()
 * refreshed it), exactly as the module's local path does, and fill its
 * result, pam, reason and rule.  Any doubt denies.
 */
void decide_record(struct decide_warm *w, struct hg_record *r);

/* Free W's policy. */
void decide_free(struct decide_warm *w);

#endif /* HG_DECIDE_H */

/*
 * The account-phase decision of a record: the one decision that the
 * module's local path and hostgated's decision service both make, here
 * once, so that a stack gets the same answer from either
 * (tests/daemon/differential.sh).
 */
#ifndef HG_ACCOUNT_H
#define HG_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "policy.h"
#include "record.h"

/*
 * The groups of USER through NSS, for account_decide(): *GROUPS is a new
 * array of *NGROUPS names for policy_groups_free().  Returns 0,
 * HG_ERR_UNKNOWN_USER (not a usable name, or no such account) or another
 * error (NSS failed, no memory: MSG says why); either way *REASON is the
 * audit reason of the denial.
 */
int account_groups(const char *user, char ***groups, size_t *ngroups,
    const char **reason, struct hg_msg *msg);

/*
 * Decide R's login (its user, service, rhost, and the host's local time
 * of its ts_ms) with POL, for a user in the NGROUPS GROUPS that
 * account_groups() gave, MFA when the auth phase passed a code.  POL
 * NULL (no valid policy) denies with reason policy-invalid.  Sets R's rule
 * to the deciding rule ("file:line") if there is one, and *REASON to the
 * audit reason (static).  Returns 0 (allow), HG_ERR_DENIED, or what
 * policy_decide() returns for a denial it could not reach otherwise
 * (HG_ERR_POLICY, HG_ERR_INVALID).
 */
int account_decide(const struct hg_policy *pol, struct hg_record *r,
    char **groups, size_t ngroups, bool mfa, const char **reason);

#endif /* HG_ACCOUNT_H */

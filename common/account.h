/*
 * The account-phase decision for one audit record, made the same way by
 * the module (deciding locally) and by hostgated (deciding warm), so that
 * both paths give the same answer for the same input.
 */
#ifndef HG_ACCOUNT_H
#define HG_ACCOUNT_H

#include "err.h"
#include "policy.h"
#include "record.h"
#include "submit.h"

/*
 * Decide R (an "account" record: user, service, rhost, factors, ts_ms)
 * with POL, NULL when the policy is invalid (then everyone is denied with
 * policy-invalid): the user's groups through NSS, mfa when R's factors
 * hold a code, the host's local time at R's timestamp.  Fills R's result,
 * pam, reason and rule.  Returns 0 (allow), HG_ERR_DENIED,
 * HG_ERR_UNKNOWN_USER, or HG_ERR_INTERNAL when the groups could not be
 * read (denied; MSG says why).
 */
int account_decide(const struct hg_policy *pol, struct hg_record *r,
    struct hg_msg *msg);

/*
 * The account gate for R: decided by hostgated when it holds warm the very
 * policy C->conf names (its identity goes with the request), else here
 * with the same engine and recorded through C.  Fills R's result fields.
 * Returns 0 (allow), HG_ERR_DENIED, HG_ERR_UNKNOWN_USER, HG_ERR_INTERNAL,
 * or HG_ERR_IO when audit=required and the record could not be stored.
 */
int account_check(struct submit_ctx *c, struct hg_record *r);

#endif /* HG_ACCOUNT_H */

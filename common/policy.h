/*
 * The role policy: policy.conf plus the *.conf files in policy.d, parsed
 * into indexed structures, and the evaluator that turns a login into allow
 * or deny.
 * Pure: no PAM, no syslog, no DNS.  Only policy_user_groups() and
 * policy_lint() ask NSS.
 *
 * The files behind this header, and what each does, are listed in
 * policy_impl.h.
 *
 * A policy is immutable once loaded, so one loaded copy may serve any
 * number of decisions (the module loads it per transaction; a daemon can
 * keep it warm).
 *
 * Diagnostics name their place as "file:line:col: error: message" (col is
 * a 1-based byte column); problems with a whole file (missing, untrusted,
 * too large) as "file: error: message".
 *
 * Syntax details the specification leaves open, as decided here:
 * - blanks are spaces and tabs; '#' starts a comment at the start of a line
 *   or after a blank; a final CR (CRLF files) is ignored; lines are at
 *   most POLICY_LINE_MAX bytes of valid UTF-8 without control characters;
 * - "role NAME=MEMBER" needs no blanks around '='; role names are ASCII
 *   letters, digits, '_', '.', '-'; members are separated by blanks;
 * - conditions are "key=LIST" without blanks; each at most once;
 * - from=: a CIDR block with host bits set (10.1.2.3/8) is an error, as it
 *   is usually a typo; ::ffff:a.b.c.d/N (N >= 96) is the IPv4 block;
 * - time=: day names are case-insensitive; ranges wrap (Fri-Mon).
 *
 * Time windows: "Fri@22:00-06:00" is Friday 22:00 to Saturday 06:00: the
 * part after midnight belongs to the day the window starts on.  Windows
 * include their start minute and exclude their end minute; "24:00" may end
 * a window.  A time item without a window ("Sat-Sun") is the whole day.
 */
#ifndef HG_POLICY_H
#define HG_POLICY_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

#define POLICY_LINE_MAX		4096		/* bytes, newline excluded */
#define POLICY_FILE_MAX		(4 * 1024 * 1024)
#define POLICY_DIAGS_MAX	100		/* errors kept per load */

struct hg_policy;

/* Diagnostics, one line each, without a trailing newline. */
struct policy_diags {
	char	**v;
	size_t	  n;
};

/* Release the lines of D; D may be reused after. */
void policy_diags_free(struct policy_diags *d);

/* Which files make up a policy, and who must own them. */
struct policy_source {
	const char	*path;		/* the main file */
	uid_t		 owner;		/* 0 in production */
	/*
	 * Optional, for "hostgate edit": read one file of the set from
	 * SUBST_PATH instead, while reporting it under its own name.
	 * SUBST_NAME is NULL for the main file, else a file name in
	 * policy.d (which need not exist yet).
	 */
	const char	*subst_path;
	const char	*subst_name;
};

/*
 * Load the policy SRC->path and its policy.d directory (the directory
 * "policy.d" beside it; missing means none).  Every file must be trusted
 * (owned by SRC->owner, not writable by group or other, not a symlink).
 * All errors are collected: ERRS (may be NULL) receives each of them (at
 * most POLICY_DIAGS_MAX), MSG (may be NULL) the first.  Any error makes
 * the whole policy invalid and *OUT is left NULL.
 * Returns 0; HG_ERR_NOENT, HG_ERR_UNTRUSTED, HG_ERR_IO when that was the
 * first problem; HG_ERR_POLICY for any other error; or HG_ERR_NOMEM.
 */
int policy_load_source(const struct policy_source *src,
    struct hg_policy **out, struct policy_diags *errs, struct hg_msg *msg);

/* policy_load_source() of PATH owned by OWNER, for callers with no ERRS. */
int policy_load(const char *path, uid_t owner, struct hg_policy **out,
    struct hg_msg *msg);

/* Free a policy from policy_load*(); NULL is fine. */
void policy_free(struct hg_policy *pol);

/*
 * The directory of include files for the main policy file PATH, in BUF.
 * Returns 0 or HG_ERR_TOOLONG.
 */
int policy_include_dir(const char *path, char *buf, size_t size);

/* One login to decide. */
struct policy_input {
	const char		*user;
	const char *const	*groups;	/* primary + supplementary */
	size_t			 ngroups;
	const char		*service;	/* PAM_SERVICE, NULL: unknown */
	const char		*rhost;		/* PAM_RHOST; NULL, "": local */
	const struct tm		*when;		/* host local time */
	bool			 mfa;		/* auth phase passed a code */
};

enum policy_reason {
	POLICY_REASON_RULE,		/* a rule decided */
	POLICY_REASON_NO_RULE,		/* nothing allowed: denied */
	POLICY_REASON_MFA_REQUIRED,	/* only mfa allows matched, no mfa */
	POLICY_REASON_INVALID,		/* no valid policy: denied */
	POLICY_REASON_ERROR,		/* the input was unusable: denied */
};

struct policy_decision {
	bool			 allow;
	enum policy_reason	 reason;
	/*
	 * The deciding rule: for POLICY_REASON_RULE the rule that allowed or
	 * denied, for POLICY_REASON_MFA_REQUIRED the allow that wanted mfa;
	 * else NULL / 0.  Of several, the first in reading order.  These
	 * point into the policy and live as long as it.
	 */
	const char		*file;
	unsigned		 line;
	const char		*text;		/* the rule's source line */
};

/*
 * Decide IN under POL: a matching deny always wins; else a matching allow
 * permits; else deny.  Rule and file order never change the outcome.
 * IN->rhost is read by addr_read() (a zone id dropped, IPv4-mapped IPv6
 * as IPv4, never DNS); an rhost that is still not an address literal fails
 * closed: it matches every deny with a from= condition, and only the
 * allows without one (or with from=*).  POL NULL (no valid policy) denies
 * with POLICY_REASON_INVALID.  *D is always filled, denying on any error.
 * Returns 0, HG_ERR_POLICY for POL NULL, or HG_ERR_INVALID for an unusable
 * IN (no user, no time, fields out of range).
 */
int policy_decide(const struct hg_policy *pol, const struct policy_input *in,
    struct policy_decision *d);

/*
 * The stable audit reason code: "rule", "no-rule", "mfa-required",
 * "policy-invalid", and "internal-error" for POLICY_REASON_ERROR.
 */
const char *policy_reason_str(enum policy_reason reason);

/*
 * Store in NAMES (up to MAX, in definition order) the roles that IN's user
 * and groups hold; other fields of IN are ignored.  Returns how many roles
 * there are in all, which may exceed MAX.
 */
size_t policy_roles_of(const struct hg_policy *pol,
    const struct policy_input *in, const char **names, size_t max);

/*
 * Resolve USER's groups (primary and supplementary, by name) through NSS,
 * so that directory groups count.  *GROUPS is a new array of *NGROUPS
 * names for policy_groups_free().  Returns 0, HG_ERR_UNKNOWN_USER,
 * HG_ERR_NOMEM or HG_ERR_IO (NSS failed).
 */
int policy_user_groups(const char *user, char ***groups, size_t *ngroups,
    struct hg_msg *msg);

/* Free what policy_user_groups() returned. */
void policy_groups_free(char **groups, size_t ngroups);

/*
 * Warnings about a valid policy, as "file:line:col: warning: message":
 * roles no rule uses, users and groups unknown to NSS, allow rules that
 * can never match because a deny covers all they allow, denies with from=
 * (which an rhost that is not an address literal meets, see
 * policy_decide()), and a policy that allows no one.  Returns 0 or
 * HG_ERR_NOMEM.
 */
int policy_lint(const struct hg_policy *pol, struct policy_diags *warnings);

/* How many files, roles and rules POL has, for summaries; any may be NULL. */
void policy_counts(const struct hg_policy *pol, size_t *files,
    size_t *roles, size_t *rules);

/* The identity of a policy as policy_stamp() writes it: hex, NUL. */
#define POLICY_STAMP_HEX	64

/*
 * The identity of the policy whose main file is PATH, as it is now: a
 * BLAKE2b-256 digest, as POLICY_STAMP_HEX hex digits and a NUL in OUT, over
 * PATH itself and what lstat says about the main file, its include
 * directory and every entry in it (inode, owner, mode, size, mtime and
 * ctime to the nanosecond).  So a different path, or any edit,
 * replacement, addition or removal of a file, gives a different identity.
 * It reads no file contents and never fails: what cannot be examined is
 * part of the digest too (a stamp that will not last).  The module and
 * hostgated compute it alike to tell whether they mean the same policy.
 */
void policy_stamp(const char *path, char out[POLICY_STAMP_HEX + 1]);

#endif /* HG_POLICY_H */

/*
 * The insides of a loaded policy, shared by the files of the policy unit
 * and by nothing else (callers see only policy.h):
 *   policy_parse.c  the policy language, a line at a time, and its errors
 *   policy_load.c   files and policy.d, roles resolved, the index, freeing
 *   policy_eval.c   decisions and roles
 *   policy_lint.c   warnings, and the NSS lookups (users, groups)
 *   policy_stamp.c  the identity of a policy
 */
#ifndef HG_POLICY_IMPL_H
#define HG_POLICY_IMPL_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "policy.h"

/* No index: no rule found, the end of a bucket chain. */
#define NONE		SIZE_MAX

/* A growable list of indices (roles or rules). */
struct idlist {
	size_t		*v;
	size_t		 n, cap;
};

/*
 * A chained hash table from (string, tag) to an idlist.  The tag lets one
 * table key rules by (service, role).  Keys are borrowed, not copied.
 */
struct map_ent {
	const char	*key;
	size_t		 tag;
	uint32_t	 hash;
	size_t		 next;
	struct idlist	 ids;
};

struct map {
	size_t		*bucket;
	size_t		 nbucket;	/* a power of two, or 0 */
	struct map_ent	*ent;
	size_t		 n, cap;
};

struct pol_file {
	char		*name;		/* as shown in diagnostics */
	char		*buf;		/* the contents; tokens point here */
};

enum member_kind { M_USER, M_GROUP, M_ANY };

struct pol_member {
	const char	*name;		/* without the '@' of a group */
	enum member_kind kind;
	unsigned	 col;
};

struct pol_role {
	const char	*name;
	size_t		 file;
	unsigned	 line, col;
	struct pol_member *m;
	size_t		 nm;
	bool		 used;
	struct idlist	 anysvc;	/* its rules for any service */
};

/* A from= item; family 0 is "local". */
struct pol_addr {
	int		 family;
	unsigned char	 a[16];
	unsigned	 prefix;
};

/* A time= item: days (bit N = tm_wday N), minutes [start, end). */
struct pol_time {
	unsigned	 days;
	unsigned	 start, end;
};

/* For each condition, n == 0 means "anything". */
struct pol_rule {
	bool		 deny, mfa;
	size_t		 file;
	unsigned	 line, col;
	char		*text;
	const char	*rolename;
	unsigned	 rolecol;
	size_t		 role;
	const char	**svc;
	size_t		 nsvc;
	struct pol_addr	*from;
	size_t		 nfrom;
	struct pol_time	*time;
	size_t		 ntime;
};

struct hg_policy {
	struct pol_file	*files;
	size_t		 nfiles;
	struct pol_role	*roles;
	size_t		 nroles, roles_cap;
	struct pol_rule	*rules;		/* in reading order: index = rank */
	size_t		 nrules, rules_cap;
	struct map	 rolenames;	/* role name -> role */
	struct map	 users;		/* user name -> roles */
	struct map	 groups;	/* group name -> roles */
	struct idlist	 anyone;	/* roles with member '*' */
	struct map	 services;	/* (service, role) -> rules */
};

struct perror;				/* policy_parse.c */

/* Parser state: where we are, and the errors so far. */
struct parser {
	struct hg_policy *pol;
	struct perror	*err;
	size_t		 nerr;
	bool		 nomem;
	size_t		 file;
	unsigned	 lineno;
	const char	*line;		/* start of the current line */
};

/* --- policy_parse.c ------------------------------------------------------ */

/*
 * Parse LINE, the current line (PS->lineno) of the current file (PS->file),
 * NUL-terminated in place with LEN bytes before the NUL, into PS->pol's
 * roles and rules.  Tokens point into LINE, which must live as long as
 * the policy.  Errors are collected in PS.
 */
void policy_parse_line(struct parser *ps, char *line, size_t len);

/* Free what RULE holds and clear it. */
void policy_rule_clear(struct pol_rule *rule);

/* Collect an error at FILE:LINE:COL. */
void policy_perr_at(struct parser *ps, size_t file, unsigned line,
    unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Collect an error about the whole current file (missing, untrusted...). */
void policy_perr_file(struct parser *ps, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Hand the errors over in file, line, column order: all of them to ERRS
 * (may be NULL), the first to MSG.  Returns the first one's code, or 0 if
 * there are none.
 */
int policy_perr_flush(struct parser *ps, struct policy_diags *errs,
    struct hg_msg *msg);

/*
 * Out of memory while parsing: remembered in PS, reported once at the end.
 * Returns -1.
 */
int policy_perr_nomem(struct parser *ps);

/* --- policy_load.c ------------------------------------------------------- */

/*
 * Make room for one more element in the array V of N elements of SIZE
 * bytes: none if N is below *CAP, else *CAP becomes FIRST, or doubles so
 * that filling the array costs O(n).  Returns the array, perhaps moved, or
 * NULL (V and *CAP intact) when out of memory.
 */
void *policy_grow(void *v, size_t *cap, size_t n, size_t first,
    size_t size);

/* The entry of (KEY, TAG) in M, or NULL if it has none or KEY is NULL. */
struct map_ent *policy_map_find(const struct map *m, const char *key,
    size_t tag);

/*
 * Append ID to the list of (KEY, TAG) in M, creating it; KEY is borrowed.
 * Returns 0 or HG_ERR_NOMEM.
 */
int policy_map_add(struct map *m, const char *key, size_t tag, size_t id);

/*
 * The names of the entries of the directory D (NULL: none) that WANT
 * accepts, without EXTRA, and then EXTRA if not NULL; sorted by strcmp(),
 * so the order never depends on readdir or LANG.  *NAMESP is a new array
 * of *NP names, each to free(); NULL and 0 on error.  Returns 0,
 * HG_ERR_NOMEM, or HG_ERR_IO when readdir failed (errno says why).
 */
int policy_dir_names(DIR *d, bool (*want)(const char *), const char *extra,
    char ***namesp, size_t *np);

/* --- policy_eval.c ------------------------------------------------------- */

/* Does the block NET contain the address or block A? */
bool policy_addr_within(const struct pol_addr *net, const struct pol_addr *a);

/* Does RULE apply to SERVICE?  A rule for any service applies to NULL. */
bool policy_rule_has_service(const struct pol_rule *rule,
    const char *service);

#endif /* HG_POLICY_IMPL_H */

/*
 * The authentication attempt as a unit, without PAM: who the name is, where
 * the attempt comes from, whether that source is locked out, then the
 * password against shadow and the code against the seed, with replay and
 * lockout state updated under one lock and a recovery code consumed.
 *
 * The module calls auth_begin() before its prompts (a locked source gets
 * a notice) and auth_finish() with what was typed.  Every name goes through
 * the same steps and the same work, known or not, with a seed or not.
 */
#ifndef HG_AUTH_H
#define HG_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "conf.h"
#include "err.h"
#include "state.h"
#include "totp.h"
#include "trust.h"

/* Longer typed passwords are refused unchecked, as pam_unix does. */
#define AUTH_MAX_PASSWORD	512

struct auth_attempt {
	/* Set by auth_begin(). */
	const struct hg_conf *conf;
	const char	*user;		/* as typed */
	char		 name[TRUST_NAME_MAX + 1];	/* canonical */
	bool		 known;		/* the name is an account (NSS) */
	uid_t		 uid;
	char		 source[STATE_MAX_SOURCE_LEN + 1];
	bool		 source_addr;	/* the source is an address */
	bool		 locked;	/* refused (or, root, noticed) */
	long long	 now;
	struct hg_log	 log;		/* where its lines go */
	/* Set by auth_finish(). */
	const char	*password;	/* borrowed for the call */
	char		 code[TOTP_MAX_CODE + 1];	/* wiped after */
	bool		 code_toolong;
	bool		 null_ok;
	bool		 password_ok;
	bool		 used_totp;
	bool		 used_scratch;
	const char	*note;		/* extra detail for the log line */
};

/*
 * The account NAME stands for, by the name NSS gives it (pw_name: with a
 * case-insensitive source "Alice" is "alice"), into OUT of SIZE bytes;
 * *UID gets its uid.  Returns false, OUT holding NAME, when NAME is no
 * usable account.
 */
bool auth_canonical_user(const char *name, char *out, size_t size,
    uid_t *uid);

/*
 * Start attempt A for USER (as typed) from RHOST, else TTY (either may be
 * NULL), at NOW, under CONF; LOG (may be NULL) receives its log lines.  Checks that the seed directory can be trusted and reads whether
 * the source is locked out (A->locked).  Returns 0, HG_ERR_CONFIG (nothing
 * to check), HG_ERR_UNTRUSTED, HG_ERR_IO, HG_ERR_STATE or HG_ERR_NOMEM;
 * MSG says why.
 */
int auth_begin(struct auth_attempt *a, const struct hg_conf *conf,
    const char *user, const char *rhost, const char *tty, long long now,
    const struct hg_log *log, struct hg_msg *msg);

/*
 * Finish attempt A at NOW (the clock read again after the prompts: the
 * code is checked against the time it was typed at) with the typed
 * PASSWORD (ignored with password=none) and CODE (ignored with totp=off);
 * NULL_OK when the application allows an empty password.  Returns 0 (authenticated), HG_ERR_BAD_PASSWORD,
 * HG_ERR_BAD_CODE, HG_ERR_REPLAY, HG_ERR_LOCKED, HG_ERR_NO_SEED,
 * HG_ERR_UNKNOWN_USER, or an error reading the files (HG_ERR_IO,
 * HG_ERR_UNTRUSTED, HG_ERR_SEED, HG_ERR_STATE, HG_ERR_NOMEM); MSG says why
 * for the latter.  The code is wiped from A before it returns.
 */
int auth_finish(struct auth_attempt *a, long long now, const char *password,
    const char *code, bool null_ok, struct hg_msg *msg)
    __attribute__((warn_unused_result));

/* The factors A passed, "password,totp" style, into BUF of SIZE bytes. */
void auth_factors(const struct auth_attempt *a, char *buf, size_t size);

#endif /* HG_AUTH_H */

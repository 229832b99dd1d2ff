/*
 * What the commands of the admin CLI share: messages, option parsing and
 * settings (all of them, the dispatcher's too), loading a policy set (check,
 * explain, edit), and for the seed and lockout commands (enroll, import,
 * seal, status, unlock) the root check, the seed key, and writing seed
 * files the way the module reads them.
 */
#ifndef HG_CLI_UTIL_H
#define HG_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "secure.h"
#include "totp.h"
#include "trust.h"

#define CLI_EXIT_OK	0
#define CLI_EXIT_FAIL	1
#define CLI_EXIT_USAGE	2

/* Whose settings and policy files the CLI trusts: root's, as the module. */
#define CLI_OWNER	0

/* The longest user name a seed file may be named after (as the module). */
#define CLI_USER_MAX	256

/*
 * "hostgate: CMD: MESSAGE" on stderr, MESSAGE shown as by
 * cli_util_printable(): it names user names, sources and paths, which
 * come from files and arguments.  Pass its arguments raw: escaped first,
 * they would be escaped twice.
 */
void cli_util_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "hostgate: CMD: warning: MESSAGE" on stderr, as cli_util_error(). */
void cli_util_warn(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Room for a 255-byte string (a source) shown by cli_util_printable(). */
#define CLI_SHOWN_MAX	1024

/*
 * The one filter for stored and user-supplied strings on their way to a
 * terminal (user names, sources, rhosts, paths): write S into BUF (SIZE
 * bytes, at least 4) with every byte outside printable ASCII as "\xNN"
 * and '\' as "\\", so that no escape sequence reaches the terminal and
 * no string can forge a line.  A string that does not fit is cut and ends
 * in "...".  Returns BUF, to be used as a printf argument.
 */
const char *cli_util_printable(const char *s, char *buf, size_t size);

/*
 * Match option NAME at argv[*I], as "NAME VALUE" or "NAME=VALUE".
 * Returns 1 and sets *VALUE (advancing *I past a separate value), 0 when
 * argv[*I] is another argument, -1 when the value is missing.
 */
int cli_util_opt(int argc, char **argv, int *i, const char *name,
    const char **value);

/*
 * Initialise libsodium and liboath, which every command uses.  Returns 0,
 * or -1 after a message.
 */
int cli_util_init(const char *cmd);

/* Whether ARG is "--help" or "-h". */
bool cli_util_is_help(const char *arg);

/* Wipe the SIZE bytes at BUF, then free it; NULL is fine. */
void cli_util_free_secret(void *buf, size_t size);

/* "usage: USAGE" on F: stdout for --help, else stderr. */
void cli_util_usage(FILE *f, const char *usage);

/* One option of a command, for cli_util_args(). */
struct cli_util_arg {
	const char	 *name;		/* "--config" */
	const char	**value;	/* "NAME VALUE" or "NAME=VALUE", or */
	bool		 *flag;		/* NULL value: a flag, set when given */
};

#define CLI_ARGS_HELP		1	/* "--help" or "-h" */
#define CLI_ARGS_MISSING	(-1)	/* an option without its value */
#define CLI_ARGS_UNEXPECTED	(-2)	/* anything else */

/*
 * Parse a command's ARGV (argv[0] its name), left to right, into the
 * options ARGS (up to a NULL name) and at most one operand, *OPERAND
 * (NULL: the command takes none; an argument that starts with '-' never
 * is one).  With HELP set, "--help" or "-h" prints "usage: HELP" on stdout
 * and stops.  Returns 0, CLI_ARGS_HELP, or CLI_ARGS_MISSING or
 * CLI_ARGS_UNEXPECTED with *BAD (may be NULL) the argument at fault; it
 * prints nothing else, so that each command words its own usage error.
 */
int cli_util_args(int argc, char **argv, const struct cli_util_arg *args,
    const char *help, const char **operand, const char **bad);

/*
 * Say what cli_util_args() found wrong (R) with ARG: "NAME needs a value"
 * or "unexpected argument 'ARG'", then "usage: USAGE", on stderr.
 * Returns CLI_EXIT_USAGE.
 */
int cli_util_args_error(const char *cmd, int r, const char *arg,
    const char *usage);

/*
 * Load the settings from CONFIG (NULL: the default file) into CONF, as the
 * module would; a relative CONFIG is made absolute.  Returns 0, or -1
 * after a message.
 */
int cli_util_conf(const char *cmd, const char *config, struct hg_conf *conf);

struct hg_policy;

/*
 * Load the policy set at PATH (owned by CLI_OWNER) into *POL as the module
 * would and print every error on stderr.  With SUBST_PATH set, one file of
 * the set is read from there instead (an edited copy): the main file when
 * SUBST_NAME is NULL, else the include file SUBST_NAME (see struct
 * policy_source).  Returns 0 or the HG_ERR_* code of policy_load_source().
 */
int cli_util_policy_load(const char *path, const char *subst_path,
    const char *subst_name, struct hg_policy **pol);

/*
 * Print the lint warnings of POL on stderr.  Returns how many there were.
 */
size_t cli_util_policy_warnings(const struct hg_policy *pol);

/*
 * Refuse to go on unless running as root: the files the commands touch
 * are root's.  WHAT says why, e.g. "it writes root-owned seed files".
 * Returns 0, or -1 after a message.
 */
int cli_util_need_root(const char *cmd, const char *what);

/*
 * Whether USER can name a seed file: what the module accepts (not empty,
 * no '/', no leading '.' or '-', printable ASCII, at most CLI_USER_MAX).
 */
bool cli_util_user_ok(const char *user);

/*
 * Look USER up in NSS: 1 known, 0 unknown, or a negative errno.  When
 * known, CANON (room for TRUST_NAME_MAX + 1; may be NULL) gets the name
 * NSS returns, which names every per-user file ("Alice" is "alice" with a
 * case-insensitive source); else USER.
 */
int cli_util_user_lookup(const char *user, char *canon);

/*
 * Check that USER is a valid name and known to NSS; CANON as for
 * cli_util_user_lookup().  Returns 0, or -1 after a message.
 */
int cli_util_user_known(const char *cmd, const char *user, char *canon);

/*
 * Check the root-owned directory PATH (see trust_check_dir()); when it is
 * missing and CREATE is set, make it with mode 0700 (its parent must
 * exist).  Returns 0, or -1 after a message.
 */
int cli_util_dir(const char *cmd, const char *path, bool create);

/*
 * Load the seed key from PATH into KEY.  *HAVE tells whether there is one.
 * When there is none and CREATE is set, make one: 32 random bytes, root
 * 0400, linked into place so that a key another process created first is
 * kept and used (*CREATED says whether this call made it).  Returns 0, or
 * -1 after a message (an untrusted or malformed key is an error).
 */
int cli_util_key(const char *cmd, const char *path, bool create,
    unsigned char key[SECURE_KEY_BYTES], bool *have, bool *created);

/* What a seed file holds, for cli_util_seed_text(). */
struct cli_util_seed {
	const unsigned char	*secret;
	size_t			 secret_len;
	unsigned		 digits;
	unsigned		 period;
	enum totp_alg		 algorithm;
	char *const		*recovery;	/* argon2id strings */
	size_t			 nrecovery;
	const char		*origin;	/* for the comment line */
};

/*
 * Write the seed file text for USER into a new buffer *OUT of *LEN bytes
 * (the caller wipes and frees it): the secret sealed under KEY, or plain
 * base32 when KEY is NULL.  The text is parsed back and compared before it
 * is returned.  Returns 0, HG_ERR_NOMEM, HG_ERR_TOOLONG or HG_ERR_INTERNAL.
 */
int cli_util_seed_text(const char *user, const struct cli_util_seed *s,
    const unsigned char *key, char **out, size_t *len);

/*
 * Read TEXT (LEN bytes) back as the module will read USER's seed file,
 * KEY as for totp_seed_parse(), and check that it holds S: sealed exactly
 * when KEY is set, the same secret and parameters, the same recovery
 * hashes.  Returns 0, or HG_ERR_INTERNAL when it does not.
 */
int cli_util_seed_check(const char *user, const char *text, size_t len,
    const unsigned char *key, const struct cli_util_seed *s);

/*
 * Write TEXT (LEN bytes) as the seed file of USER in conf->secrets_dir,
 * atomically, root 0600, under the user's state lock (the lock the module
 * holds while it consumes a recovery code).  Unless REPLACE is set an
 * existing seed is left alone and HG_ERR_INVALID returned.  Returns 0 or
 * an HG_ERR_* code, with MSG saying what went wrong.
 */
int cli_util_seed_write(const struct hg_conf *conf, const char *user,
    const char *text, size_t len, bool replace, struct hg_msg *msg);

/*
 * Whether USER has a seed file in conf->secrets_dir (any file by that
 * name, trusted or not).  Returns 1, 0, or -1 after a message.
 */
int cli_util_seed_exists(const char *cmd, const struct hg_conf *conf,
    const char *user);

/*
 * Whether a new seed may be written for USER: when it has none, or has one
 * and FORCE is set.  Returns 0, or -1 after a message ("USER already has a
 * seed in DIR; use --force to replace it" and NOTE, which may be "") when
 * it has one and FORCE is not set or when that cannot be told.
 */
int cli_util_seed_may_write(const char *cmd, const struct hg_conf *conf,
    const char *user, bool force, const char *note);

/*
 * Hash the N recovery codes CODES into HASHES[0..N-1] (new strings the
 * caller frees, NULL where none was made), all under one new salt so that
 * a login checks them with one argon2id run.  With MAKE set each code is
 * made afresh first (totp_recovery_new()); else it is one given, such as
 * an 8-digit google-authenticator scratch code.  Returns 0, or -1 after a
 * message.
 */
int cli_util_recovery_hashes(const char *cmd,
    char (*codes)[TOTP_RECOVERY_LEN + 1], size_t n, bool make,
    char **hashes);

/*
 * The names of the files in DIR that can belong to a user (valid user
 * names; no lock files, "*.new" temporaries or "*~" backups), sorted, in a
 * new array *NAMES of *N strings, freed with cli_util_free_names().
 * Returns 0, or -1 after a message.
 */
int cli_util_list_users(const char *cmd, const char *dir, char ***names,
    size_t *n);

/* Free what cli_util_list_users() returned. */
void cli_util_free_names(char **names, size_t n);

/* Secret bytes for ALG: 20 (sha1), 32 (sha256), 64 (sha512). */
size_t cli_util_secret_len(enum totp_alg alg);

/*
 * Parse "sha1", "sha256" or "sha512" (any case) into *ALG.
 * Returns 0 or -1.
 */
int cli_util_parse_alg(const char *s, enum totp_alg *alg);

/* The longest period a seed may have (totp.c). */
#define CLI_PERIOD_MAX	3600

/*
 * The period to judge a user's stored step by (state_step_ahead()), given
 * how totp_seed_load() ended (LOADED) and SEED: the seed's own; 30 s when
 * the user has no seed; CLI_PERIOD_MAX when the seed cannot be read, so
 * that unlock never takes a step the seed could still accept (a code just
 * used) for a clock problem.
 */
unsigned cli_util_step_period(int loaded, const struct hg_seed *seed);

/*
 * Write the time T (seconds since the epoch) into BUF of SIZE bytes as
 * local "YYYY-MM-DD HH:MM:SS", or as "@T" when it cannot be shown so.
 */
void cli_util_fmt_time(char *buf, size_t size, long long t);

#endif /* HG_CLI_UTIL_H */

/*
 * Seed files (/etc/hostgate/totp/<user>), RFC 6238 code verification through
 * liboath, and recovery (scratch) codes stored as argon2id hashes.
 */
#ifndef HG_TOTP_H
#define HG_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"

#define TOTP_MAX_SECRET		128	/* bytes; SHA-512 wants 64 */
#define TOTP_MIN_SECRET		10	/* 80 bits, what older apps issued */
/*
 * The most recovery codes a seed may hold.  A check runs one argon2id
 * whatever the count, so the cap only bounds the seed file and what an
 * older seed (a salt per code) costs: one run per code.
 */
#define TOTP_MAX_RECOVERY	32
#define TOTP_MAX_CODE		64	/* longest typed code considered */
#define TOTP_MAX_FILE		(64 * 1024)
#define TOTP_RECOVERY_LEN	10	/* characters of a generated code */
#define TOTP_RECOVERY_SALT	16	/* crypto_pwhash_SALTBYTES */

enum totp_alg { TOTP_SHA1, TOTP_SHA256, TOTP_SHA512 };

struct hg_seed {
	unsigned char	 secret[TOTP_MAX_SECRET];
	size_t		 secret_len;
	unsigned	 digits;
	unsigned	 period;
	enum totp_alg	 algorithm;
	bool		 sealed;
	char		*recovery[TOTP_MAX_RECOVERY];	/* argon2id strings */
	unsigned	 recovery_line[TOTP_MAX_RECOVERY];
	size_t		 nrecovery;
	char		*text;		/* the file as read, for rewriting */
	size_t		 text_len;
};

/*
 * Parse seed file text (LEN bytes, NUL-terminated) for USER.  KEY is the
 * sealing key, or NULL when none could be loaded (then a sealed secret is
 * an error).  PATH names the file in diagnostics.  On success SEED owns a
 * copy of the text.  Returns 0, HG_ERR_SEED or HG_ERR_NOMEM.
 */
int totp_seed_parse(struct hg_seed *seed, const char *user, const char *text,
    size_t len, const unsigned char *key, const char *path,
    struct hg_msg *msg) __attribute__((warn_unused_result));

/*
 * Read and parse the seed of USER from DIR/USER, trusted as a secret file
 * owned by OWNER; KEY as for totp_seed_parse().  Returns 0, HG_ERR_NO_SEED
 * (no file), HG_ERR_UNTRUSTED, HG_ERR_IO, HG_ERR_SEED or HG_ERR_NOMEM.
 */
int totp_seed_load(struct hg_seed *seed, const char *dir, const char *user,
    uid_t owner, const unsigned char *key, struct hg_msg *msg)
    __attribute__((warn_unused_result));

/* Wipe a seed and free what it holds. */
void totp_seed_free(struct hg_seed *seed);

/* Fill SEED with a random secret that no code will match (dummy work). */
void totp_seed_dummy(struct hg_seed *seed);

/*
 * Remove spaces from the typed CODE into OUT (room for TOTP_MAX_CODE + 1).
 * Returns 0 or HG_ERR_TOOLONG.
 */
int totp_normalize(const char *code, char out[TOTP_MAX_CODE + 1]);

/* Whether a normalized code has the form of an ordinary code for SEED. */
bool totp_is_ordinary(const struct hg_seed *seed, const char *code);

/*
 * Check the normalized CODE against SEED at time NOW, WINDOW steps either
 * side, comparing in constant time.  On a match *STEP_TIME is the start of
 * the matching time step (seconds since the epoch).
 * Returns 0, HG_ERR_BAD_CODE or HG_ERR_INTERNAL.
 */
int totp_verify(const struct hg_seed *seed, const char *code, time_t now,
    unsigned window, long long *step_time)
    __attribute__((warn_unused_result));

/*
 * Check a normalized recovery CODE (case and dashes do not matter) against
 * every stored hash in constant time.  The codes of a seed share one salt,
 * so this runs argon2id once, and once on a random salt when there are no
 * codes (a dummy seed): the work does not tell what the user has.  A seed
 * written before codes shared a salt costs one run per distinct salt.
 * Returns the index of the matching hash, or HG_ERR_BAD_CODE.
 */
int totp_recovery_match(const struct hg_seed *seed, const char *code)
    __attribute__((warn_unused_result));

/*
 * The seed file text without recovery line INDEX, in a new buffer *OUT of
 * *LEN bytes (wiped and freed by the caller).  Returns 0, HG_ERR_INVALID
 * (no such index) or HG_ERR_NOMEM.
 */
int totp_recovery_remove(const struct hg_seed *seed, size_t index,
    char **out, size_t *len);

/*
 * Hash the recovery CODE (as typed at login: lower case, no dashes) into
 * HASH (room for crypto_pwhash_STRBYTES): the argon2id string
 * crypto_pwhash_str() would write at the cost every recovery code uses,
 * under SALT.  All codes of one seed must share one SALT (random, made once
 * per seed), or a check costs one argon2id run per salt.
 * Returns 0 or HG_ERR_NOMEM.
 */
int totp_recovery_hash(const unsigned char salt[TOTP_RECOVERY_SALT],
    const char *code, char *hash) __attribute__((warn_unused_result));

/*
 * Make a new recovery code: CODE gets TOTP_RECOVERY_LEN characters plus NUL,
 * HASH (room for crypto_pwhash_STRBYTES) its argon2id string under the
 * seed's SALT, as for totp_recovery_hash().  Returns 0 or HG_ERR_NOMEM.
 */
int totp_recovery_new(const unsigned char salt[TOTP_RECOVERY_SALT],
    char code[TOTP_RECOVERY_LEN + 1], char *hash)
    __attribute__((warn_unused_result));

/* "sha1", "sha256", "sha512". */
const char *totp_alg_name(enum totp_alg alg);

#endif /* HG_TOTP_H */

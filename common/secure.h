/*
 * Secrets at rest: seeds sealed with XChaCha20-Poly1305 under seed.key, with
 * the user name as associated data so that a sealed seed only opens under
 * the name it was sealed for.
 */
#ifndef HG_SECURE_H
#define HG_SECURE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define SECURE_KEY_BYTES	32
#define SECURE_SEALED_PREFIX	"sealed:"

/*
 * Load the sealing key from the OWNER-owned secret file PATH: exactly
 * SECURE_KEY_BYTES raw bytes.  Returns 0, HG_ERR_NOENT, HG_ERR_UNTRUSTED,
 * HG_ERR_IO or HG_ERR_SEED (wrong size).
 */
int secure_key_load(const char *path, uid_t owner,
    unsigned char key[SECURE_KEY_BYTES], struct hg_msg *msg)
    __attribute__((warn_unused_result));

/*
 * Seal LEN bytes of SECRET for USER into a new NUL-terminated string
 * "sealed:BASE64" in *OUT (freed by the caller).  Returns 0, HG_ERR_NOMEM
 * or HG_ERR_TOOLONG.
 */
int secure_seal(const unsigned char key[SECURE_KEY_BYTES], const char *user,
    const unsigned char *secret, size_t len, char **out);

/*
 * Open the "sealed:BASE64" string SEALED for USER into SECRET (room for CAP
 * bytes), its length in *LEN.  Returns 0 or HG_ERR_SEED when it is malformed,
 * tampered with or sealed for another user or key.
 */
int secure_unseal(const unsigned char key[SECURE_KEY_BYTES], const char *user,
    const char *sealed, unsigned char *secret, size_t cap, size_t *len)
    __attribute__((warn_unused_result));

/*
 * Compare two NUL-terminated strings in time that depends only on their
 * lengths.  Returns 1 when equal, 0 otherwise.
 */
int secure_streq(const char *a, const char *b)
    __attribute__((warn_unused_result));

/* Wipe and free a NUL-terminated string; NULL is allowed. */
void secure_strfree(char *s);

#endif /* HG_SECURE_H */

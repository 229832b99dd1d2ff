#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secure.h"
#include "trust.h"

#define NONCE_BYTES	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES	crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SEAL_MAX_SECRET	1024

int
secure_key_load(const char *path, uid_t owner,
    unsigned char key[SECURE_KEY_BYTES], struct hg_msg *msg)
{
	char *buf;
	size_t len;
	int r;

	/* Read one byte more than a key so that a longer file is refused. */
	if ((r = trust_read(path, TRUST_SECRET, owner, SECURE_KEY_BYTES + 1,
	    &buf, &len, msg)) != 0) {
		if (r == HG_ERR_TOOLONG)
			len = SECURE_KEY_BYTES + 1;
		else
			return r;
	}
	if (len != SECURE_KEY_BYTES) {
		r = hg_fail(msg, HG_ERR_SEED,
		    "%s: must hold exactly %d random bytes", path,
		    SECURE_KEY_BYTES);
		goto out;
	}
	memcpy(key, buf, SECURE_KEY_BYTES);
	r = 0;
 out:
	if (buf != NULL) {
		sodium_memzero(buf, len);
		free(buf);
	}
	return r;
}

int
secure_seal(const unsigned char key[SECURE_KEY_BYTES], const char *user,
    const unsigned char *secret, size_t len, char **out)
{
	unsigned char box[NONCE_BYTES + SEAL_MAX_SECRET + TAG_BYTES];
	size_t boxlen = NONCE_BYTES + len + TAG_BYTES, b64len;
	char *s;

	*out = NULL;
	if (len > SEAL_MAX_SECRET)
		return HG_ERR_TOOLONG;
	randombytes_buf(box, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE_BYTES, NULL,
	    secret, len, (const unsigned char *)user, strlen(user), NULL, box,
	    key);
	b64len = sodium_base64_ENCODED_LEN(boxlen,
	    sodium_base64_VARIANT_ORIGINAL);
	if ((s = malloc(sizeof(SECURE_SEALED_PREFIX) + b64len)) == NULL) {
		sodium_memzero(box, sizeof(box));
		return HG_ERR_NOMEM;
	}
	memcpy(s, SECURE_SEALED_PREFIX, sizeof(SECURE_SEALED_PREFIX) - 1);
	sodium_bin2base64(s + sizeof(SECURE_SEALED_PREFIX) - 1, b64len, box,
	    boxlen, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(box, sizeof(box));
	*out = s;
	return 0;
}

int
secure_unseal(const unsigned char key[SECURE_KEY_BYTES], const char *user,
    const char *sealed, unsigned char *secret, size_t cap, size_t *len)
{
	unsigned char box[NONCE_BYTES + SEAL_MAX_SECRET + TAG_BYTES];
	unsigned long long plen;
	size_t boxlen;
	const char *b64;
	int r = HG_ERR_SEED;

	*len = 0;
	if (strncmp(sealed, SECURE_SEALED_PREFIX,
	    sizeof(SECURE_SEALED_PREFIX) - 1) != 0)
		return HG_ERR_SEED;
	b64 = sealed + sizeof(SECURE_SEALED_PREFIX) - 1;
	if (sodium_base642bin(box, sizeof(box), b64, strlen(b64), NULL,
	    &boxlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    boxlen < NONCE_BYTES + TAG_BYTES + 1 ||
	    boxlen - NONCE_BYTES - TAG_BYTES > cap)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret, &plen, NULL,
	    box + NONCE_BYTES, boxlen - NONCE_BYTES, (const unsigned char *)user,
	    strlen(user), box, key) != 0)
		goto out;
	*len = (size_t)plen;
	r = 0;
 out:
	sodium_memzero(box, sizeof(box));
	return r;
}

int
secure_streq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

void
secure_strfree(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}

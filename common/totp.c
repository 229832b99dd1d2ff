#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

#include "conf.h"
#include "secure.h"
#include "totp.h"
#include "trust.h"

/*
 * Recovery codes carry 50 random bits, so a cheap argon2id setting is
 * enough against offline guessing and keeps a login with one fast.
 */
#define RECOVERY_OPSLIMIT	1U
#define RECOVERY_MEMLIMIT	(8U * 1024 * 1024)
#define RECOVERY_HASH_BYTES	32	/* what crypto_pwhash_str() stores */
#define RECOVERY_HASH_MAX	64	/* the longest hash a line may carry */
/* Every stored line starts so; then "m=KiB,t=passes,p=1$SALT$HASH". */
#define RECOVERY_PREFIX		"$argon2id$v=19$m="
/* totp.h does not include sodium.h for the size: they must agree. */
_Static_assert(TOTP_RECOVERY_SALT == crypto_pwhash_SALTBYTES,
    "TOTP_RECOVERY_SALT is not crypto_pwhash_SALTBYTES");
/* The most digits, leading zeros included, of a number in a seed file. */
#define SEED_UINT_DIGITS	6
/* Crockford's base32 alphabet: no i, l, o, u to misread. */
static const char recovery_alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

/*
 * A stored recovery line, decoded: the cost and salt it was made with and
 * its hash.  Lines hashed under one salt and cost differ only in the hash,
 * so one argon2id run checks them all.
 */
struct recovery_line {
	unsigned long long	 ops;
	size_t			 mem;		/* bytes */
	unsigned char		 salt[crypto_pwhash_SALTBYTES];
	unsigned char		 hash[RECOVERY_HASH_MAX];
	size_t			 hash_len;
};

/* Unpadded base64 S, all of it, into OUT: 0, or -1 if not or too long. */
static int
b64_decode(const char *s, unsigned char *out, size_t max, size_t *len)
{
	return sodium_base642bin(out, max, s, strlen(s), NULL, len, NULL,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0 ? 0 : -1;
}

/*
 * Decode "$argon2id$v=19$m=8192,t=1,p=1$SALT$HASH", the form libsodium
 * and the argon2 tool write, with the 16-byte salt crypto_pwhash() takes
 * and hostgate's cost.
 * Returns 0 or HG_ERR_SEED.
 */
static int
recovery_decode(const char *s, struct recovery_line *l)
{
	char buf[crypto_pwhash_STRBYTES], *m, *t, *salt, *hash;
	size_t len = strlen(s), n;
	unsigned mv, tv;

	memset(l, 0, sizeof(*l));
	if (len >= sizeof(buf) || strncmp(s, RECOVERY_PREFIX,
	    sizeof(RECOVERY_PREFIX) - 1) != 0)
		return HG_ERR_SEED;
	memcpy(buf, s, len + 1);
	m = buf + sizeof(RECOVERY_PREFIX) - 1;
	if ((t = strstr(m, ",t=")) == NULL)
		return HG_ERR_SEED;
	*t = '\0';
	t += 3;
	if ((salt = strstr(t, ",p=1$")) == NULL)
		return HG_ERR_SEED;
	*salt = '\0';
	salt += 5;
	if ((hash = strchr(salt, '$')) == NULL)
		return HG_ERR_SEED;
	*hash++ = '\0';
	/*
	 * Only the cost hostgate writes: the check for a user with no codes
	 * runs at that cost, and another would tell the two apart (or, set
	 * high, cost a fortune).
	 */
	if (conf_parse_uint(m, CONF_UINT_DIGITS_MAX, RECOVERY_MEMLIMIT / 1024,
	    RECOVERY_MEMLIMIT / 1024, &mv) != 0 ||
	    conf_parse_uint(t, CONF_UINT_DIGITS_MAX, RECOVERY_OPSLIMIT,
	    RECOVERY_OPSLIMIT, &tv) != 0 ||
	    b64_decode(salt, l->salt, sizeof(l->salt), &n) != 0 ||
	    n != sizeof(l->salt) ||
	    b64_decode(hash, l->hash, sizeof(l->hash), &l->hash_len) != 0 ||
	    l->hash_len != RECOVERY_HASH_BYTES)
		return HG_ERR_SEED;
	l->mem = (size_t)mv * 1024;
	l->ops = tv;
	return 0;
}

/* Whether lines A and B were made with one salt and cost. */
static bool
recovery_same_salt(const struct recovery_line *a,
    const struct recovery_line *b)
{
	return a->ops == b->ops && a->mem == b->mem &&
	    a->hash_len == b->hash_len &&
	    memcmp(a->salt, b->salt, sizeof(a->salt)) == 0;
}

/* The argon2id of CODE (LEN bytes) at L's salt and cost: L->hash_len bytes. */
static int
recovery_compute(const struct recovery_line *l, const char *code, size_t len,
    unsigned char *out)
{
	return crypto_pwhash(out, l->hash_len, code, len, l->salt, l->ops,
	    l->mem, crypto_pwhash_ALG_ARGON2ID13) == 0 ? 0 : HG_ERR_NOMEM;
}

const char *
totp_alg_name(enum totp_alg alg)
{
	switch (alg) {
	case TOTP_SHA256:	return "sha256";
	case TOTP_SHA512:	return "sha512";
	default:		return "sha1";
	}
}

/* Decode the value of "secret =" into SEED. */
static int
parse_secret(struct hg_seed *seed, const char *user, const char *value,
    const unsigned char *key, const char *path, unsigned line,
    struct hg_msg *msg)
{
	char *bin = NULL;
	size_t len = 0;
	int r;

	if (strncmp(value, SECURE_SEALED_PREFIX,
	    sizeof(SECURE_SEALED_PREFIX) - 1) == 0) {
		if (key == NULL)
			return hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: secret is sealed but no seed key could be "
			    "loaded", path, line);
		if (secure_unseal(key, user, value, seed->secret,
		    sizeof(seed->secret), &seed->secret_len) != 0)
			return hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: sealed secret does not open for user '%s' "
			    "with this seed key (tampered, copied from another "
			    "user, or another key)", path, line, user);
		seed->sealed = true;
	} else {
		r = oath_base32_decode(value, strlen(value), &bin, &len);
		if (r != OATH_OK) {
			if (bin != NULL)
				free(bin);
			return hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: secret is neither 'sealed:...' nor valid "
			    "base32", path, line);
		}
		if (len > sizeof(seed->secret)) {
			sodium_memzero(bin, len);
			free(bin);
			return hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: secret longer than %d bytes", path, line,
			    TOTP_MAX_SECRET);
		}
		memcpy(seed->secret, bin, len);
		seed->secret_len = len;
		sodium_memzero(bin, len);
		free(bin);
	}
	if (seed->secret_len < TOTP_MIN_SECRET)
		return hg_fail(msg, HG_ERR_SEED,
		    "%s:%u: secret shorter than %d bytes", path, line,
		    TOTP_MIN_SECRET);
	return 0;
}

int
totp_seed_parse(struct hg_seed *seed, const char *user, const char *text,
    size_t len, const unsigned char *key, const char *path,
    struct hg_msg *msg)
{
	struct recovery_line rl;
	struct conf_lines it;
	unsigned seen_secret = 0, seen_digits = 0, seen_period = 0;
	unsigned seen_alg = 0, *seen;
	char *work = NULL, *line, *k, *v;
	int r;

	memset(seed, 0, sizeof(*seed));
	seed->digits = 6;
	seed->period = 30;
	seed->algorithm = TOTP_SHA1;
	if ((seed->text = malloc(len + 1)) == NULL ||
	    (work = malloc(len + 1)) == NULL) {
		r = hg_fail(msg, HG_ERR_NOMEM, "%s: out of memory", path);
		goto out;
	}
	memcpy(seed->text, text, len + 1);
	seed->text_len = len;
	memcpy(work, text, len + 1);
	conf_lines_init(&it, work, len);
	while ((r = conf_lines_next(&it, &line)) == 1) {
		r = 0;
		if (*line == '\0')
			continue;
		if (conf_split(line, &k, &v) != 0) {
			r = hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: expected 'key = value'", path, it.lineno);
			goto out;
		}
		if (strcmp(k, "recovery") == 0) {
			if (seed->nrecovery == TOTP_MAX_RECOVERY) {
				r = hg_fail(msg, HG_ERR_SEED,
				    "%s:%u: more than %d recovery codes", path,
				    it.lineno, TOTP_MAX_RECOVERY);
				goto out;
			}
			if (recovery_decode(v, &rl) != 0) {
				r = hg_fail(msg, HG_ERR_SEED,
				    "%s:%u: recovery must be an argon2id hash "
				    "'" RECOVERY_PREFIX "8192,t=1,p=1$SALT$HASH'"
				    " (16-byte salt, 32-byte hash, unpadded "
				    "base64)", path, it.lineno);
				goto out;
			}
			if ((seed->recovery[seed->nrecovery] = strdup(v)) ==
			    NULL) {
				r = hg_fail(msg, HG_ERR_NOMEM,
				    "%s: out of memory", path);
				goto out;
			}
			seed->recovery_line[seed->nrecovery++] = it.lineno;
			continue;
		}
		if (strcmp(k, "secret") == 0)
			seen = &seen_secret;
		else if (strcmp(k, "digits") == 0)
			seen = &seen_digits;
		else if (strcmp(k, "period") == 0)
			seen = &seen_period;
		else if (strcmp(k, "algorithm") == 0)
			seen = &seen_alg;
		else {
			r = hg_fail(msg, HG_ERR_SEED, "%s:%u: unknown key '%s'",
			    path, it.lineno, k);
			goto out;
		}
		if (*seen != 0) {
			r = hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: '%s' is already set at line %u", path,
			    it.lineno, k, *seen);
			goto out;
		}
		*seen = it.lineno;
		if (seen == &seen_secret)
			r = parse_secret(seed, user, v, key, path, it.lineno,
			    msg);
		else if (seen == &seen_digits)
			r = (strcmp(v, "6") == 0 || strcmp(v, "8") == 0) ?
			    conf_parse_uint(v, SEED_UINT_DIGITS, 6, 8,
			    &seed->digits) :
			    hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: digits must be 6 or 8", path, it.lineno);
		else if (seen == &seen_period)
			r = conf_parse_uint(v, SEED_UINT_DIGITS, 1, 3600,
			    &seed->period) == 0 ? 0 :
			    hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: period must be 1 to 3600 seconds", path,
			    it.lineno);
		else if (strcmp(v, "sha1") == 0)
			seed->algorithm = TOTP_SHA1;
		else if (strcmp(v, "sha256") == 0)
			seed->algorithm = TOTP_SHA256;
		else if (strcmp(v, "sha512") == 0)
			seed->algorithm = TOTP_SHA512;
		else
			r = hg_fail(msg, HG_ERR_SEED,
			    "%s:%u: algorithm must be sha1, sha256 or sha512",
			    path, it.lineno);
		if (r != 0)
			goto out;
	}
	if (r < 0) {
		r = hg_fail(msg, HG_ERR_SEED,
		    "%s:%u: NUL byte or overlong line", path, it.lineno);
		goto out;
	}
	if (seen_secret == 0) {
		r = hg_fail(msg, HG_ERR_SEED, "%s: no 'secret =' line", path);
		goto out;
	}
	r = 0;
 out:
	if (work != NULL) {
		sodium_memzero(work, len);
		free(work);
	}
	if (r != 0)
		totp_seed_free(seed);
	return r;
}

int
totp_seed_load(struct hg_seed *seed, const char *dir, const char *user,
    uid_t owner, const unsigned char *key, struct hg_msg *msg)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	memset(seed, 0, sizeof(*seed));
	if (!trust_name_ok(user))
		return hg_fail(msg, HG_ERR_INVALID, "%s: user name not usable "
		    "as a file name", dir);
	if (snprintf(path, sizeof(path), "%s/%s", dir, user) >=
	    (int)sizeof(path))
		return hg_fail(msg, HG_ERR_TOOLONG, "%s: path too long", dir);
	r = trust_read(path, TRUST_SECRET, owner, TOTP_MAX_FILE, &text, &len,
	    msg);
	if (r == HG_ERR_NOENT)
		return HG_ERR_NO_SEED;
	if (r == HG_ERR_TOOLONG)
		return hg_fail(msg, HG_ERR_SEED, "%s: larger than %d bytes",
		    path, TOTP_MAX_FILE);
	if (r != 0)
		return r;
	r = totp_seed_parse(seed, user, text, len, key, path, msg);
	sodium_memzero(text, len);
	free(text);
	return r;
}

void
totp_seed_free(struct hg_seed *seed)
{
	size_t i;

	for (i = 0; i < seed->nrecovery; i++)
		free(seed->recovery[i]);
	if (seed->text != NULL) {
		sodium_memzero(seed->text, seed->text_len);
		free(seed->text);
	}
	sodium_memzero(seed, sizeof(*seed));
}

void
totp_seed_dummy(struct hg_seed *seed)
{
	memset(seed, 0, sizeof(*seed));
	randombytes_buf(seed->secret, 20);
	seed->secret_len = 20;
	seed->digits = 6;
	seed->period = 30;
	seed->algorithm = TOTP_SHA1;
}

int
totp_normalize(const char *code, char out[TOTP_MAX_CODE + 1])
{
	size_t n = 0;

	for (; *code != '\0'; code++) {
		if (*code == ' ' || *code == '\t')
			continue;
		if (n == TOTP_MAX_CODE) {
			sodium_memzero(out, TOTP_MAX_CODE + 1);
			return HG_ERR_TOOLONG;
		}
		out[n++] = *code;
	}
	out[n] = '\0';
	return 0;
}

bool
totp_is_ordinary(const struct hg_seed *seed, const char *code)
{
	size_t i;

	for (i = 0; code[i] != '\0'; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return i == seed->digits;
}

/* liboath calls this with each candidate code: compare in constant time. */
static int
code_cmp(void *handle, const char *candidate)
{
	return secure_streq(handle, candidate) ? 0 : 1;
}

int
totp_verify(const struct hg_seed *seed, const char *code, time_t now,
    unsigned window, long long *step_time)
{
	uint64_t counter = 0;
	int flags, pos = 0, r;

	if (!totp_is_ordinary(seed, code))
		return HG_ERR_BAD_CODE;
	flags = seed->algorithm == TOTP_SHA256 ? OATH_TOTP_HMAC_SHA256 :
	    seed->algorithm == TOTP_SHA512 ? OATH_TOTP_HMAC_SHA512 : 0;
	r = oath_totp_validate4_callback((const char *)seed->secret,
	    seed->secret_len, now, seed->period, 0, seed->digits, window, &pos,
	    &counter, flags, code_cmp, (void *)code);
	if (r == OATH_INVALID_OTP)
		return HG_ERR_BAD_CODE;
	if (r < 0 || counter > (uint64_t)LLONG_MAX / seed->period)
		return HG_ERR_INTERNAL;
	*step_time = (long long)counter * seed->period;
	return 0;
}

int
totp_recovery_match(const struct hg_seed *seed, const char *code)
{
	struct recovery_line line[TOTP_MAX_RECOVERY];
	unsigned char got[TOTP_MAX_RECOVERY][RECOVERY_HASH_MAX];
	char canon[TOTP_MAX_CODE + 1];
	int found = HG_ERR_BAD_CODE;
	size_t i, j, n;

	memset(line, 0, sizeof(line));
	memset(got, 0, sizeof(got));
	/* Recovery codes are case-insensitive and may be typed with dashes. */
	for (i = 0, n = 0; code[i] != '\0' && n < TOTP_MAX_CODE; i++) {
		if (code[i] == '-')
			continue;
		canon[n++] = (code[i] >= 'A' && code[i] <= 'Z') ?
		    (char)(code[i] - 'A' + 'a') : code[i];
	}
	canon[n] = '\0';
	/*
	 * One argon2id run per salt: one for the seeds hostgate writes, whose
	 * codes share a salt.  A seed written before codes shared a salt has
	 * one per code and costs a run per code, at most TOTP_MAX_RECOVERY.
	 */
	for (i = 0; i < seed->nrecovery && i < TOTP_MAX_RECOVERY; i++) {
		if (recovery_decode(seed->recovery[i], &line[i]) != 0)
			goto out;	/* the parser let it in: not possible */
		for (j = 0; j < i && !recovery_same_salt(&line[j], &line[i]);
		    j++)
			continue;
		if (j < i)
			memcpy(got[i], got[j], sizeof(got[i]));
		else if (recovery_compute(&line[i], canon, n, got[i]) != 0)
			goto out;
	}
	/* No codes: the same run on a random salt, so the work is the same. */
	if (seed->nrecovery == 0) {
		line[0].ops = RECOVERY_OPSLIMIT;
		line[0].mem = RECOVERY_MEMLIMIT;
		line[0].hash_len = RECOVERY_HASH_BYTES;
		randombytes_buf(line[0].salt, sizeof(line[0].salt));
		(void)recovery_compute(&line[0], canon, n, got[0]);
	}
	/* Every slot is compared, whatever matched, in constant time. */
	for (i = 0; i < TOTP_MAX_RECOVERY; i++)
		if (sodium_memcmp(got[i], line[i].hash, sizeof(got[i])) == 0 &&
		    i < seed->nrecovery && found < 0)
			found = (int)i;
 out:
	sodium_memzero(got, sizeof(got));
	sodium_memzero(canon, sizeof(canon));
	return found;
}

int
totp_recovery_remove(const struct hg_seed *seed, size_t index, char **out,
    size_t *lenp)
{
	const char *p = seed->text, *end = seed->text + seed->text_len, *nl;
	unsigned line = 0;
	size_t len = 0, n;
	char *buf;

	if (index >= seed->nrecovery)
		return HG_ERR_INVALID;
	if ((buf = malloc(seed->text_len + 1)) == NULL)
		return HG_ERR_NOMEM;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (++line != seed->recovery_line[index]) {
			memcpy(buf + len, p, n);
			len += n;
		}
		p += n;
	}
	buf[len] = '\0';
	*out = buf;
	*lenp = len;
	return 0;
}

int
totp_recovery_hash(const unsigned char salt[TOTP_RECOVERY_SALT],
    const char *code, char *hash)
{
	struct recovery_line l;
	unsigned char raw[RECOVERY_HASH_BYTES];
	char s64[sodium_base64_ENCODED_LEN(TOTP_RECOVERY_SALT,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char h64[sodium_base64_ENCODED_LEN(sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	int r;

	memset(&l, 0, sizeof(l));
	l.ops = RECOVERY_OPSLIMIT;
	l.mem = RECOVERY_MEMLIMIT;
	l.hash_len = sizeof(raw);
	memcpy(l.salt, salt, sizeof(l.salt));
	if ((r = recovery_compute(&l, code, strlen(code), raw)) != 0)
		goto out;
	/* The string crypto_pwhash_str() would write with this salt. */
	sodium_bin2base64(s64, sizeof(s64), salt, TOTP_RECOVERY_SALT,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(h64, sizeof(h64), raw, sizeof(raw),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(hash, crypto_pwhash_STRBYTES,
	    RECOVERY_PREFIX "%u,t=%u,p=1$%s$%s", RECOVERY_MEMLIMIT / 1024,
	    RECOVERY_OPSLIMIT, s64, h64);
 out:
	sodium_memzero(raw, sizeof(raw));
	return r;
}

int
totp_recovery_new(const unsigned char salt[TOTP_RECOVERY_SALT],
    char code[TOTP_RECOVERY_LEN + 1], char *hash)
{
	size_t i;

	for (i = 0; i < TOTP_RECOVERY_LEN; i++)
		code[i] = recovery_alphabet[randombytes_uniform(
		    sizeof(recovery_alphabet) - 1)];
	code[i] = '\0';
	return totp_recovery_hash(salt, code, hash);
}

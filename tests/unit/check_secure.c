/*
 * Sealed seeds: the key file, XChaCha20-Poly1305 sealing bound to the user
 * name, and the constant-time string comparison.
 */
#include "config.h"
#include "unit.h"

#include "secure.h"

/* A secret the size of an RFC 4226 SHA-1 seed. */
static const unsigned char secret20[20] = "12345678901234567890";

/* Write a key file of LEN random bytes with MODE; the key in KEY. */
static void
mkkey(char *path, size_t size, const char *dir, size_t len, mode_t mode,
    unsigned char *key)
{
	unsigned char buf[128];

	ck_assert_uint_le(len, sizeof(buf));
	randombytes_buf(buf, len);
	unit_path(path, size, dir, "seed.key");
	unit_write(path, buf, len, mode);
	if (key != NULL)
		memcpy(key, buf, len);
	sodium_memzero(buf, sizeof(buf));
}

START_TEST(key_load_32_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char want[SECURE_KEY_BYTES], got[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES, 0400, want);
	memset(got, 0, sizeof(got));
	ck_assert_int_eq(secure_key_load(path, geteuid(), got, &msg), 0);
	ck_assert_int_eq(memcmp(got, want, sizeof(got)), 0);
}
END_TEST

START_TEST(key_load_0600_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES, 0600, NULL);
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg), 0);
}
END_TEST

START_TEST(key_load_31_bytes)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES - 1, 0400, NULL);
	msg.text[0] = '\0';
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_SEED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(key_load_33_bytes)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES + 1, 0400, NULL);
	msg.text[0] = '\0';
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_SEED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(key_load_64_bytes)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, 64, 0400, NULL);
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_SEED);
}
END_TEST

START_TEST(key_load_empty)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, 0, 0400, NULL);
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_SEED);
}
END_TEST

START_TEST(key_load_group_readable)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES, 0640, NULL);
	msg.text[0] = '\0';
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(key_load_wrong_owner)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES, 0400, NULL);
	ck_assert_int_eq(secure_key_load(path, geteuid() + 1, key, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(key_load_symlink)
{
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	mkkey(path, sizeof(path), dir, SECURE_KEY_BYTES, 0400, NULL);
	unit_path(link, sizeof(link), dir, "link.key");
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(secure_key_load(link, geteuid(), key, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(key_load_missing)
{
	char dir[PATH_MAX], path[PATH_MAX];
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent.key");
	ck_assert_int_eq(secure_key_load(path, geteuid(), key, &msg),
	    HG_ERR_NOENT);
}
END_TEST

/* Seal SECRET20 for USER under a fresh random KEY. */
static char *
seal20(unsigned char key[SECURE_KEY_BYTES], const char *user)
{
	char *sealed = NULL;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	ck_assert_int_eq(secure_seal(key, user, secret20, sizeof(secret20),
	    &sealed), 0);
	ck_assert_ptr_nonnull(sealed);
	return sealed;
}

START_TEST(seal_unseal_roundtrip)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len = 0;
	char *sealed;

	sealed = seal20(key, "alice");
	ck_assert_int_eq(strncmp(sealed, SECURE_SEALED_PREFIX,
	    strlen(SECURE_SEALED_PREFIX)), 0);
	ck_assert_int_eq(secure_unseal(key, "alice", sealed, out, sizeof(out),
	    &len), 0);
	ck_assert_uint_eq(len, sizeof(secret20));
	ck_assert_int_eq(memcmp(out, secret20, len), 0);
	free(sealed);
}
END_TEST

/* Lengths from short to long all survive. */
START_TEST(seal_unseal_lengths)
{
	unsigned char key[SECURE_KEY_BYTES], in[128], out[128];
	size_t n, len;
	char *sealed;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	for (n = 1; n <= sizeof(in); n += 9) {
		randombytes_buf(in, n);
		ck_assert_int_eq(secure_seal(key, "u", in, n, &sealed), 0);
		ck_assert_int_eq(secure_unseal(key, "u", sealed, out,
		    sizeof(out), &len), 0);
		ck_assert_uint_eq(len, n);
		ck_assert_int_eq(memcmp(in, out, n), 0);
		free(sealed);
	}
}
END_TEST

/* The output does not carry the plain secret and never repeats. */
START_TEST(seal_not_plain_and_fresh_nonce)
{
	unsigned char key[SECURE_KEY_BYTES], bin[256];
	size_t binlen, i;
	char *a, *b;

	a = seal20(key, "alice");
	/* Decoded, the box holds neither the secret nor any 8 bytes of it. */
	ck_assert_int_eq(sodium_base642bin(bin, sizeof(bin),
	    a + strlen(SECURE_SEALED_PREFIX),
	    strlen(a) - strlen(SECURE_SEALED_PREFIX), NULL, &binlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	ck_assert_uint_gt(binlen, sizeof(secret20));
	for (i = 0; i + 8 <= sizeof(secret20); i++)
		ck_assert_ptr_null(memmem(bin, binlen, secret20 + i, 8));
	ck_assert_int_eq(secure_seal(key, "alice", secret20,
	    sizeof(secret20), &b), 0);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

START_TEST(unseal_other_user)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len = 99;
	char *sealed;

	sealed = seal20(key, "alice");
	ck_assert_int_eq(secure_unseal(key, "bob", sealed, out, sizeof(out),
	    &len), HG_ERR_SEED);
	ck_assert_uint_eq(len, 0);
	/* Not even a name that only differs in case or by a suffix. */
	ck_assert_int_eq(secure_unseal(key, "Alice", sealed, out, sizeof(out),
	    &len), HG_ERR_SEED);
	ck_assert_int_eq(secure_unseal(key, "alice2", sealed, out,
	    sizeof(out), &len), HG_ERR_SEED);
	ck_assert_int_eq(secure_unseal(key, "", sealed, out, sizeof(out),
	    &len), HG_ERR_SEED);
	free(sealed);
}
END_TEST

START_TEST(unseal_other_key)
{
	unsigned char key[SECURE_KEY_BYTES], other[SECURE_KEY_BYTES];
	unsigned char out[64];
	size_t len;
	char *sealed;

	sealed = seal20(key, "alice");
	memcpy(other, key, sizeof(other));
	other[SECURE_KEY_BYTES - 1] ^= 0x01;
	ck_assert_int_eq(secure_unseal(other, "alice", sealed, out,
	    sizeof(out), &len), HG_ERR_SEED);
	crypto_aead_xchacha20poly1305_ietf_keygen(other);
	ck_assert_int_eq(secure_unseal(other, "alice", sealed, out,
	    sizeof(out), &len), HG_ERR_SEED);
	free(sealed);
}
END_TEST

/* Change the base64 character at offset I into another valid one. */
static void
flip_b64(char *s, size_t i)
{
	s[i] = s[i] == 'A' ? 'B' : 'A';
}

START_TEST(unseal_tampered)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len, plen = strlen(SECURE_SEALED_PREFIX), i, n;
	char *sealed, *copy;

	sealed = seal20(key, "alice");
	n = strlen(sealed);
	/* In the nonce, in the ciphertext and in the tag. */
	for (i = plen + 2; i < n - 4; i += 7) {
		copy = strdup(sealed);
		ck_assert_ptr_nonnull(copy);
		flip_b64(copy, i);
		ck_assert_msg(secure_unseal(key, "alice", copy, out,
		    sizeof(out), &len) == HG_ERR_SEED,
		    "tampered at %zu and still opened", i);
		free(copy);
	}
	free(sealed);
}
END_TEST

START_TEST(unseal_truncated)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len;
	char *sealed;

	sealed = seal20(key, "alice");
	/* Drop the last 4 base64 characters: still valid base64. */
	sealed[strlen(sealed) - 4] = '\0';
	ck_assert_int_eq(secure_unseal(key, "alice", sealed, out, sizeof(out),
	    &len), HG_ERR_SEED);
	/* Just the prefix. */
	ck_assert_int_eq(secure_unseal(key, "alice", SECURE_SEALED_PREFIX,
	    out, sizeof(out), &len), HG_ERR_SEED);
	free(sealed);
}
END_TEST

START_TEST(unseal_no_prefix)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len;
	char *sealed;

	sealed = seal20(key, "alice");
	/* The same base64 without "sealed:". */
	ck_assert_int_eq(secure_unseal(key, "alice",
	    sealed + strlen(SECURE_SEALED_PREFIX), out, sizeof(out), &len),
	    HG_ERR_SEED);
	/* A different prefix. */
	memcpy(sealed, "SEALED:", 7);
	ck_assert_int_eq(secure_unseal(key, "alice", sealed, out, sizeof(out),
	    &len), HG_ERR_SEED);
	free(sealed);
}
END_TEST

START_TEST(unseal_garbage_base64)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	ck_assert_int_eq(secure_unseal(key, "alice", "sealed:!!!not base64!!!",
	    out, sizeof(out), &len), HG_ERR_SEED);
	ck_assert_int_eq(secure_unseal(key, "alice", "sealed:", out,
	    sizeof(out), &len), HG_ERR_SEED);
	ck_assert_int_eq(secure_unseal(key, "alice",
	    "sealed:QUJD\nREVG", out, sizeof(out), &len), HG_ERR_SEED);
}
END_TEST

/* Trailing bytes after valid base64 are not ignored. */
START_TEST(unseal_trailing_junk)
{
	unsigned char key[SECURE_KEY_BYTES], out[64];
	size_t len, n;
	char *sealed, *longer;

	sealed = seal20(key, "alice");
	n = strlen(sealed);
	ck_assert_ptr_nonnull(longer = malloc(n + 3));
	memcpy(longer, sealed, n);
	memcpy(longer + n, " x", 3);
	ck_assert_int_eq(secure_unseal(key, "alice", longer, out, sizeof(out),
	    &len), HG_ERR_SEED);
	free(longer);
	free(sealed);
}
END_TEST

/* A buffer too small for the secret is an error, not an overflow. */
START_TEST(unseal_small_buffer)
{
	unsigned char key[SECURE_KEY_BYTES], out[32];
	size_t len;
	char *sealed;

	sealed = seal20(key, "alice");
	memset(out, 0xa5, sizeof(out));
	ck_assert_int_eq(secure_unseal(key, "alice", sealed, out, 19, &len),
	    HG_ERR_SEED);
	ck_assert_uint_eq(out[19], 0xa5);
	free(sealed);
}
END_TEST

START_TEST(streq_equal)
{
	ck_assert_int_eq(secure_streq("123456", "123456"), 1);
	ck_assert_int_eq(secure_streq("", ""), 1);
}
END_TEST

START_TEST(streq_different)
{
	ck_assert_int_eq(secure_streq("123456", "123457"), 0);
	ck_assert_int_eq(secure_streq("023456", "123456"), 0);
	ck_assert_int_eq(secure_streq("abc", "ABC"), 0);
}
END_TEST

START_TEST(streq_different_length)
{
	ck_assert_int_eq(secure_streq("123456", "1234567"), 0);
	ck_assert_int_eq(secure_streq("1234567", "123456"), 0);
	ck_assert_int_eq(secure_streq("", "1"), 0);
	ck_assert_int_eq(secure_streq("1", ""), 0);
}
END_TEST

START_TEST(strfree_null)
{
	char *s = strdup("secret");

	ck_assert_ptr_nonnull(s);
	secure_strfree(s);
	secure_strfree(NULL);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("secure");
	TCase *tk = tcase_create("key");
	TCase *ts = tcase_create("seal");
	TCase *tq = tcase_create("streq");

	tcase_add_unchecked_fixture(tk, unit_base_setup, unit_base_teardown);
	tcase_add_test(tk, key_load_32_ok);
	tcase_add_test(tk, key_load_0600_ok);
	tcase_add_test(tk, key_load_31_bytes);
	tcase_add_test(tk, key_load_33_bytes);
	tcase_add_test(tk, key_load_64_bytes);
	tcase_add_test(tk, key_load_empty);
	tcase_add_test(tk, key_load_group_readable);
	tcase_add_test(tk, key_load_wrong_owner);
	tcase_add_test(tk, key_load_symlink);
	tcase_add_test(tk, key_load_missing);
	suite_add_tcase(s, tk);

	tcase_add_test(ts, seal_unseal_roundtrip);
	tcase_add_test(ts, seal_unseal_lengths);
	tcase_add_test(ts, seal_not_plain_and_fresh_nonce);
	tcase_add_test(ts, unseal_other_user);
	tcase_add_test(ts, unseal_other_key);
	tcase_add_test(ts, unseal_tampered);
	tcase_add_test(ts, unseal_truncated);
	tcase_add_test(ts, unseal_no_prefix);
	tcase_add_test(ts, unseal_garbage_base64);
	tcase_add_test(ts, unseal_trailing_junk);
	tcase_add_test(ts, unseal_small_buffer);
	suite_add_tcase(s, ts);

	tcase_add_test(tq, streq_equal);
	tcase_add_test(tq, streq_different);
	tcase_add_test(tq, streq_different_length);
	tcase_add_test(tq, strfree_null);
	suite_add_tcase(s, tq);
	return s;
}

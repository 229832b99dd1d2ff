/*
 * Seed files, RFC 6238 code verification and recovery codes.  Codes are
 * checked against the RFC's own test vectors and against oathtool(1), not
 * against values this code computed itself.
 */
#include "config.h"
#include "unit.h"

#include <sys/wait.h>

#include <dlfcn.h>
#include <stdint.h>

#include "secure.h"
#include "totp.h"

#define SEED_PATH	"/etc/hostgate/totp/alice"

/* RFC 6238 Appendix B seeds: "1234567890" repeated to the hash size. */
static const char rfc_sha1[] = "12345678901234567890";
static const char rfc_sha256[] = "12345678901234567890123456789012";
static const char rfc_sha512[] =
    "1234567890123456789012345678901234567890123456789012345678901234";

/* RFC 6238 Appendix B: time and the 8-digit codes per algorithm. */
static const struct {
	long long	t;
	const char	*sha1, *sha256, *sha512;
} rfc_vectors[] = {
	{ 59LL, "94287082", "46119246", "90693936" },
	{ 1111111109LL, "07081804", "68084774", "25091201" },
	{ 1111111111LL, "14050471", "67062674", "99943326" },
	{ 1234567890LL, "89005924", "91819424", "93441116" },
	{ 2000000000LL, "69279037", "90698825", "38618901" },
	{ 20000000000LL, "65353130", "77737706", "47863826" },
};
#define NVECTORS	(sizeof(rfc_vectors) / sizeof(rfc_vectors[0]))

/* RFC 4648 base32 with padding, written here rather than borrowed. */
static void
b32(const void *data, size_t len, char *out, size_t size)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	const unsigned char *in = data;
	unsigned long acc = 0;
	unsigned bits = 0;
	size_t i, n = 0;

	ck_assert_uint_gt(size, (len + 4) / 5 * 8);
	for (i = 0; i < len; i++) {
		acc = (acc << 8 | in[i]) & 0xfff;
		bits += 8;
		while (bits >= 5) {
			out[n++] = alpha[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[n++] = alpha[(acc << (5 - bits)) & 31];
	while (n % 8 != 0)
		out[n++] = '=';
	out[n] = '\0';
}

/* Parse TEXT for "alice" (no key) and insist it is accepted. */
static void
parse_ok(struct hg_seed *seed, const char *text)
{
	struct hg_msg msg;

	msg.text[0] = '\0';
	ck_assert_msg(totp_seed_parse(seed, "alice", text, strlen(text), NULL,
	    SEED_PATH, &msg) == 0, "seed refused: %s", msg.text);
}

/* A seed for SECRET (LEN bytes) with EXTRA lines appended. */
static void
seed_for(struct hg_seed *seed, const void *secret, size_t len,
    const char *extra)
{
	char enc[256], text[1024];

	b32(secret, len, enc, sizeof(enc));
	ck_assert((size_t)snprintf(text, sizeof(text), "secret = %s\n%s", enc,
	    extra) < sizeof(text));
	parse_ok(seed, text);
}

/* TEXT is refused with HG_ERR_SEED naming SEED_PATH:LINE (0: no line). */
static void
expect_seed_error(const char *text, size_t len, const unsigned char *key,
    const char *user, unsigned line)
{
	struct hg_seed seed;
	struct hg_msg msg;
	char want[128];

	msg.text[0] = '\0';
	ck_assert_int_eq(totp_seed_parse(&seed, user, text, len, key,
	    SEED_PATH, &msg), HG_ERR_SEED);
	if (line != 0)
		snprintf(want, sizeof(want), "%s:%u:", SEED_PATH, line);
	else
		snprintf(want, sizeof(want), "%s", SEED_PATH);
	ck_assert_msg(strstr(msg.text, want) != NULL,
	    "message '%s' does not name '%s'", msg.text, want);
	/* Nothing is left allocated and the secret is wiped. */
	ck_assert_ptr_null(seed.text);
	ck_assert_uint_eq(seed.nrecovery, 0);
	ck_assert_uint_eq(seed.secret_len, 0);
}

static void
expect_text_error(const char *text, unsigned line)
{
	expect_seed_error(text, strlen(text), NULL, "alice", line);
}

/* ---- the base32 helper itself ------------------------------------------ */

/* RFC 4648 section 10 vectors, and RFC 6238's SHA-1 seed. */
START_TEST(b32_helper_vectors)
{
	char out[64];

	b32("f", 1, out, sizeof(out));
	ck_assert_str_eq(out, "MY======");
	b32("foob", 4, out, sizeof(out));
	ck_assert_str_eq(out, "MZXW6YQ=");
	b32("foobar", 6, out, sizeof(out));
	ck_assert_str_eq(out, "MZXW6YTBOI======");
	b32(rfc_sha1, 20, out, sizeof(out));
	ck_assert_str_eq(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}
END_TEST

/* ---- RFC 6238 test vectors --------------------------------------------- */

static void
check_vectors(const char *secret, size_t len, const char *alg, int which)
{
	struct hg_seed seed;
	char extra[64];
	long long step = -2;
	size_t i;

	snprintf(extra, sizeof(extra), "digits = 8\nalgorithm = %s\n", alg);
	seed_for(&seed, secret, len, extra);
	ck_assert_uint_eq(seed.secret_len, len);
	ck_assert_uint_eq(seed.digits, 8);
	ck_assert_uint_eq(seed.period, 30);
	for (i = 0; i < NVECTORS; i++) {
		const char *code = which == 0 ? rfc_vectors[i].sha1 :
		    which == 1 ? rfc_vectors[i].sha256 : rfc_vectors[i].sha512;
		long long t = rfc_vectors[i].t;

		step = -2;
		ck_assert_msg(totp_verify(&seed, code, (time_t)t, 0, &step) ==
		    0, "%s: RFC 6238 code at T=%lld refused", alg, t);
		ck_assert_msg(step == t / 30 * 30,
		    "%s: T=%lld gave step time %lld", alg, t, step);
		/* The same code an hour later is no good. */
		ck_assert_msg(totp_verify(&seed, code, (time_t)(t + 3600), 1,
		    &step) == HG_ERR_BAD_CODE,
		    "%s: code for T=%lld accepted an hour later", alg, t);
	}
	totp_seed_free(&seed);
}

START_TEST(rfc6238_sha1)
{
	check_vectors(rfc_sha1, 20, "sha1", 0);
}
END_TEST

START_TEST(rfc6238_sha256)
{
	check_vectors(rfc_sha256, 32, "sha256", 1);
}
END_TEST

START_TEST(rfc6238_sha512)
{
	check_vectors(rfc_sha512, 64, "sha512", 2);
}
END_TEST

/* The algorithm line matters: a SHA-256 code is not a SHA-1 code. */
START_TEST(rfc6238_wrong_algorithm)
{
	struct hg_seed seed;
	long long step;

	seed_for(&seed, rfc_sha256, 32, "digits = 8\n");
	ck_assert_int_eq(seed.algorithm, TOTP_SHA1);
	ck_assert_int_eq(totp_verify(&seed, rfc_vectors[0].sha256, 59, 0,
	    &step), HG_ERR_BAD_CODE);
	totp_seed_free(&seed);
}
END_TEST

/* ---- wrong codes and the window ---------------------------------------- */

/* The SHA-1 seed with 8 digits, and T = 1111111109 (step 37037036). */
#define WT	1111111109LL
#define WCODE	"07081804"
#define WSTEP	(WT / 30 * 30)

START_TEST(verify_wrong_code)
{
	struct hg_seed seed;
	char code[9];
	long long step;
	size_t i;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	for (i = 0; i < 8; i++) {
		memcpy(code, WCODE, sizeof(code));
		code[i] = (char)('0' + (code[i] - '0' + 1) % 10);
		ck_assert_msg(totp_verify(&seed, code, (time_t)WT, 1, &step) ==
		    HG_ERR_BAD_CODE, "digit %zu changed and still accepted", i);
	}
	totp_seed_free(&seed);
}
END_TEST

START_TEST(verify_malformed_code)
{
	struct hg_seed seed;
	long long step;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	ck_assert_int_eq(totp_verify(&seed, "", (time_t)WT, 1, &step),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_verify(&seed, "0708180", (time_t)WT, 1, &step),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_verify(&seed, "070818040", (time_t)WT, 1,
	    &step), HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_verify(&seed, "0708180a", (time_t)WT, 1,
	    &step), HG_ERR_BAD_CODE);
	/* The low 6 digits are what a 6-digit seed would take. */
	ck_assert_int_eq(totp_verify(&seed, "081804", (time_t)WT, 1, &step),
	    HG_ERR_BAD_CODE);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(window_previous_step)
{
	struct hg_seed seed;
	long long step = -2;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT + 30), 1,
	    &step), 0);
	ck_assert_int_eq(step, WSTEP);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(window_next_step)
{
	struct hg_seed seed;
	long long step = -2;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT - 30), 1,
	    &step), 0);
	ck_assert_int_eq(step, WSTEP);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(window_two_steps_rejected)
{
	struct hg_seed seed;
	long long step;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT + 60), 1,
	    &step), HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT - 60), 1,
	    &step), HG_ERR_BAD_CODE);
	/* ... which a window of 2 does reach. */
	step = -2;
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT + 60), 2,
	    &step), 0);
	ck_assert_int_eq(step, WSTEP);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(window_zero_exact_only)
{
	struct hg_seed seed;
	long long step;

	seed_for(&seed, rfc_sha1, 20, "digits = 8\n");
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT + 30), 0,
	    &step), HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_verify(&seed, WCODE, (time_t)(WT - 30), 0,
	    &step), HG_ERR_BAD_CODE);
	totp_seed_free(&seed);
}
END_TEST

/* A 60 s period puts both ends of the step on the 60 s grid. */
START_TEST(period_60)
{
	struct hg_seed seed;
	char code[16];
	long long step = -2;
	FILE *p;
	char cmd[256], enc[64];

	seed_for(&seed, rfc_sha1, 20, "period = 60\n");
	ck_assert_uint_eq(seed.period, 60);
	b32(rfc_sha1, 20, enc, sizeof(enc));
	snprintf(cmd, sizeof(cmd), "oathtool --totp -s 60 -b '%s' "
	    "--now '@1111111109' 2>/dev/null", enc);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	ck_assert_ptr_nonnull(fgets(code, sizeof(code), p));
	ck_assert_int_eq(pclose(p), 0);
	code[strcspn(code, "\n")] = '\0';
	ck_assert_int_eq(totp_verify(&seed, code, (time_t)1111111109, 0,
	    &step), 0);
	ck_assert_int_eq(step, 1111111109LL / 60 * 60);
	totp_seed_free(&seed);
}
END_TEST

/* ---- oathtool as an independent oracle --------------------------------- */

/* oathtool's code for the base32 secret ENC at T, MODE e.g. "--totp". */
static void
oathtool_code(const char *mode, unsigned digits, const char *enc,
    long long t, char *code, size_t size)
{
	char cmd[512];
	FILE *p;

	ck_assert((size_t)snprintf(cmd, sizeof(cmd),
	    "oathtool %s --digits=%u -b '%s' --now '@%lld' 2>/dev/null", mode,
	    digits, enc, t) < sizeof(cmd));
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_msg(fgets(code, (int)size, p) != NULL, "no output from "
	    "oathtool");
	ck_assert_int_eq(pclose(p), 0);
	code[strcspn(code, "\n")] = '\0';
	ck_assert_uint_eq(strlen(code), digits);
}

static void
oathtool_cross_check(const char *mode, const char *alg, unsigned digits,
    size_t secret_len)
{
	static const long long times[] = {
		59, 1111111109, 1700000000, 1700000029, 1700000030, 4102444800,
	};
	unsigned char secret[64];
	char enc[128], extra[64], code[16];
	struct hg_seed seed;
	long long step;
	size_t i;

	randombytes_buf(secret, secret_len);
	b32(secret, secret_len, enc, sizeof(enc));
	snprintf(extra, sizeof(extra), "digits = %u\nalgorithm = %s\n",
	    digits, alg);
	seed_for(&seed, secret, secret_len, extra);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		oathtool_code(mode, digits, enc, times[i], code, sizeof(code));
		step = -2;
		ck_assert_msg(totp_verify(&seed, code, (time_t)times[i], 0,
		    &step) == 0, "oathtool's %s code at %lld refused", alg,
		    times[i]);
		ck_assert_int_eq(step, times[i] / 30 * 30);
		ck_assert_msg(totp_verify(&seed, code,
		    (time_t)(times[i] + 90), 1, &step) == HG_ERR_BAD_CODE,
		    "code at %lld accepted 3 steps later", times[i]);
	}
	/* And now, as a login would see it. */
	oathtool_code(mode, digits, enc, (long long)time(NULL), code,
	    sizeof(code));
	ck_assert_int_eq(totp_verify(&seed, code, time(NULL), 1, &step), 0);
	sodium_memzero(secret, sizeof(secret));
	totp_seed_free(&seed);
}

START_TEST(oathtool_sha1_6)
{
	oathtool_cross_check("--totp", "sha1", 6, 20);
}
END_TEST

START_TEST(oathtool_sha256_8)
{
	oathtool_cross_check("--totp=sha256", "sha256", 8, 32);
}
END_TEST

START_TEST(oathtool_sha512_6)
{
	oathtool_cross_check("--totp=sha512", "sha512", 6, 64);
}
END_TEST

/* ---- seed file parser -------------------------------------------------- */

START_TEST(seed_plain_base32)
{
	static const unsigned char want[10] = "Hello!\xde\xad\xbe\xef";
	struct hg_seed seed;

	parse_ok(&seed,
	    "# hostgate seed for alice\nsecret = JBSWY3DPEHPK3PXP\n");
	ck_assert_uint_eq(seed.secret_len, 10);
	ck_assert_int_eq(memcmp(seed.secret, want, 10), 0);
	ck_assert_uint_eq(seed.digits, 6);
	ck_assert_uint_eq(seed.period, 30);
	ck_assert_int_eq(seed.algorithm, TOTP_SHA1);
	ck_assert(!seed.sealed);
	ck_assert_uint_eq(seed.nrecovery, 0);
	ck_assert_ptr_nonnull(seed.text);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(seed_all_keys)
{
	struct hg_seed seed;

	seed_for(&seed, rfc_sha512, 64,
	    "digits = 8   # long codes\nperiod = 60\nalgorithm = sha512\n\n");
	ck_assert_uint_eq(seed.secret_len, 64);
	ck_assert_int_eq(memcmp(seed.secret, rfc_sha512, 64), 0);
	ck_assert_uint_eq(seed.digits, 8);
	ck_assert_uint_eq(seed.period, 60);
	ck_assert_int_eq(seed.algorithm, TOTP_SHA512);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(seed_sha256_and_crlf)
{
	struct hg_seed seed;

	parse_ok(&seed, "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\r\n"
	    "algorithm = sha256\r\ndigits = 6\r\n");
	ck_assert_int_eq(seed.algorithm, TOTP_SHA256);
	ck_assert_uint_eq(seed.secret_len, 20);
	ck_assert_int_eq(memcmp(seed.secret, rfc_sha1, 20), 0);
	totp_seed_free(&seed);
}
END_TEST

/* Seal SECRET (LEN bytes) for USER under KEY into "secret = ..." text. */
static char *
sealed_text(const unsigned char *key, const char *user, const void *secret,
    size_t len, const char *extra)
{
	char *sealed, *text;
	size_t n;

	ck_assert_int_eq(secure_seal(key, user, secret, len, &sealed), 0);
	n = strlen(sealed) + strlen(extra) + 32;
	ck_assert_ptr_nonnull(text = malloc(n));
	snprintf(text, n, "# sealed\nsecret = %s\n%s", sealed, extra);
	free(sealed);
	return text;
}

START_TEST(seed_sealed_ok)
{
	unsigned char key[SECURE_KEY_BYTES];
	struct hg_seed seed;
	struct hg_msg msg;
	long long step = -2;
	char *text;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	text = sealed_text(key, "alice", rfc_sha1, 20, "digits = 8\n");
	ck_assert_msg(totp_seed_parse(&seed, "alice", text, strlen(text), key,
	    SEED_PATH, &msg) == 0, "%s", msg.text);
	ck_assert(seed.sealed);
	ck_assert_uint_eq(seed.secret_len, 20);
	ck_assert_int_eq(memcmp(seed.secret, rfc_sha1, 20), 0);
	/* The unsealed secret verifies an RFC code. */
	ck_assert_int_eq(totp_verify(&seed, rfc_vectors[0].sha1, 59, 0,
	    &step), 0);
	ck_assert_int_eq(step, 30);
	totp_seed_free(&seed);
	free(text);
}
END_TEST

/* Another user's sealed seed, copied to alice's name, does not open. */
START_TEST(seed_sealed_wrong_user)
{
	unsigned char key[SECURE_KEY_BYTES];
	char *text;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	text = sealed_text(key, "bob", rfc_sha1, 20, "");
	expect_seed_error(text, strlen(text), key, "alice", 2);
	free(text);
}
END_TEST

START_TEST(seed_sealed_no_key)
{
	unsigned char key[SECURE_KEY_BYTES];
	char *text;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	text = sealed_text(key, "alice", rfc_sha1, 20, "");
	expect_seed_error(text, strlen(text), NULL, "alice", 2);
	free(text);
}
END_TEST

START_TEST(seed_sealed_other_key)
{
	unsigned char key[SECURE_KEY_BYTES], other[SECURE_KEY_BYTES];
	char *text;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	crypto_aead_xchacha20poly1305_ietf_keygen(other);
	text = sealed_text(key, "alice", rfc_sha1, 20, "");
	expect_seed_error(text, strlen(text), other, "alice", 2);
	free(text);
}
END_TEST

START_TEST(seed_sealed_tampered)
{
	unsigned char key[SECURE_KEY_BYTES];
	char *text, *p;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	text = sealed_text(key, "alice", rfc_sha1, 20, "");
	p = strstr(text, "sealed:");
	ck_assert_ptr_nonnull(p);
	p += strlen("sealed:") + 40;	/* inside the ciphertext */
	*p = *p == 'A' ? 'B' : 'A';
	expect_seed_error(text, strlen(text), key, "alice", 2);
	free(text);
}
END_TEST

/* A sealed secret too short to be a seed is refused like a plain one. */
START_TEST(seed_sealed_too_short)
{
	unsigned char key[SECURE_KEY_BYTES];
	char *text;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	text = sealed_text(key, "alice", rfc_sha1, 9, "");
	expect_seed_error(text, strlen(text), key, "alice", 2);
	free(text);
}
END_TEST

START_TEST(seed_bad_base32)
{
	expect_text_error("secret = JBSWY3DP1!EHPK3PXP\n", 1);
}
END_TEST

START_TEST(seed_bad_base32_digit)
{
	/* 0, 1, 8 and 9 are not in the base32 alphabet. */
	expect_text_error("\nsecret = JBSWY3DPEHPK3PX0\n", 2);
}
END_TEST

START_TEST(seed_empty_secret)
{
	expect_text_error("secret =\n", 1);
}
END_TEST

START_TEST(seed_secret_too_short)
{
	char enc[64], text[128];

	b32(rfc_sha1, 9, enc, sizeof(enc));
	snprintf(text, sizeof(text), "secret = %s\n", enc);
	expect_text_error(text, 1);
}
END_TEST

START_TEST(seed_secret_10_bytes_ok)
{
	struct hg_seed seed;

	seed_for(&seed, rfc_sha1, 10, "");
	ck_assert_uint_eq(seed.secret_len, 10);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(seed_secret_too_long)
{
	unsigned char big[TOTP_MAX_SECRET + 1];
	char enc[512], text[600];

	memset(big, 0x5a, sizeof(big));
	b32(big, sizeof(big), enc, sizeof(enc));
	snprintf(text, sizeof(text), "secret = %s\n", enc);
	expect_text_error(text, 1);
}
END_TEST

START_TEST(seed_digits_7)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\ndigits = 7\n", 2);
}
END_TEST

START_TEST(seed_digits_word)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\ndigits = six\n", 2);
}
END_TEST

START_TEST(seed_digits_padded)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\ndigits = 06\n", 2);
}
END_TEST

START_TEST(seed_period_0)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\n\nperiod = 0\n", 3);
}
END_TEST

START_TEST(seed_period_too_long)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nperiod = 3601\n", 2);
}
END_TEST

START_TEST(seed_period_unit)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nperiod = 30s\n", 2);
}
END_TEST

START_TEST(seed_period_negative)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nperiod = -30\n", 2);
}
END_TEST

START_TEST(seed_algorithm_md5)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nalgorithm = md5\n", 2);
}
END_TEST

START_TEST(seed_unknown_key)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nissuer = ACME\n", 2);
}
END_TEST

START_TEST(seed_no_equals)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\nJBSWY3DPEHPK3PXP\n", 2);
}
END_TEST

START_TEST(seed_duplicate_secret)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\n# again\n"
	    "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", 3);
}
END_TEST

START_TEST(seed_duplicate_digits)
{
	expect_text_error("digits = 6\nsecret = JBSWY3DPEHPK3PXP\n"
	    "digits = 8\n", 3);
}
END_TEST

START_TEST(seed_missing_secret)
{
	expect_text_error("# no secret here\ndigits = 6\nperiod = 30\n", 0);
}
END_TEST

START_TEST(seed_empty_file)
{
	expect_text_error("", 0);
}
END_TEST

START_TEST(seed_nul_byte)
{
	static const char text[] = "secret = JBSWY3DPEHPK3PXP\n"
	    "digits = 6\0 8\n";

	expect_seed_error(text, sizeof(text) - 1, NULL, "alice", 2);
}
END_TEST

START_TEST(seed_long_line)
{
	char *text = malloc(5000);
	size_t n;

	ck_assert_ptr_nonnull(text);
	n = (size_t)snprintf(text, 5000, "secret = JBSWY3DPEHPK3PXP\n# ");
	memset(text + n, 'x', 4200);
	text[n + 4200] = '\n';
	text[n + 4201] = '\0';
	expect_text_error(text, 2);
	free(text);
}
END_TEST

START_TEST(seed_recovery_not_argon2)
{
	expect_text_error("secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = $2y$10$abcdefghijklmnopqrstuv\n", 2);
}
END_TEST

/* An error after the secret was decoded leaves no trace of it. */
START_TEST(seed_error_wipes_secret)
{
	static const unsigned char zero[TOTP_MAX_SECRET];
	struct hg_seed seed;
	struct hg_msg msg;
	static const char text[] = "secret = GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n"
	    "digits = 9\n";

	ck_assert_int_eq(totp_seed_parse(&seed, "alice", text,
	    sizeof(text) - 1, NULL, SEED_PATH, &msg), HG_ERR_SEED);
	ck_assert_int_eq(memcmp(seed.secret, zero, sizeof(zero)), 0);
	ck_assert_ptr_null(seed.text);
}
END_TEST

/* Messages never carry the secret. */
START_TEST(seed_error_no_secret_in_msg)
{
	struct hg_seed seed;
	struct hg_msg msg;
	static const char text[] = "secret = JBSWY3DPEHPK3PX\n";

	ck_assert_int_eq(totp_seed_parse(&seed, "alice", text,
	    sizeof(text) - 1, NULL, SEED_PATH, &msg), HG_ERR_SEED);
	ck_assert_ptr_null(strstr(msg.text, "JBSWY3DP"));
}
END_TEST

/* ---- loading from a directory ------------------------------------------ */

START_TEST(seed_load_ok)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_seed seed;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "secret = JBSWY3DPEHPK3PXP\n", 0600);
	ck_assert_int_eq(totp_seed_load(&seed, dir, "alice", geteuid(), NULL,
	    &msg), 0);
	ck_assert_uint_eq(seed.secret_len, 10);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(seed_load_missing)
{
	char dir[PATH_MAX];
	struct hg_seed seed;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(totp_seed_load(&seed, dir, "alice", geteuid(), NULL,
	    &msg), HG_ERR_NO_SEED);
}
END_TEST

START_TEST(seed_load_readable)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_seed seed;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "secret = JBSWY3DPEHPK3PXP\n", 0644);
	ck_assert_int_eq(totp_seed_load(&seed, dir, "alice", geteuid(), NULL,
	    &msg), HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(seed_load_path_in_msg)
{
	char dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 8];
	struct hg_seed seed;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "secret = JBSWY3DPEHPK3PXP\ndigits = 7\n", 0600);
	ck_assert_int_eq(totp_seed_load(&seed, dir, "alice", geteuid(), NULL,
	    &msg), HG_ERR_SEED);
	snprintf(want, sizeof(want), "%s:2:", path);
	ck_assert_ptr_nonnull(strstr(msg.text, want));
}
END_TEST

/* ---- typed codes ------------------------------------------------------- */

START_TEST(normalize_spaces)
{
	char out[TOTP_MAX_CODE + 1];

	ck_assert_int_eq(totp_normalize(" 123 456 ", out), 0);
	ck_assert_str_eq(out, "123456");
	ck_assert_int_eq(totp_normalize("12\t34 5678", out), 0);
	ck_assert_str_eq(out, "12345678");
	ck_assert_int_eq(totp_normalize("", out), 0);
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(totp_normalize("abcd-efgh", out), 0);
	ck_assert_str_eq(out, "abcd-efgh");
}
END_TEST

START_TEST(normalize_max)
{
	char in[TOTP_MAX_CODE + 1], out[TOTP_MAX_CODE + 1];

	memset(in, '7', TOTP_MAX_CODE);
	in[TOTP_MAX_CODE] = '\0';
	ck_assert_int_eq(totp_normalize(in, out), 0);
	ck_assert_str_eq(out, in);
}
END_TEST

START_TEST(normalize_too_long)
{
	char in[TOTP_MAX_CODE + 2], out[TOTP_MAX_CODE + 1];

	memset(in, '7', TOTP_MAX_CODE + 1);
	in[TOTP_MAX_CODE + 1] = '\0';
	ck_assert_int_eq(totp_normalize(in, out), HG_ERR_TOOLONG);
}
END_TEST

/* Spaces do not count towards the limit. */
START_TEST(normalize_long_with_spaces)
{
	char in[3 * TOTP_MAX_CODE], out[TOTP_MAX_CODE + 1];
	size_t i, n = 0;

	for (i = 0; i < TOTP_MAX_CODE; i++) {
		in[n++] = '1';
		in[n++] = ' ';
	}
	in[n] = '\0';
	ck_assert_int_eq(totp_normalize(in, out), 0);
	ck_assert_uint_eq(strlen(out), TOTP_MAX_CODE);
}
END_TEST

START_TEST(is_ordinary)
{
	struct hg_seed six, eight;

	parse_ok(&six, "secret = JBSWY3DPEHPK3PXP\n");
	parse_ok(&eight, "secret = JBSWY3DPEHPK3PXP\ndigits = 8\n");
	ck_assert(totp_is_ordinary(&six, "123456"));
	ck_assert(totp_is_ordinary(&six, "000000"));
	ck_assert(!totp_is_ordinary(&six, "12345"));
	ck_assert(!totp_is_ordinary(&six, "1234567"));
	ck_assert(!totp_is_ordinary(&six, "12345a"));
	ck_assert(!totp_is_ordinary(&six, "abcdefghjk"));
	ck_assert(!totp_is_ordinary(&six, ""));
	ck_assert(!totp_is_ordinary(&six, "-12345"));
	ck_assert(totp_is_ordinary(&eight, "12345678"));
	ck_assert(!totp_is_ordinary(&eight, "123456"));
	totp_seed_free(&six);
	totp_seed_free(&eight);
}
END_TEST

START_TEST(alg_names)
{
	ck_assert_str_eq(totp_alg_name(TOTP_SHA1), "sha1");
	ck_assert_str_eq(totp_alg_name(TOTP_SHA256), "sha256");
	ck_assert_str_eq(totp_alg_name(TOTP_SHA512), "sha512");
}
END_TEST

/* The dummy seed has the shape of a real one and matches nothing known. */
START_TEST(dummy_seed)
{
	struct hg_seed seed;
	long long step;

	totp_seed_dummy(&seed);
	ck_assert_uint_ge(seed.secret_len, TOTP_MIN_SECRET);
	ck_assert_uint_eq(seed.digits, 6);
	ck_assert(totp_is_ordinary(&seed, "123456"));
	ck_assert_int_ne(totp_verify(&seed, "94287082", 59, 0, &step), 0);
	totp_seed_free(&seed);
}
END_TEST

/* ---- recovery codes ---------------------------------------------------- */

static const char crockford[] = "0123456789abcdefghjkmnpqrstvwxyz";

START_TEST(recovery_new)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char code[TOTP_RECOVERY_LEN + 1], code2[TOTP_RECOVERY_LEN + 1];
	char hash[crypto_pwhash_STRBYTES], hash2[crypto_pwhash_STRBYTES];
	size_t i;

	randombytes_buf(salt, sizeof(salt));
	ck_assert_int_eq(totp_recovery_new(salt, code, hash), 0);
	ck_assert_uint_eq(strlen(code), 10);
	for (i = 0; i < 10; i++)
		ck_assert_ptr_nonnull(strchr(crockford, code[i]));
	ck_assert_int_eq(strncmp(hash, "$argon2id$", 10), 0);
	ck_assert_int_eq(crypto_pwhash_str_verify(hash, code, strlen(code)),
	    0);
	/* The hash is salted and the code random. */
	ck_assert_int_eq(totp_recovery_new(salt, code2, hash2), 0);
	ck_assert_str_ne(code, code2);
	ck_assert_str_ne(hash, hash2);
	ck_assert_int_ne(crypto_pwhash_str_verify(hash2, code, strlen(code)),
	    0);
	/* The hash does not carry the code. */
	ck_assert_ptr_null(strstr(hash, code));
}
END_TEST

struct rec {
	char	code[3][TOTP_RECOVERY_LEN + 1];
	char	line[3][crypto_pwhash_STRBYTES + 16];
	char	text[1024];
};

/* A seed with three recovery lines between other lines. */
static void
rec_make(struct rec *r)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char hash[crypto_pwhash_STRBYTES];
	size_t i;

	randombytes_buf(salt, sizeof(salt));
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(totp_recovery_new(salt, r->code[i], hash), 0);
		snprintf(r->line[i], sizeof(r->line[i]), "recovery = %s\n",
		    hash);
	}
	snprintf(r->text, sizeof(r->text),
	    "# hostgate seed for alice\nsecret = JBSWY3DPEHPK3PXP\n"
	    "%sdigits = 6\n%s# keep\n%speriod = 30\n",
	    r->line[0], r->line[1], r->line[2]);
}

START_TEST(recovery_match_index)
{
	struct hg_seed seed;
	struct rec r;

	rec_make(&r);
	parse_ok(&seed, r.text);
	ck_assert_uint_eq(seed.nrecovery, 3);
	ck_assert_int_eq(totp_recovery_match(&seed, r.code[0]), 0);
	ck_assert_int_eq(totp_recovery_match(&seed, r.code[1]), 1);
	ck_assert_int_eq(totp_recovery_match(&seed, r.code[2]), 2);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(recovery_match_case_and_dashes)
{
	char typed[32], mixed[TOTP_RECOVERY_LEN + 1];
	struct hg_seed seed;
	struct rec r;
	size_t i, n = 0;

	rec_make(&r);
	parse_ok(&seed, r.text);
	/* "ABCDE-FGHIJ", upper case. */
	for (i = 0; i < TOTP_RECOVERY_LEN; i++) {
		if (i == 5)
			typed[n++] = '-';
		typed[n++] = (r.code[1][i] >= 'a' && r.code[1][i] <= 'z') ?
		    (char)(r.code[1][i] - 'a' + 'A') : r.code[1][i];
	}
	typed[n] = '\0';
	ck_assert_int_eq(totp_recovery_match(&seed, typed), 1);
	/* Dashes anywhere, mixed case. */
	memcpy(mixed, r.code[2], sizeof(mixed));
	for (i = 0; i < TOTP_RECOVERY_LEN; i += 2)
		if (mixed[i] >= 'a' && mixed[i] <= 'z')
			mixed[i] = (char)(mixed[i] - 'a' + 'A');
	snprintf(typed, sizeof(typed), "-%.3s-%.3s--%.4s-", mixed, mixed + 3,
	    mixed + 6);
	ck_assert_int_eq(totp_recovery_match(&seed, typed), 2);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(recovery_match_wrong)
{
	char typed[TOTP_RECOVERY_LEN + 2];
	struct hg_seed seed;
	struct rec r;

	rec_make(&r);
	parse_ok(&seed, r.text);
	/* One character changed. */
	memcpy(typed, r.code[0], sizeof(r.code[0]));
	typed[4] = typed[4] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(totp_recovery_match(&seed, typed), HG_ERR_BAD_CODE);
	/* A prefix, and one character more. */
	memcpy(typed, r.code[0], sizeof(r.code[0]));
	typed[9] = '\0';
	ck_assert_int_eq(totp_recovery_match(&seed, typed), HG_ERR_BAD_CODE);
	memcpy(typed, r.code[0], sizeof(r.code[0]));
	typed[10] = 'a';
	typed[11] = '\0';
	ck_assert_int_eq(totp_recovery_match(&seed, typed), HG_ERR_BAD_CODE);
	ck_assert_int_eq(totp_recovery_match(&seed, ""), HG_ERR_BAD_CODE);
	totp_seed_free(&seed);
}
END_TEST

START_TEST(recovery_match_none_stored)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char code[TOTP_RECOVERY_LEN + 1], hash[crypto_pwhash_STRBYTES];
	struct hg_seed seed;

	randombytes_buf(salt, sizeof(salt));
	ck_assert_int_eq(totp_recovery_new(salt, code, hash), 0);
	parse_ok(&seed, "secret = JBSWY3DPEHPK3PXP\n");
	ck_assert_int_eq(totp_recovery_match(&seed, code), HG_ERR_BAD_CODE);
	totp_seed_free(&seed);
}
END_TEST

/* Removing code INDEX drops exactly its line and nothing else. */
static void
check_remove(size_t index)
{
	struct hg_seed seed, again;
	struct hg_msg msg;
	struct rec r;
	char want[1024], *out = NULL;
	size_t len = 0, i, k;

	rec_make(&r);
	parse_ok(&seed, r.text);
	ck_assert_int_eq(totp_recovery_remove(&seed, index, &out, &len), 0);
	ck_assert_ptr_nonnull(out);
	/* The expected text, built from the parts. */
	snprintf(want, sizeof(want),
	    "# hostgate seed for alice\nsecret = JBSWY3DPEHPK3PXP\n"
	    "%sdigits = 6\n%s# keep\n%speriod = 30\n",
	    index == 0 ? "" : r.line[0], index == 1 ? "" : r.line[1],
	    index == 2 ? "" : r.line[2]);
	ck_assert_uint_eq(len, strlen(want));
	ck_assert_str_eq(out, want);
	/* Parsed again: two codes left, the used one gone. */
	ck_assert_int_eq(totp_seed_parse(&again, "alice", out, len, NULL,
	    SEED_PATH, &msg), 0);
	ck_assert_uint_eq(again.nrecovery, 2);
	ck_assert_int_eq(totp_recovery_match(&again, r.code[index]),
	    HG_ERR_BAD_CODE);
	for (i = 0, k = 0; i < 3; i++) {
		if (i == index)
			continue;
		ck_assert_int_eq(totp_recovery_match(&again, r.code[i]),
		    (int)k);
		k++;
	}
	ck_assert_uint_eq(again.secret_len, seed.secret_len);
	ck_assert_int_eq(memcmp(again.secret, seed.secret, seed.secret_len),
	    0);
	totp_seed_free(&again);
	totp_seed_free(&seed);
	sodium_memzero(out, len);
	free(out);
}

START_TEST(recovery_remove_first)
{
	check_remove(0);
}
END_TEST

START_TEST(recovery_remove_middle)
{
	check_remove(1);
}
END_TEST

START_TEST(recovery_remove_last)
{
	check_remove(2);
}
END_TEST

/* The last line without a newline can be removed too. */
START_TEST(recovery_remove_unterminated)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char code[TOTP_RECOVERY_LEN + 1], hash[crypto_pwhash_STRBYTES];
	char text[512], *out;
	struct hg_seed seed;
	size_t len;

	randombytes_buf(salt, sizeof(salt));
	ck_assert_int_eq(totp_recovery_new(salt, code, hash), 0);
	snprintf(text, sizeof(text), "secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = %s", hash);
	parse_ok(&seed, text);
	ck_assert_int_eq(totp_recovery_match(&seed, code), 0);
	ck_assert_int_eq(totp_recovery_remove(&seed, 0, &out, &len), 0);
	ck_assert_str_eq(out, "secret = JBSWY3DPEHPK3PXP\n");
	ck_assert_uint_eq(len, strlen(out));
	free(out);
	totp_seed_free(&seed);
}
END_TEST

/* ---- i9_05: one slow hash per recovery-form attempt -------------------- */

/*
 * libsodium's argon2id entry points are interposed here (this program is
 * linked with the core library statically and libsodium dynamically), so
 * that a test counts the slow hashes a check runs without timing anything.
 * A call made from inside another one is not counted again.
 */
static int argon2_calls, argon2_depth;

static void *
real_fn(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	ck_assert_msg(f != NULL, "no %s in libsodium", name);
	return f;
}

#define WORK(call) do {							\
	if (argon2_depth++ == 0)					\
		argon2_calls++;						\
	r = call;							\
	argon2_depth--;							\
} while (0)

int
crypto_pwhash(unsigned char *out, unsigned long long outlen, const char *pw,
    unsigned long long pwlen, const unsigned char *salt,
    unsigned long long ops, size_t mem, int alg)
{
	int (*f)(unsigned char *, unsigned long long, const char *,
	    unsigned long long, const unsigned char *, unsigned long long,
	    size_t, int);
	int r;

	*(void **)&f = real_fn("crypto_pwhash");
	WORK(f(out, outlen, pw, pwlen, salt, ops, mem, alg));
	return r;
}

int
crypto_pwhash_argon2id(unsigned char *out, unsigned long long outlen,
    const char *pw, unsigned long long pwlen, const unsigned char *salt,
    unsigned long long ops, size_t mem, int alg)
{
	int (*f)(unsigned char *, unsigned long long, const char *,
	    unsigned long long, const unsigned char *, unsigned long long,
	    size_t, int);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_argon2id");
	WORK(f(out, outlen, pw, pwlen, salt, ops, mem, alg));
	return r;
}

int
crypto_pwhash_str(char out[crypto_pwhash_STRBYTES], const char *pw,
    unsigned long long pwlen, unsigned long long ops, size_t mem)
{
	int (*f)(char *, const char *, unsigned long long, unsigned long long,
	    size_t);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_str");
	WORK(f(out, pw, pwlen, ops, mem));
	return r;
}

int
crypto_pwhash_str_alg(char out[crypto_pwhash_STRBYTES], const char *pw,
    unsigned long long pwlen, unsigned long long ops, size_t mem, int alg)
{
	int (*f)(char *, const char *, unsigned long long, unsigned long long,
	    size_t, int);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_str_alg");
	WORK(f(out, pw, pwlen, ops, mem, alg));
	return r;
}

int
crypto_pwhash_argon2id_str(char out[crypto_pwhash_STRBYTES],
    const char *pw, unsigned long long pwlen, unsigned long long ops,
    size_t mem)
{
	int (*f)(char *, const char *, unsigned long long, unsigned long long,
	    size_t);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_argon2id_str");
	WORK(f(out, pw, pwlen, ops, mem));
	return r;
}

int
crypto_pwhash_str_verify(const char str[crypto_pwhash_STRBYTES],
    const char *pw, unsigned long long pwlen)
{
	int (*f)(const char *, const char *, unsigned long long);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_str_verify");
	WORK(f(str, pw, pwlen));
	return r;
}

int
crypto_pwhash_argon2id_str_verify(const char str[crypto_pwhash_STRBYTES],
    const char *pw, unsigned long long pwlen)
{
	int (*f)(const char *, const char *, unsigned long long);
	int r;

	*(void **)&f = real_fn("crypto_pwhash_argon2id_str_verify");
	WORK(f(str, pw, pwlen));
	return r;
}

/* totp_recovery_match(SEED, CODE), and the slow hashes it ran in *WORK. */
static int
counted_match(const struct hg_seed *seed, const char *code, int *work)
{
	int r;

	argon2_calls = 0;
	r = totp_recovery_match(seed, code);
	*work = argon2_calls;
	return r;
}

/*
 * An argon2id string for CODE under SALT at the cost hostgate's codes use
 * (m=8192 KiB, t=1, p=1), built here from libsodium's raw function and its
 * base64, not by totp.c; libsodium's own verifier must accept it.
 */
static void
shared_line(const unsigned char salt[crypto_pwhash_SALTBYTES],
    const char *code, char *out, size_t size)
{
	unsigned char h[32];
	char s64[sodium_base64_ENCODED_LEN(crypto_pwhash_SALTBYTES,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];
	char h64[sodium_base64_ENCODED_LEN(sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	ck_assert_int_eq(crypto_pwhash(h, sizeof(h), code, strlen(code), salt,
	    1, 8192U * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
	sodium_bin2base64(s64, sizeof(s64), salt, crypto_pwhash_SALTBYTES,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_bin2base64(h64, sizeof(h64), h, sizeof(h),
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	snprintf(out, size, "$argon2id$v=19$m=8192,t=1,p=1$%s$%s", s64, h64);
	ck_assert_int_eq(crypto_pwhash_str_verify(out, code, strlen(code)),
	    0);
}

/* 32 codes under one salt, and seed text holding the first N of them. */
struct many {
	char	code[32][TOTP_RECOVERY_LEN + 1];
	char	line[32][crypto_pwhash_STRBYTES];
	char	text[32 * (crypto_pwhash_STRBYTES + 16) + 64];
};

static void
many_make(struct many *m)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	size_t i;

	randombytes_buf(salt, sizeof(salt));
	for (i = 0; i < 32; i++) {
		snprintf(m->code[i], sizeof(m->code[i]), "rc%08zu", i);
		shared_line(salt, m->code[i], m->line[i], sizeof(m->line[i]));
	}
}

static void
many_seed(struct many *m, size_t n, struct hg_seed *seed)
{
	size_t i, len;

	len = (size_t)snprintf(m->text, sizeof(m->text),
	    "secret = JBSWY3DPEHPK3PXP\n");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(m->text + len, sizeof(m->text) - len,
		    "recovery = %s\n", m->line[i]);
	parse_ok(seed, m->text);
	ck_assert_uint_eq(seed->nrecovery, n);
}

/* 0, 1, 5 or 32 stored codes: one slow hash, right or wrong. */
START_TEST(i9_05_work_same_for_0_1_5_32_codes)
{
	static const size_t counts[] = { 0, 1, 5, 32 };
	struct hg_seed seed;
	struct many *m = malloc(sizeof(*m));
	char seen[256];
	size_t k, n = 0;
	int work, right, all_one = 1;

	ck_assert_ptr_nonnull(m);
	many_make(m);
	for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		many_seed(m, counts[k], &seed);
		ck_assert_int_eq(counted_match(&seed, "wrongcode1", &work),
		    HG_ERR_BAD_CODE);
		right = 1;
		if (counts[k] > 0)
			ck_assert_int_eq(counted_match(&seed,
			    m->code[counts[k] - 1], &right),
			    (int)counts[k] - 1);
		all_one &= work == 1 && right == 1;
		n += (size_t)snprintf(seen + n, sizeof(seen) - n,
		    " %zu codes: wrong %d, right %d;", counts[k], work, right);
		totp_seed_free(&seed);
	}
	ck_assert_msg(all_one, "hashes per check:%s", seen);
	free(m);
}
END_TEST

/* The dummy seed of an unknown or seedless user: the same one hash. */
START_TEST(i9_05_work_dummy_seed)
{
	struct hg_seed seed;
	int work;

	totp_seed_dummy(&seed);
	ck_assert_int_eq(counted_match(&seed, "wrongcode1", &work),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 1);
	ck_assert_int_eq(counted_match(&seed, "", &work), HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 1);
	totp_seed_free(&seed);
}
END_TEST

/* A right code (first, middle, last line) costs what a wrong one does. */
START_TEST(i9_05_work_match_equals_wrong)
{
	struct hg_seed seed;
	struct many *m = malloc(sizeof(*m));
	int work;

	ck_assert_ptr_nonnull(m);
	many_make(m);
	many_seed(m, 5, &seed);
	ck_assert_int_eq(counted_match(&seed, "RC000-00000", &work), 0);
	ck_assert_int_eq(work, 1);
	ck_assert_int_eq(counted_match(&seed, m->code[2], &work), 2);
	ck_assert_int_eq(work, 1);
	ck_assert_int_eq(counted_match(&seed, m->code[4], &work), 4);
	ck_assert_int_eq(work, 1);
	ck_assert_int_eq(counted_match(&seed, m->code[5], &work),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 1);
	totp_seed_free(&seed);
	free(m);
}
END_TEST

/*
 * A seed written before codes shared a salt (one salt per line) keeps its
 * codes; its check costs one hash per distinct salt, at most
 * TOTP_MAX_RECOVERY.
 */
START_TEST(i9_05_legacy_salts_still_match)
{
	unsigned char salt[crypto_pwhash_SALTBYTES];
	char old[3][crypto_pwhash_STRBYTES], shared[2][crypto_pwhash_STRBYTES];
	char text[2048];
	struct hg_seed seed;
	int work;

	ck_assert_int_eq(crypto_pwhash_str_alg(old[0], "oldcode000", 10, 1,
	    8192U * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
	ck_assert_int_eq(crypto_pwhash_str_alg(old[1], "oldcode111", 10, 1,
	    8192U * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
	ck_assert_int_eq(crypto_pwhash_str_alg(old[2], "oldcode222", 10, 1,
	    8192U * 1024, crypto_pwhash_ALG_ARGON2ID13), 0);
	snprintf(text, sizeof(text), "secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = %s\nrecovery = %s\nrecovery = %s\n", old[0], old[1],
	    old[2]);
	parse_ok(&seed, text);
	ck_assert_int_eq(counted_match(&seed, "oldcode000", &work), 0);
	ck_assert_int_eq(work, 3);
	ck_assert_int_eq(counted_match(&seed, "oldcode222", &work), 2);
	ck_assert_int_eq(work, 3);
	ck_assert_int_eq(counted_match(&seed, "oldcode333", &work),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 3);
	totp_seed_free(&seed);

	/* Two lines under one salt and one old line: two hashes. */
	randombytes_buf(salt, sizeof(salt));
	shared_line(salt, "newcode000", shared[0], sizeof(shared[0]));
	shared_line(salt, "newcode111", shared[1], sizeof(shared[1]));
	snprintf(text, sizeof(text), "secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = %s\nrecovery = %s\nrecovery = %s\n", shared[0], old[1],
	    shared[1]);
	parse_ok(&seed, text);
	ck_assert_int_eq(counted_match(&seed, "newcode111", &work), 2);
	ck_assert_int_eq(work, 2);
	ck_assert_int_eq(counted_match(&seed, "oldcode111", &work), 1);
	ck_assert_int_eq(work, 2);
	ck_assert_int_eq(counted_match(&seed, "oldcode000", &work),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 2);
	totp_seed_free(&seed);
}
END_TEST

/* More codes than TOTP_MAX_RECOVERY: the seed is refused at that line. */
START_TEST(i9_05_cap_33_codes_refused)
{
	struct many *m = malloc(sizeof(*m));
	char *text;
	size_t i, len, size = 40 * (crypto_pwhash_STRBYTES + 16);

	ck_assert_int_eq(TOTP_MAX_RECOVERY, 32);
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(text = malloc(size));
	many_make(m);
	len = (size_t)snprintf(text, size, "secret = JBSWY3DPEHPK3PXP\n");
	for (i = 0; i < 33; i++)
		len += (size_t)snprintf(text + len, size - len,
		    "recovery = %s\n", m->line[i % 32]);
	expect_text_error(text, 34);
	free(text);
	free(m);
}
END_TEST

/*
 * Lines the one-hash check cannot read are refused when the seed is read,
 * at their line, rather than silently never matching.
 */
static void
expect_bad_recovery(const char *hash)
{
	char text[512];

	snprintf(text, sizeof(text), "secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = %s\n", hash);
	expect_text_error(text, 2);
}

START_TEST(i9_05_seed_recovery_malformed)
{
	/* Salt "c2FsdHNhbHRzYWx0c2FsdA" is 16 bytes, the hash 32. */
	static const char good[] = "$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo";
	char text[512];
	struct hg_seed seed;

	snprintf(text, sizeof(text), "secret = JBSWY3DPEHPK3PXP\n"
	    "recovery = %s\n", good);
	parse_ok(&seed, text);
	totp_seed_free(&seed);
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=2$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=16$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=0,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=-8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	/* i9_05: another cost than hostgate's would tell users apart. */
	expect_bad_recovery("$argon2id$v=19$m=16384,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=2,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	/* An 8-byte salt, a salt with base64 padding, a bad character. */
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHQ$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA==$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2Fsd!$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo");
	/* No hash, a short hash, something after it. */
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$DrGMPN0Xnhy");
	expect_bad_recovery("$argon2id$v=19$m=8192,t=1,p=1$"
	    "c2FsdHNhbHRzYWx0c2FsdA$"
	    "DrGMPN0XnhyKo5rz8b2dR7mxyq0eBZjI7RpmDk6Lqqo$x");
}
END_TEST

/*
 * What totp_recovery_new() and totp_recovery_hash() write under one salt:
 * libsodium's own verifier accepts each string for its code only; the
 * strings share their parameters and salt; a seed of them matches each
 * code once, with one hash, and the line goes when it is used.
 */
START_TEST(i9_05_hash_shared_salt_oracle)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char code[6][TOTP_RECOVERY_LEN + 1], hash[6][crypto_pwhash_STRBYTES];
	char text[2048], *out, *p;
	struct hg_seed seed, again;
	struct hg_msg msg;
	size_t i, j, len, plen;
	int work;

	randombytes_buf(salt, sizeof(salt));
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(totp_recovery_new(salt, code[i], hash[i]), 0);
	/* A google-authenticator scratch code: 8 digits, hashed as typed. */
	strcpy(code[5], "23456789");
	ck_assert_int_eq(totp_recovery_hash(salt, code[5], hash[5]), 0);
	ck_assert_ptr_nonnull(p = strrchr(hash[0], '$'));
	plen = (size_t)(p - hash[0]) + 1;
	ck_assert_int_eq(strncmp(hash[0], "$argon2id$v=19$m=8192,t=1,p=1$",
	    30), 0);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(strncmp(hash[i], hash[0], plen), 0);
		ck_assert_uint_eq(strlen(hash[i]), plen + 43);
		for (j = 0; j < 6; j++)
			ck_assert_int_eq(crypto_pwhash_str_verify(hash[i],
			    code[j], strlen(code[j])) == 0, i == j);
	}
	len = (size_t)snprintf(text, sizeof(text),
	    "secret = JBSWY3DPEHPK3PXP\n");
	for (i = 0; i < 6; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "recovery = %s\n", hash[i]);
	parse_ok(&seed, text);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(counted_match(&seed, code[i], &work), (int)i);
		ck_assert_int_eq(work, 1);
	}
	/* Used: the line goes, the code no longer matches, the rest do. */
	ck_assert_int_eq(totp_recovery_remove(&seed, 5, &out, &len), 0);
	ck_assert_int_eq(totp_seed_parse(&again, "alice", out, len, NULL,
	    SEED_PATH, &msg), 0);
	ck_assert_uint_eq(again.nrecovery, 5);
	ck_assert_int_eq(counted_match(&again, code[5], &work),
	    HG_ERR_BAD_CODE);
	ck_assert_int_eq(work, 1);
	ck_assert_int_eq(counted_match(&again, code[4], &work), 4);
	totp_seed_free(&again);
	totp_seed_free(&seed);
	sodium_memzero(out, len);
	free(out);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("totp");
	TCase *tv = tcase_create("verify");
	TCase *tp = tcase_create("seed");
	TCase *tc = tcase_create("code");
	TCase *tr = tcase_create("recovery");

	tcase_set_timeout(tv, 30);
	tcase_add_test(tv, b32_helper_vectors);
	tcase_add_test(tv, rfc6238_sha1);
	tcase_add_test(tv, rfc6238_sha256);
	tcase_add_test(tv, rfc6238_sha512);
	tcase_add_test(tv, rfc6238_wrong_algorithm);
	tcase_add_test(tv, verify_wrong_code);
	tcase_add_test(tv, verify_malformed_code);
	tcase_add_test(tv, window_previous_step);
	tcase_add_test(tv, window_next_step);
	tcase_add_test(tv, window_two_steps_rejected);
	tcase_add_test(tv, window_zero_exact_only);
	tcase_add_test(tv, period_60);
	tcase_add_test(tv, oathtool_sha1_6);
	tcase_add_test(tv, oathtool_sha256_8);
	tcase_add_test(tv, oathtool_sha512_6);
	suite_add_tcase(s, tv);

	tcase_add_unchecked_fixture(tp, unit_base_setup, unit_base_teardown);
	tcase_add_test(tp, seed_plain_base32);
	tcase_add_test(tp, seed_all_keys);
	tcase_add_test(tp, seed_sha256_and_crlf);
	tcase_add_test(tp, seed_sealed_ok);
	tcase_add_test(tp, seed_sealed_wrong_user);
	tcase_add_test(tp, seed_sealed_no_key);
	tcase_add_test(tp, seed_sealed_other_key);
	tcase_add_test(tp, seed_sealed_tampered);
	tcase_add_test(tp, seed_sealed_too_short);
	tcase_add_test(tp, seed_bad_base32);
	tcase_add_test(tp, seed_bad_base32_digit);
	tcase_add_test(tp, seed_empty_secret);
	tcase_add_test(tp, seed_secret_too_short);
	tcase_add_test(tp, seed_secret_10_bytes_ok);
	tcase_add_test(tp, seed_secret_too_long);
	tcase_add_test(tp, seed_digits_7);
	tcase_add_test(tp, seed_digits_word);
	tcase_add_test(tp, seed_digits_padded);
	tcase_add_test(tp, seed_period_0);
	tcase_add_test(tp, seed_period_too_long);
	tcase_add_test(tp, seed_period_unit);
	tcase_add_test(tp, seed_period_negative);
	tcase_add_test(tp, seed_algorithm_md5);
	tcase_add_test(tp, seed_unknown_key);
	tcase_add_test(tp, seed_no_equals);
	tcase_add_test(tp, seed_duplicate_secret);
	tcase_add_test(tp, seed_duplicate_digits);
	tcase_add_test(tp, seed_missing_secret);
	tcase_add_test(tp, seed_empty_file);
	tcase_add_test(tp, seed_nul_byte);
	tcase_add_test(tp, seed_long_line);
	tcase_add_test(tp, seed_recovery_not_argon2);
	tcase_add_test(tp, seed_error_wipes_secret);
	tcase_add_test(tp, seed_error_no_secret_in_msg);
	tcase_add_test(tp, seed_load_ok);
	tcase_add_test(tp, seed_load_missing);
	tcase_add_test(tp, seed_load_readable);
	tcase_add_test(tp, seed_load_path_in_msg);
	suite_add_tcase(s, tp);

	tcase_add_test(tc, normalize_spaces);
	tcase_add_test(tc, normalize_max);
	tcase_add_test(tc, normalize_too_long);
	tcase_add_test(tc, normalize_long_with_spaces);
	tcase_add_test(tc, is_ordinary);
	tcase_add_test(tc, alg_names);
	tcase_add_test(tc, dummy_seed);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tr, 60);
	tcase_add_test(tr, recovery_new);
	tcase_add_test(tr, recovery_match_index);
	tcase_add_test(tr, recovery_match_case_and_dashes);
	tcase_add_test(tr, recovery_match_wrong);
	tcase_add_test(tr, recovery_match_none_stored);
	tcase_add_test(tr, recovery_remove_first);
	tcase_add_test(tr, recovery_remove_middle);
	tcase_add_test(tr, recovery_remove_last);
	tcase_add_test(tr, recovery_remove_unterminated);
	tcase_add_test(tr, i9_05_work_same_for_0_1_5_32_codes);
	tcase_add_test(tr, i9_05_work_dummy_seed);
	tcase_add_test(tr, i9_05_work_match_equals_wrong);
	tcase_add_test(tr, i9_05_legacy_salts_still_match);
	tcase_add_test(tr, i9_05_cap_33_codes_refused);
	tcase_add_test(tr, i9_05_seed_recovery_malformed);
	tcase_add_test(tr, i9_05_hash_shared_salt_oracle);
	suite_add_tcase(s, tr);
	return s;
}

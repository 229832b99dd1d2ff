/*
 * The authentication attempt without libpam: every branch of the password
 * check and of the code check under the lock (unknown name, no seed under
 * each totp mode, locked source, replay, recovery code, empty and locked
 * shadow passwords, root's exemption, the clock alarm).
 *
 * The accounts come from this file: getpwnam_r() and getspnam_r() below
 * answer from a table, case-insensitively as SSSD or LDAP may, with real
 * crypt(3) hashes made at start; codes come from liboath's generator.  The
 * trust checks want root's files, so the suite needs root.
 */
#include "config.h"
#include "unit.h"

#include <sys/types.h>

#include <crypt.h>
#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <strings.h>
#include <syslog.h>

#include <liboath/oath.h>

#include "auth.h"

#define T0		1795003215LL
#define SECRET_B32	"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

struct account {
	const char	*name;
	uid_t		 uid;
	const char	*password;	/* NULL: the hash is given */
	const char	*hash;		/* "" empty, "!..." locked */
	char		 made[CRYPT_OUTPUT_SIZE];
};

static struct account accounts[] = {
	{ "alice", 2001, "alice pw", NULL, "" },
	{ "bob", 2002, "bob pw", NULL, "" },
	{ "toor", 0, "toor pw", NULL, "" },
	{ "empty", 2003, NULL, "", "" },
	{ "locked", 2004, NULL, "!$y$j9T$locked", "" },
};
#define NACCOUNTS	(sizeof(accounts) / sizeof(accounts[0]))

static struct account *
account_of(const char *name)
{
	size_t i;

	for (i = 0; i < NACCOUNTS; i++)
		if (strcasecmp(accounts[i].name, name) == 0)
			return &accounts[i];
	return NULL;
}

/* The account's shadow hash: given, or made once by crypt(3). */
static const char *
hash_of(struct account *acc)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data cd;
	const char *h;

	if (acc->hash != NULL)
		return acc->hash;
	if (acc->made[0] == '\0') {
		memset(&cd, 0, sizeof(cd));
		ck_assert_ptr_nonnull(crypt_gensalt_rn(NULL, 0, NULL, 0, salt,
		    sizeof(salt)));
		h = crypt_r(acc->password, salt, &cd);
		ck_assert(h != NULL && h[0] != '*');
		snprintf(acc->made, sizeof(acc->made), "%s", h);
	}
	return acc->made;
}

/* Copy S into the caller's buffer at *P; NULL when it does not fit. */
static char *
put(char **p, size_t *left, const char *s)
{
	size_t n = strlen(s) + 1;
	char *at = *p;

	if (n > *left)
		return NULL;
	memcpy(at, s, n);
	*p += n;
	*left -= n;
	return at;
}

int getpwnam_r(const char *, struct passwd *, char *, size_t,
    struct passwd **);
int getspnam_r(const char *, struct spwd *, char *, size_t, struct spwd **);

int
getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t size,
    struct passwd **res)
{
	struct account *acc = account_of(name);

	*res = NULL;
	if (acc == NULL)
		return 0;
	memset(pw, 0, sizeof(*pw));
	if ((pw->pw_name = put(&buf, &size, acc->name)) == NULL ||
	    (pw->pw_passwd = put(&buf, &size, "x")) == NULL ||
	    (pw->pw_dir = put(&buf, &size, "/nonexistent")) == NULL ||
	    (pw->pw_shell = put(&buf, &size, "/usr/sbin/nologin")) == NULL ||
	    (pw->pw_gecos = put(&buf, &size, "")) == NULL)
		return ERANGE;
	pw->pw_uid = acc->uid;
	pw->pw_gid = 100;
	*res = pw;
	return 0;
}

int
getspnam_r(const char *name, struct spwd *sp, char *buf, size_t size,
    struct spwd **res)
{
	struct account *acc = account_of(name);

	*res = NULL;
	if (acc == NULL || strcmp(acc->name, name) != 0)
		return ENOENT;	/* shadow is looked up by the canonical name */
	memset(sp, 0, sizeof(*sp));
	if ((sp->sp_namp = put(&buf, &size, acc->name)) == NULL ||
	    (sp->sp_pwdp = put(&buf, &size, hash_of(acc))) == NULL)
		return ERANGE;
	*res = sp;
	return 0;
}

/* --- a private tree and settings ---------------------------------------- */

static char dir[PATH_MAX], secrets[PATH_MAX], state[PATH_MAX];
static struct hg_conf conf;
static int last_prio;
static char last_log[2048];

static void
logger(void *ctx, int prio, const char *func, const char *text)
{
	(void)ctx;
	last_prio = prio;
	snprintf(last_log, sizeof(last_log), "%s: %s", func, text);
}

static const struct hg_log test_log = { logger, NULL };

/* Settings for the private tree, plus EXTRA module arguments. */
static void
settings(const char *const *extra, size_t nextra)
{
	char a_conf[PATH_MAX + 16], a_sec[PATH_MAX + 16];
	char a_state[PATH_MAX + 16], a_key[PATH_MAX + 32], path[PATH_MAX];
	const char *argv[16];
	struct hg_msg msg = { "" };
	size_t i, n = 0;

	unit_path(path, sizeof(path), dir, "hostgate.conf");
	if (!unit_exists(path))
		unit_write_str(path, "# empty\n", 0644);
	snprintf(a_conf, sizeof(a_conf), "config=%s", path);
	snprintf(a_sec, sizeof(a_sec), "secrets_dir=%s", secrets);
	snprintf(a_state, sizeof(a_state), "state_dir=%s", state);
	snprintf(a_key, sizeof(a_key), "seed_key=%s/seed.key", dir);
	argv[n++] = a_conf;
	argv[n++] = a_sec;
	argv[n++] = a_state;
	argv[n++] = a_key;
	argv[n++] = "lockout_deny=3";
	for (i = 0; i < nextra; i++)
		argv[n++] = extra[i];
	conf_free(&conf);
	ck_assert_msg(conf_load(&conf, (int)n, argv, 0, &msg) == 0, "%s",
	    msg.text);
}

static void
setup(void)
{
	unit_base_setup();
	unit_dir(dir, sizeof(dir));
	unit_path(secrets, sizeof(secrets), dir, "totp");
	unit_path(state, sizeof(state), dir, "state");
	ck_assert_int_eq(mkdir(secrets, 0700), 0);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	memset(&conf, 0, sizeof(conf));
	settings(NULL, 0);
	last_prio = -1;
	last_log[0] = '\0';
}

static void
teardown(void)
{
	conf_free(&conf);
	unit_base_teardown();
}

static void
seed(const char *user, const char *extra)
{
	char path[PATH_MAX], text[1024];

	unit_path(path, sizeof(path), secrets, user);
	snprintf(text, sizeof(text), "secret = %s\n%s", SECRET_B32, extra);
	unit_write_str(path, text, 0600);
}

/* The code for time AT. */
static const char *
code_at(long long at)
{
	static char code[16];
	char *bin = NULL;
	size_t len = 0;

	ck_assert_int_eq(oath_base32_decode(SECRET_B32, strlen(SECRET_B32),
	    &bin, &len), OATH_OK);
	ck_assert_int_eq(oath_totp_generate2(bin, len, (time_t)at, 30, 0, 6, 0,
	    code), OATH_OK);
	free(bin);
	return code;
}

/* One attempt: USER from RHOST at NOW typing PASSWORD and CODE. */
static int
attempt(struct auth_attempt *a, const char *user, const char *rhost,
    long long now, const char *password, const char *code)
{
	struct hg_msg msg = { "" };
	int r;

	if ((r = auth_begin(a, &conf, user, rhost, "pts/9", now, &test_log,
	    &msg)) != 0)
		return r;
	return auth_finish(a, now, password, code, true, &msg);
}

static void
factors_are(const struct auth_attempt *a, const char *want)
{
	char buf[64];

	auth_factors(a, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

/* --- the tests -------------------------------------------------------------- */

START_TEST(password_and_code)
{
	struct auth_attempt a;

	seed("alice", "");
	ck_assert_int_eq(attempt(&a, "alice", "192.0.2.1", T0, "alice pw",
	    code_at(T0)), 0);
	ck_assert(a.known && a.password_ok && a.used_totp && !a.used_scratch);
	factors_are(&a, "password,totp");
}
END_TEST

START_TEST(wrong_password)
{
	struct auth_attempt a;
	char path[PATH_MAX], *text;

	seed("alice", "");
	ck_assert_int_eq(attempt(&a, "alice", "192.0.2.1", T0, "nope",
	    code_at(T0)), HG_ERR_BAD_PASSWORD);
	factors_are(&a, "totp");
	unit_path(path, sizeof(path), state, "alice");
	text = unit_read(path, NULL);
	ck_assert_ptr_nonnull(strstr(text, "source = 1 "));
	free(text);
}
END_TEST

START_TEST(wrong_code)
{
	struct auth_attempt a;

	seed("alice", "");
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    code_at(T0 + 3600)), HG_ERR_BAD_CODE);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    "12 34 5x"), HG_ERR_BAD_CODE);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    "1111111111111111111111111111111111111111111111111111111111111111"
	    "1"), HG_ERR_BAD_CODE);
}
END_TEST

START_TEST(code_with_blanks)
{
	struct auth_attempt a;
	char spaced[16];
	const char *c = code_at(T0);

	seed("alice", "");
	snprintf(spaced, sizeof(spaced), "%.3s %.3s", c, c + 3);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw", spaced), 0);
}
END_TEST

START_TEST(replay)
{
	struct auth_attempt a;

	seed("alice", "");
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    code_at(T0)), 0);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0 + 5, "alice pw",
	    code_at(T0)), HG_ERR_REPLAY);
	/* An older step within the window is a replay too. */
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0 + 5, "alice pw",
	    code_at(T0 - 30)), HG_ERR_REPLAY);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0 + 30, "alice pw",
	    code_at(T0 + 30)), 0);
}
END_TEST

START_TEST(unknown_user)
{
	struct auth_attempt a;
	char path[PATH_MAX];

	ck_assert_int_eq(attempt(&a, "mallory", "192.0.2.9", T0, "x",
	    "123456"), HG_ERR_UNKNOWN_USER);
	ck_assert(!a.known);
	unit_path(path, sizeof(path), state, "mallory");
	ck_assert(!unit_exists(path));
	unit_path(path, sizeof(path), state, ".unknown.key");
	ck_assert(unit_exists(path));
}
END_TEST

START_TEST(unknown_user_locked_like_a_user)
{
	struct auth_attempt a;
	int i;

	seed("alice", "");
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(attempt(&a, "mallory", "192.0.2.9", T0, "x",
		    "123456"), HG_ERR_UNKNOWN_USER);
		ck_assert(!a.locked);
		ck_assert_int_eq(attempt(&a, "alice", "192.0.2.9", T0, "x",
		    "123456"), HG_ERR_BAD_PASSWORD);
		ck_assert(!a.locked);
	}
	ck_assert_int_eq(attempt(&a, "mallory", "192.0.2.9", T0, "x",
	    "123456"), HG_ERR_LOCKED);
	ck_assert(a.locked);
	ck_assert_int_eq(attempt(&a, "alice", "192.0.2.9", T0, "alice pw",
	    code_at(T0)), HG_ERR_LOCKED);
	ck_assert(a.locked);
}
END_TEST

START_TEST(seedless_required)
{
	struct auth_attempt a;

	ck_assert_int_eq(attempt(&a, "bob", NULL, T0, "bob pw", "123456"),
	    HG_ERR_NO_SEED);
}
END_TEST

START_TEST(seedless_optional)
{
	static const char *const extra[] = { "totp=optional" };
	struct auth_attempt a;

	settings(extra, 1);
	ck_assert_int_eq(attempt(&a, "bob", NULL, T0, "bob pw", "123456"), 0);
	ck_assert_ptr_nonnull(a.note);
	factors_are(&a, "password");
	ck_assert_int_eq(attempt(&a, "bob", NULL, T0, "nope", "123456"),
	    HG_ERR_BAD_PASSWORD);
}
END_TEST

START_TEST(totp_off)
{
	static const char *const extra[] = { "totp=off" };
	struct auth_attempt a;

	settings(extra, 1);
	ck_assert_int_eq(attempt(&a, "bob", NULL, T0, "bob pw", NULL), 0);
	factors_are(&a, "password");
}
END_TEST

START_TEST(password_none)
{
	static const char *const extra[] = { "password=none" };
	static const char *const both[] = { "password=none", "totp=off" };
	struct auth_attempt a;
	struct hg_msg msg = { "" };

	seed("alice", "");
	settings(extra, 1);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, NULL, code_at(T0)), 0);
	factors_are(&a, "totp");
	settings(both, 2);
	ck_assert_int_eq(auth_begin(&a, &conf, "alice", NULL, NULL, T0, NULL,
	    &msg), HG_ERR_CONFIG);
}
END_TEST

START_TEST(locked_source)
{
	struct auth_attempt a;
	int i;

	seed("alice", "");
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(attempt(&a, "alice", "192.0.2.5", T0, "alice pw",
		    "000000"), HG_ERR_BAD_CODE);
	ck_assert_int_eq(attempt(&a, "alice", "192.0.2.5", T0, "alice pw",
	    code_at(T0)), HG_ERR_LOCKED);
	ck_assert(a.locked);
	ck_assert_int_eq(attempt(&a, "alice", "::ffff:192.0.2.6", T0 + 30,
	    "alice pw", code_at(T0 + 30)), 0);
	ck_assert_str_eq(a.source, "192.0.2.6");
	ck_assert(a.source_addr);
}
END_TEST

START_TEST(root_counted_not_refused)
{
	struct auth_attempt a;
	int i;

	seed("toor", "");
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(attempt(&a, "toor", "192.0.2.7", T0, "toor pw",
		    "000000"), HG_ERR_BAD_CODE);
	ck_assert_int_eq(last_prio, LOG_WARNING);
	ck_assert_ptr_nonnull(strstr(last_log, "verify_code: uid 0 account"));
	ck_assert_int_eq(attempt(&a, "toor", "192.0.2.7", T0, "toor pw",
	    code_at(T0)), 0);
	ck_assert(a.locked);	/* noticed, as for anyone: not refused */
}
END_TEST

START_TEST(recovery_code)
{
	unsigned char salt[TOTP_RECOVERY_SALT];
	char code[TOTP_RECOVERY_LEN + 1], hash[crypto_pwhash_STRBYTES];
	char line[crypto_pwhash_STRBYTES + 16], path[PATH_MAX], *text;
	struct auth_attempt a;

	randombytes_buf(salt, sizeof(salt));
	ck_assert_int_eq(totp_recovery_new(salt, code, hash), 0);
	snprintf(line, sizeof(line), "recovery = %s\n", hash);
	seed("alice", line);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw", code), 0);
	ck_assert(a.used_scratch && !a.used_totp);
	factors_are(&a, "password,scratch");
	unit_path(path, sizeof(path), secrets, "alice");
	text = unit_read(path, NULL);
	ck_assert_ptr_null(strstr(text, "recovery"));
	free(text);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw", code),
	    HG_ERR_BAD_CODE);
}
END_TEST

START_TEST(empty_shadow_password)
{
	static const char *const extra[] = { "totp=off", "nullok" };
	static const char *const plain[] = { "totp=off" };
	struct auth_attempt a;
	struct hg_msg msg = { "" };

	settings(plain, 1);
	ck_assert_int_eq(attempt(&a, "empty", NULL, T0, "", NULL),
	    HG_ERR_BAD_PASSWORD);
	settings(extra, 2);
	ck_assert_int_eq(attempt(&a, "empty", NULL, T0, "", NULL), 0);
	/* The application forbids null tokens: nullok yields. */
	ck_assert_int_eq(auth_begin(&a, &conf, "empty", NULL, NULL, T0, NULL,
	    &msg), 0);
	ck_assert_int_eq(auth_finish(&a, T0, "", NULL, false, &msg),
	    HG_ERR_BAD_PASSWORD);
}
END_TEST

START_TEST(locked_shadow_password)
{
	static const char *const extra[] = { "totp=off" };
	struct auth_attempt a;

	settings(extra, 1);
	ck_assert_int_eq(attempt(&a, "locked", NULL, T0, "anything", NULL),
	    HG_ERR_BAD_PASSWORD);
	ck_assert_ptr_nonnull(a.note);
}
END_TEST

START_TEST(canonical_name)
{
	struct auth_attempt a;
	char path[PATH_MAX];

	seed("alice", "");
	ck_assert_int_eq(attempt(&a, "ALICE", NULL, T0, "alice pw",
	    code_at(T0)), 0);
	ck_assert_str_eq(a.name, "alice");
	unit_path(path, sizeof(path), state, "ALICE");
	ck_assert(!unit_exists(path));
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    code_at(T0)), HG_ERR_REPLAY);
}
END_TEST

START_TEST(untrusted_secrets_dir)
{
	struct auth_attempt a;
	struct hg_msg msg = { "" };

	ck_assert_int_eq(chmod(secrets, 0755), 0);
	ck_assert_int_eq(auth_begin(&a, &conf, "alice", NULL, NULL, T0, NULL,
	    &msg), HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, "failing closed for every"));
	ck_assert_int_eq(auth_begin(&a, &conf, "mallory", NULL, NULL, T0,
	    NULL, &msg), HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(clock_ahead)
{
	struct auth_attempt a;
	char path[PATH_MAX], text[256];

	seed("alice", "");
	unit_path(path, sizeof(path), state, "alice");
	snprintf(text, sizeof(text), "version = 1\nlast_step = %lld\n"
	    "last_success = 0\ntotal = 0 0 0\n", T0 + 7200);
	unit_write_str(path, text, 0600);
	ck_assert_int_eq(attempt(&a, "alice", NULL, T0, "alice pw",
	    code_at(T0)), HG_ERR_REPLAY);
	ck_assert_int_eq(last_prio, LOG_ALERT);
	ck_assert_ptr_nonnull(strstr(last_log, "warn_clock: user"));
}
END_TEST

/* The code is checked at the time it is typed, not when it was asked. */
START_TEST(code_checked_when_typed)
{
	struct auth_attempt a;
	struct hg_msg msg = { "" };

	seed("alice", "");
	ck_assert_int_eq(auth_begin(&a, &conf, "alice", NULL, NULL, T0,
	    &test_log, &msg), 0);
	ck_assert_int_eq(auth_finish(&a, T0 + 90, "alice pw", code_at(T0 + 90),
	    true, &msg), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("attempt");

	if (geteuid() != 0) {
		printf("SKIP: needs root (the trust checks want root's "
		    "files)\n");
		exit(getenv("CI") != NULL && strcmp(getenv("CI"), "true") ==
		    0 ? 99 : 77);
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, password_and_code);
	tcase_add_test(tc, wrong_password);
	tcase_add_test(tc, wrong_code);
	tcase_add_test(tc, code_with_blanks);
	tcase_add_test(tc, replay);
	tcase_add_test(tc, unknown_user);
	tcase_add_test(tc, unknown_user_locked_like_a_user);
	tcase_add_test(tc, seedless_required);
	tcase_add_test(tc, seedless_optional);
	tcase_add_test(tc, totp_off);
	tcase_add_test(tc, password_none);
	tcase_add_test(tc, locked_source);
	tcase_add_test(tc, root_counted_not_refused);
	tcase_add_test(tc, recovery_code);
	tcase_add_test(tc, empty_shadow_password);
	tcase_add_test(tc, locked_shadow_password);
	tcase_add_test(tc, canonical_name);
	tcase_add_test(tc, untrusted_secrets_dir);
	tcase_add_test(tc, clock_ahead);
	tcase_add_test(tc, code_checked_when_typed);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * Settings: hostgate.conf and module arguments through one parser.  Every
 * error must fail closed and name its source and line.
 */
#include "config.h"
#include "unit.h"

#include <sys/stat.h>

#include "conf.h"

#define CONF_NAME	"hostgate.conf"

/* Write a settings file with TEXT and MODE in a fresh directory. */
static void
mkconf(char *path, size_t size, const char *text, mode_t mode)
{
	char dir[PATH_MAX];

	unit_dir(dir, sizeof(dir));
	unit_path(path, size, dir, CONF_NAME);
	unit_write_str(path, text, mode);
}

/* Write LEN bytes (which may hold a NUL) as a settings file. */
static void
mkconf_bin(char *path, size_t size, const void *data, size_t len)
{
	char dir[PATH_MAX];

	unit_dir(dir, sizeof(dir));
	unit_path(path, size, dir, CONF_NAME);
	unit_write(path, data, len, 0644);
}

/* "config=PATH" in BUF. */
static const char *
config_arg(char *buf, size_t size, const char *path)
{
	ck_assert((size_t)snprintf(buf, size, "config=%s", path) < size);
	return buf;
}

/* conf_load() with "config=PATH" followed by the NARGS in ARGS. */
static int
load_with(struct hg_conf *c, const char *path, const char **args, int nargs,
    struct hg_msg *msg)
{
	char carg[PATH_MAX + 8];
	const char *argv[16];
	int i;

	ck_assert_int_lt(nargs, 15);
	argv[0] = config_arg(carg, sizeof(carg), path);
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	msg->text[0] = '\0';
	return conf_load(c, nargs + 1, argv, geteuid(), msg);
}

/* After a failure conf_load() leaves nothing allocated. */
static void
assert_freed(const struct hg_conf *c)
{
	ck_assert_ptr_null(c->config);
	ck_assert_ptr_null(c->policy);
	ck_assert_ptr_null(c->secrets_dir);
	ck_assert_ptr_null(c->state_dir);
	ck_assert_ptr_null(c->seed_key);
	ck_assert_ptr_null(c->audit_socket);
	ck_assert_ptr_null(c->audit_log);
	ck_assert_ptr_null(c->audit_spool);
	ck_assert_ptr_null(c->audit_forward_url);
}

/* MSG names PATH and LINE as "PATH:LINE:". */
static void
assert_where(const struct hg_msg *msg, const char *path, unsigned line)
{
	char want[PATH_MAX + 32];

	ck_assert((size_t)snprintf(want, sizeof(want), "%s:%u:", path, line) <
	    sizeof(want));
	ck_assert_msg(strstr(msg->text, want) != NULL,
	    "message '%s' does not name '%s'", msg->text, want);
}

/* MSG names module argument N ("module argument:N" or "... N"). */
static void
assert_arg_where(const struct hg_msg *msg, unsigned n)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "module argument:%u:", n);
	snprintf(b, sizeof(b), "module argument %u:", n);
	ck_assert_msg(strstr(msg->text, a) != NULL ||
	    strstr(msg->text, b) != NULL,
	    "message '%s' does not name argument %u", msg->text, n);
}

/* A file whose line LINE is bad: HG_ERR_CONFIG naming PATH:LINE. */
static void
expect_file_error(const char *text, unsigned line)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), text, 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_where(&msg, path, line);
	assert_freed(&c);
}

/* A module argument that is bad: HG_ERR_CONFIG naming argument 2. */
static void
expect_arg_error(const char *arg)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;
	const char *args[1];

	args[0] = arg;
	mkconf(path, sizeof(path), "", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 1, &msg), HG_ERR_CONFIG);
	assert_arg_where(&msg, 2);
	assert_freed(&c);
}

/* A file with "key = value" on line 3 must be accepted. */
static void
load_one(struct hg_conf *c, const char *key, const char *value)
{
	char path[PATH_MAX], text[256];
	struct hg_msg msg;

	snprintf(text, sizeof(text), "# test\n\n%s = %s\n", key, value);
	mkconf(path, sizeof(path), text, 0644);
	ck_assert_msg(load_with(c, path, NULL, 0, &msg) == 0,
	    "'%s = %s' refused: %s", key, value, msg.text);
}

/* Every default from the SPEC. */
static void
assert_defaults(const struct hg_conf *c)
{
	ck_assert_str_eq(c->policy, "/etc/hostgate/policy.conf");
	ck_assert_str_eq(c->secrets_dir, "/etc/hostgate/totp");
	ck_assert_str_eq(c->state_dir, "/var/lib/hostgate");
	ck_assert_str_eq(c->seed_key, "/etc/hostgate/seed.key");
	ck_assert_str_eq(c->audit_socket, "/run/hostgate/hostgated.sock");
	ck_assert_str_eq(c->audit_log, "/var/log/hostgate/audit.jsonl");
	ck_assert_str_eq(c->audit_spool, "/var/spool/hostgate");
	ck_assert_ptr_null(c->audit_forward_url);
	ck_assert_ptr_null(c->audit_forward_token_file);
	ck_assert_ptr_null(c->audit_forward_ca);
	ck_assert_int_eq(c->password, CONF_PASSWORD_SHADOW);
	ck_assert_int_eq(c->totp, CONF_TOTP_REQUIRED);
	ck_assert_int_eq(c->audit, CONF_AUDIT_BEST_EFFORT);
	ck_assert_uint_eq(c->totp_window, 1);
	ck_assert_uint_eq(c->lockout_deny, 5);
	ck_assert_uint_eq(c->lockout_interval, 900);
	ck_assert_uint_eq(c->lockout_unlock, 600);
	ck_assert_uint_eq(c->lockout_deny_total, 20);
	ck_assert_uint_eq(c->fail_delay_ms, 2000);
	ck_assert_uint_eq(c->lockout_trust_days, 30);
	ck_assert(!c->lockout_root);
	ck_assert(!c->nullok);
	ck_assert(!c->debug);
	ck_assert(!c->try_first_pass);
	ck_assert(!c->use_first_pass);
}

/* Every key set away from its default (use_first_pass aside). */
static const char every_key[] =
    "policy = /x/policy.conf\n"
    "secrets_dir = /x/totp\n"
    "state_dir = /x/state\n"
    "seed_key = /x/seed.key\n"
    "audit_socket = /x/hostgated.sock\n"
    "audit_log = /x/audit.jsonl\n"
    "audit_spool = /x/spool\n"
    "audit_forward_url = https://collector.example/v1/ingest\n"
    "audit_forward_token_file = /x/token\n"
    "audit_forward_ca = /x/ca.pem\n"
    "password = none\n"
    "totp = optional\n"
    "audit = required\n"
    "totp_window = 3\n"
    "lockout_deny = 7\n"
    "lockout_interval = 60\n"
    "lockout_unlock = 120\n"
    "lockout_deny_total = 40\n"
    "fail_delay_ms = 0\n"
    "lockout_trust_days = 7\n"
    "lockout_root = yes\n"
    "nullok = yes\n"
    "debug = yes\n"
    "try_first_pass = yes\n";

static void
assert_every_key(const struct hg_conf *c)
{
	ck_assert_str_eq(c->policy, "/x/policy.conf");
	ck_assert_str_eq(c->secrets_dir, "/x/totp");
	ck_assert_str_eq(c->state_dir, "/x/state");
	ck_assert_str_eq(c->seed_key, "/x/seed.key");
	ck_assert_str_eq(c->audit_socket, "/x/hostgated.sock");
	ck_assert_str_eq(c->audit_log, "/x/audit.jsonl");
	ck_assert_str_eq(c->audit_spool, "/x/spool");
	ck_assert_str_eq(c->audit_forward_url,
	    "https://collector.example/v1/ingest");
	ck_assert_str_eq(c->audit_forward_token_file, "/x/token");
	ck_assert_str_eq(c->audit_forward_ca, "/x/ca.pem");
	ck_assert_int_eq(c->password, CONF_PASSWORD_NONE);
	ck_assert_int_eq(c->totp, CONF_TOTP_OPTIONAL);
	ck_assert_int_eq(c->audit, CONF_AUDIT_REQUIRED);
	ck_assert_uint_eq(c->totp_window, 3);
	ck_assert_uint_eq(c->lockout_deny, 7);
	ck_assert_uint_eq(c->lockout_interval, 60);
	ck_assert_uint_eq(c->lockout_unlock, 120);
	ck_assert_uint_eq(c->lockout_deny_total, 40);
	ck_assert_uint_eq(c->fail_delay_ms, 0);
	ck_assert_uint_eq(c->lockout_trust_days, 7);
	ck_assert(c->lockout_root);
	ck_assert(c->nullok);
	ck_assert(c->debug);
	ck_assert(c->try_first_pass);
	ck_assert(!c->use_first_pass);
}

/* ---- defaults ---------------------------------------------------------- */

START_TEST(defaults_empty_file)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	assert_defaults(&c);
	ck_assert_str_eq(c.config, path);
	conf_free(&c);
}
END_TEST

START_TEST(defaults_missing_default_file)
{
	struct hg_conf c;
	struct hg_msg msg;

	if (access(CONF_DEFAULT_PATH, F_OK) == 0) {
		fprintf(stderr, "defaults_missing_default_file: %s exists, "
		    "not tested\n", CONF_DEFAULT_PATH);
		return;
	}
	msg.text[0] = '\0';
	ck_assert_msg(conf_load(&c, 0, NULL, geteuid(), &msg) == 0, "%s",
	    msg.text);
	assert_defaults(&c);
	ck_assert_str_eq(c.config, CONF_DEFAULT_PATH);
	conf_free(&c);
}
END_TEST

/* Arguments apply on top of the defaults when the default file is absent. */
START_TEST(defaults_missing_default_file_args)
{
	const char *argv[] = { "totp_window=2", "debug" };
	struct hg_conf c;
	struct hg_msg msg;

	if (access(CONF_DEFAULT_PATH, F_OK) == 0)
		return;
	ck_assert_int_eq(conf_load(&c, 2, argv, geteuid(), &msg), 0);
	ck_assert_uint_eq(c.totp_window, 2);
	ck_assert(c.debug);
	ck_assert_uint_eq(c.lockout_deny, 5);
	ck_assert_str_eq(c.policy, "/etc/hostgate/policy.conf");
	conf_free(&c);
}
END_TEST

/* ---- every key from either source -------------------------------------- */

START_TEST(file_sets_every_key)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), every_key, 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	assert_every_key(&c);
	ck_assert_str_eq(c.config, path);
	conf_free(&c);
}
END_TEST

START_TEST(args_set_every_key)
{
	const char *args[] = {
		"policy=/x/policy.conf", "secrets_dir=/x/totp",
		"state_dir=/x/state", "seed_key=/x/seed.key",
		"audit_socket=/x/hostgated.sock", "audit_log=/x/audit.jsonl",
		"audit_spool=/x/spool",
		"audit_forward_url=https://collector.example/v1/ingest",
		"audit_forward_token_file=/x/token",
		"audit_forward_ca=/x/ca.pem", "password=none",
		"totp=optional", "audit=required", "totp_window=3",
	};
	const char *args2[] = {
		"lockout_deny=7", "lockout_interval=60", "lockout_unlock=120",
		"lockout_deny_total=40", "fail_delay_ms=0", "lockout_root=yes",
		"debug=yes", "try_first_pass=yes", "lockout_trust_days=7",
		"nullok",
	};
	const char *argv[32];
	char path[PATH_MAX], carg[PATH_MAX + 8];
	struct hg_conf c;
	struct hg_msg msg;
	size_t i, n = 0;

	mkconf(path, sizeof(path), "", 0644);
	argv[n++] = config_arg(carg, sizeof(carg), path);
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++)
		argv[n++] = args[i];
	for (i = 0; i < sizeof(args2) / sizeof(args2[0]); i++)
		argv[n++] = args2[i];
	ck_assert_msg(conf_load(&c, (int)n, argv, geteuid(), &msg) == 0, "%s",
	    msg.text);
	assert_every_key(&c);
	conf_free(&c);
}
END_TEST

START_TEST(file_use_first_pass)
{
	struct hg_conf c;

	load_one(&c, "use_first_pass", "yes");
	ck_assert(c.use_first_pass);
	ck_assert(!c.try_first_pass);
	conf_free(&c);
}
END_TEST

START_TEST(file_totp_off)
{
	struct hg_conf c;

	load_one(&c, "totp", "off");
	ck_assert_int_eq(c.totp, CONF_TOTP_OFF);
	conf_free(&c);
}
END_TEST

/* The explicit default values parse too (and "no" clears a flag). */
START_TEST(file_explicit_defaults)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "password = shadow\ntotp = required\naudit = best-effort\n"
	    "debug = no\nlockout_root = no\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	assert_defaults(&c);
	conf_free(&c);
}
END_TEST

/* The largest value of every numeric key is accepted. */
START_TEST(file_numeric_maxima)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "totp_window = 10\nlockout_deny = 1000\n"
	    "lockout_interval = 604800\nlockout_unlock = 604800\n"
	    "lockout_deny_total = 100000\nfail_delay_ms = 60000\n", 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.totp_window, 10);
	ck_assert_uint_eq(c.lockout_deny, 1000);
	ck_assert_uint_eq(c.lockout_interval, 604800);
	ck_assert_uint_eq(c.lockout_unlock, 604800);
	ck_assert_uint_eq(c.lockout_deny_total, 100000);
	ck_assert_uint_eq(c.fail_delay_ms, 60000);
	conf_free(&c);
}
END_TEST

/* Zero turns lockout off (deny, unlock, deny_total) and the window. */
START_TEST(file_numeric_zeros)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "totp_window = 0\nlockout_deny = 0\nlockout_unlock = 0\n"
	    "lockout_deny_total = 0\nlockout_interval = 1\n", 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.totp_window, 0);
	ck_assert_uint_eq(c.lockout_deny, 0);
	ck_assert_uint_eq(c.lockout_unlock, 0);
	ck_assert_uint_eq(c.lockout_deny_total, 0);
	ck_assert_uint_eq(c.lockout_interval, 1);
	conf_free(&c);
}
END_TEST

/* ---- precedence and the choice of file --------------------------------- */

START_TEST(args_override_file)
{
	const char *args[] = {
		"totp_window=5", "policy=/b/policy.conf", "debug=no",
		"totp=off",
	};
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "totp_window = 3\npolicy = /a/policy.conf\ndebug = yes\n"
	    "totp = optional\nlockout_deny = 9\n", 0644);
	ck_assert_msg(load_with(&c, path, args, 4, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.totp_window, 5);
	ck_assert_str_eq(c.policy, "/b/policy.conf");
	ck_assert(!c.debug);
	ck_assert_int_eq(c.totp, CONF_TOTP_OFF);
	/* What the arguments do not name comes from the file. */
	ck_assert_uint_eq(c.lockout_deny, 9);
	conf_free(&c);
}
END_TEST

/* Arguments win even when they come before "config=" on the line. */
START_TEST(args_before_config_override_file)
{
	char path[PATH_MAX], carg[PATH_MAX + 8];
	const char *argv[3];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "totp_window = 3\n", 0644);
	argv[0] = "totp_window=4";
	argv[1] = config_arg(carg, sizeof(carg), path);
	ck_assert_int_eq(conf_load(&c, 2, argv, geteuid(), &msg), 0);
	ck_assert_uint_eq(c.totp_window, 4);
	conf_free(&c);
}
END_TEST

START_TEST(config_arg_selects_file)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(a, sizeof(a), "lockout_deny = 11\n", 0644);
	mkconf(b, sizeof(b), "lockout_deny = 22\n", 0644);
	ck_assert_int_eq(load_with(&c, b, NULL, 0, &msg), 0);
	ck_assert_uint_eq(c.lockout_deny, 22);
	ck_assert_str_eq(c.config, b);
	conf_free(&c);
	ck_assert_int_eq(load_with(&c, a, NULL, 0, &msg), 0);
	ck_assert_uint_eq(c.lockout_deny, 11);
	ck_assert_str_eq(c.config, a);
	conf_free(&c);
}
END_TEST

START_TEST(config_arg_missing_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;
	int r;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent.conf");
	r = load_with(&c, path, NULL, 0, &msg);
	ck_assert_int_lt(r, 0);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
	assert_freed(&c);
}
END_TEST

START_TEST(config_arg_relative)
{
	const char *argv[] = { "config=etc/hostgate.conf" };
	struct hg_conf c;
	struct hg_msg msg;

	msg.text[0] = '\0';
	ck_assert_int_eq(conf_load(&c, 1, argv, geteuid(), &msg),
	    HG_ERR_CONFIG);
	assert_arg_where(&msg, 1);
	assert_freed(&c);
}
END_TEST

START_TEST(config_arg_twice)
{
	char a[PATH_MAX], b[PATH_MAX], ca[PATH_MAX + 8], cb[PATH_MAX + 8];
	const char *argv[2];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(a, sizeof(a), "", 0644);
	mkconf(b, sizeof(b), "", 0644);
	argv[0] = config_arg(ca, sizeof(ca), a);
	argv[1] = config_arg(cb, sizeof(cb), b);
	ck_assert_int_eq(conf_load(&c, 2, argv, geteuid(), &msg),
	    HG_ERR_CONFIG);
	assert_arg_where(&msg, 2);
}
END_TEST

START_TEST(config_in_file)
{
	expect_file_error("debug = yes\n# which file?\n"
	    "config = /etc/other.conf\n", 3);
}
END_TEST

/* ---- unknown keys ------------------------------------------------------ */

START_TEST(unknown_key_file)
{
	expect_file_error("debug = yes\n\nlockout_denny = 5\n", 3);
}
END_TEST

START_TEST(unknown_key_arg)
{
	expect_arg_error("lockout_denny=5");
}
END_TEST

/* Keys are case-sensitive. */
START_TEST(unknown_key_case)
{
	expect_file_error("Debug = yes\n", 1);
}
END_TEST

START_TEST(line_without_equals)
{
	expect_file_error("debug = yes\ndebug\n", 2);
}
END_TEST

START_TEST(line_without_key)
{
	expect_file_error("\n = yes\n", 2);
}
END_TEST

/* ---- bad values -------------------------------------------------------- */

START_TEST(bad_number_word)
{
	expect_file_error("# c\ntotp_window = one\n", 2);
}
END_TEST

START_TEST(bad_number_negative)
{
	expect_file_error("lockout_deny = -1\n", 1);
}
END_TEST

START_TEST(bad_number_sign)
{
	expect_file_error("lockout_deny = +5\n", 1);
}
END_TEST

START_TEST(bad_number_trailing)
{
	expect_file_error("\n\n\nlockout_unlock = 60s\n", 4);
}
END_TEST

START_TEST(bad_number_inner_blank)
{
	expect_file_error("fail_delay_ms = 20 00\n", 1);
}
END_TEST

START_TEST(bad_number_empty)
{
	expect_file_error("totp_window =\n", 1);
}
END_TEST

START_TEST(bad_number_hex)
{
	expect_file_error("lockout_deny = 0x10\n", 1);
}
END_TEST

START_TEST(bad_number_overflow)
{
	expect_file_error("lockout_deny_total = 99999999999999999999999\n",
	    1);
}
END_TEST

/* 2^32 + 1 must not wrap around to 1. */
START_TEST(bad_number_wraps)
{
	expect_file_error("totp_window = 4294967297\n", 1);
}
END_TEST

START_TEST(bad_number_arg)
{
	expect_arg_error("totp_window=x");
}
END_TEST

START_TEST(range_totp_window)
{
	expect_file_error("totp_window = 11\n", 1);
}
END_TEST

START_TEST(range_lockout_deny)
{
	expect_file_error("lockout_deny = 1001\n", 1);
}
END_TEST

START_TEST(range_lockout_interval_zero)
{
	expect_file_error("lockout_interval = 0\n", 1);
}
END_TEST

START_TEST(range_lockout_interval_high)
{
	expect_file_error("lockout_interval = 604801\n", 1);
}
END_TEST

START_TEST(range_lockout_unlock)
{
	expect_file_error("lockout_unlock = 604801\n", 1);
}
END_TEST

START_TEST(range_lockout_deny_total)
{
	expect_file_error("lockout_deny_total = 100001\n", 1);
}
END_TEST

START_TEST(range_fail_delay_ms)
{
	expect_file_error("fail_delay_ms = 60001\n", 1);
}
END_TEST

START_TEST(range_arg)
{
	expect_arg_error("lockout_interval=0");
}
END_TEST

START_TEST(bad_enum_password)
{
	expect_file_error("password = unix\n", 1);
}
END_TEST

START_TEST(bad_enum_totp)
{
	expect_file_error("totp = yes\n", 1);
}
END_TEST

START_TEST(bad_enum_audit)
{
	expect_file_error("audit = best_effort\n", 1);
}
END_TEST

START_TEST(bad_enum_case)
{
	expect_file_error("password = Shadow\n", 1);
}
END_TEST

START_TEST(bad_enum_arg)
{
	expect_arg_error("totp=sometimes");
}
END_TEST

START_TEST(bad_bool_file)
{
	expect_file_error("debug = true\n", 1);
}
END_TEST

START_TEST(bad_bool_number)
{
	expect_file_error("# root too\nlockout_root = 1\n", 2);
}
END_TEST

START_TEST(bad_bool_arg)
{
	expect_arg_error("debug=on");
}
END_TEST

START_TEST(bad_bool_empty_arg)
{
	expect_arg_error("lockout_root=");
}
END_TEST

START_TEST(relative_path_file)
{
	expect_file_error("policy = etc/hostgate/policy.conf\n", 1);
}
END_TEST

START_TEST(relative_path_each_key)
{
	static const char *const keys[] = {
		"policy", "secrets_dir", "state_dir", "seed_key",
		"audit_socket", "audit_log", "audit_spool",
		"audit_forward_token_file", "audit_forward_ca",
	};
	char text[128];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(text, sizeof(text), "%s = relative/path\n", keys[i]);
		expect_file_error(text, 1);
	}
}
END_TEST

START_TEST(relative_path_empty)
{
	expect_file_error("state_dir =\n", 1);
}
END_TEST

START_TEST(relative_path_arg)
{
	expect_arg_error("state_dir=var/lib/hostgate");
}
END_TEST

/* A URL may carry '=' and '#'; neither cuts it. */
START_TEST(value_with_equals_and_hash)
{
	const char *args[] = { "audit_forward_ca=/x/ca=1.pem" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "audit_forward_url = https://h.example/in?a=b#frag\n", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 1, &msg), 0);
	ck_assert_str_eq(c.audit_forward_url, "https://h.example/in?a=b#frag");
	ck_assert_str_eq(c.audit_forward_ca, "/x/ca=1.pem");
	conf_free(&c);
}
END_TEST

/* ---- duplicates -------------------------------------------------------- */

START_TEST(duplicate_key_file)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "lockout_deny = 3\n# again\nlockout_deny = 3\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_where(&msg, path, 3);
	/* ... and it says where the first one was. */
	ck_assert_ptr_nonnull(strstr(msg.text, "line 1"));
	assert_freed(&c);
}
END_TEST

START_TEST(duplicate_key_arg)
{
	const char *args[] = { "totp_window=2", "totp_window=3" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 2, &msg), HG_ERR_CONFIG);
	assert_arg_where(&msg, 3);
	assert_freed(&c);
}
END_TEST

/* ---- bare flags -------------------------------------------------------- */

static void
flag(const char *name, struct hg_conf *c)
{
	char path[PATH_MAX];
	struct hg_msg msg;
	const char *args[1];

	args[0] = name;
	mkconf(path, sizeof(path), "", 0644);
	ck_assert_msg(load_with(c, path, args, 1, &msg) == 0, "%s: %s", name,
	    msg.text);
}

START_TEST(flag_debug)
{
	struct hg_conf c;

	flag("debug", &c);
	ck_assert(c.debug);
	ck_assert(!c.lockout_root && !c.try_first_pass && !c.use_first_pass);
	conf_free(&c);
}
END_TEST

START_TEST(flag_try_first_pass)
{
	struct hg_conf c;

	flag("try_first_pass", &c);
	ck_assert(c.try_first_pass);
	ck_assert(!c.debug && !c.lockout_root && !c.use_first_pass);
	conf_free(&c);
}
END_TEST

START_TEST(flag_use_first_pass)
{
	struct hg_conf c;

	flag("use_first_pass", &c);
	ck_assert(c.use_first_pass);
	ck_assert(!c.debug && !c.lockout_root && !c.try_first_pass);
	conf_free(&c);
}
END_TEST

START_TEST(flag_lockout_root)
{
	struct hg_conf c;

	flag("lockout_root", &c);
	ck_assert(c.lockout_root);
	ck_assert(!c.debug && !c.try_first_pass && !c.use_first_pass);
	conf_free(&c);
}
END_TEST

/* A flag argument overrides "no" in the file. */
START_TEST(flag_overrides_file)
{
	const char *args[] = { "debug" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = no\n", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 1, &msg), 0);
	ck_assert(c.debug);
	conf_free(&c);
}
END_TEST

START_TEST(flag_unknown)
{
	expect_arg_error("verbose");
}
END_TEST

/* A bare word that names a non-boolean key is not a flag. */
START_TEST(flag_not_boolean)
{
	expect_arg_error("policy");
}
END_TEST

START_TEST(flag_config_bare)
{
	expect_arg_error("config");
}
END_TEST

START_TEST(first_pass_both_args)
{
	const char *args[] = { "try_first_pass", "use_first_pass" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 2, &msg), HG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(msg.text, "try_first_pass"));
	ck_assert_ptr_nonnull(strstr(msg.text, "use_first_pass"));
	assert_freed(&c);
}
END_TEST

START_TEST(first_pass_both_file)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "try_first_pass = yes\nuse_first_pass = yes\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_freed(&c);
}
END_TEST

START_TEST(first_pass_file_and_arg)
{
	const char *args[] = { "use_first_pass" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "try_first_pass = yes\n", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 1, &msg), HG_ERR_CONFIG);
	assert_freed(&c);
}
END_TEST

/* An argument can switch off the file's flag to make room for the other. */
START_TEST(first_pass_arg_switches)
{
	const char *args[] = { "try_first_pass=no", "use_first_pass" };
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "try_first_pass = yes\n", 0644);
	ck_assert_int_eq(load_with(&c, path, args, 2, &msg), 0);
	ck_assert(!c.try_first_pass);
	ck_assert(c.use_first_pass);
	conf_free(&c);
}
END_TEST

/* ---- lexical ----------------------------------------------------------- */

START_TEST(comment_full_line)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "# totp_window = 9\n#debug = yes\n   # indented = comment\n"
	    "\t# tab indented\nlockout_deny = 4\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	ck_assert_uint_eq(c.totp_window, 1);
	ck_assert(!c.debug);
	ck_assert_uint_eq(c.lockout_deny, 4);
	conf_free(&c);
}
END_TEST

START_TEST(comment_trailing)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "lockout_deny = 4 # four is enough\n"
	    "policy = /x/policy.conf\t# after a tab\n"
	    "debug = yes #\n", 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.lockout_deny, 4);
	ck_assert_str_eq(c.policy, "/x/policy.conf");
	ck_assert(c.debug);
	conf_free(&c);
}
END_TEST

/* '#' right after a character is part of the value, not a comment. */
START_TEST(comment_needs_blank)
{
	expect_file_error("lockout_deny = 4#four\n", 1);
}
END_TEST

START_TEST(blank_lines_and_spacing)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "\n\n   \n\t\nlockout_deny=4\n  totp_window\t=\t2  \n\n"
	    "\tdebug =yes\n\n", 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.lockout_deny, 4);
	ck_assert_uint_eq(c.totp_window, 2);
	ck_assert(c.debug);
	conf_free(&c);
}
END_TEST

/* Line numbers count blank and comment lines. */
START_TEST(line_numbers_count_everything)
{
	expect_file_error("# 1\n\n# 3\n   \ndebug = yes\n\ntotp = maybe\n", 7);
}
END_TEST

START_TEST(crlf_lines)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path),
	    "# edited on Windows\r\n\r\nlockout_deny = 4\r\n"
	    "policy = /x/policy.conf\r\ndebug = yes # c\r\ntotp = off\r\n",
	    0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert_uint_eq(c.lockout_deny, 4);
	ck_assert_str_eq(c.policy, "/x/policy.conf");
	ck_assert(c.debug);
	ck_assert_int_eq(c.totp, CONF_TOTP_OFF);
	conf_free(&c);
}
END_TEST

START_TEST(crlf_error_line)
{
	expect_file_error("debug = yes\r\ntotp = nope\r\n", 2);
}
END_TEST

START_TEST(no_trailing_newline)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\nlockout_deny = 8", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	ck_assert_uint_eq(c.lockout_deny, 8);
	conf_free(&c);
}
END_TEST

START_TEST(nul_byte)
{
	static const char data[] = "debug = yes\nlockout_deny = 4\0x\n";
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf_bin(path, sizeof(path), data, sizeof(data) - 1);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_where(&msg, path, 2);
	assert_freed(&c);
}
END_TEST

/* A NUL hidden inside a comment is still refused. */
START_TEST(nul_byte_in_comment)
{
	static const char data[] = "# note\0 hidden\ndebug = yes\n";
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf_bin(path, sizeof(path), data, sizeof(data) - 1);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_where(&msg, path, 1);
}
END_TEST

/* Text of LEN bytes: "# " and 'x' up to LEN, then "\n". */
static char *
comment_line(size_t len)
{
	char *s = malloc(len + 2);

	ck_assert_ptr_nonnull(s);
	memset(s, 'x', len);
	s[0] = '#';
	s[1] = ' ';
	s[len] = '\n';
	s[len + 1] = '\0';
	return s;
}

START_TEST(line_too_long)
{
	char path[PATH_MAX], text[8192];
	struct hg_conf c;
	struct hg_msg msg;
	char *line = comment_line(4097);

	snprintf(text, sizeof(text), "debug = yes\n%s", line);
	free(line);
	mkconf(path, sizeof(path), text, 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	assert_where(&msg, path, 2);
	assert_freed(&c);
}
END_TEST

START_TEST(line_4096_ok)
{
	char path[PATH_MAX], text[8192];
	struct hg_conf c;
	struct hg_msg msg;
	char *line = comment_line(4096);

	snprintf(text, sizeof(text), "%sdebug = yes\n", line);
	free(line);
	mkconf(path, sizeof(path), text, 0644);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	ck_assert(c.debug);
	conf_free(&c);
}
END_TEST

/* SIZE bytes of 64-byte comment lines (the last one shorter). */
static char *
comment_file(size_t size)
{
	char *s = malloc(size + 1);
	size_t i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < size; i++)
		s[i] = i % 64 == 0 ? '#' : i % 64 == 63 ? '\n' : 'c';
	s[size] = '\0';
	return s;
}

START_TEST(file_too_large)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;
	char *text = comment_file(64 * 1024 + 1);

	mkconf(path, sizeof(path), text, 0644);
	free(text);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), HG_ERR_CONFIG);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
	assert_freed(&c);
}
END_TEST

START_TEST(file_64k_ok)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;
	char *text = comment_file(64 * 1024);

	mkconf(path, sizeof(path), text, 0644);
	free(text);
	ck_assert_msg(load_with(&c, path, NULL, 0, &msg) == 0, "%s",
	    msg.text);
	conf_free(&c);
}
END_TEST

START_TEST(module_arg_too_long)
{
	char *arg = malloc(5000);

	ck_assert_ptr_nonnull(arg);
	memcpy(arg, "policy=/", 8);
	memset(arg + 8, 'p', 5000 - 9);
	arg[4999] = '\0';
	expect_arg_error(arg);
	free(arg);
}
END_TEST

/* ---- trust ------------------------------------------------------------- */

START_TEST(untrusted_group_writable)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\n", 0664);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
	assert_freed(&c);
}
END_TEST

START_TEST(untrusted_world_writable)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\n", 0646);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(untrusted_owner)
{
	char path[PATH_MAX], carg[PATH_MAX + 8];
	const char *argv[1];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\n", 0644);
	argv[0] = config_arg(carg, sizeof(carg), path);
	ck_assert_int_eq(conf_load(&c, 1, argv, geteuid() + 1, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_nonnull(strstr(msg.text, path));
}
END_TEST

START_TEST(untrusted_symlink)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\n", 0644);
	ck_assert((size_t)snprintf(link, sizeof(link), "%s.link", path) <
	    sizeof(link));
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(load_with(&c, link, NULL, 0, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

/* Settings are not secret: 0644 is fine. */
START_TEST(world_readable_ok)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "debug = yes\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	ck_assert(c.debug);
	conf_free(&c);
}
END_TEST

/* conf_free() leaves CONF reusable. */
START_TEST(free_and_reuse)
{
	char path[PATH_MAX];
	struct hg_conf c;
	struct hg_msg msg;

	mkconf(path, sizeof(path), "policy = /x/p.conf\n", 0644);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	conf_free(&c);
	assert_freed(&c);
	conf_free(&c);
	ck_assert_int_eq(load_with(&c, path, NULL, 0, &msg), 0);
	ck_assert_str_eq(c.policy, "/x/p.conf");
	conf_free(&c);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("conf");

	tcase_add_unchecked_fixture(tc, unit_base_setup, unit_base_teardown);
	tcase_add_test(tc, defaults_empty_file);
	tcase_add_test(tc, defaults_missing_default_file);
	tcase_add_test(tc, defaults_missing_default_file_args);
	tcase_add_test(tc, file_sets_every_key);
	tcase_add_test(tc, args_set_every_key);
	tcase_add_test(tc, file_use_first_pass);
	tcase_add_test(tc, file_totp_off);
	tcase_add_test(tc, file_explicit_defaults);
	tcase_add_test(tc, file_numeric_maxima);
	tcase_add_test(tc, file_numeric_zeros);
	tcase_add_test(tc, args_override_file);
	tcase_add_test(tc, args_before_config_override_file);
	tcase_add_test(tc, config_arg_selects_file);
	tcase_add_test(tc, config_arg_missing_file);
	tcase_add_test(tc, config_arg_relative);
	tcase_add_test(tc, config_arg_twice);
	tcase_add_test(tc, config_in_file);
	tcase_add_test(tc, unknown_key_file);
	tcase_add_test(tc, unknown_key_arg);
	tcase_add_test(tc, unknown_key_case);
	tcase_add_test(tc, line_without_equals);
	tcase_add_test(tc, line_without_key);
	tcase_add_test(tc, bad_number_word);
	tcase_add_test(tc, bad_number_negative);
	tcase_add_test(tc, bad_number_sign);
	tcase_add_test(tc, bad_number_trailing);
	tcase_add_test(tc, bad_number_inner_blank);
	tcase_add_test(tc, bad_number_empty);
	tcase_add_test(tc, bad_number_hex);
	tcase_add_test(tc, bad_number_overflow);
	tcase_add_test(tc, bad_number_wraps);
	tcase_add_test(tc, bad_number_arg);
	tcase_add_test(tc, range_totp_window);
	tcase_add_test(tc, range_lockout_deny);
	tcase_add_test(tc, range_lockout_interval_zero);
	tcase_add_test(tc, range_lockout_interval_high);
	tcase_add_test(tc, range_lockout_unlock);
	tcase_add_test(tc, range_lockout_deny_total);
	tcase_add_test(tc, range_fail_delay_ms);
	tcase_add_test(tc, range_arg);
	tcase_add_test(tc, bad_enum_password);
	tcase_add_test(tc, bad_enum_totp);
	tcase_add_test(tc, bad_enum_audit);
	tcase_add_test(tc, bad_enum_case);
	tcase_add_test(tc, bad_enum_arg);
	tcase_add_test(tc, bad_bool_file);
	tcase_add_test(tc, bad_bool_number);
	tcase_add_test(tc, bad_bool_arg);
	tcase_add_test(tc, bad_bool_empty_arg);
	tcase_add_test(tc, relative_path_file);
	tcase_add_test(tc, relative_path_each_key);
	tcase_add_test(tc, relative_path_empty);
	tcase_add_test(tc, relative_path_arg);
	tcase_add_test(tc, value_with_equals_and_hash);
	tcase_add_test(tc, duplicate_key_file);
	tcase_add_test(tc, duplicate_key_arg);
	tcase_add_test(tc, flag_debug);
	tcase_add_test(tc, flag_try_first_pass);
	tcase_add_test(tc, flag_use_first_pass);
	tcase_add_test(tc, flag_lockout_root);
	tcase_add_test(tc, flag_overrides_file);
	tcase_add_test(tc, flag_unknown);
	tcase_add_test(tc, flag_not_boolean);
	tcase_add_test(tc, flag_config_bare);
	tcase_add_test(tc, first_pass_both_args);
	tcase_add_test(tc, first_pass_both_file);
	tcase_add_test(tc, first_pass_file_and_arg);
	tcase_add_test(tc, first_pass_arg_switches);
	tcase_add_test(tc, comment_full_line);
	tcase_add_test(tc, comment_trailing);
	tcase_add_test(tc, comment_needs_blank);
	tcase_add_test(tc, blank_lines_and_spacing);
	tcase_add_test(tc, line_numbers_count_everything);
	tcase_add_test(tc, crlf_lines);
	tcase_add_test(tc, crlf_error_line);
	tcase_add_test(tc, no_trailing_newline);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, nul_byte_in_comment);
	tcase_add_test(tc, line_too_long);
	tcase_add_test(tc, line_4096_ok);
	tcase_add_test(tc, file_too_large);
	tcase_add_test(tc, file_64k_ok);
	tcase_add_test(tc, module_arg_too_long);
	tcase_add_test(tc, untrusted_group_writable);
	tcase_add_test(tc, untrusted_world_writable);
	tcase_add_test(tc, untrusted_owner);
	tcase_add_test(tc, untrusted_symlink);
	tcase_add_test(tc, world_readable_ok);
	tcase_add_test(tc, free_and_reuse);
	suite_add_tcase(s, tc);
	return s;
}

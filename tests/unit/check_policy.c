/*
 * The role policy: parser edge cases, trust checks, the evaluator, lint,
 * and the golden files under tests/data/policy (decisions in NAME.cases,
 * exact diagnostics in NAME.err).
 *
 * Each test runs in its own temporary directory (files are created with
 * umask 022 and owned by the test's euid, which is the owner it trusts).
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "policy.h"

#ifndef HG_TOP_SRCDIR
#define HG_TOP_SRCDIR "."
#endif

static char testdir[PATH_MAX];

static void
setup(void)
{
	umask(022);
	snprintf(testdir, sizeof(testdir), "%s/check_policy.XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(testdir));
	ck_assert_int_eq(chdir(testdir), 0);
}

static void
teardown(void)
{
	char cmd[PATH_MAX + 32];

	if (chdir("/") == 0 && testdir[0] == '/') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", testdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", testdir);
	}
}

static void
write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void
write_file(const char *path, const char *text)
{
	write_bytes(path, text, strlen(text));
}

/* Load PATH trusting our own uid; all errors joined by newlines. */
static int
load(const char *path, struct hg_policy **pol, char *errs, size_t size)
{
	struct policy_source src = { path, 0, NULL, NULL };
	struct policy_diags d = { NULL, 0 };
	size_t i, len = 0;
	int r;

	src.owner = geteuid();
	r = policy_load_source(&src, pol, &d, NULL);
	if (errs != NULL) {
		errs[0] = '\0';
		for (i = 0; i < d.n; i++)
			len += (size_t)snprintf(errs + len, len < size ?
			    size - len : 0, "%s%s", i > 0 ? "\n" : "",
			    d.v[i]);
	}
	policy_diags_free(&d);
	return r;
}

/* Load TEXT as "p.conf" and return its diagnostics (for one-liners). */
static const char *
errors_of(const char *text)
{
	static char errs[8192];
	struct hg_policy *pol = NULL;

	write_file("p.conf", text);
	if (load("p.conf", &pol, errs, sizeof(errs)) == 0)
		ck_assert_ptr_nonnull(pol);
	else
		ck_assert_ptr_null(pol);
	policy_free(pol);
	return errs;
}

#define ck_assert_pstr_prefix(s, prefix) \
	ck_assert_msg(strncmp((s), (prefix), strlen(prefix)) == 0, \
	    "'%s' does not start with '%s'", (s), (prefix))

#define ck_assert_errors(text, expected) \
	ck_assert_str_eq(errors_of(text), (expected))

static const char *
valid(const char *text)
{
	return errors_of(text);
}

/* Day of the week of a Gregorian date (Sakamoto): 0 is Sunday. */
static int
weekday(int y, int m, int d)
{
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };

	if (m < 3)
		y--;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/* "YYYY-MM-DDTHH:MM" into the fields the evaluator reads. */
static int
parse_when(const char *s, struct tm *tm)
{
	int y, mo, d, h, mi;

	memset(tm, 0, sizeof(*tm));
	if (strlen(s) != 16 || sscanf(s, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d,
	    &h, &mi) != 5 || mo < 1 || mo > 12)
		return -1;
	tm->tm_year = y - 1900;
	tm->tm_mon = mo - 1;
	tm->tm_mday = d;
	tm->tm_hour = h;
	tm->tm_min = mi;
	tm->tm_wday = weekday(y, mo, d);
	return 0;
}

/* Decide for USER with comma-separated GROUPS ("" for none) at WHEN. */
static struct policy_decision
decide(const struct hg_policy *pol, const char *user, const char *groups,
    const char *service, const char *rhost, const char *when, bool mfa)
{
	struct policy_decision d;
	struct policy_input in;
	struct tm tm;
	const char *g[16];
	char buf[256], *p, *save = NULL;
	size_t n = 0;

	ck_assert_int_eq(parse_when(when, &tm), 0);
	snprintf(buf, sizeof(buf), "%s", groups);
	for (p = strtok_r(buf, ",", &save); p != NULL && n < 16;
	    p = strtok_r(NULL, ",", &save))
		g[n++] = p;
	memset(&in, 0, sizeof(in));
	in.user = user;
	in.groups = g;
	in.ngroups = n;
	in.service = service;
	in.rhost = rhost;
	in.when = &tm;
	in.mfa = mfa;
	policy_decide(pol, &in, &d);
	return d;
}

#define MONDAY	"2026-11-23T10:00"

static struct hg_policy *
load_ok(const char *text)
{
	struct hg_policy *pol = NULL;
	char errs[4096];

	write_file("p.conf", text);
	ck_assert_msg(load("p.conf", &pol, errs, sizeof(errs)) == 0,
	    "unexpected errors: %s", errs);
	return pol;
}

/* --- parsing ------------------------------------------------------------- */

static const char sample[] =
    "# sample\n"
    "role admins     = @wheel @sre\n"
    "role developers = @devs carol\n"
    "role console    = root\n"
    "\n"
    "allow admins      service=sshd,sudo  from=10.0.0.0/8,fd00::/8  mfa\n"
    "allow developers  service=sshd       from=10.0.0.0/8  "
    "time=Mon-Fri@07:00-20:00\n"
    "deny  developers  service=sudo\n"
    "allow console     service=login      from=local\n";

START_TEST(parse_sample)
{
	struct hg_policy *pol = load_ok(sample);
	size_t files, roles, rules;

	policy_counts(pol, &files, &roles, &rules);
	ck_assert_uint_eq(files, 1);
	ck_assert_uint_eq(roles, 3);
	ck_assert_uint_eq(rules, 4);
	policy_free(pol);
}
END_TEST

START_TEST(parse_comments_and_blanks)
{
	struct hg_policy *pol = load_ok("\n# c\n   \t\n  # indented\n"
	    "role a = x   # trailing comment\n\nallow a # why\n");
	struct policy_decision d;

	d = decide(pol, "x", "", "sshd", NULL, MONDAY, false);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.line, 7);
	ck_assert_str_eq(d.text, "allow a # why");
	policy_free(pol);
}
END_TEST

/* '#' inside a word is part of it: only '#' after a blank starts one. */
START_TEST(parse_hash_inside_word)
{
	struct hg_policy *pol = load_ok("role a = al#ice\nallow a\n");

	ck_assert(decide(pol, "al#ice", "", "sshd", NULL, MONDAY,
	    false).allow);
	ck_assert(!decide(pol, "al", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_crlf)
{
	struct hg_policy *pol = load_ok("role a = x\r\nallow a "
	    "service=sshd\r\n");

	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_cr_inside_line)
{
	ck_assert_errors("role a = x\rallow a\n",
	    "p.conf:1:11: error: control character 0x0d");
}
END_TEST

START_TEST(parse_no_final_newline)
{
	struct hg_policy *pol = load_ok("role a = x\nallow a service=sshd");

	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_line_max_ok)
{
	char line[POLICY_LINE_MAX + 2];

	/* A comment of exactly POLICY_LINE_MAX bytes is fine. */
	memset(line, ' ', POLICY_LINE_MAX);
	line[0] = '#';
	line[POLICY_LINE_MAX] = '\n';
	line[POLICY_LINE_MAX + 1] = '\0';
	ck_assert_str_eq(valid(line), "");
}
END_TEST

START_TEST(parse_line_too_long)
{
	char line[POLICY_LINE_MAX + 3];

	memset(line, 'x', POLICY_LINE_MAX + 1);
	memcpy(line, "# ", 2);
	line[POLICY_LINE_MAX + 1] = '\n';
	line[POLICY_LINE_MAX + 2] = '\0';
	ck_assert_errors(line,
	    "p.conf:1:4097: error: line longer than 4096 bytes");
}
END_TEST

/* A 1 MiB line, generated rather than committed: one clean error. */
START_TEST(parse_line_1mib)
{
	size_t len = 1024 * 1024;
	char *buf = malloc(len + 64);
	struct hg_policy *pol = NULL;
	char errs[1024];

	ck_assert_ptr_nonnull(buf);
	strcpy(buf, "role a = x\nallow a service=");
	memset(buf + strlen(buf), 's', len);
	strcpy(buf + strlen("role a = x\nallow a service=") + len, "\n");
	write_bytes("p.conf", buf, strlen(buf));
	free(buf);
	ck_assert_int_eq(load("p.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_POLICY);
	ck_assert_ptr_null(pol);
	ck_assert_str_eq(errs,
	    "p.conf:2:4097: error: line longer than 4096 bytes");
}
END_TEST

START_TEST(parse_file_too_large)
{
	size_t len = POLICY_FILE_MAX + 1;
	char *buf = malloc(len);
	struct hg_policy *pol = NULL;
	char errs[1024];

	ck_assert_ptr_nonnull(buf);
	memset(buf, '\n', len);
	write_bytes("p.conf", buf, len);
	free(buf);
	ck_assert_int_eq(load("p.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_POLICY);
	ck_assert_str_eq(errs, "p.conf: error: larger than 4194304 bytes");
}
END_TEST

START_TEST(parse_nul_byte)
{
	struct hg_policy *pol = NULL;
	char errs[1024];

	write_bytes("p.conf", "role a = x\n# \0\nallow a\n",
	    sizeof("role a = x\n# \0\nallow a\n") - 1);
	ck_assert_int_eq(load("p.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_POLICY);
	ck_assert_str_eq(errs, "p.conf:2:3: error: NUL byte in line");
}
END_TEST

START_TEST(parse_invalid_utf8)
{
	ck_assert_errors("role a = \xff\n",
	    "p.conf:1:10: error: invalid UTF-8 (byte 0xff)");
	ck_assert_errors("role a = \xe2\x82\n",
	    "p.conf:1:10: error: invalid UTF-8 (byte 0xe2)");
	ck_assert_errors("role a = \xf4\x90\x80\x80\n",
	    "p.conf:1:10: error: invalid UTF-8 (byte 0xf4)");
}
END_TEST

START_TEST(parse_utf8_names)
{
	struct hg_policy *pol = load_ok("# Zoë's rules \xe2\x9c\x93\n"
	    "role a = @équipe zoë\nallow a\n");

	ck_assert(decide(pol, "zoë", "", "sshd", NULL, MONDAY, false).allow);
	ck_assert(decide(pol, "x", "équipe", "sshd", NULL, MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_control_char)
{
	ck_assert_errors("role a = x\x1b[0m\n",
	    "p.conf:1:11: error: control character 0x1b");
}
END_TEST

START_TEST(parse_role_without_blanks)
{
	struct hg_policy *pol = load_ok("role a=@wheel\nrole b =x\n"
	    "allow a\nallow b\n");

	ck_assert(decide(pol, "u", "wheel", "sshd", NULL, MONDAY,
	    false).allow);
	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_role_twice)
{
	ck_assert_errors("role a = x\nrole a = y\nallow a\n",
	    "p.conf:2:6: error: role 'a' is already defined at p.conf:1");
}
END_TEST

START_TEST(parse_role_twice_across_files)
{
	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/a.conf", "role a = y\n");
	ck_assert_errors("role a = x\nallow a\n", "policy.d/a.conf:1:6: "
	    "error: role 'a' is already defined at p.conf:1");
}
END_TEST

/* A rule may use a role defined later, or in a later file. */
START_TEST(parse_role_order_independent)
{
	struct hg_policy *pol;

	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/roles.conf", "role late = y\n");
	pol = load_ok("allow early\nallow late\nrole early = x\n");
	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	ck_assert(decide(pol, "y", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_unknown_role)
{
	ck_assert_errors("role admins = x\nrole developers = y\n"
	    "deny  devs service=sudo\n", "p.conf:3:7: error: unknown role "
	    "'devs' (defined roles: admins, developers)");
	ck_assert_errors("allow a\n",
	    "p.conf:1:7: error: unknown role 'a' (no roles are defined)");
}
END_TEST

/* A broken role definition must not also make its uses "unknown". */
START_TEST(parse_no_cascade)
{
	ck_assert_errors("role a = alice,bob\nallow a\n", "p.conf:1:10: "
	    "error: unexpected ',' in member 'alice,bob' (members are "
	    "separated by blanks)");
	ck_assert_errors("role a @wheel\nallow a\n", "p.conf:1:8: "
	    "error: expected '=' after role name 'a', not a second name");
}
END_TEST

START_TEST(parse_mfa_on_deny)
{
	ck_assert_errors("role a = x\ndeny a mfa\n", "p.conf:2:8: error: "
	    "'mfa' is not allowed on a deny rule (a deny applies with or "
	    "without mfa)");
}
END_TEST

START_TEST(parse_unknown_key)
{
	ck_assert_errors("role a = x\nallow a port=22\n", "p.conf:2:9: "
	    "error: unknown condition 'port' (expected service=LIST, "
	    "from=LIST, time=LIST or mfa)");
}
END_TEST

START_TEST(parse_empty_list)
{
	ck_assert_errors("role a = x\nallow a from=\n",
	    "p.conf:2:14: error: empty list after 'from='");
}
END_TEST

START_TEST(parse_empty_item)
{
	ck_assert_errors("role a = x\nallow a time=Mon,,Tue\n",
	    "p.conf:2:18: error: empty item in 'time=' list");
}
END_TEST

START_TEST(parse_day_unknown)
{
	ck_assert_errors("role a = x\nallow a time=Mon-Xyz\n", "p.conf:2:18: "
	    "error: unknown day 'Xyz' (expected Mon, Tue, Wed, Thu, Fri, "
	    "Sat, Sun or *)");
}
END_TEST

START_TEST(parse_day_case_insensitive)
{
	struct hg_policy *pol = load_ok("role a = x\nallow a time=mon-FRI\n");

	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_time_25)
{
	ck_assert_errors("role a = x\nallow a time=Mon@25:00-26:00\n",
	    "p.conf:2:18: error: invalid time '25:00' (expected HH:MM from "
	    "00:00 to 23:59)");
}
END_TEST

START_TEST(parse_time_24_end)
{
	struct hg_policy *pol = load_ok("role a = x\n"
	    "allow a time=Mon@23:00-24:00\n");

	ck_assert(decide(pol, "x", "", "sshd", NULL, "2026-11-23T23:59",
	    false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", NULL, "2026-11-24T00:00",
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_cidr_33)
{
	ck_assert_errors("role a = x\nallow a from=1.2.3.4/33\n",
	    "p.conf:2:22: error: prefix length 33 out of range for IPv4 "
	    "(0-32)");
}
END_TEST

START_TEST(parse_cidr_129)
{
	ck_assert_errors("role a = x\nallow a from=::/129\n",
	    "p.conf:2:17: error: prefix length 129 out of range for IPv6 "
	    "(0-128)");
}
END_TEST

START_TEST(parse_cidr_leading_zero)
{
	ck_assert_errors("role a = x\nallow a from=10.0.0.0/08\n",
	    "p.conf:2:23: error: invalid prefix length '08' (expected 0-32)");
}
END_TEST

START_TEST(parse_cidr_host_bits)
{
	ck_assert_errors("role a = x\nallow a from=fd00::1/8\n",
	    "p.conf:2:14: error: host bits set in 'fd00::1/8' (the block "
	    "is fd00::/8)");
}
END_TEST

/* ::ffff:a.b.c.d written in a rule means the IPv4 address. */
START_TEST(parse_mapped_rule)
{
	struct hg_policy *pol = load_ok("role a = x\n"
	    "allow a from=::ffff:10.0.0.0/104\n");

	ck_assert(decide(pol, "x", "", "sshd", "10.9.8.7", MONDAY,
	    false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", "11.0.0.1", MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_star_in_list)
{
	struct hg_policy *pol = load_ok("role a = x\n"
	    "allow a service=sshd,* from=*,10.0.0.0/8\n");

	ck_assert(decide(pol, "x", "", "ftp", "gw.example.com", MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(parse_all_errors_collected)
{
	ck_assert_errors("role a = x\n"
	    "allow a from=10.0.0.0/33\n"
	    "allow b\n"
	    "deny a time=Mon-Xyz\n"
	    "allow a port=22\n",
	    "p.conf:2:23: error: prefix length 33 out of range for IPv4 "
	    "(0-32)\n"
	    "p.conf:3:7: error: unknown role 'b' (defined roles: a)\n"
	    "p.conf:4:17: error: unknown day 'Xyz' (expected Mon, Tue, Wed, "
	    "Thu, Fri, Sat, Sun or *)\n"
	    "p.conf:5:9: error: unknown condition 'port' (expected "
	    "service=LIST, from=LIST, time=LIST or mfa)");
}
END_TEST

/* The main file's errors come first, then policy.d's, each in order. */
START_TEST(parse_errors_sorted)
{
	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/10.conf", "allow nope\nbogus\n");
	ck_assert_errors("allow missing\nrole a = x\nallow a port=1\n",
	    "p.conf:1:7: error: unknown role 'missing' (defined roles: a)\n"
	    "p.conf:3:9: error: unknown condition 'port' (expected "
	    "service=LIST, from=LIST, time=LIST or mfa)\n"
	    "policy.d/10.conf:1:7: error: unknown role 'nope' (defined "
	    "roles: a)\n"
	    "policy.d/10.conf:2:1: error: unknown keyword 'bogus' (expected "
	    "role, allow or deny)");
}
END_TEST

START_TEST(parse_first_error_in_msg)
{
	struct hg_policy *pol = (struct hg_policy *)1;
	struct hg_msg msg;

	write_file("p.conf", "allow x\nrole a = x\nallow a port=1\n");
	ck_assert_int_eq(policy_load("p.conf", geteuid(), &pol, &msg),
	    HG_ERR_POLICY);
	ck_assert_ptr_null(pol);
	ck_assert_str_eq(msg.text, "p.conf:1:7: error: unknown role 'x' "
	    "(defined roles: a)");
}
END_TEST

START_TEST(parse_error_cap)
{
	char buf[300 * 8];
	struct hg_policy *pol = NULL;
	struct policy_source src = { "p.conf", 0, NULL, NULL };
	struct policy_diags d = { NULL, 0 };
	size_t i;

	for (i = 0; i < 300; i++)
		memcpy(buf + i * 8, "bogus x\n", 8);
	write_bytes("p.conf", buf, sizeof(buf));
	src.owner = geteuid();
	ck_assert_int_eq(policy_load_source(&src, &pol, &d, NULL),
	    HG_ERR_POLICY);
	ck_assert_uint_eq(d.n, POLICY_DIAGS_MAX);
	policy_diags_free(&d);
}
END_TEST

START_TEST(parse_missing_file)
{
	struct hg_policy *pol = NULL;
	char errs[1024];

	ck_assert_int_eq(load("nope.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_NOENT);
	ck_assert_ptr_null(pol);
	ck_assert_str_eq(errs, "nope.conf: error: no such file");
}
END_TEST

/* --- includes ------------------------------------------------------------ */

/* Lexical (strcmp) order: "10-b" before "9-a"; the first match is named. */
START_TEST(include_lexical_order)
{
	struct hg_policy *pol;
	struct policy_decision d;
	size_t files;

	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/9-a.conf", "allow r\n");
	write_file("policy.d/10-b.conf", "\nallow r\n");
	pol = load_ok("role r = x\n");
	policy_counts(pol, &files, NULL, NULL);
	ck_assert_uint_eq(files, 3);
	d = decide(pol, "x", "", "sshd", NULL, MONDAY, false);
	ck_assert(d.allow);
	ck_assert_str_eq(d.file, "policy.d/10-b.conf");
	ck_assert_uint_eq(d.line, 2);
	policy_free(pol);
}
END_TEST

/* Hidden files, backups and other names are never read. */
START_TEST(include_skipped_names)
{
	struct hg_policy *pol;
	size_t files;

	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/.hidden.conf", "garbage\n");
	write_file("policy.d/20-x.conf~", "garbage\n");
	write_file("policy.d/README", "garbage\n");
	write_file("policy.d/30-x.conf.dpkg-old", "garbage\n");
	write_file("policy.d/.conf", "garbage\n");
	write_file("policy.d/40-ok.conf", "allow r\n");
	pol = load_ok("role r = x\n");
	policy_counts(pol, &files, NULL, NULL);
	ck_assert_uint_eq(files, 2);
	policy_free(pol);
}
END_TEST

START_TEST(include_dir_missing)
{
	struct hg_policy *pol = load_ok("role r = x\nallow r\n");
	size_t files;

	policy_counts(pol, &files, NULL, NULL);
	ck_assert_uint_eq(files, 1);
	policy_free(pol);
}
END_TEST

START_TEST(include_dir_group_writable)
{
	ck_assert_int_eq(mkdir("policy.d", 0775), 0);
	ck_assert_int_eq(chmod("policy.d", 0775), 0);
	ck_assert_errors("role r = x\nallow r\n", "policy.d: error: "
	    "directory mode 0775 lets others write to it");
}
END_TEST

START_TEST(include_dir_is_file)
{
	write_file("policy.d", "");
	ck_assert_errors("role r = x\nallow r\n", "policy.d: error: not a "
	    "directory (or a symbolic link)");
}
END_TEST

START_TEST(include_file_group_writable)
{
	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("policy.d/a.conf", "allow r\n");
	ck_assert_int_eq(chmod("policy.d/a.conf", 0664), 0);
	/* trust.c words the rest of the message. */
	ck_assert_pstr_prefix(errors_of("role r = x\n"),
	    "policy.d/a.conf: error: mode 0664 is too open");
}
END_TEST

START_TEST(include_file_symlink)
{
	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("other", "allow r\n");
	ck_assert_int_eq(symlink("../other", "policy.d/a.conf"), 0);
	ck_assert_errors("role r = x\n",
	    "policy.d/a.conf: error: is a symbolic link");
}
END_TEST

/* "hostgate edit": validate the set with one file replaced. */
START_TEST(include_substitute_main)
{
	struct policy_source src = { "p.conf", 0, "edited", NULL };
	struct policy_diags d = { NULL, 0 };
	struct hg_policy *pol = NULL;

	src.owner = geteuid();
	write_file("p.conf", "role r = x\nallow r\n");
	write_file("edited", "role r = x\nallow nope\n");
	ck_assert_int_eq(policy_load_source(&src, &pol, &d, NULL),
	    HG_ERR_POLICY);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_str_eq(d.v[0], "p.conf:2:7: error: unknown role 'nope' "
	    "(defined roles: r)");
	policy_diags_free(&d);
}
END_TEST

START_TEST(include_substitute_new_file)
{
	struct policy_source src = { "p.conf", 0, "edited", "50-new.conf" };
	struct hg_policy *pol = NULL;
	struct policy_decision d;

	src.owner = geteuid();
	ck_assert_int_eq(mkdir("policy.d", 0755), 0);
	write_file("p.conf", "role r = x\n");
	write_file("edited", "deny r service=sshd\n");
	ck_assert_int_eq(policy_load_source(&src, &pol, NULL, NULL), 0);
	d = decide(pol, "x", "", "sshd", NULL, MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_str_eq(d.file, "policy.d/50-new.conf");
	policy_free(pol);
	src.subst_name = "../evil.conf";
	ck_assert_int_eq(policy_load_source(&src, &pol, NULL, NULL),
	    HG_ERR_POLICY);
}
END_TEST

/* --- trust --------------------------------------------------------------- */

START_TEST(trust_group_writable)
{
	struct hg_policy *pol = NULL;
	char errs[1024];

	write_file("p.conf", "role r = x\nallow r\n");
	ck_assert_int_eq(chmod("p.conf", 0664), 0);
	ck_assert_int_eq(load("p.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_null(pol);
	ck_assert_pstr_prefix(errs, "p.conf: error: mode 0664 is too open");
}
END_TEST

START_TEST(trust_world_writable)
{
	struct hg_policy *pol = NULL;

	write_file("p.conf", "role r = x\nallow r\n");
	ck_assert_int_eq(chmod("p.conf", 0646), 0);
	ck_assert_int_eq(load("p.conf", &pol, NULL, 0), HG_ERR_UNTRUSTED);
	ck_assert_ptr_null(pol);
}
END_TEST

START_TEST(trust_symlink)
{
	struct hg_policy *pol = NULL;
	char errs[1024];

	write_file("real.conf", "role r = x\nallow r\n");
	ck_assert_int_eq(symlink("real.conf", "p.conf"), 0);
	ck_assert_int_eq(load("p.conf", &pol, errs, sizeof(errs)),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_null(pol);
	ck_assert_str_eq(errs, "p.conf: error: is a symbolic link");
}
END_TEST

/* Owned by another uid: as root we can chown; else trust someone else. */
START_TEST(trust_other_owner)
{
	struct policy_source src = { "p.conf", 0, NULL, NULL };
	struct hg_policy *pol = NULL;
	struct hg_msg msg;

	write_file("p.conf", "role r = x\nallow r\n");
	if (geteuid() == 0) {
		ck_assert_int_eq(chown("p.conf", 1, 1), 0);
		src.owner = 0;
	} else
		src.owner = geteuid() + 1;
	ck_assert_int_eq(policy_load_source(&src, &pol, NULL, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_ptr_null(pol);
	ck_assert_msg(strstr(msg.text, "must be owned by uid") != NULL,
	    "%s", msg.text);
}
END_TEST

/* --- the evaluator ------------------------------------------------------- */

START_TEST(decide_no_policy)
{
	struct policy_decision d = decide(NULL, "root", "root", "login",
	    NULL, MONDAY, true);

	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_INVALID);
	ck_assert_ptr_null(d.file);
}
END_TEST

START_TEST(decide_bad_input)
{
	struct hg_policy *pol = load_ok("role r = *\nallow r\n");
	struct policy_input in;
	struct policy_decision d;
	struct tm tm;

	memset(&in, 0, sizeof(in));
	memset(&tm, 0, sizeof(tm));
	in.user = "x";
	ck_assert_int_eq(policy_decide(pol, &in, &d), HG_ERR_INVALID);
	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_ERROR);
	in.when = &tm;
	tm.tm_hour = 24;
	ck_assert_int_eq(policy_decide(pol, &in, &d), HG_ERR_INVALID);
	ck_assert(!d.allow);
	tm.tm_hour = 0;
	ck_assert_int_eq(policy_decide(pol, &in, &d), 0);
	ck_assert(d.allow);
	in.user = NULL;
	ck_assert_int_eq(policy_decide(pol, &in, &d), HG_ERR_INVALID);
	ck_assert(!d.allow);
	policy_free(pol);
}
END_TEST

/* The same rules in any order give the same decision. */
START_TEST(decide_order_independent)
{
	static const char *const orders[] = {
		"role r = x\nallow r\ndeny r from=10.0.0.0/8\n",
		"role r = x\ndeny r from=10.0.0.0/8\nallow r\n",
		"deny r from=10.0.0.0/8\nallow r\nrole r = x\n",
	};
	struct hg_policy *pol;
	size_t i;

	for (i = 0; i < 3; i++) {
		pol = load_ok(orders[i]);
		ck_assert(!decide(pol, "x", "", "sshd", "10.1.1.1", MONDAY,
		    true).allow);
		ck_assert(decide(pol, "x", "", "sshd", "11.1.1.1", MONDAY,
		    true).allow);
		policy_free(pol);
	}
}
END_TEST

START_TEST(decide_mfa_required)
{
	struct hg_policy *pol = load_ok("role r = x\n"
	    "allow r service=sshd mfa\nallow r service=sudo mfa\n");
	struct policy_decision d;

	d = decide(pol, "x", "", "sudo", NULL, MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_MFA_REQUIRED);
	ck_assert_uint_eq(d.line, 3);
	d = decide(pol, "x", "", "sudo", NULL, MONDAY, true);
	ck_assert(d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_RULE);
	d = decide(pol, "x", "", "ftp", NULL, MONDAY, false);
	ck_assert_int_eq(d.reason, POLICY_REASON_NO_RULE);
	policy_free(pol);
}
END_TEST

START_TEST(decide_mapped_ipv4)
{
	struct hg_policy *pol = load_ok("role r = x\nallow r "
	    "from=10.0.0.0/8\n");

	ck_assert(decide(pol, "x", "", "sshd", "::ffff:10.1.2.3", MONDAY,
	    false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", "::ffff:11.1.2.3", MONDAY,
	    false).allow);
	/* ::10.1.2.3 (IPv4-compatible, deprecated) is not mapped. */
	ck_assert(!decide(pol, "x", "", "sshd", "::10.1.2.3", MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

/* "localhost" resolves to 127.0.0.1: it must not match 127.0.0.0/8. */
START_TEST(decide_hostname_not_resolved)
{
	struct hg_policy *pol = load_ok("role r = x\nallow r "
	    "from=127.0.0.0/8,::1,local\n");

	ck_assert(!decide(pol, "x", "", "sshd", "localhost", MONDAY,
	    false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", "ip6-localhost", MONDAY,
	    false).allow);
	ck_assert(decide(pol, "x", "", "sshd", "127.0.0.1", MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(decide_empty_rhost_is_local)
{
	struct hg_policy *pol = load_ok("role r = x\nallow r from=local\n");

	ck_assert(decide(pol, "x", "", "sshd", "", MONDAY, false).allow);
	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", "::1", MONDAY, false).allow);
	policy_free(pol);
}
END_TEST

/*
 * Issue 9 item 2: an rhost that is not an address literal must not slip
 * past a deny with from=.  Each odd form is decided under this policy.
 */
static const char odd_policy[] =
    "role ops = x\n"
    "deny ops service=sshd from=10.9.0.0/16,fe80::/10\n"
    "allow ops\n";

/* Under odd_policy, RHOST must be denied by the deny at line 2. */
static void
ck_odd_denied(const char *rhost)
{
	struct hg_policy *pol = load_ok(odd_policy);
	struct policy_decision d;

	d = decide(pol, "x", "", "sshd", rhost, MONDAY, true);
	ck_assert_msg(!d.allow, "rhost '%s' was allowed", rhost);
	ck_assert_int_eq(d.reason, POLICY_REASON_RULE);
	ck_assert_uint_eq(d.line, 2);
	/* The deny is for sshd only: elsewhere the allow still applies. */
	ck_assert(decide(pol, "x", "", "sudo", rhost, MONDAY, true).allow);
	policy_free(pol);
}

START_TEST(i9_02_deny_rhost_zone_id)
{
	ck_odd_denied("fe80::1%eth0");
}
END_TEST

START_TEST(i9_02_deny_rhost_empty_zone)
{
	ck_odd_denied("fe80::1%");
}
END_TEST

START_TEST(i9_02_deny_rhost_leading_zero)
{
	ck_odd_denied("010.9.1.1");
}
END_TEST

START_TEST(i9_02_deny_rhost_trailing_dot)
{
	ck_odd_denied("10.9.1.1.");
}
END_TEST

START_TEST(i9_02_deny_rhost_leading_blank)
{
	ck_odd_denied(" 10.9.1.1");
}
END_TEST

START_TEST(i9_02_deny_rhost_trailing_blank)
{
	ck_odd_denied("10.9.1.1 ");
}
END_TEST

START_TEST(i9_02_deny_rhost_host_name)
{
	ck_odd_denied("host.example");
	ck_odd_denied("attacker-ptr.example.net");
}
END_TEST

/* A mapped address meets IPv4 blocks, a deny's as an allow's. */
START_TEST(i9_02_deny_rhost_mapped_ipv4)
{
	ck_odd_denied("::ffff:10.9.1.1");
}
END_TEST

/* Addresses outside the deny, and a local login, are still allowed. */
START_TEST(i9_02_deny_rhost_outside_allowed)
{
	struct hg_policy *pol = load_ok(odd_policy);

	ck_assert(decide(pol, "x", "", "sshd", "10.8.1.1", MONDAY,
	    true).allow);
	ck_assert(decide(pol, "x", "", "sshd", "2001:db8::1%eth0", MONDAY,
	    true).allow);
	ck_assert(decide(pol, "x", "", "sshd", "::ffff:10.8.1.1", MONDAY,
	    true).allow);
	ck_assert(decide(pol, "x", "", "sshd", NULL, MONDAY, true).allow);
	ck_assert(decide(pol, "x", "", "sshd", "", MONDAY, true).allow);
	policy_free(pol);
}
END_TEST

/* A host name meets only allows without from= (or from=*). */
START_TEST(i9_02_allow_rhost_host_name)
{
	struct hg_policy *pol = load_ok("role r = x\n"
	    "allow r service=net from=10.0.0.0/8\n"
	    "allow r service=open\n"
	    "allow r service=star from=*\n"
	    "allow r service=local from=local\n");
	struct policy_decision d;

	d = decide(pol, "x", "", "net", "host.example", MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_NO_RULE);
	ck_assert(!decide(pol, "x", "", "net", "010.1.1.1", MONDAY,
	    false).allow);
	ck_assert(decide(pol, "x", "", "net", "10.1.1.1", MONDAY,
	    false).allow);
	ck_assert(decide(pol, "x", "", "open", "host.example", MONDAY,
	    false).allow);
	ck_assert(decide(pol, "x", "", "star", "host.example", MONDAY,
	    false).allow);
	ck_assert(!decide(pol, "x", "", "local", "host.example", MONDAY,
	    false).allow);
	policy_free(pol);
}
END_TEST

/* Fri@22:00-06:00 runs from Friday night into Saturday morning. */
START_TEST(decide_wrap_belongs_to_start_day)
{
	struct hg_policy *pol = load_ok("role r = x\n"
	    "allow r time=Fri@22:00-06:00\n");

	ck_assert(decide(pol, "x", "", "sshd", NULL, "2026-11-21T02:00",
	    false).allow);
	ck_assert(!decide(pol, "x", "", "sshd", NULL, "2026-11-20T02:00",
	    false).allow);
	policy_free(pol);
}
END_TEST

START_TEST(decide_no_service)
{
	struct hg_policy *pol = load_ok("role r = x\nallow r service=sshd\n"
	    "allow r time=Sun\n");

	ck_assert(!decide(pol, "x", "", NULL, NULL, MONDAY, false).allow);
	ck_assert(decide(pol, "x", "", NULL, NULL, "2026-11-22T10:00",
	    false).allow);
	policy_free(pol);
}
END_TEST

/* 10,000 rules for other roles and services do not change the answer. */
START_TEST(decide_large_policy)
{
	struct hg_policy *pol;
	struct policy_decision d;
	FILE *f = fopen("p.conf", "w");
	int i;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "role me = x\nallow me service=sshd from=10.0.0.0/8\n");
	for (i = 0; i < 10000; i++)
		fprintf(f, "role r%d = u%d @g%d\n%s r%d service=s%d "
		    "from=10.%d.0.0/16\n", i, i, i, i % 2 ? "deny" : "allow",
		    i, i % 50, i % 256);
	fprintf(f, "deny me service=sudo\n");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(load("p.conf", &pol, NULL, 0), 0);
	d = decide(pol, "x", "", "sshd", "10.1.1.1", MONDAY, false);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.line, 2);
	d = decide(pol, "x", "", "sudo", "10.1.1.1", MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_uint_eq(d.line, 20003);
	d = decide(pol, "u7", "g8", "s8", "10.8.1.1", MONDAY, false);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.line, 2 + 8 * 2 + 2);
	d = decide(pol, "u7", "g8", "s7", "10.7.1.1", MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_int_eq(d.reason, POLICY_REASON_RULE);
	policy_free(pol);
}
END_TEST

/* A user in more roles than a decision remembers is still right. */
START_TEST(decide_many_roles)
{
	struct hg_policy *pol;
	struct policy_decision d;
	FILE *f = fopen("p.conf", "w");
	const char *names[4];
	struct policy_input in;
	struct tm tm;
	int i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < 300; i++)
		fprintf(f, "role r%d = x\nallow r%d service=s%d\n", i, i, i);
	fprintf(f, "deny r299 service=s0\n");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(load("p.conf", &pol, NULL, 0), 0);
	d = decide(pol, "x", "", "s299", NULL, MONDAY, false);
	ck_assert(d.allow);
	ck_assert_uint_eq(d.line, 600);
	d = decide(pol, "x", "", "s0", NULL, MONDAY, false);
	ck_assert(!d.allow);
	ck_assert_uint_eq(d.line, 601);
	memset(&in, 0, sizeof(in));
	ck_assert_int_eq(parse_when(MONDAY, &tm), 0);
	in.user = "x";
	in.when = &tm;
	ck_assert_uint_eq(policy_roles_of(pol, &in, names, 4), 300);
	ck_assert_str_eq(names[0], "r0");
	policy_free(pol);
}
END_TEST

START_TEST(decide_roles_of)
{
	struct hg_policy *pol = load_ok("role a = @g\nrole b = x @g\n"
	    "role c = *\nrole d = y\nallow a\nallow b\nallow c\nallow d\n");
	const char *g[] = { "g" };
	const char *names[8];
	struct policy_input in;

	memset(&in, 0, sizeof(in));
	in.user = "x";
	in.groups = g;
	in.ngroups = 1;
	ck_assert_uint_eq(policy_roles_of(pol, &in, names, 8), 3);
	ck_assert_str_eq(names[0], "a");
	ck_assert_str_eq(names[1], "b");
	ck_assert_str_eq(names[2], "c");
	policy_free(pol);
}
END_TEST

START_TEST(decide_reason_strings)
{
	ck_assert_str_eq(policy_reason_str(POLICY_REASON_RULE), "rule");
	ck_assert_str_eq(policy_reason_str(POLICY_REASON_NO_RULE), "no-rule");
	ck_assert_str_eq(policy_reason_str(POLICY_REASON_MFA_REQUIRED),
	    "mfa-required");
	ck_assert_str_eq(policy_reason_str(POLICY_REASON_INVALID),
	    "policy-invalid");
}
END_TEST

/* --- NSS ----------------------------------------------------------------- */

START_TEST(nss_root_groups)
{
	char **groups;
	size_t n, i;
	bool root = false;

	ck_assert_int_eq(policy_user_groups("root", &groups, &n, NULL), 0);
	for (i = 0; i < n; i++)
		root |= strcmp(groups[i], "root") == 0;
	ck_assert(root);
	policy_groups_free(groups, n);
}
END_TEST

START_TEST(nss_unknown_user)
{
	struct hg_msg msg;
	char **groups = (char **)1;
	size_t n = 1;

	ck_assert_int_eq(policy_user_groups("no-such-user-hg", &groups, &n,
	    &msg), HG_ERR_UNKNOWN_USER);
	ck_assert_ptr_null(groups);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(msg.text, "no-such-user-hg: unknown user");
}
END_TEST

/* --- warnings ------------------------------------------------------------ */

static const char *
warnings_of(const char *text)
{
	static char out[4096];
	struct policy_diags w = { NULL, 0 };
	struct hg_policy *pol = load_ok(text);
	size_t i, len = 0;

	ck_assert_int_eq(policy_lint(pol, &w), 0);
	out[0] = '\0';
	for (i = 0; i < w.n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%s",
		    i > 0 ? "\n" : "", w.v[i]);
	policy_diags_free(&w);
	policy_free(pol);
	return out;
}

#define LINT_DENY_FROM \
	"this deny also applies to every rhost that is not an address " \
	"literal (a host name, as sshd passes with UseDNS yes), whatever " \
	"its from= lists"

START_TEST(lint_clean)
{
	ck_assert_str_eq(warnings_of("role r = root @root\nallow r "
	    "service=sshd\ndeny r service=sudo\n"), "");
}
END_TEST

START_TEST(lint_unused_role)
{
	ck_assert_str_eq(warnings_of("role r = root\nrole spare = root\n"
	    "allow r\n"), "p.conf:2:6: warning: role 'spare' is never used "
	    "by a rule");
}
END_TEST

START_TEST(lint_unknown_names)
{
	ck_assert_str_eq(warnings_of("role r = root @no-such-group-hg "
	    "no-such-user-hg\nallow r\n"),
	    "p.conf:1:15: warning: group 'no-such-group-hg' is unknown to "
	    "NSS\n"
	    "p.conf:1:33: warning: user 'no-such-user-hg' is unknown to NSS");
}
END_TEST

START_TEST(lint_shadowed_allow)
{
	ck_assert_str_eq(warnings_of("role a = root\nrole all = *\n"
	    "allow a service=sshd from=10.1.0.0/16 time=Mon@09:00-10:00\n"
	    "allow a service=sudo\n"
	    "deny all from=10.0.0.0/8 time=Mon-Fri@08:00-18:00\n"),
	    "p.conf:3:1: warning: rule can never match: the deny at "
	    "p.conf:5 covers all it allows\n"
	    "p.conf:5:1: warning: " LINT_DENY_FROM);
}
END_TEST

/*
 * Issue 9 item 2: a deny with from= also denies an rhost that is not an
 * address literal; check says so at each such deny (from=* is no from=).
 */
START_TEST(i9_02_lint_deny_from_warns)
{
	ck_assert_str_eq(warnings_of("role a = root\nallow a\n"
	    "deny a service=sshd from=10.9.0.0/16,fe80::/10\n"
	    "deny a service=sudo from=*\n"
	    "deny a service=login\n"
	    "deny  a service=ftp from=local\n"),
	    "p.conf:3:1: warning: " LINT_DENY_FROM "\n"
	    "p.conf:6:1: warning: " LINT_DENY_FROM);
}
END_TEST

/* A deny that covers only part of an allow leaves it useful. */
START_TEST(lint_partial_deny)
{
	ck_assert_str_eq(warnings_of("role a = root\n"
	    "allow a service=sshd,sudo time=Fri@22:00-06:00\n"
	    "deny a service=sshd,sudo time=Fri@22:00-24:00\n"), "");
}
END_TEST

START_TEST(lint_allows_no_one)
{
	ck_assert_str_eq(warnings_of("# nothing\n"), "p.conf:1:1: warning: "
	    "the policy allows no one (no allow rule can ever match)");
	ck_assert_str_eq(warnings_of("role a = root\nallow a\ndeny a\n"),
	    "p.conf:2:1: warning: rule can never match: the deny at p.conf:3 "
	    "covers all it allows\n"
	    "p.conf:1:1: warning: the policy allows no one (no allow rule "
	    "can ever match)");
}
END_TEST

/* --- golden files -------------------------------------------------------- */

struct golden {
	size_t		 policies, cases, bad;
	char		*failures;
	size_t		 flen;
	unsigned	 nfail;
};

static void
fail_note(struct golden *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_note(struct golden *g, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	len = strlen(line);
	g->failures = realloc(g->failures, g->flen + len + 2);
	ck_assert_ptr_nonnull(g->failures);
	memcpy(g->failures + g->flen, line, len);
	g->flen += len;
	g->failures[g->flen++] = '\n';
	g->failures[g->flen] = '\0';
	g->nfail++;
}

/* The decision as a case file writes it: "allow rule f:7", ... */
static void
decision_str(const struct policy_decision *d, char *buf, size_t size)
{
	if (d->file != NULL)
		snprintf(buf, size, "%s %s %s:%u", d->allow ? "allow" : "deny",
		    policy_reason_str(d->reason), d->file, d->line);
	else
		snprintf(buf, size, "%s %s", d->allow ? "allow" : "deny",
		    policy_reason_str(d->reason));
}

/* Run one case line against POL (NULL: invalid). */
static void
run_case(struct golden *g, const struct hg_policy *pol, const char *where,
    char *line)
{
	struct policy_decision d;
	struct policy_input in;
	struct tm tm;
	const char *gv[32], *when = MONDAY;
	char *arrow, *tok, *save = NULL, *gsave, *gl, got[1024], want[1024];
	char *p;
	size_t n = 0;

	if ((arrow = strstr(line, " -> ")) == NULL) {
		fail_note(g, "%s: no ' -> ' in case", where);
		return;
	}
	*arrow = '\0';
	snprintf(want, sizeof(want), "%s", arrow + 4);
	for (p = want + strlen(want); p > want && (p[-1] == ' ' ||
	    p[-1] == '\n'); )
		*--p = '\0';
	memset(&in, 0, sizeof(in));
	in.service = "sshd";
	in.groups = gv;
	for (tok = strtok_r(line, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (in.user == NULL)
			in.user = tok;
		else if (strncmp(tok, "groups=", 7) == 0) {
			gsave = NULL;
			for (gl = strtok_r(tok + 7, ",", &gsave); gl != NULL &&
			    n < 32; gl = strtok_r(NULL, ",", &gsave))
				gv[n++] = gl;
		} else if (strncmp(tok, "service=", 8) == 0)
			in.service = tok + 8;
		else if (strncmp(tok, "from=", 5) == 0)
			in.rhost = tok + 5;
		else if (strncmp(tok, "at=", 3) == 0)
			when = tok + 3;
		else if (strcmp(tok, "mfa=yes") == 0)
			in.mfa = true;
		else if (strcmp(tok, "mfa=no") != 0) {
			fail_note(g, "%s: bad case field '%s'", where, tok);
			return;
		}
	}
	in.ngroups = n;
	if (in.user == NULL || parse_when(when, &tm) != 0) {
		fail_note(g, "%s: bad case (user or at=)", where);
		return;
	}
	in.when = &tm;
	policy_decide(pol, &in, &d);
	decision_str(&d, got, sizeof(got));
	if (strcmp(got, want) != 0)
		fail_note(g, "%s: expected '%s', got '%s'", where, want, got);
	g->cases++;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* NAME.cases: decide each case under NAME.policy (in the current dir). */
static void
run_cases(struct golden *g, const char *dir, const char *name)
{
	struct hg_policy *pol = NULL;
	char path[PATH_MAX], where[PATH_MAX + 16], *text, *line, *nl;
	unsigned lineno = 0;

	snprintf(path, sizeof(path), "%.*s.policy",
	    (int)(strlen(name) - 6), name);
	(void)load(path, &pol, NULL, 0);
	g->policies++;
	text = slurp(name);
	for (line = text; *line != '\0'; line = nl + 1) {
		lineno++;
		if ((nl = strchr(line, '\n')) == NULL)
			nl = line + strlen(line) - 1;
		else
			*nl = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		snprintf(where, sizeof(where), "%s/%s:%u", dir, name, lineno);
		run_case(g, pol, where, line);
	}
	free(text);
	policy_free(pol);
}

/* NAME.err: loading NAME.policy must fail with exactly these lines. */
static void
run_err(struct golden *g, const char *dir, const char *name)
{
	struct hg_policy *pol = NULL;
	char path[PATH_MAX], errs[16384], *want;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%.*s.policy",
	    (int)(strlen(name) - 4), name);
	r = load(path, &pol, errs, sizeof(errs));
	want = slurp(name);
	len = strlen(want);
	if (len > 0 && want[len - 1] == '\n')
		want[len - 1] = '\0';
	if (r == 0 || pol != NULL)
		fail_note(g, "%s/%s: accepted", dir, path);
	else if (strcmp(errs, want) != 0)
		fail_note(g, "%s/%s:\n  expected: %s\n  got:      %s", dir,
		    path, want, errs);
	g->bad++;
	free(want);
	policy_free(pol);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && strcmp(s + a - b, suffix) == 0;
}

/* Walk DIR (relative to the copy), running .cases and .err files. */
static void
walk(struct golden *g, const char *dir)
{
	struct dirent **ents;
	struct stat st;
	char sub[PATH_MAX];
	int i, n;

	ck_assert_int_eq(chdir(testdir), 0);
	ck_assert_int_eq(chdir(dir), 0);
	n = scandir(".", &ents, NULL, alphasort);
	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		if (ends_with(ents[i]->d_name, ".cases"))
			run_cases(g, dir, ents[i]->d_name);
		else if (ends_with(ents[i]->d_name, ".err"))
			run_err(g, dir, ents[i]->d_name);
	}
	for (i = 0; i < n; i++) {
		/* A walk below leaves us elsewhere: name paths from testdir. */
		ck_assert_int_eq(chdir(testdir), 0);
		snprintf(sub, sizeof(sub), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(sub, &st) == 0 &&
		    S_ISDIR(st.st_mode) &&
		    strcmp(ents[i]->d_name, "policy.d") != 0)
			walk(g, sub);
		free(ents[i]);
	}
	free(ents);
}

/*
 * Copy the golden files here first: a checkout may be group-writable
 * (umask 002) and a source tree may belong to someone else.
 */
static void
golden_copy(void)
{
	char cmd[2 * PATH_MAX + 64];
	const char *top = getenv("top_srcdir");

	if (top == NULL || *top == '\0')
		top = HG_TOP_SRCDIR;
	snprintf(cmd, sizeof(cmd), "cp -R '%s/tests/data/policy' data && "
	    "chmod -R u+rwX,go-w data", top);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

START_TEST(golden_decisions)
{
	struct golden g;

	memset(&g, 0, sizeof(g));
	golden_copy();
	walk(&g, "data");
	ck_assert_msg(g.nfail == 0, "%u golden failures:\n%s", g.nfail,
	    g.failures);
	/* The corpus must not shrink, or be skipped, unnoticed. */
	ck_assert_uint_ge(g.policies, 14);
	ck_assert_uint_ge(g.cases, 142);
	ck_assert_uint_ge(g.bad, 48);
	fprintf(stderr, "golden: %zu case files, %zu decisions, %zu "
	    "malformed files\n", g.policies, g.cases, g.bad);
	free(g.failures);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("policy");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, parse_sample);
	tcase_add_test(tc, parse_comments_and_blanks);
	tcase_add_test(tc, parse_hash_inside_word);
	tcase_add_test(tc, parse_crlf);
	tcase_add_test(tc, parse_cr_inside_line);
	tcase_add_test(tc, parse_no_final_newline);
	tcase_add_test(tc, parse_line_max_ok);
	tcase_add_test(tc, parse_line_too_long);
	tcase_add_test(tc, parse_line_1mib);
	tcase_add_test(tc, parse_file_too_large);
	tcase_add_test(tc, parse_nul_byte);
	tcase_add_test(tc, parse_invalid_utf8);
	tcase_add_test(tc, parse_utf8_names);
	tcase_add_test(tc, parse_control_char);
	tcase_add_test(tc, parse_role_without_blanks);
	tcase_add_test(tc, parse_role_twice);
	tcase_add_test(tc, parse_role_twice_across_files);
	tcase_add_test(tc, parse_role_order_independent);
	tcase_add_test(tc, parse_unknown_role);
	tcase_add_test(tc, parse_no_cascade);
	tcase_add_test(tc, parse_mfa_on_deny);
	tcase_add_test(tc, parse_unknown_key);
	tcase_add_test(tc, parse_empty_list);
	tcase_add_test(tc, parse_empty_item);
	tcase_add_test(tc, parse_day_unknown);
	tcase_add_test(tc, parse_day_case_insensitive);
	tcase_add_test(tc, parse_time_25);
	tcase_add_test(tc, parse_time_24_end);
	tcase_add_test(tc, parse_cidr_33);
	tcase_add_test(tc, parse_cidr_129);
	tcase_add_test(tc, parse_cidr_leading_zero);
	tcase_add_test(tc, parse_cidr_host_bits);
	tcase_add_test(tc, parse_mapped_rule);
	tcase_add_test(tc, parse_star_in_list);
	tcase_add_test(tc, parse_all_errors_collected);
	tcase_add_test(tc, parse_errors_sorted);
	tcase_add_test(tc, parse_first_error_in_msg);
	tcase_add_test(tc, parse_error_cap);
	tcase_add_test(tc, parse_missing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, include_lexical_order);
	tcase_add_test(tc, include_skipped_names);
	tcase_add_test(tc, include_dir_missing);
	tcase_add_test(tc, include_dir_group_writable);
	tcase_add_test(tc, include_dir_is_file);
	tcase_add_test(tc, include_file_group_writable);
	tcase_add_test(tc, include_file_symlink);
	tcase_add_test(tc, include_substitute_main);
	tcase_add_test(tc, include_substitute_new_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("trust");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, trust_group_writable);
	tcase_add_test(tc, trust_world_writable);
	tcase_add_test(tc, trust_symlink);
	tcase_add_test(tc, trust_other_owner);
	suite_add_tcase(s, tc);

	tc = tcase_create("decide");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, decide_no_policy);
	tcase_add_test(tc, decide_bad_input);
	tcase_add_test(tc, decide_order_independent);
	tcase_add_test(tc, decide_mfa_required);
	tcase_add_test(tc, decide_mapped_ipv4);
	tcase_add_test(tc, decide_hostname_not_resolved);
	tcase_add_test(tc, decide_empty_rhost_is_local);
	tcase_add_test(tc, i9_02_deny_rhost_zone_id);
	tcase_add_test(tc, i9_02_deny_rhost_empty_zone);
	tcase_add_test(tc, i9_02_deny_rhost_leading_zero);
	tcase_add_test(tc, i9_02_deny_rhost_trailing_dot);
	tcase_add_test(tc, i9_02_deny_rhost_leading_blank);
	tcase_add_test(tc, i9_02_deny_rhost_trailing_blank);
	tcase_add_test(tc, i9_02_deny_rhost_host_name);
	tcase_add_test(tc, i9_02_deny_rhost_mapped_ipv4);
	tcase_add_test(tc, i9_02_deny_rhost_outside_allowed);
	tcase_add_test(tc, i9_02_allow_rhost_host_name);
	tcase_add_test(tc, decide_wrap_belongs_to_start_day);
	tcase_add_test(tc, decide_no_service);
	tcase_add_test(tc, decide_large_policy);
	tcase_add_test(tc, decide_many_roles);
	tcase_add_test(tc, decide_roles_of);
	tcase_add_test(tc, decide_reason_strings);
	suite_add_tcase(s, tc);

	tc = tcase_create("nss");
	tcase_add_test(tc, nss_root_groups);
	tcase_add_test(tc, nss_unknown_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("lint");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, lint_clean);
	tcase_add_test(tc, lint_unused_role);
	tcase_add_test(tc, lint_unknown_names);
	tcase_add_test(tc, lint_shadowed_allow);
	tcase_add_test(tc, lint_partial_deny);
	tcase_add_test(tc, i9_02_lint_deny_from_warns);
	tcase_add_test(tc, lint_allows_no_one);
	suite_add_tcase(s, tc);

	tc = tcase_create("golden");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, golden_decisions);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * account_groups() and account_decide(): the account decision that the
 * module's local path and hostgated share.  Groups come from NSS for
 * account_groups() (root exists everywhere, the others nowhere) and from
 * the test for account_decide(); local time is taken from the record's
 * timestamp under TZ=UTC.
 */
#include "config.h"
#include "unit.h"

#include <time.h>

#include "account.h"
#include "err.h"
#include "policy.h"
#include "record.h"

#define POLICY_TEXT \
	"role console = root\n" \
	"role admins = @wheel\n" \
	"allow console service=login from=local\n" \
	"allow admins service=sshd mfa\n" \
	"deny admins service=sudo\n" \
	"allow admins service=su time=Mon-Fri@07:00-20:00\n"

static char dir[PATH_MAX], path[PATH_MAX];
static struct hg_policy *pol;

static void
setup(void)
{
	struct hg_msg msg = { "" };

	setenv("TZ", "UTC", 1);
	tzset();
	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "policy.conf");
	unit_write_str(path, POLICY_TEXT, 0644);
	ck_assert_msg(policy_load(path, geteuid(), &pol, &msg) == 0, "%s",
	    msg.text);
}

static void
teardown(void)
{
	policy_free(pol);
	pol = NULL;
}

/* A record of USER logging in to SERVICE from RHOST on 2026-11-DAY, 10:00. */
static void
login(struct hg_record *r, const char *user, const char *service,
    const char *rhost, int day)
{
	struct tm tm;

	record_init(r);
	snprintf(r->user, sizeof(r->user), "%s", user);
	snprintf(r->service, sizeof(r->service), "%s", service);
	snprintf(r->rhost, sizeof(r->rhost), "%s", rhost);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = day;
	tm.tm_hour = 10;
	r->ts_ms = (long long)timegm(&tm) * 1000 + 999;
}

/*
 * One decision: USER in GROUP (NULL: no group) logs in to SERVICE from
 * RHOST on 2026-11-DAY at 10:00, MFA or not; the result, reason and the
 * line of the deciding rule (0: none) it must give.
 */
struct decide_case {
	const char	*name;
	const char	*user, *group, *service, *rhost;
	int		 day;
	bool		 mfa;
	int		 err;
	const char	*reason;
	unsigned	 line;
};

static const struct decide_case cases[] = {
	{ "allow by user name", "root", NULL, "login", "", 23, false,
	    0, "rule", 3 },
	{ "rhost not local", "root", NULL, "login", "10.1.2.3", 23, false,
	    HG_ERR_DENIED, "no-rule", 0 },
	{ "allow by group, mfa", "alice", "wheel", "sshd", "10.1.2.3", 23,
	    true, 0, "rule", 4 },
	{ "mfa required", "alice", "wheel", "sshd", "10.1.2.3", 23, false,
	    HG_ERR_DENIED, "mfa-required", 4 },
	{ "deny rule wins", "alice", "wheel", "sudo", "", 23, true,
	    HG_ERR_DENIED, "rule", 5 },
	{ "no group, no role", "alice", NULL, "sshd", "10.1.2.3", 23, true,
	    HG_ERR_DENIED, "no-rule", 0 },
	/* The weekday and hour are the record's, not the clock's. */
	{ "time: a Monday", "alice", "wheel", "su", "", 23, false,
	    0, "rule", 6 },
	{ "time: a Saturday", "alice", "wheel", "su", "", 28, false,
	    HG_ERR_DENIED, "no-rule", 0 },
};

START_TEST(groups_bad_name)
{
	struct hg_msg msg = { "" };
	const char *reason = NULL;
	char **groups = (char **)1;
	size_t n = 1;

	ck_assert_int_eq(account_groups("../root", &groups, &n, &reason,
	    &msg), HG_ERR_UNKNOWN_USER);
	ck_assert_ptr_null(groups);
	ck_assert_uint_eq(n, 0);
	ck_assert_str_eq(reason, "unknown-user");
}
END_TEST

START_TEST(groups_unknown_user)
{
	struct hg_msg msg = { "" };
	const char *reason = NULL;
	char **groups = NULL;
	size_t n = 0;

	ck_assert_int_eq(account_groups("hg-no-such-user-4711", &groups, &n,
	    &reason, &msg), HG_ERR_UNKNOWN_USER);
	ck_assert_str_eq(reason, "unknown-user");
	policy_groups_free(groups, n);
}
END_TEST

START_TEST(groups_root)
{
	struct hg_msg msg = { "" };
	const char *reason = NULL;
	char **groups = NULL;
	size_t n = 0, i;
	bool found = false;

	ck_assert_int_eq(account_groups("root", &groups, &n, &reason, &msg),
	    0);
	for (i = 0; i < n; i++)
		if (strcmp(groups[i], "root") == 0)
			found = true;
	ck_assert_msg(found, "root is not in group root");
	policy_groups_free(groups, n);
}
END_TEST

START_TEST(decide_no_policy)
{
	struct hg_record r;
	const char *reason = NULL;

	login(&r, "root", "login", "", 23);
	ck_assert_int_eq(account_decide(NULL, &r, NULL, 0, true, &reason),
	    HG_ERR_POLICY);
	ck_assert_str_eq(reason, "policy-invalid");
	ck_assert_str_eq(r.rule, "");
}
END_TEST

START_TEST(decide_cases)
{
	const struct decide_case *k = &cases[_i];
	char *groups[1] = { (char *)k->group };
	char want[PATH_MAX + 16] = "";
	const char *reason = NULL;
	struct hg_record r;

	login(&r, k->user, k->service, k->rhost, k->day);
	ck_assert_msg(account_decide(pol, &r, groups, k->group != NULL ? 1 : 0,
	    k->mfa, &reason) == k->err, "%s: result", k->name);
	ck_assert_msg(strcmp(reason, k->reason) == 0, "%s: reason %s",
	    k->name, reason);
	if (k->line != 0)
		snprintf(want, sizeof(want), "%s:%u", path, k->line);
	ck_assert_msg(strcmp(r.rule, want) == 0, "%s: rule %s", k->name,
	    r.rule);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("account");
	TCase *tc = tcase_create("groups");

	tcase_add_test(tc, groups_bad_name);
	tcase_add_test(tc, groups_unknown_user);
	tcase_add_test(tc, groups_root);
	suite_add_tcase(s, tc);
	tc = tcase_create("decide");
	tcase_add_unchecked_fixture(tc, unit_base_setup, unit_base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, decide_no_policy);
	tcase_add_loop_test(tc, decide_cases, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

/*
 * account_decide(): the account decision that the module's local path and
 * hostgated share.  Accounts and groups come from tests/daemon/nss_shim.c
 * (linked in, answering from the file $HG_NSS); local time is taken from
 * the record's timestamp under TZ=UTC.
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

static char dir[PATH_MAX], path[PATH_MAX], nss[PATH_MAX];
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
	unit_path(nss, sizeof(nss), dir, "nss");
	unit_write_str(nss, "user root 0 0\nuser alice 1001 100\n"
	    "user bob 1002 100\ngroup root 0\ngroup users 100\n"
	    "group wheel 10 alice\n", 0644);
	setenv("HG_NSS", nss, 1);
	ck_assert_msg(policy_load(path, geteuid(), &pol, &msg) == 0, "%s",
	    msg.text);
}

static void
teardown(void)
{
	policy_free(pol);
	pol = NULL;
	unsetenv("HG_NSS");
}

/*
 * A record of USER logging in to SERVICE from RHOST on 2026-11-DAY, 10:00,
 * with a code passed when MFA.
 */
static void
login(struct hg_record *r, const char *user, const char *service,
    const char *rhost, int day, bool mfa)
{
	struct tm tm;

	record_init(r);
	snprintf(r->user, sizeof(r->user), "%s", user);
	snprintf(r->service, sizeof(r->service), "%s", service);
	snprintf(r->rhost, sizeof(r->rhost), "%s", rhost);
	snprintf(r->factors, sizeof(r->factors), "%s",
	    mfa ? "password,totp" : "password");
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 2026 - 1900;
	tm.tm_mon = 10;
	tm.tm_mday = day;
	tm.tm_hour = 10;
	r->ts_ms = (long long)timegm(&tm) * 1000 + 999;
}

/*
 * One decision: USER (alice is in wheel, bob in no group) logs in to
 * SERVICE from RHOST on 2026-11-DAY at 10:00, MFA or not; the result,
 * reason and the line of the deciding rule (0: none) it must give.
 */
struct decide_case {
	const char	*name;
	const char	*user, *service, *rhost;
	int		 day;
	bool		 mfa;
	int		 err;
	const char	*reason;
	unsigned	 line;
};

static const struct decide_case cases[] = {
	{ "allow by user name", "root", "login", "", 23, false,
	    0, "rule", 3 },
	{ "rhost not local", "root", "login", "10.1.2.3", 23, false,
	    HG_ERR_DENIED, "no-rule", 0 },
	{ "allow by group, mfa", "alice", "sshd", "10.1.2.3", 23,
	    true, 0, "rule", 4 },
	{ "mfa required", "alice", "sshd", "10.1.2.3", 23, false,
	    HG_ERR_DENIED, "mfa-required", 4 },
	{ "deny rule wins", "alice", "sudo", "", 23, true,
	    HG_ERR_DENIED, "rule", 5 },
	{ "no group, no role", "bob", "sshd", "10.1.2.3", 23, true,
	    HG_ERR_DENIED, "no-rule", 0 },
	/* The weekday and hour are the record's, not the clock's. */
	{ "time: a Monday", "alice", "su", "", 23, false,
	    0, "rule", 6 },
	{ "time: a Saturday", "alice", "su", "", 28, false,
	    HG_ERR_DENIED, "no-rule", 0 },
};

/* A name that is no usable account: unknown-user, PAM_USER_UNKNOWN. */
START_TEST(decide_unknown_user)
{
	static const char *const names[] = { "../root", "hg-no-such-user" };
	struct hg_msg msg = { "" };
	struct hg_record r;
	size_t i;

	for (i = 0; i < 2; i++) {
		login(&r, names[i], "sshd", "", 23, true);
		ck_assert_int_eq(account_decide(pol, &r, &msg),
		    HG_ERR_UNKNOWN_USER);
		ck_assert_str_eq(r.reason, "unknown-user");
		ck_assert_str_eq(r.pam, "PAM_USER_UNKNOWN");
		ck_assert_str_eq(r.result, "deny");
	}
}
END_TEST

START_TEST(decide_no_policy)
{
	struct hg_msg msg = { "" };
	struct hg_record r;

	login(&r, "root", "login", "", 23, true);
	ck_assert_int_ne(account_decide(NULL, &r, &msg), 0);
	ck_assert_str_eq(r.reason, "policy-invalid");
	ck_assert_str_eq(r.result, "deny");
	ck_assert_str_eq(r.pam, "PAM_PERM_DENIED");
	ck_assert_str_eq(r.rule, "");
}
END_TEST

START_TEST(decide_cases)
{
	const struct decide_case *k = &cases[_i];
	char want[PATH_MAX + 16] = "";
	struct hg_msg msg = { "" };
	struct hg_record r;

	login(&r, k->user, k->service, k->rhost, k->day, k->mfa);
	ck_assert_msg(account_decide(pol, &r, &msg) == k->err,
	    "%s: result (%s)", k->name, msg.text);
	ck_assert_msg(strcmp(r.reason, k->reason) == 0, "%s: reason %s",
	    k->name, r.reason);
	ck_assert_str_eq(r.result, k->err == 0 ? "allow" : "deny");
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
	TCase *tc = tcase_create("decide");

	tcase_add_unchecked_fixture(tc, unit_base_setup, unit_base_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, decide_unknown_user);
	tcase_add_test(tc, decide_no_policy);
	tcase_add_loop_test(tc, decide_cases, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

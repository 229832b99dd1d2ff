/*
 * "hostgate explain USER": the decision the policy makes for a request
 * (service, source, time, whether a second factor passed), with the rule
 * that made it, the user's groups and roles, and how the rhost was read.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "cli.h"
#include "cli_util.h"
#include "conf.h"
#include "err.h"
#include "policy.h"

#define CMD		"explain"
#define USAGE		"hostgate explain USER [--service S] " \
	"[--from ADDR] [--at 'YYYY-MM-DD HH:MM'] [--mfa]"

/*
 * S as it may reach a terminal, in BUF of SIZE bytes: through the CLI's
 * one filter, cli_util_printable(), and quoted when it had anything to
 * escape or a blank at either end, so that " 10.9.1.1" shows its blank.
 */
static const char *
shown(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	cli_util_printable(s, buf + 1, size - 2);
	if (len > 0 && s[0] != ' ' && s[len - 1] != ' ' &&
	    strcmp(buf + 1, s) == 0)
		return s;
	buf[0] = '"';
	strcat(buf, "\"");
	return buf;
}

/* "YYYY-MM-DD HH:MM" (or with a 'T') in local time. */
static int
parse_at(const char *s, struct tm *tm)
{
	struct tm want;
	time_t t;
	char sep, extra;

	memset(&want, 0, sizeof(want));
	if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d%c", &want.tm_year, &want.tm_mon,
	    &want.tm_mday, &sep, &want.tm_hour, &want.tm_min, &extra) != 6 ||
	    (sep != ' ' && sep != 'T') || strlen(s) != 16)
		return -1;
	want.tm_year -= 1900;
	want.tm_mon -= 1;
	*tm = want;
	tm->tm_isdst = -1;
	if ((t = mktime(tm)) == (time_t)-1 || localtime_r(&t, tm) == NULL)
		return -1;
	/* mktime quietly normalises 2026-02-30; we refuse it. */
	if (tm->tm_year != want.tm_year || tm->tm_mon != want.tm_mon ||
	    tm->tm_mday != want.tm_mday || tm->tm_min != want.tm_min)
		return -1;
	return 0;
}

/* The first MAX of V's N names; ESCAPE those from outside the policy. */
static void
print_list(const char *const *v, size_t n, size_t max, bool escape)
{
	char buf[CLI_SHOWN_MAX];
	size_t i;

	if (n == 0)
		printf("(none)");
	for (i = 0; i < n && i < max; i++)
		printf("%s%s", i > 0 ? " " : "",
		    escape ? shown(v[i], buf, sizeof(buf)) : v[i]);
	if (n > max)
		printf(" ...");
}

/*
 * How the decision read RHOST: with addr_read(), as policy_decide() does
 * and as the lockout counts sources.
 */
static void
print_rhost(const char *rhost)
{
	struct hg_addr a;
	char buf[CLI_SHOWN_MAX], text[ADDR_TEXT_MAX];

	if (rhost == NULL || *rhost == '\0') {
		printf("rhost: none (local)\n");
		return;
	}
	if (addr_read(rhost, &a)) {
		addr_text(&a, text, sizeof(text));
		printf("rhost: %s read as address %s\n",
		    shown(rhost, buf, sizeof(buf)), text);
	} else
		printf("rhost: %s is not an address literal: matches every "
		    "deny rule with from=, and only allow rules without "
		    "from=\n", shown(rhost, buf, sizeof(buf)));
}

/*
 * "hostgate explain USER [options] [--config FILE]": see cli.h.
 */
int
cli_explain(int argc, char **argv)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	struct policy_input in;
	struct policy_decision d;
	struct hg_policy *pol = NULL;
	struct hg_conf conf;
	struct hg_msg msg;
	struct tm tm;
	const char *roles[32], *at = NULL, *user = NULL, *config = NULL;
	char **groups = NULL, qu[CLI_SHOWN_MAX], qs[CLI_SHOWN_MAX];
	char qr[CLI_SHOWN_MAX];
	size_t ngroups = 0, nroles;
	time_t now;
	const struct cli_util_arg args[] = {
		{ "--config", &config, NULL },
		{ "--service", &in.service, NULL },
		{ "--from", &in.rhost, NULL },
		{ "--at", &at, NULL },
		{ "--mfa", NULL, &in.mfa },
		{ NULL, NULL, NULL }
	};
	int r, ret = CLI_EXIT_USAGE;

	memset(&in, 0, sizeof(in));
	in.service = "sshd";
	if (cli_util_args(argc, argv, args, NULL, &user, NULL) != 0 ||
	    user == NULL) {
		cli_util_error(NULL, "usage: %s", USAGE);
		return CLI_EXIT_USAGE;
	}
	/* Any string is an rhost to explain; "local" means none. */
	if (in.rhost != NULL && strcmp(in.rhost, "local") == 0)
		in.rhost = NULL;
	if (at != NULL) {
		if (parse_at(at, &tm) != 0) {
			/* cli_util_error() escapes what it prints. */
			cli_util_error(CMD, "--at '%s': expected "
			    "'YYYY-MM-DD HH:MM' (local time)", at);
			return CLI_EXIT_USAGE;
		}
	} else if (time(&now) == (time_t)-1 || localtime_r(&now, &tm) ==
	    NULL) {
		cli_util_error(CMD, "cannot read the clock");
		return CLI_EXIT_USAGE;
	}
	if (cli_util_conf(CMD, config, &conf) != 0)
		return CLI_EXIT_USAGE;
	if (cli_util_policy_load(conf.policy, NULL, NULL, &pol) != 0) {
		cli_util_error(CMD, "%s is invalid: everyone is denied "
		    "(policy-invalid)", conf.policy);
		goto out;
	}
	msg.text[0] = '\0';
	if ((r = policy_user_groups(user, &groups, &ngroups, &msg)) != 0) {
		cli_util_error(CMD, "%s", msg.text);
		goto out;
	}
	in.user = user;
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	in.when = &tm;
	if (policy_decide(pol, &in, &d) != 0) {
		cli_util_error(CMD, "cannot decide: %s",
		    policy_reason_str(d.reason));
		goto out;
	}
	printf("%s\nreason: %s\n", d.allow ? "allow" : "deny",
	    policy_reason_str(d.reason));
	if (d.file != NULL)
		printf("rule: %s:%u: %s\n", d.file, d.line, d.text);
	printf("user: %s\ngroups: ", shown(user, qu, sizeof(qu)));
	print_list((const char *const *)groups, ngroups, ngroups, true);
	printf("\nroles: ");
	nroles = policy_roles_of(pol, &in, roles, 32);
	print_list(roles, nroles, 32, false);
	printf("\nrequest: service=%s from=%s at=%04d-%02d-%02d %02d:%02d "
	    "(%s) mfa=%s\n", shown(in.service, qs, sizeof(qs)),
	    in.rhost != NULL && *in.rhost != '\0' ?
	    shown(in.rhost, qr, sizeof(qr)) : "local", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    days[tm.tm_wday], in.mfa ? "yes" : "no");
	print_rhost(in.rhost);
	ret = d.allow ? CLI_EXIT_OK : CLI_EXIT_FAIL;
 out:
	policy_groups_free(groups, ngroups);
	policy_free(pol);
	conf_free(&conf);
	return ret;
}

/*
 * hgdiff: the differential test of the decision service.
 *
 *   TZ=UTC HG_NSS=FILE hgdiff SOCKET POLICY CASES
 *
 * For every case in CASES (the golden format of tests/data/policy, see its
 * README), decide twice: through hostgated (a DECIDE frame on SOCKET) and
 * locally, the way the module's local path does (policy_user_groups(),
 * policy_load() of POLICY, policy_decide()); both must give the same
 * result, pam, reason and rule, and that must be the case's expectation.
 *
 * With HG_NSS set, this program writes that file before each case: the
 * case's user (uid 5000, a primary gid without a name) and its groups,
 * which this program and hostgated-test (both linked with nss_shim.c)
 * then see as NSS.  Without it, real NSS answers and groups= in a case is
 * ignored.  TZ must be UTC: "at=" is turned into a timestamp with timegm()
 * and both sides take local time from it.
 *
 * Prints "ok: ..." or "FAIL: ..." per case; exits 0 only if all agreed.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "record.h"

static void
die(const char *what)
{
	fprintf(stderr, "hgdiff: %s\n", what);
	exit(2);
}

/* The module's local path (decide_locally() in pam_hostgate.c). */
static void
decide_local(const char *policy, struct hg_record *r)
{
	struct policy_decision d;
	struct policy_input in;
	struct hg_policy *pol = NULL;
	struct hg_msg msg = { "" };
	time_t when = (time_t)(r->ts_ms / 1000);
	char **groups = NULL;
	size_t ngroups = 0;
	const char *reason;
	struct tm tm;
	int err;

	memset(&in, 0, sizeof(in));
	memset(&d, 0, sizeof(d));
	in.user = r->user;
	in.service = r->service;
	in.rhost = r->rhost;
	in.mfa = strstr(r->factors, "totp") != NULL ||
	    strstr(r->factors, "scratch") != NULL;
	in.when = localtime_r(&when, &tm);
	err = policy_user_groups(r->user, &groups, &ngroups, &msg);
	if (err == HG_ERR_UNKNOWN_USER) {
		reason = hg_reason(err);
		goto out;
	}
	if (err != 0) {
		reason = "internal-error";
		goto out;
	}
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	(void)policy_load(policy, 0, &pol, &msg);
	err = policy_decide(pol, &in, &d);
	reason = policy_reason_str(d.reason);
	if (err == 0 && !d.allow)
		err = HG_ERR_DENIED;
	if (d.file != NULL)
		snprintf(r->rule, sizeof(r->rule), "%s:%u", d.file, d.line);
 out:
	snprintf(r->result, sizeof(r->result), "%s",
	    err == 0 ? "allow" : "deny");
	snprintf(r->pam, sizeof(r->pam), "%s", err == 0 ? "PAM_SUCCESS" :
	    err == HG_ERR_UNKNOWN_USER ? "PAM_USER_UNKNOWN" :
	    "PAM_PERM_DENIED");
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
	policy_free(pol);
	policy_groups_free(groups, ngroups);
}

static int
decide_remote(const char *sock, const struct hg_record *r,
    struct hg_record *reply)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct sockaddr_un sun;
	enum record_type type;
	struct pollfd p;
	size_t have = 0;
	long need;
	ssize_t n;
	int fd, len, rc = -1;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if ((len = record_encode(RECORD_T_DECIDE, r, buf, sizeof(buf))) < 0)
		die("encode");
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    send(fd, buf, (size_t)len, MSG_NOSIGNAL) != len)
		goto out;
	for (;;) {
		need = record_frame_len(buf, have);
		if (need < 0)
			goto out;
		if (need > 0 && have >= (size_t)need)
			break;
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, 5000) <= 0)
			goto out;
		if ((n = recv(fd, buf + have, sizeof(buf) - have, 0)) <= 0)
			goto out;
		have += (size_t)n;
	}
	if (have == (size_t)need && record_decode(buf, have, &type,
	    reply) == 0 && type == RECORD_T_REPLY && reply->seq > 0)
		rc = 0;
 out:
	if (fd != -1)
		close(fd);
	return rc;
}

/* The NSS world of one case: USER and its GROUPS (comma separated). */
static void
write_nss(const char *path, const char *user, const char *groups)
{
	char tmp[PATH_MAX], list[1024], *g, *save = NULL;
	FILE *f;
	int i = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die("cannot write the NSS file");
	fprintf(f, "user %s 5000 60000\n", user);
	snprintf(list, sizeof(list), "%s", groups);
	for (g = strtok_r(list, ",", &save); g != NULL;
	    g = strtok_r(NULL, ",", &save))
		fprintf(f, "group %s %d %s\n", g, 70000 + i++, user);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die("cannot write the NSS file");
}

/* "allow rule FILE:LINE" with FILE relative to the policy's directory. */
static void
outcome(const struct hg_record *r, const char *dir, char *buf, size_t size)
{
	const char *rule = r->rule;
	size_t n = strlen(dir);

	if (strncmp(rule, dir, n) == 0 && rule[n] == '/')
		rule += n + 1;
	snprintf(buf, size, "%s %s%s%s", r->result, r->reason,
	    *rule != '\0' ? " " : "", rule);
}

static bool
same(const struct hg_record *a, const struct hg_record *b)
{
	return strcmp(a->result, b->result) == 0 &&
	    strcmp(a->pam, b->pam) == 0 &&
	    strcmp(a->reason, b->reason) == 0 &&
	    strcmp(a->rule, b->rule) == 0;
}

/* Run one case LINE; returns true if all three agree. */
static bool
run_case(const char *sock, const char *policy, const char *dir,
    const char *where, char *line)
{
	const char *nss = getenv("HG_NSS"), *groups = "", *at = NULL;
	char *arrow, *tok, *save = NULL, want[512], got[512], loc[512];
	struct hg_record r, local, reply;
	struct tm tm;
	int y, mo, dd, h, mi;

	if ((arrow = strstr(line, " -> ")) == NULL)
		die("a case without ' -> '");
	*arrow = '\0';
	snprintf(want, sizeof(want), "%s", arrow + 4);
	want[strcspn(want, "\n")] = '\0';
	record_init(&r);
	record_stamp(&r);
	snprintf(r.event, sizeof(r.event), "account");
	snprintf(r.service, sizeof(r.service), "sshd");
	snprintf(r.factors, sizeof(r.factors), "password");
	snprintf(r.tty, sizeof(r.tty), "hgdiff");
	for (tok = strtok_r(line, " \t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t", &save)) {
		if (r.user[0] == '\0')
			snprintf(r.user, sizeof(r.user), "%s", tok);
		else if (strncmp(tok, "groups=", 7) == 0)
			groups = tok + 7;
		else if (strncmp(tok, "service=", 8) == 0)
			snprintf(r.service, sizeof(r.service), "%s", tok + 8);
		else if (strncmp(tok, "from=", 5) == 0)
			snprintf(r.rhost, sizeof(r.rhost), "%s", tok + 5);
		else if (strncmp(tok, "at=", 3) == 0)
			at = tok + 3;
		else if (strcmp(tok, "mfa=yes") == 0)
			snprintf(r.factors, sizeof(r.factors),
			    "password,totp");
		else if (strcmp(tok, "mfa=no") != 0)
			die("a bad case field");
	}
	memset(&tm, 0, sizeof(tm));
	if (sscanf(at != NULL ? at : "2026-11-23T10:00", "%d-%d-%dT%d:%d",
	    &y, &mo, &dd, &h, &mi) != 5)
		die("a bad at=");
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = dd;
	tm.tm_hour = h;
	tm.tm_min = mi;
	r.ts_ms = (long long)timegm(&tm) * 1000 + 123;
	if (nss != NULL)
		write_nss(nss, r.user, groups);
	/* The module names the policy it would load; so do we. */
	policy_stamp(policy, r.policy);
	local = r;
	decide_local(policy, &local);
	if (decide_remote(sock, &r, &reply) != 0) {
		printf("FAIL: %s: no reply from hostgated\n", where);
		return false;
	}
	outcome(&reply, dir, got, sizeof(got));
	outcome(&local, dir, loc, sizeof(loc));
	if (!same(&reply, &local)) {
		printf("FAIL: %s: hostgated says '%s' (%s), local '%s' (%s)\n",
		    where, got, reply.pam, loc, local.pam);
		return false;
	}
	if (strcmp(got, want) != 0) {
		printf("FAIL: %s: both say '%s', expected '%s'\n", where, got,
		    want);
		return false;
	}
	printf("ok: %s: hostgated = local = expected: %s (%s)\n", where, got,
	    reply.pam);
	return true;
}

int
main(int argc, char **argv)
{
	char line[4096], where[PATH_MAX + 32], copy[PATH_MAX], dir[PATH_MAX];
	const char *tz = getenv("TZ");
	unsigned lineno = 0, bad = 0, n = 0;
	FILE *f;

	if (argc != 4)
		die("usage: TZ=UTC [HG_NSS=FILE] hgdiff SOCKET POLICY CASES");
	if (tz == NULL || strcmp(tz, "UTC") != 0)
		die("run with TZ=UTC");
	snprintf(copy, sizeof(copy), "%s", argv[2]);
	snprintf(dir, sizeof(dir), "%s", dirname(copy));
	if ((f = fopen(argv[3], "r")) == NULL)
		die("cannot read the cases");
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		snprintf(where, sizeof(where), "%s:%u", argv[3], lineno);
		if (!run_case(argv[1], argv[2], dir, where, line))
			bad++;
		n++;
	}
	fclose(f);
	printf("%u cases, %u failed\n", n, bad);
	return bad == 0 ? 0 : 1;
}

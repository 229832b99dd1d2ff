/*
 * bench/policy: what the account phase costs through real libpam.
 *
 *   make bench/policy && bench/policy.sh        (as root)
 *
 * bench/policy.sh makes a temporary directory, runs this program in it under
 * nss_wrapper (libnss-wrapper) and removes the directory on exit.  This
 * program writes everything into that directory: 1,000 synthetic users in
 * 40 groups as nss_wrapper passwd and group files, the policies, and PAM
 * service directories (with an empty "other" service, so that libpam loads
 * nothing else).  Then it times whole transactions as sshd runs them after
 * a key login: pam_start_confdir, PAM_RHOST=127.0.0.1, pam_acct_mgmt,
 * pam_end.  Each transaction loads the module afresh, as a new sshd process
 * does.
 *
 * Rows:
 *   pam_unix      "account required pam_unix.so": the floor of a module
 *                 that only reads passwd and shadow.  Run for root, the
 *                 last line of the synthetic passwd: nss_wrapper does not
 *                 wrap getspnam_r, and root is in the real /etc/shadow.
 *                 (A user without a shadow entry would run unix_chkpwd.)
 *   hostgate N    pam_hostgate.so with a policy of N rules (10 to 10,000),
 *                 1,000 per file in policy.conf and then policy.d/NN.conf.
 *                 No hostgated: the module decides locally and spools
 *                 its audit record (two fsyncs), as where none runs.
 *   pam_access N  "account required pam_access.so accessfile=...", the same
 *                 rules as "+ : (group) user user : from" lines.  Not run
 *                 above ACCESS_CAP rules, printed "> cap": one decision
 *                 takes seconds at 1,000 rules and grows faster than the
 *                 rule count.
 * Every rule but one names groups and users the benchmark user is not in;
 * the one that allows it (role = @grp22, a supplementary group known only to
 * nss_wrapper) is the last line of the last file, where pam_access, which
 * stops at the first match, finds it last.  A user in no rule must be denied
 * (pam_access: up to 100 rules), so both modules demonstrably see the groups
 * through nss_wrapper.
 *
 * Each row runs for about BUDGET seconds (-b, default 5) in all, in ROUNDS
 * turns taken in rotation with the other rows, at most MAX_RUNS times; a
 * row whose first run took longer than BUDGET keeps that one sample.
 * syslog() is defined here (linked with -rdynamic) so that what the modules
 * log costs nothing and the deciding rule can be checked.
 *
 *   bench/policy [-b budget] module dir
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define NUSERS		1000
#define NGROUPS		40
#define BENCH_USER	999	/* in grp39 (primary), grp32 and grp22 */
#define CONTROL_USER	0	/* in grp00 (primary), grp05 and grp11 */
#define MATCH_GROUP	22	/* supplementary: only in the group file */
#define RULES_PER_FILE	1000
#define ACCESS_CAP	1000	/* more pam_access rules take minutes */
#define ROUNDS		5	/* rows take turns this many times */
#define MAX_RUNS	2000
#define RHOST		"127.0.0.1"

static const int rule_counts[] = { 10, 100, 1000, 10000 };
#define NCOUNTS	(sizeof(rule_counts) / sizeof(rule_counts[0]))

/* --- syslog: keep what one transaction logged, write nothing ----------- */

static char last_log[4096];

void openlog(const char *, int, int);
void closelog(void);
void syslog(int, const char *, ...);
void vsyslog(int, const char *, va_list);
void __syslog_chk(int, int, const char *, ...);
void __vsyslog_chk(int, int, const char *, va_list);

void
openlog(const char *ident, int option, int facility)
{
	(void)ident;
	(void)option;
	(void)facility;
}

void
closelog(void)
{
}

void
vsyslog(int prio, const char *fmt, va_list ap)
{
	size_t len = strlen(last_log);

	(void)prio;
	if (len + 2 < sizeof(last_log)) {
		vsnprintf(last_log + len, sizeof(last_log) - len - 1, fmt, ap);
		strcat(last_log, "\n");
	}
}

void
syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
__vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(prio, fmt, ap);
}

/* --- the files ---------------------------------------------------------- */

static const char *dir;

/* Say what went wrong and stop; the script removes what was written. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench/policy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static FILE *
create(const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	return f;
}

static void
done(FILE *f)
{
	if (ferror(f) || fclose(f) != 0)
		die("write error");
}

static void
subdir(const char *fmt, ...)
{
	char path[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (mkdir(path, 0755) != 0)
		die("%s: %s", path, strerror(errno));
}

/*
 * Is user U in group G?  Primary group U % 40, supplementary groups
 * (13U + 5) % 40 and (29U + 11) % 40: three distinct groups, 50
 * supplementary members in each group.  More would not do: nss_wrapper
 * 1.1.12's getgrgid_r returns -1, not ERANGE, when an entry does not fit
 * the caller's buffer, and hostgate starts with 1,024 bytes.
 */
static int
member(int u, int g)
{
	return u % NGROUPS == g || (13 * u + 5) % NGROUPS == g ||
	    (29 * u + 11) % NGROUPS == g;
}

/* Root comes last so that its lookup scans every user. */
static void
write_nss(void)
{
	FILE *pw, *gr;
	int g, i, n;

	pw = create("%s/passwd", dir);
	for (i = 0; i < NUSERS; i++)
		fprintf(pw, "user%04d:x:%d:%d::/nonexistent:/bin/sh\n", i,
		    20000 + i, 20000 + i % NGROUPS);
	fprintf(pw, "root:x:0:0:root:/root:/bin/sh\n");
	done(pw);
	gr = create("%s/group", dir);
	fprintf(gr, "root:x:0:\n");
	for (g = 0; g < NGROUPS; g++) {
		fprintf(gr, "grp%02d:x:%d:", g, 20000 + g);
		for (i = n = 0; i < NUSERS; i++)
			if (i % NGROUPS != g && member(i, g))
				fprintf(gr, "%suser%04d", n++ ? "," : "", i);
		fputc('\n', gr);
	}
	done(gr);
}

/* Is group G free of both the benchmark and the control user? */
static int
foreign_group(int g)
{
	return !member(BENCH_USER, g) && !member(CONTROL_USER, g);
}

/* Rule I of N that matches neither user: its group and two users. */
static void
other_rule(int i, int *g, int *a, int *b)
{
	static int groups[NGROUPS], ngroups;

	if (ngroups == 0)
		for (*g = 0; *g < NGROUPS; (*g)++)
			if (foreign_group(*g))
				groups[ngroups++] = *g;
	*g = groups[i % ngroups];
	*a = 1 + (i * 37) % (NUSERS - 2);
	*b = 1 + (i * 53 + 11) % (NUSERS - 2);
}

/*
 * hostgate: a role and a rule per rule, one in ten a deny; the allow for
 * @grp22 last.  Returns, in FILE and LINE, where that allow is.
 */
static void
write_hostgate(int n, char *file, size_t size, unsigned *line)
{
	FILE *f = NULL;
	int i, g, a, b;

	subdir("%s/hg%d", dir, n);
	f = create("%s/hg%d/hostgate.conf", dir, n);
	/* No hostgated at that socket: decide locally, spool the record. */
	fprintf(f, "policy = %s/hg%d/policy.conf\n"
	    "audit_socket = %s/hg%d/hostgated.sock\n"
	    "audit_spool = %s/hg%d/spool\n", dir, n, dir, n, dir, n);
	done(f);
	subdir("%s/hg%d/spool", dir, n);
	if (n > RULES_PER_FILE)
		subdir("%s/hg%d/policy.d", dir, n);
	f = NULL;
	for (i = 0; i < n; i++) {
		if (i % RULES_PER_FILE == 0) {
			if (f != NULL)
				done(f);
			if (i == 0)
				snprintf(file, size, "%s/hg%d/policy.conf",
				    dir, n);
			else
				snprintf(file, size,
				    "%s/hg%d/policy.d/%02d.conf", dir, n,
				    i / RULES_PER_FILE);
			f = create("%s", file);
			fprintf(f, "# bench/policy: %d rules\n", n);
			*line = 1;
		}
		if (i == n - 1) {
			fprintf(f, "role r%d = @grp%02d\n"
			    "allow r%d service=sshd from=127.0.0.0/8\n",
			    i, MATCH_GROUP, i);
		} else {
			other_rule(i, &g, &a, &b);
			fprintf(f, "role r%d = @grp%02d user%04d user%04d\n",
			    i, g, a, b);
			if (i % 10 == 9)
				fprintf(f, "deny r%d service=sshd\n", i);
			else
				fprintf(f, "allow r%d service=sshd "
				    "from=10.%d.%d.0/24\n", i, i / 256 % 256,
				    i % 256);
		}
		*line += 2;
	}
	done(f);
}

/* pam_access: the same rules, first match wins, then deny the rest. */
static void
write_access(int n)
{
	FILE *f;
	int i, g, a, b;

	f = create("%s/access%d.conf", dir, n);
	for (i = 0; i < n - 1; i++) {
		other_rule(i, &g, &a, &b);
		if (i % 10 == 9)
			fprintf(f, "- : (grp%02d) user%04d user%04d : ALL\n",
			    g, a, b);
		else
			fprintf(f, "+ : (grp%02d) user%04d user%04d : "
			    "10.%d.%d.0/24\n", g, a, b, i / 256 % 256,
			    i % 256);
	}
	fprintf(f, "+ : (grp%02d) : 127.0.0.0/8\n- : ALL : ALL\n",
	    MATCH_GROUP);
	done(f);
}

/* A PAM directory NAME: the service sshd with LINE, and an empty other. */
static void
write_service(const char *name, const char *line)
{
	FILE *f;

	subdir("%s/%s", dir, name);
	f = create("%s/%s/sshd", dir, name);
	fprintf(f, "%s\n", line);
	done(f);
	done(create("%s/%s/other", dir, name));
}

/* --- measuring ---------------------------------------------------------- */

static int
null_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)data;
	return PAM_CONV_ERR;
}

/* One whole transaction; returns what pam_acct_mgmt said. */
static int
transaction(const char *confdir, const char *user)
{
	struct pam_conv pc = { null_conv, NULL };
	pam_handle_t *pamh;
	int r;

	last_log[0] = '\0';
	if ((r = pam_start_confdir("sshd", user, &pc, confdir, &pamh)) !=
	    PAM_SUCCESS)
		die("pam_start_confdir %s: %d", confdir, r);
	if ((r = pam_set_item(pamh, PAM_RHOST, RHOST)) == PAM_SUCCESS)
		r = pam_acct_mgmt(pamh, PAM_SILENT);
	pam_end(pamh, r);
	return r;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

struct row {
	const char	*name;
	int		 rules;		/* 0: not applicable */
	char		 confdir[64];
	const char	*user;
	int		 capped;	/* not run */
	int		 done;		/* no more runs */
	int		 n;
	double		 v[MAX_RUNS];	/* microseconds */
	double		 p50, p99;
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile P of the N sorted samples V. */
static double
percentile(const double *v, int n, int p)
{
	int k = (n * p + 99) / 100;

	return v[k > 0 ? k - 1 : 0];
}

/* Time one transaction of ROW; returns microseconds. */
static double
timed(const struct row *row)
{
	char path[4096];
	double t;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, row->confdir);
	t = now_us();
	r = transaction(path, row->user);
	t = now_us() - t;
	if (r != PAM_SUCCESS)
		die("%s %d: %s: %s (log: %s)", row->name, row->rules,
		    row->user, pam_strerror(NULL, r), last_log);
	return t;
}

/*
 * The first run of ROW warms the page cache and is not counted, unless it
 * took longer than BUDGET: then it is the only sample.
 */
static void
warm_up(struct row *row, double budget)
{
	double t = timed(row);

	fprintf(stderr, "%s %d: first run %.0f us\n", row->name, row->rules, t);
	if (t > budget * 1e6) {
		row->v[row->n++] = t;
		row->done = 1;
	}
}

/* Run ROW for SLICE seconds (at least one run) unless it is done. */
static void
measure(struct row *row, double slice)
{
	double start = now_us();

	while (!row->done && (row->n == 0 || now_us() - start < slice * 1e6)) {
		row->v[row->n++] = timed(row);
		row->done = row->n == MAX_RUNS;
	}
}

/* The control user must be denied: group membership is really checked. */
static void
check_denied(const struct row *row, const char *user)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, row->confdir);
	if ((r = transaction(path, user)) != PAM_PERM_DENIED)
		die("%s %d: %s not denied: %s", row->name, row->rules,
		    user, pam_strerror(NULL, r));
}

/* nss_wrapper must be in place, with the groups the rules depend on. */
static void
check_nss(const char *user)
{
	gid_t gids[64];
	int n = 64, i, found = 0;
	struct passwd *pw;
	struct group *gr;
	char want[16];

	if ((pw = getpwnam(user)) == NULL)
		die("%s unknown: run bench/policy.sh (nss_wrapper)", user);
	if (getgrouplist(user, pw->pw_gid, gids, &n) == -1)
		die("getgrouplist %s failed", user);
	snprintf(want, sizeof(want), "grp%02d", MATCH_GROUP);
	for (i = 0; i < n; i++)
		if ((gr = getgrgid(gids[i])) != NULL &&
		    strcmp(gr->gr_name, want) == 0)
			found = 1;
	if (!found)
		die("getgrouplist %s: no %s (nss_wrapper?)", user, want);
}

static void
print_time(double us)
{
	if (us >= 1e5)
		printf(" %10.0f", us);
	else
		printf(" %10.1f", us);
}

/* A / B; TARGET (0: none) is the least p50 ratio wanted, not enforced. */
static void
print_ratio(const char *what, const struct row *a, const struct row *b,
    double target)
{
	printf("%-40s", what);
	if (a->capped || b->capped) {
		printf(" %10s %10s\n", "> cap", "> cap");
		return;
	}
	printf(" %9.1fx %9.1fx", a->p50 / b->p50, a->p99 / b->p99);
	if (target > 0)
		printf("   >= %.0fx (%s)", target,
		    a->p50 / b->p50 >= target ? "met" : "NOT met");
	putchar('\n');
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench/policy [-b budget] module dir\n"
	    "(run it through bench/policy.sh)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct row rows[2 * NCOUNTS + 1];
	struct row *unix_row, *hg[NCOUNTS], *ac[NCOUNTS];
	char user[32], control[32], file[4096], want[4200], line[4200];
	const char *module;
	double budget = 5;
	unsigned last = 0;
	size_t i, nrows = 0;
	int ch, round;

	while ((ch = getopt(argc, argv, "b:")) != -1) {
		switch (ch) {
		case 'b': budget = atof(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || budget <= 0)
		usage();
	/* libpam takes a relative module path as relative to its own dir. */
	if ((module = realpath(argv[optind], NULL)) == NULL)
		die("%s: %s", argv[optind], strerror(errno));
	if ((dir = realpath(argv[optind + 1], NULL)) == NULL)
		die("%s: %s", argv[optind + 1], strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	snprintf(user, sizeof(user), "user%04d", BENCH_USER);
	snprintf(control, sizeof(control), "user%04d", CONTROL_USER);

	write_nss();
	check_nss(user);
	unix_row = &rows[nrows++];
	unix_row->name = "pam_unix (floor)";
	unix_row->user = "root";
	snprintf(unix_row->confdir, sizeof(unix_row->confdir), "pam-unix");
	write_service(unix_row->confdir, "account required pam_unix.so");
	for (i = 0; i < NCOUNTS; i++) {
		int n = rule_counts[i];

		hg[i] = &rows[nrows++];
		hg[i]->name = "hostgate";
		hg[i]->rules = n;
		hg[i]->user = user;
		snprintf(hg[i]->confdir, sizeof(hg[i]->confdir), "pam-hg%d",
		    n);
		write_hostgate(n, file, sizeof(file), &last);
		snprintf(line, sizeof(line), "account required %s "
		    "config=%s/hg%d/hostgate.conf", module, dir, n);
		write_service(hg[i]->confdir, line);
		/* The log line quotes the deciding rule's place. */
		snprintf(want, sizeof(want), "rule=\"%s:%u\"", file, last);

		ac[i] = &rows[nrows++];
		ac[i]->name = "pam_access";
		ac[i]->rules = n;
		ac[i]->user = user;
		ac[i]->capped = n > ACCESS_CAP;
		snprintf(ac[i]->confdir, sizeof(ac[i]->confdir),
		    "pam-access%d", n);
		write_access(n);
		snprintf(line, sizeof(line), "account required pam_access.so "
		    "accessfile=%s/access%d.conf", dir, n);
		write_service(ac[i]->confdir, line);

		/* Correct first, then fast. */
		check_denied(hg[i], control);
		warm_up(hg[i], budget);
		if (strstr(last_log, "result=allow") == NULL ||
		    strstr(last_log, want) == NULL)
			die("hostgate %d: the last rule did not decide: "
			    "%s", n, last_log);
		if (n <= 100)
			check_denied(ac[i], control);
		if (!ac[i]->capped)
			warm_up(ac[i], budget);
		else
			ac[i]->done = 1;
	}
	warm_up(unix_row, budget);

	/* Rows take turns, so that a busy moment does not hit one alone. */
	for (round = 0; round < ROUNDS; round++)
		for (i = 0; i < nrows; i++)
			measure(&rows[i], budget / ROUNDS);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		qsort(r->v, (size_t)r->n, sizeof(r->v[0]), cmp_double);
		r->p50 = percentile(r->v, r->n, 50);
		r->p99 = percentile(r->v, r->n, 99);
	}

	printf("\naccount phase through libpam, per transaction "
	    "(pam_start_confdir + pam_acct_mgmt + pam_end)\n"
	    "%d users in %d groups (nss_wrapper); %s allowed by the last "
	    "rule, from %s\n\n", NUSERS, NGROUPS, user, RHOST);
	printf("%-24s %6s %6s %10s %10s\n", "stack", "rules", "runs",
	    "p50 us", "p99 us");
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		printf("%-24s", r->name);
		if (r->rules > 0)
			printf(" %6d", r->rules);
		else
			printf(" %6s", "-");
		if (r->capped) {
			printf(" %6s %10s %10s\n", "-", "> cap", "> cap");
			continue;
		}
		printf(" %6d", r->n);
		print_time(r->p50);
		print_time(r->p99);
		putchar('\n');
	}
	printf("%-24s %6s %6s %s\n", "hostgated warm", "all", "-",
	    "n/a (hostgated not built yet)");

	printf("\n%-40s %10s %10s   %s\n", "ratio", "p50", "p99", "target");
	for (i = 0; i < NCOUNTS; i++) {
		snprintf(line, sizeof(line), "pam_access / hostgate, %d rules",
		    rule_counts[i]);
		print_ratio(line, ac[i], hg[i],
		    rule_counts[i] == 1000 ? 500 : 0);
	}
	for (i = 0; i < NCOUNTS; i++) {
		snprintf(line, sizeof(line), "hostgate %d / pam_unix",
		    rule_counts[i]);
		print_ratio(line, hg[i], unix_row, 0);
	}
	print_ratio("hostgate 10000 / hostgate 10", hg[NCOUNTS - 1], hg[0],
	    0);
	printf("%-40s %10s %10s   %s\n", "hostgated warm / pam_unix", "n/a",
	    "n/a", "hostgated not built yet");
	return 0;
}

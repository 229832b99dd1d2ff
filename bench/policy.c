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
 *   hostgate local N
 *                 pam_hostgate.so with a policy of N rules (10 to 10,000),
 *                 1,000 per file in policy.conf and then policy.d/NN.conf.
 *                 Its audit_socket names nothing: the module decides
 *                 locally and spools its audit record (two fsyncs), as
 *                 where no hostgated runs.
 *   hostgated warm N
 *                 The same module and policy, with hostgated (the -d
 *                 binary) started for the row under the same nss_wrapper
 *                 environment and stopped after it: one round trip, in
 *                 which hostgated decides with its warm copy of the policy
 *                 and journals the record (one fdatasync).  The module
 *                 must log no local decision, and the journal must hold
 *                 one account record per transaction, each allow naming
 *                 the last rule.  These rows run after the others, one
 *                 hostgated at a time.
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
 * turns taken in rotation with the other rows (a hostgated row: at once,
 * while its hostgated runs), at most MAX_RUNS times; a row whose first run
 * took longer than BUDGET keeps that one sample.
 * syslog() is defined by tests/syslog_capture.c (linked with -rdynamic) and
 * captured into memory, so that what the modules log costs no I/O and the
 * deciding rule can be checked.  Whatever ends this program (an error,
 * SIGINT, SIGTERM, even SIGKILL) stops hostgated.
 *
 *   bench/policy [-b budget] -d hostgated module dir
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "syslog_capture.h"

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

static char last_log[4096];	/* filled by tests/syslog_capture.c */

/* --- the files ---------------------------------------------------------- */

static const char *dir;
static pid_t daemon_pid;	/* hostgated, while one runs */

/* Stop hostgated if one runs; returns its wait status.  Signal-safe. */
static int
daemon_stop(void)
{
	int st = 0;

	if (daemon_pid > 0) {
		(void)kill(daemon_pid, SIGTERM);
		while (waitpid(daemon_pid, &st, 0) == -1 && errno == EINTR)
			;
		daemon_pid = 0;
	}
	return st;
}

/* Say what went wrong and stop; the script removes what was written. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	(void)daemon_stop();
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

/* hostgated's tree for the policy of N rules: its settings and the module's. */
static void
write_warm(int n)
{
	FILE *f;

	subdir("%s/hgd%d", dir, n);
	subdir("%s/hgd%d/state", dir, n);
	subdir("%s/hgd%d/log", dir, n);
	subdir("%s/hgd%d/spool", dir, n);
	f = create("%s/hgd%d/hostgate.conf", dir, n);
	fprintf(f, "policy = %s/hg%d/policy.conf\n"
	    "state_dir = %s/hgd%d/state\n"
	    "audit_socket = %s/hgd%d/hostgated.sock\n"
	    "audit_log = %s/hgd%d/log/audit.jsonl\n"
	    "audit_spool = %s/hgd%d/spool\n",
	    dir, n, dir, n, dir, n, dir, n, dir, n);
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

struct row {
	const char	*name;
	int		 rules;		/* 0: not applicable */
	char		 confdir[64];
	const char	*user;
	char		*rule;		/* file:line of the allowing rule */
	int		 helper;	/* hostgated must decide */
	int		 capped;	/* not run */
	int		 done;		/* no more runs */
	int		 n;
	double		 v[MAX_RUNS];	/* microseconds */
	double		 p50, p99;
};

static unsigned long ntransactions;

/* One whole transaction of ROW for USER; returns what pam_acct_mgmt said. */
static int
transaction(const struct row *row, const char *user)
{
	struct pam_conv pc = { null_conv, NULL };
	pam_handle_t *pamh;
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, row->confdir);
	last_log[0] = '\0';
	ntransactions++;
	if ((r = pam_start_confdir("sshd", user, &pc, path, &pamh)) !=
	    PAM_SUCCESS)
		die("pam_start_confdir %s: %d", path, r);
	if ((r = pam_set_item(pamh, PAM_RHOST, RHOST)) == PAM_SUCCESS)
		r = pam_acct_mgmt(pamh, PAM_SILENT);
	pam_end(pamh, r);
	/* The module logs the decisions it makes itself, not hostgated's. */
	if (row->helper && strstr(last_log, "event=account") != NULL)
		die("%s %d: decided locally: %s", row->name, row->rules,
		    last_log);
	return r;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

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
	double t;
	int r;

	t = now_us();
	r = transaction(row, row->user);
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
	int r;

	if ((r = transaction(row, user)) != PAM_PERM_DENIED)
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

/* --- hostgated ---------------------------------------------------------- */

/* What hostgated said before it went quiet (or died): to stderr. */
static void
show(const char *path)
{
	char buf[1024];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(f);
}

/* Start BIN for the policy of N rules; wait (10 s at most) until it accepts. */
static void
daemon_start(const char *bin, int n)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char conf[4096], err[4096];
	pid_t parent = getpid();
	int fd, i;

	snprintf(conf, sizeof(conf), "%s/hgd%d/hostgate.conf", dir, n);
	snprintf(err, sizeof(err), "%s/hgd%d/stderr", dir, n);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/hgd%d/hostgated.sock",
	    dir, n);
	if ((daemon_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (daemon_pid == 0) {
		/* However we end, even by SIGKILL, it ends too. */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 ||
		    getppid() != parent ||
		    (fd = open(err, O_WRONLY | O_CREAT | O_TRUNC,
		    0644)) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
			_exit(127);
		execl(bin, bin, "--config", conf, (char *)NULL);
		_exit(127);
	}
	for (i = 0;; i++) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			die("socket: %s", strerror(errno));
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
			break;
		close(fd);
		if (waitpid(daemon_pid, NULL, WNOHANG) == daemon_pid)
			daemon_pid = 0;
		if (daemon_pid == 0 || i == 1000) {
			show(err);
			die("%s did not start", bin);
		}
		usleep(10000);
	}
	close(fd);
}

/*
 * The journal of the hostgated of ROW holds WANT account records, one per
 * transaction: all but the control user's allow by ROW's rule.
 */
static void
check_journal(const struct row *row, unsigned long want)
{
	char path[4096], rule[4200], *line = NULL;
	unsigned long records = 0, allowed = 0;
	size_t size = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/hgd%d/log/audit.jsonl", dir,
	    row->rules);
	snprintf(rule, sizeof(rule), "\"rule\":\"%s\"", row->rule);
	if ((f = fopen(path, "r")) == NULL)
		die("%s: %s", path, strerror(errno));
	while (getline(&line, &size, f) != -1) {
		if (strstr(line, "\"event\":\"account\"") == NULL)
			continue;
		records++;
		if (strstr(line, "\"result\":\"allow\"") != NULL &&
		    strstr(line, rule) != NULL)
			allowed++;
	}
	free(line);
	fclose(f);
	if (records != want || allowed + 1 != want)
		die("%s %d: %lu transactions, but %lu account records in the "
		    "journal, %lu allowed by %s", row->name, row->rules, want,
		    records, allowed, row->rule);
	fprintf(stderr, "%s %d: %lu transactions, %lu journaled account "
	    "records, %lu allowed by %s, none decided locally\n", row->name,
	    row->rules, want, records, allowed, row->rule);
}

/* Start hostgated for ROW, check it decides, time ROW, stop hostgated. */
static void
run_warm(struct row *row, const char *bin, const char *control,
    double budget)
{
	unsigned long first;
	int st;

	daemon_start(bin, row->rules);
	first = ntransactions;
	check_denied(row, control);
	warm_up(row, budget);
	measure(row, budget);
	if ((st = daemon_stop()) != 0)
		die("%s %d: hostgated ended with status %#x", row->name,
		    row->rules, (unsigned)st);
	check_journal(row, ntransactions - first);
}

/* Ctrl-C, kill: take hostgated along, then die of the same signal. */
static void
on_signal(int sig)
{
	(void)daemon_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --- the table ---------------------------------------------------------- */

static void
print_time(double us)
{
	if (us >= 1e5)
		printf(" %10.0f", us);
	else
		printf(" %10.1f", us);
}

/*
 * A / B; the p50 ratio wanted is at least LEAST and at most MOST (0: no
 * bound).  Printed, not enforced.
 */
static void
print_ratio(const char *what, const struct row *a, const struct row *b,
    double least, double most)
{
	double q = a->p50 / b->p50;

	printf("%-43s", what);
	if (a->capped || b->capped) {
		printf(" %10s %10s\n", "> cap", "> cap");
		return;
	}
	printf(" %9.1fx %9.1fx", q, a->p99 / b->p99);
	if (least > 0)
		printf("   >= %.0fx (%s)", least,
		    q >= least ? "met" : "NOT met");
	if (most > 0)
		printf("   <= %.0fx (%s)", most, q <= most ? "met" : "NOT met");
	putchar('\n');
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench/policy [-b budget] -d hostgated module "
	    "dir\n"
	    "(run it through bench/policy.sh)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct row rows[3 * NCOUNTS + 1];
	struct row *unix_row, *hg[NCOUNTS], *hgd[NCOUNTS], *ac[NCOUNTS];
	char user[32], control[32], file[4096], want[4200], line[4200];
	const char *module, *hostgated = NULL;
	double budget = 5;
	unsigned last = 0;
	size_t i, nrows = 0;
	int ch, round;

	syslog_capture_buffer(last_log, sizeof(last_log));
	while ((ch = getopt(argc, argv, "b:d:")) != -1) {
		switch (ch) {
		case 'b': budget = atof(optarg); break;
		case 'd': hostgated = optarg; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || budget <= 0 || hostgated == NULL)
		usage();
	/* libpam takes a relative module path as relative to its own dir. */
	if ((module = realpath(argv[optind], NULL)) == NULL)
		die("%s: %s", argv[optind], strerror(errno));
	if ((dir = realpath(argv[optind + 1], NULL)) == NULL)
		die("%s: %s", argv[optind + 1], strerror(errno));
	if (access(hostgated, X_OK) != 0)
		die("%s: %s", hostgated, strerror(errno));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
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
		hg[i]->name = "hostgate local";
		hg[i]->rules = n;
		hg[i]->user = user;
		snprintf(hg[i]->confdir, sizeof(hg[i]->confdir), "pam-hg%d",
		    n);
		write_hostgate(n, file, sizeof(file), &last);
		snprintf(line, sizeof(line), "account required %s "
		    "config=%s/hg%d/hostgate.conf", module, dir, n);
		write_service(hg[i]->confdir, line);
		snprintf(line, sizeof(line), "%s:%u", file, last);
		if ((hg[i]->rule = strdup(line)) == NULL)
			die("out of memory");
		/* The log line quotes the deciding rule's place. */
		snprintf(want, sizeof(want), "rule=\"%s\"", hg[i]->rule);

		hgd[i] = &rows[nrows++];
		hgd[i]->name = "hostgated warm";
		hgd[i]->rules = n;
		hgd[i]->user = user;
		hgd[i]->rule = hg[i]->rule;
		hgd[i]->helper = 1;
		snprintf(hgd[i]->confdir, sizeof(hgd[i]->confdir),
		    "pam-hgd%d", n);
		write_warm(n);
		snprintf(line, sizeof(line), "account required %s "
		    "config=%s/hgd%d/hostgate.conf", module, dir, n);
		write_service(hgd[i]->confdir, line);

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
			if (!rows[i].helper)
				measure(&rows[i], budget / ROUNDS);
	/* One hostgated at a time, each with its own tree. */
	for (i = 0; i < NCOUNTS; i++)
		run_warm(hgd[i], hostgated, control, budget);
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		qsort(r->v, (size_t)r->n, sizeof(r->v[0]), cmp_double);
		r->p50 = percentile(r->v, r->n, 50);
		r->p99 = percentile(r->v, r->n, 99);
	}

	printf("\naccount phase through libpam, per transaction "
	    "(pam_start_confdir + pam_acct_mgmt + pam_end)\n"
	    "%d users in %d groups (nss_wrapper); %s allowed by the last "
	    "rule, from %s\n"
	    "hostgate local: no hostgated (local decision + spool write)\n"
	    "hostgated warm: hostgated decides and journals (one round "
	    "trip)\n\n", NUSERS, NGROUPS, user, RHOST);
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

	printf("\n%-43s %10s %10s   %s\n", "ratio", "p50", "p99",
	    "target (p50; not enforced)");
	for (i = 0; i < NCOUNTS; i++) {
		snprintf(line, sizeof(line), "pam_access / hostgate local, %d",
		    rule_counts[i]);
		print_ratio(line, ac[i], hg[i],
		    rule_counts[i] == 1000 ? 500 : 0, 0);
	}
	for (i = 0; i < NCOUNTS; i++) {
		snprintf(line, sizeof(line), "hostgate local %d / pam_unix",
		    rule_counts[i]);
		print_ratio(line, hg[i], unix_row, 0, 0);
	}
	for (i = 0; i < NCOUNTS; i++) {
		snprintf(line, sizeof(line), "hostgated warm %d / hostgate "
		    "local %d", rule_counts[i], rule_counts[i]);
		print_ratio(line, hgd[i], hg[i], 0, 0);
	}
	print_ratio("hostgate local 10000 / hostgate local 10",
	    hg[NCOUNTS - 1], hg[0], 0, 0);
	print_ratio("hostgated warm 10000 / hostgate local 10",
	    hgd[NCOUNTS - 1], hg[0], 0, 3);
	print_ratio("hostgated warm 10000 / pam_unix", hgd[NCOUNTS - 1],
	    unix_row, 0, 3);
	return 0;
}

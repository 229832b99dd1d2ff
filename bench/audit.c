/*
 * bench/audit: what the audit helper, hostgated, costs and delivers.
 *
 *   make bench/audit && bench/audit [-d SECONDS]        (as root)
 *
 * It makes a temporary directory under /tmp (removed at the end), starts
 * the built helper/hostgated there and measures, each row for SECONDS
 * (default 3):
 *
 *   records   durable records per second into the journal (acknowledged,
 *             so written and fdatasync'd) with 1, 8 and 64 concurrent
 *             clients: "module-like" opens a connection per record with
 *             submit_send(), as the PAM module does; "persistent" keeps
 *             one connection per client.  Target: >= 20,000/s at 64.
 *   decisions the round trip of an account decision at 10,000 rules:
 *             through hostgated (warm policy; a connection per decision,
 *             submit_send()) against the module's local path (NSS groups,
 *             policy_load() and policy_decide() per transaction), p50 and
 *             p99.  Target: the helper faster than local.
 *   logger    "logger" to syslog on the same machine, for comparison.
 *             Only meaningful with a syslog daemon: if rsyslogd is
 *             installed, a private one is started (its own socket and
 *             output file in the temporary directory) and stopped after;
 *             with none, logger would measure nothing, and that is said.
 *
 * Root is needed because hostgated trusts only a root-owned policy.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "record.h"
#include "submit.h"

#ifndef HG_BUILDDIR
#define HG_BUILDDIR "."
#endif

#define RULES		10000
#define TIMEOUT_MS	10000

static char dir[64];
static pid_t daemon_pid = -1;
static double seconds = 3;

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench/audit: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (daemon_pid > 0)
		kill(daemon_pid, SIGKILL);
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
path_of(char *buf, size_t size, const char *name)
{
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		die("path too long");
}

static void
write_file(const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	path_of(path, sizeof(path), name);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
set_addr(struct sockaddr_un *sun, const char *path)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		die("%s: too long for a socket", path);
	memcpy(sun->sun_path, path, strlen(path) + 1);
}

static bool
dial_ok(const char *sock)
{
	struct sockaddr_un sun;
	int fd, r;

	set_addr(&sun, sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return false;
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return r == 0;
}

static void
start_daemon(void)
{
	char conf[PATH_MAX], sock[PATH_MAX];
	const char *bin = HG_BUILDDIR "/helper/hostgated";
	int i;

	path_of(conf, sizeof(conf), "hostgate.conf");
	path_of(sock, sizeof(sock), "run/hostgated.sock");
	if ((daemon_pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (daemon_pid == 0) {
		execl(bin, "hostgated", "--config", conf, (char *)NULL);
		fprintf(stderr, "%s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < 500 && !dial_ok(sock); i++)
		usleep(10000);
	if (i == 500)
		die("hostgated did not start");
}

static void
stop_daemon(void)
{
	int status;

	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &status, 0);
	daemon_pid = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("hostgated did not exit 0");
}

/* --- durable records ----------------------------------------------------- */

struct rec_worker {
	const char	*sock;
	bool		 persistent;
	double		 end;
	long		 acked;
};

static int
send_persistent(int *fd, const char *sock, const unsigned char *frame,
    size_t len)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct sockaddr_un sun;
	struct hg_record reply;
	enum record_type type;
	size_t have = 0;
	long need;
	ssize_t n;

	if (*fd == -1) {
		set_addr(&sun, sock);
		if ((*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) ==
		    -1 || connect(*fd, (struct sockaddr *)&sun,
		    sizeof(sun)) != 0)
			return -1;
	}
	if (send(*fd, frame, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -1;
	for (;;) {
		need = record_frame_len(buf, have);
		if (need < 0)
			return -1;
		if (need > 0 && have >= (size_t)need)
			break;
		if ((n = recv(*fd, buf + have, sizeof(buf) - have, 0)) <= 0)
			return -1;
		have += (size_t)n;
	}
	if (record_decode(buf, have, &type, &reply) != 0 || reply.seq <= 0)
		return -1;
	return 0;
}

static void *
rec_worker(void *arg)
{
	struct rec_worker *w = arg;
	unsigned char frame[RECORD_WIRE_MAX + 4];
	struct hg_record r, reply;
	struct hg_msg msg;
	int fd = -1, len;

	record_init(&r);
	record_stamp(&r);
	snprintf(r.event, sizeof(r.event), "session_open");
	snprintf(r.user, sizeof(r.user), "root");
	snprintf(r.service, sizeof(r.service), "sshd");
	snprintf(r.rhost, sizeof(r.rhost), "10.1.2.3");
	snprintf(r.tty, sizeof(r.tty), "ssh");
	snprintf(r.factors, sizeof(r.factors), "password,totp");
	if ((len = record_encode(RECORD_T_RECORD, &r, frame,
	    sizeof(frame))) < 0)
		die("encode");
	while (now() < w->end) {
		if (w->persistent) {
			if (send_persistent(&fd, w->sock, frame,
			    (size_t)len) != 0)
				die("a record was not acknowledged");
		} else if (submit_send(w->sock, RECORD_T_RECORD, &r,
		    TIMEOUT_MS, &reply, &msg) != 0)
			die("a record was not acknowledged: %s", msg.text);
		w->acked++;
	}
	if (fd != -1)
		close(fd);
	return NULL;
}

static double
records_per_second(int clients, bool persistent)
{
	struct rec_worker *w;
	pthread_t *t;
	char sock[PATH_MAX];
	double t0, end;
	long total = 0;
	int i;

	path_of(sock, sizeof(sock), "run/hostgated.sock");
	w = calloc((size_t)clients, sizeof(*w));
	t = calloc((size_t)clients, sizeof(*t));
	if (w == NULL || t == NULL)
		die("out of memory");
	t0 = now();
	end = t0 + seconds;
	for (i = 0; i < clients; i++) {
		w[i].sock = sock;
		w[i].persistent = persistent;
		w[i].end = end;
		if (pthread_create(&t[i], NULL, rec_worker, &w[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < clients; i++) {
		pthread_join(t[i], NULL);
		total += w[i].acked;
	}
	end = now();
	free(w);
	free(t);
	return (double)total / (end - t0);
}

/* --- decisions ----------------------------------------------------------- */

static void
write_big_policy(void)
{
	char path[PATH_MAX];
	FILE *f;
	int i;

	path_of(path, sizeof(path), "policy.conf");
	if ((f = fopen(path, "w")) == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# %d rules; only the last one allows the benchmark\n",
	    RULES);
	for (i = 0; i < RULES - 1; i++)
		fprintf(f, "role r%d = @hgbench-g%d hgbench-u%d\n"
		    "allow r%d service=sshd,sudo from=10.%d.%d.0/24 "
		    "time=Mon-Fri@07:00-20:00\n", i, i % 97, i, i,
		    i / 256 % 256, i % 256);
	fprintf(f, "role console = root\nallow console service=sshd\n");
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct lat {
	double	p50, p99;
	size_t	n;
};

static struct lat
percentiles(double *v, size_t n)
{
	struct lat l;

	qsort(v, n, sizeof(*v), cmp_double);
	l.n = n;
	l.p50 = v[n / 2] * 1e3;
	l.p99 = v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] * 1e3;
	return l;
}

/* The module's local path, as decide_locally() in pam_hostgate.c. */
static void
decide_local(const char *policy, const struct hg_record *r)
{
	struct policy_decision d;
	struct policy_input in;
	struct hg_policy *pol = NULL;
	struct hg_msg msg;
	time_t when = (time_t)(r->ts_ms / 1000);
	char **groups = NULL;
	size_t ngroups = 0;
	struct tm tm;

	memset(&in, 0, sizeof(in));
	in.user = r->user;
	in.service = r->service;
	in.rhost = r->rhost;
	in.mfa = true;
	in.when = localtime_r(&when, &tm);
	if (policy_user_groups(r->user, &groups, &ngroups, &msg) != 0)
		die("%s", msg.text);
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	if (policy_load(policy, 0, &pol, &msg) != 0)
		die("%s", msg.text);
	if (policy_decide(pol, &in, &d) != 0 || !d.allow)
		die("the benchmark decision was not allow");
	policy_free(pol);
	policy_groups_free(groups, ngroups);
}

static void
decisions(struct lat *helper, struct lat *local)
{
	char sock[PATH_MAX], policy[PATH_MAX];
	struct hg_record r, reply;
	struct hg_msg msg;
	size_t cap = 1 << 20, n;
	double *v, t0, end;

	path_of(sock, sizeof(sock), "run/hostgated.sock");
	path_of(policy, sizeof(policy), "policy.conf");
	if ((v = calloc(cap, sizeof(*v))) == NULL)
		die("out of memory");
	record_init(&r);
	record_stamp(&r);
	snprintf(r.event, sizeof(r.event), "account");
	snprintf(r.user, sizeof(r.user), "root");
	snprintf(r.service, sizeof(r.service), "sshd");
	snprintf(r.rhost, sizeof(r.rhost), "10.1.2.3");
	snprintf(r.factors, sizeof(r.factors), "password,totp");
	policy_stamp(policy, r.policy);
	/* One to warm up (the helper loads the policy once). */
	if (submit_send(sock, RECORD_T_DECIDE, &r, TIMEOUT_MS, &reply,
	    &msg) != 0 || strcmp(reply.result, "allow") != 0)
		die("the helper did not allow: %s %s", msg.text, reply.reason);
	end = now() + seconds;
	for (n = 0; n < cap && (n < 50 || now() < end); n++) {
		t0 = now();
		if (submit_send(sock, RECORD_T_DECIDE, &r, TIMEOUT_MS, &reply,
		    &msg) != 0 || strcmp(reply.result, "allow") != 0)
			die("the helper did not allow: %s", msg.text);
		v[n] = now() - t0;
	}
	*helper = percentiles(v, n);
	end = now() + seconds;
	for (n = 0; n < cap && (n < 20 || now() < end); n++) {
		t0 = now();
		decide_local(policy, &r);
		v[n] = now() - t0;
	}
	*local = percentiles(v, n);
	free(v);
}

/* --- logger -------------------------------------------------------------- */

/* Lines per second through logger and syslog, or < 0 (and why in NOTE). */
static double
logger_rate(char *note, size_t size)
{
	char cmd[1024], sock[128], out[128], conf[128], pidf[128];
	const long lines = 100000;
	struct stat st;
	pid_t pid = -1;
	double t0, t1;
	int i, status;

	path_of(sock, sizeof(sock), "syslog.sock");
	path_of(out, sizeof(out), "syslog.out");
	path_of(conf, sizeof(conf), "rsyslog.conf");
	path_of(pidf, sizeof(pidf), "rsyslog.pid");
	if (system("command -v logger >/dev/null") != 0) {
		snprintf(note, size, "no logger program");
		return -1;
	}
	if (system("command -v rsyslogd >/dev/null") == 0) {
		snprintf(cmd, sizeof(cmd),
		    "module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
		    "input(type=\"imuxsock\" Socket=\"%s\" "
		    "RateLimit.Interval=\"0\")\n"
		    "*.* action(type=\"omfile\" file=\"%s\")\n", sock, out);
		write_file("rsyslog.conf", cmd);
		if ((pid = fork()) == 0) {
			execlp("rsyslogd", "rsyslogd", "-n", "-f", conf, "-i",
			    pidf, (char *)NULL);
			_exit(127);
		}
		for (i = 0; i < 300 && stat(sock, &st) != 0; i++)
			usleep(10000);
		if (i == 300) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(note, size, "rsyslogd did not start");
			return -1;
		}
		snprintf(note, size, "a private rsyslogd, to a file, no fsync");
	} else if (stat("/dev/log", &st) == 0 && S_ISSOCK(st.st_mode)) {
		snprintf(sock, sizeof(sock), "/dev/log");
		snprintf(note, size, "the system's syslog daemon");
	} else {
		snprintf(note, size, "n/a: no syslog daemon here (no "
		    "/dev/log, no rsyslogd): logger would measure nothing");
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "seq %ld | sed 's/^/hgbench line /' | "
	    "logger --socket '%s' -t hgbench", lines, sock);
	t0 = now();
	if (system(cmd) != 0)
		snprintf(note, size, "logger failed");
	t1 = now();
	if (pid > 0) {
		/* Until the last line is in the file: that is delivery. */
		snprintf(cmd, sizeof(cmd), "grep -q 'hgbench line %ld$' '%s'",
		    lines, out);
		for (i = 0; i < 1000 && system(cmd) != 0; i++)
			usleep(10000);
		t1 = now();
		kill(pid, SIGTERM);
		waitpid(pid, &status, 0);
	}
	return (double)lines / (t1 - t0);
}

/* --- main ---------------------------------------------------------------- */

static void
cleanup(void)
{
	char cmd[128];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
	}
	if (dir[0] == '/') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench/audit: cannot remove %s\n", dir);
	}
}

static void
write_conf(void)
{
	char conf[1024];

	snprintf(conf, sizeof(conf), "policy = %s/policy.conf\n"
	    "state_dir = %s/state\naudit_socket = %s/run/hostgated.sock\n"
	    "audit_log = %s/log/audit.jsonl\naudit_spool = %s/spool\n",
	    dir, dir, dir, dir, dir);
	write_file("hostgate.conf", conf);
}

int
main(int argc, char **argv)
{
	static const int clients[] = { 1, 8, 64 };
	struct lat helper, local;
	double rate[3][2], lrate;
	char note[256], sub[PATH_MAX];
	const char *subdirs[] = { "run", "log", "spool", "state" };
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "d:")) != -1) {
		if (c != 'd' || (seconds = atof(optarg)) <= 0) {
			fprintf(stderr, "usage: bench/audit [-d SECONDS]\n");
			return 2;
		}
	}
	if (geteuid() != 0)
		die("needs root (hostgated trusts only a root-owned policy)");
	umask(022);
	snprintf(dir, sizeof(dir), "/tmp/hgbench-audit.XXXXXX");
	if (mkdtemp(dir) == NULL)
		die("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		path_of(sub, sizeof(sub), subdirs[i]);
		if (mkdir(sub, 0755) != 0)
			die("%s: %s", sub, strerror(errno));
	}
	write_file("policy.conf", "role console = root\n"
	    "allow console service=sshd\n");
	write_conf();
	printf("bench/audit: %g s per row, %ld cores, journal on %s\n",
	    seconds, sysconf(_SC_NPROCESSORS_ONLN), dir);

	start_daemon();
	for (i = 0; i < 3; i++) {
		rate[i][0] = records_per_second(clients[i], false);
		rate[i][1] = records_per_second(clients[i], true);
	}
	stop_daemon();
	printf("\ndurable records/s (written and fdatasync'd before the "
	    "ack)\n");
	printf("%-8s %14s %14s\n", "clients", "module-like", "persistent");
	for (i = 0; i < 3; i++)
		printf("%-8d %14.0f %14.0f\n", clients[i], rate[i][0],
		    rate[i][1]);
	printf("target >= 20,000/s at 64 clients: module-like %s, "
	    "persistent %s\n", rate[2][0] >= 20000 ? "met" : "NOT met",
	    rate[2][1] >= 20000 ? "met" : "NOT met");

	write_big_policy();
	start_daemon();
	decisions(&helper, &local);
	stop_daemon();
	printf("\naccount decision at %d rules, ms per decision\n", RULES);
	printf("%-34s %8s %8s %8s\n", "", "p50", "p99", "runs");
	printf("%-34s %8.3f %8.3f %8zu\n",
	    "hostgated (warm, a connection each)", helper.p50, helper.p99,
	    helper.n);
	printf("%-34s %8.3f %8.3f %8zu\n", "local (NSS + policy_load + decide)",
	    local.p50, local.p99, local.n);
	printf("target: helper faster than local: %s (%.0fx at p50)\n",
	    helper.p50 < local.p50 ? "met" : "NOT met",
	    local.p50 / helper.p50);

	lrate = logger_rate(note, sizeof(note));
	printf("\nlogger to syslog, lines/s, for comparison\n");
	if (lrate < 0)
		printf("%s\n", note);
	else
		printf("%-8.0f (%s)\n", lrate, note);
	return 0;
}

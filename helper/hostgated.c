/*
 * helper/ is the daemon, hostgated: this file is its event loop and wiring
 * (options, signals, start-up, shut-down).  The socket protocol is
 * client.c, account decisions decide.c, the group commit batch.c, and the
 * sinks journal.c, spool.c and forward.c.
 *
 * hostgated: the audit helper.  "hostgated [--config FILE] [-t]"
 *
 * Runs in the foreground (systemd supervises it).  It listens on
 * audit_socket for frames from the PAM module (common/record.h), stores
 * every record in the journal (helper/journal.h) and in syslog, drains the
 * spool the module writes while it cannot reach us (helper/spool.h), and
 * answers account decisions with a policy it keeps loaded
 * (helper/decide.h).  Each turn of the loop is one group commit
 * (helper/batch.h); who may connect and what they may send is in
 * helper/client.h.
 *
 * Signals (through a signalfd, so no work happens in a handler): SIGHUP
 * reopens the journal (after "mv audit.jsonl audit.jsonl.1" the new file's
 * first record chains to the old file's last) and reloads the policy;
 * SIGTERM and SIGINT acknowledge what was already received, then exit 0.
 */
#include "config.h"

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "batch.h"
#include "client.h"
#include "conf.h"
#include "decide.h"
#include "err.h"
#include "forward.h"
#include "hostgated.h"
#include "journal.h"
#include "now.h"
#include "policy.h"
#include "record.h"
#include "spool.h"
#include "trust.h"

#define SWEEP_INTERVAL_MS	250
#define SHUTDOWN_FLUSH_MS	2000	/* to deliver the last replies */
#define GATHER_US		1000	/* a small batch waits for more */
/*
 * Our files in state_dir start with '.', as no user name does
 * (trust_name_ok()), so that no user's state file can be one of them;
 * before that the anchor was ANCHOR_OLD (see migrate()).
 */
#define ANCHOR_NAME		".hostgated.head"
#define ANCHOR_OLD		"hostgated.head"
#define MIGRATE_MAX		256	/* largest file migrate() moves */
#define EVENTS_MAX		256

/*
 * Messages go to stderr too while the daemon starts, from the main thread
 * only (main() sets this, until the loop runs): the forwarder's thread
 * logs to syslog alone.
 */
static _Thread_local bool log_stderr;

void
hostgated_log(int prio, const char *func, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	syslog(LOG_DAEMON | prio, "%s: %s", func, text);
	if (log_stderr)
		fprintf(stderr, "hostgated: %s\n", text);
}

/* --- the loop ------------------------------------------------------------ */

static void
read_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->hup = true;
		else
			d->terminate = true;
	}
}

static void
rotate(struct daemon *d)
{
	struct hg_msg msg = { "" };
	bool foreign;

	d->hup = false;
	if (journal_reopen(&d->journal, &foreign, &msg) != 0)
		log_f(LOG_ERR, "%s", msg.text);
	else if (foreign)
		log_f(LOG_WARNING, "%s does not end with seq %lld: the chain "
		    "in it breaks here", d->conf.audit_log, d->journal.seq);
	else
		log_f(LOG_INFO, "reopened %s at seq %lld", d->conf.audit_log,
		    d->journal.seq);
	msg.text[0] = '\0';
	if (d->spoolfd == -1 &&
	    spool_open(d->conf.audit_spool, &d->spoolfd, &msg) != 0) {
		log_f(LOG_ERR, "%s; not draining the spool", msg.text);
		d->spoolfd = -1;
	}
	decide_refresh(&d->warm, true);
}

static int
loop_timeout(const struct daemon *d, long long now, long long next_sweep)
{
	long long t = d->next_spool;

	if (next_sweep < t)
		t = next_sweep;
	if (!d->listening && d->listen_resume < t)
		t = d->listen_resume;
	return t <= now ? 0 : (int)(t - now);
}

static void
dispatch(struct daemon *d, const struct epoll_event *ev)
{
	struct client *c;

	if (ev->data.ptr == &d->lfd) {
		client_accept(d);
		return;
	}
	if (ev->data.ptr == &d->sfd) {
		read_signals(d);
		return;
	}
	c = ev->data.ptr;
	if (c->drop)
		return;
	if ((ev->events & EPOLLOUT) != 0)
		client_flush(d, c);
	else if ((ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0)
		client_read(d, c);
}

/* Remove our socket, unless another instance has put its own there. */
static void
unlink_socket(struct daemon *d)
{
	struct stat st;

	if (stat(d->conf.audit_socket, &st) == 0 && st.st_dev == d->sock_dev &&
	    st.st_ino == d->sock_ino)
		(void)unlink(d->conf.audit_socket);
}

/* SIGTERM: acknowledge what we have, then let the clients go. */
static void
drain_and_close(struct daemon *d)
{
	struct epoll_event ev[EVENTS_MAX];
	long long end = now_mono_ms() + SHUTDOWN_FLUSH_MS;
	struct client *c;
	bool pending;
	int n, i;

	/* New clients find no socket (and spool); queued ones are taken. */
	unlink_socket(d);
	d->turn++;
	client_accept(d);
	if (d->listening)
		(void)epoll_ctl(d->ep, EPOLL_CTL_DEL, d->lfd, NULL);
	close(d->lfd);
	d->lfd = -1;
	d->listening = false;
	for (c = d->clients; c != NULL; c = c->next)
		client_read(d, c);
	batch_commit(d);
	client_close_reaped(d);
	for (;;) {
		pending = false;
		for (c = d->clients; c != NULL; c = c->next)
			if (!c->drop && c->outoff < c->outlen)
				pending = true;
		if (!pending || now_mono_ms() >= end)
			break;
		n = epoll_wait(d->ep, ev, EVENTS_MAX, 50);
		for (i = 0; i < n; i++)
			if (ev[i].data.ptr != &d->sfd &&
			    ev[i].data.ptr != &d->lfd &&
			    (ev[i].events & EPOLLOUT) != 0)
				client_flush(d, ev[i].data.ptr);
		client_close_reaped(d);
	}
	while (d->clients != NULL)
		client_free(d, d->clients);
}

/*
 * Group commit, the waiting half: a batch much smaller than the last one
 * waits up to GATHER_US for the clients whose acks just went out, so that
 * one fdatasync covers most of them.  When the load drops this costs
 * GATHER_US once: the next batch is compared with this smaller one.
 */
static void
gather(struct daemon *d)
{
	struct epoll_event ev[EVENTS_MAX];
	struct timespec ts;
	long long end = now_mono_us() + GATHER_US, left;
	int n, i;

	while (!d->terminate && d->nitems > 0 &&
	    d->nitems * 4 < d->last_batch * 3 &&
	    (left = end - now_mono_us()) > 0) {
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000;
		n = epoll_pwait2(d->ep, ev, EVENTS_MAX, &ts, NULL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return;		/* no epoll_pwait2: no waiting */
		for (i = 0; i < n; i++)
			dispatch(d, &ev[i]);
	}
}

static int
run(struct daemon *d)
{
	struct epoll_event ev[EVENTS_MAX];
	long long now = now_mono_ms(), next_sweep = now + SWEEP_INTERVAL_MS;
	int n, i;

	d->next_spool = now;
	while (!d->terminate) {
		n = epoll_wait(d->ep, ev, EVENTS_MAX,
		    loop_timeout(d, now, next_sweep));
		d->turn++;
		if (n == -1 && errno != EINTR) {
			log_f(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++)
			dispatch(d, &ev[i]);
		gather(d);
		now = now_mono_ms();
		if (now >= d->next_spool)
			batch_spool(d, now);
		batch_commit(d);
		if (d->hup)
			rotate(d);
		if (now >= next_sweep) {
			client_sweep(d, now);
			next_sweep = now + SWEEP_INTERVAL_MS;
		}
		client_close_reaped(d);
	}
	log_f(LOG_INFO, "terminating at seq %lld", d->journal.seq);
	return 0;
}

/* --- setting up ---------------------------------------------------------- */

/* The address of the socket PATH. */
static int
socket_addr(const char *path, struct sockaddr_un *sun, struct hg_msg *msg)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return hg_fail(msg, HG_ERR_CONFIG, "%s: socket path too long",
		    path);
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * Before touching anything else: is another instance live on PATH (it
 * accepts a connection)?  That is an error; a stale socket file left by a
 * crash is removed.
 */
static int
socket_probe(const char *path, struct hg_msg *msg)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, e, r;

	if ((r = socket_addr(path, &sun, msg)) != 0)
		return r;
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return hg_fail(msg, HG_ERR_UNTRUSTED, "%s: exists and is not a "
		    "socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return hg_fail(msg, HG_ERR_IO, "socket: %s", strerror(errno));
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN)
		return hg_fail(msg, HG_ERR_IO, "%s: another hostgated is "
		    "running (it accepts connections)", path);
	if (e != ECONNREFUSED)
		return hg_fail(msg, HG_ERR_IO, "%s: cannot tell whether "
		    "another hostgated runs: %s", path, strerror(e));
	if (unlink(path) != 0 && errno != ENOENT)
		return hg_fail(msg, HG_ERR_IO, "%s: %s", path,
		    strerror(errno));
	log_f(LOG_NOTICE, "%s: removed a stale socket", path);
	return 0;
}

/* Listen on PATH (probed before), mode 0600: see the top of the file. */
static int
listen_socket(struct daemon *d, const char *path, struct hg_msg *msg)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int fd, e, r;

	if ((r = socket_addr(path, &sun, msg)) != 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return hg_fail(msg, HG_ERR_IO, "socket: %s", strerror(errno));
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	umask(old);
	if (r != 0 || listen(fd, SOMAXCONN) != 0 || stat(path, &st) != 0) {
		close(fd);
		return hg_fail(msg, HG_ERR_IO, "%s: %s", path,
		    strerror(r != 0 ? e : errno));
	}
	d->lfd = fd;
	d->sock_dev = st.st_dev;
	d->sock_ino = st.st_ino;
	return 0;
}

static int
setup_signals(struct daemon *d, struct hg_msg *msg)
{
	sigset_t mask;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0 ||
	    (d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return hg_fail(msg, HG_ERR_INTERNAL, "signalfd: %s",
		    strerror(errno));
	return 0;
}

/* Many idle clients each hold a descriptor: take all we may have. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_f(LOG_WARNING, "setrlimit: %s", strerror(errno));
	}
}

static int
watch(struct daemon *d, int fd, void *tag, struct hg_msg *msg)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = tag;
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		return hg_fail(msg, HG_ERR_INTERNAL, "epoll_ctl: %s",
		    strerror(errno));
	return 0;
}

/*
 * Take over a file that an older hostgated kept in state_dir DIR under OLD,
 * a name a user's state file may have, as NEW: once, when NEW does not
 * exist yet, and only if OLD passes the checks NEW gets when read (ours,
 * not writable by others) and holds what NEW would (VALID).  Anything else
 * under OLD is a user's state file and stays as it is.
 */
static void
migrate(const char *dir, const char *old, const char *new,
    bool (*valid)(const char *, size_t))
{
	char from[PATH_MAX], to[PATH_MAX], *text = NULL;
	struct hg_msg msg = { "" };
	struct stat st;
	size_t len;
	int fd, r;

	if (snprintf(from, sizeof(from), "%s/%s", dir, old) >=
	    (int)sizeof(from) ||
	    snprintf(to, sizeof(to), "%s/%s", dir, new) >= (int)sizeof(to) ||
	    lstat(to, &st) == 0)
		return;
	r = trust_read(from, TRUST_PUBLIC, geteuid(), MIGRATE_MAX, &text,
	    &len, &msg);
	if (r == HG_ERR_NOENT || (r == 0 && !valid(text, len)))
		goto out;
	if (r != 0) {
		log_f(LOG_WARNING, "%s; not taken over as %s", msg.text, to);
		goto out;
	}
	/* NOREPLACE: never over a NEW that appeared meanwhile. */
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) != 0) {
		if (errno != EEXIST)
			log_f(LOG_WARNING, "%s: not taken over as %s: %s",
			    from, to, strerror(errno));
		goto out;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	log_f(LOG_NOTICE, "%s: renamed to %s (hostgated's files in state_dir "
	    "now start with '.', as no user's does)", from, to);
 out:
	free(text);
}

static int
start(struct daemon *d, struct hg_msg *msg)
{
	char anchor[PATH_MAX];
	int r;

	raise_nofile();
	if (gethostname(d->host, sizeof(d->host)) != 0)
		snprintf(d->host, sizeof(d->host), "unknown");
	d->host[sizeof(d->host) - 1] = '\0';
	if ((d->items = calloc(BATCH_MAX, sizeof(*d->items))) == NULL ||
	    (d->spool = calloc(BATCH_SPOOL_MAX, sizeof(*d->spool))) == NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "out of memory");
	if ((d->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return hg_fail(msg, HG_ERR_INTERNAL, "epoll: %s",
		    strerror(errno));
	if ((r = setup_signals(d, msg)) != 0 ||
	    (r = watch(d, d->sfd, &d->sfd, msg)) != 0)
		return r;
	if ((r = socket_probe(d->conf.audit_socket, msg)) != 0)
		return r;
	decide_start(&d->warm, d->conf.policy);
	migrate(d->conf.state_dir, ANCHOR_OLD, ANCHOR_NAME, journal_anchor_ok);
	migrate(d->conf.state_dir, FORWARD_CURSOR_OLD, FORWARD_CURSOR,
	    forward_cursor_ok);
	if (snprintf(anchor, sizeof(anchor), "%s/%s", d->conf.state_dir,
	    ANCHOR_NAME) >= (int)sizeof(anchor))
		return hg_fail(msg, HG_ERR_CONFIG, "state_dir too long");
	if ((r = journal_open(&d->journal, d->conf.audit_log, anchor,
	    msg)) != 0)
		return r;
	if (d->journal.cut > 0)
		log_f(LOG_WARNING, "%s: removed a partial last line of %lld "
		    "bytes (a crash while writing; it was never acknowledged)",
		    d->conf.audit_log, (long long)d->journal.cut);
	if ((r = spool_open(d->conf.audit_spool, &d->spoolfd, msg)) != 0) {
		/* Records still come through the socket. */
		log_f(LOG_ERR, "%s; not draining the spool", msg->text);
		d->spoolfd = -1;
	}
	if ((r = listen_socket(d, d->conf.audit_socket, msg)) != 0 ||
	    (r = watch(d, d->lfd, &d->lfd, msg)) != 0)
		return r;
	d->listening = true;
	/* Forwarding tails the journal, so it starts once that is open. */
	if (d->conf.audit_forward_url != NULL &&
	    d->conf.audit_forward_url[0] != '\0' &&
	    (r = forward_start(&d->conf, &d->fw, msg)) != 0)
		return r;
	log_f(LOG_INFO, "listening on %s; journal %s at seq %lld",
	    d->conf.audit_socket, d->conf.audit_log, d->journal.seq);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: hostgated [--config FILE] [-t]\n");
}

/* Settings from CONFIG (NULL: the default file), as the CLI reads them. */
static int
load_conf(struct hg_conf *conf, const char *config, struct hg_msg *msg)
{
	char arg[PATH_MAX + 8], abs[PATH_MAX];
	const char *argv[1];
	int argc = 0;

	if (config != NULL && config[0] != '/' &&
	    realpath(config, abs) != NULL)
		config = abs;
	if (config != NULL) {
		if (snprintf(arg, sizeof(arg), "config=%s", config) >=
		    (int)sizeof(arg))
			return hg_fail(msg, HG_ERR_CONFIG, "--config: path "
			    "too long");
		argv[argc++] = arg;
	}
	return conf_load(conf, argc, argv, HOSTGATED_OWNER, msg);
}

/* -t: the settings and the policy, nothing else. */
static int
check_only(struct daemon *d)
{
	struct hg_policy *pol = NULL;
	struct hg_msg msg = { "" };
	size_t files, roles, rules;

	if (policy_load(d->conf.policy, HOSTGATED_OWNER, &pol, &msg) != 0) {
		fprintf(stderr, "hostgated: %s\n", msg.text);
		return 1;
	}
	if (d->conf.audit_forward_url != NULL &&
	    d->conf.audit_forward_url[0] != '\0' &&
	    forward_check(&d->conf, &msg) != 0) {
		fprintf(stderr, "hostgated: %s\n", msg.text);
		policy_free(pol);
		return 1;
	}
	policy_counts(pol, &files, &roles, &rules);
	printf("hostgated: configuration ok: %s, policy %s (%zu files, "
	    "%zu roles, %zu rules)\n", d->conf.config != NULL ?
	    d->conf.config : CONF_DEFAULT_PATH, d->conf.policy, files, roles,
	    rules);
	policy_free(pol);
	return 0;
}

int
main(int argc, char **argv)
{
	struct hg_msg msg = { "" };
	const char *config = NULL;
	static char ident[32];
	struct daemon *d;
	bool test = false;
	int i, rc = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0)
			test = true;
		else if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config = argv[++i];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			config = argv[i] + 9;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		fprintf(stderr, "hostgated: out of memory\n");
		return 1;
	}
	d->ep = d->lfd = d->sfd = d->spoolfd = -1;
	d->journal.fd = -1;
	/*
	 * "hostgated[PID]" as LOG_PID would write it, but without a getpid()
	 * for every message: at a line per record that is a syscall saved.
	 */
	snprintf(ident, sizeof(ident), "hostgated[%ld]", (long)getpid());
	openlog(ident, 0, LOG_DAEMON);
	log_stderr = true;
	if (sodium_init() < 0) {
		log_f(LOG_ERR, "libsodium did not initialise");
		goto out;
	}
	if (load_conf(&d->conf, config, &msg) != 0) {
		if (test)
			fprintf(stderr, "hostgated: %s\n", msg.text);
		else
			log_f(LOG_ERR, "%s", msg.text);
		goto out;
	}
	if (test) {
		rc = check_only(d);
		conf_free(&d->conf);
		goto out;
	}
	if (start(d, &msg) != 0) {
		log_f(LOG_ERR, "%s", msg.text);
		rc = 1;
	} else {
		log_stderr = false;
		rc = run(d);
		drain_and_close(d);
		if (journal_save_anchor(&d->journal, &msg) != 0)
			log_f(LOG_WARNING, "%s", msg.text);
	}
	if (d->lfd != -1)
		close(d->lfd);
	journal_close(&d->journal);
	journal_batch_free(&d->batch);
	forward_stop(d->fw);
	decide_free(&d->warm);
	if (d->spoolfd != -1)
		close(d->spoolfd);
	if (d->sfd != -1)
		close(d->sfd);
	if (d->ep != -1)
		close(d->ep);
	free(d->items);
	free(d->spool);
	conf_free(&d->conf);
 out:
	free(d);
	closelog();
	return rc;
}

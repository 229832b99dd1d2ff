/*
 * hostgated: the audit helper.  "hostgated [--config FILE] [-t]"
 *
 * Runs in the foreground (systemd supervises it).  It listens on
 * audit_socket for frames from the PAM module (common/record.h), stores
 * every record in the journal (helper/journal.h) and in syslog, drains the
 * spool the module writes while it cannot reach us (helper/spool.h), and
 * answers account decisions with a policy it keeps loaded.
 *
 * Group commit: each turn of the loop collects every complete frame that
 * arrived from every ready client (and the spool files due), writes their
 * journal lines with one write() and one fdatasync(), and only then logs
 * them to syslog and sends the acknowledgements (a REPLY with the seq).
 * A batch that cannot be made durable is not acknowledged: its clients are
 * disconnected, so the module falls back to its spool.
 *
 * Peers: the socket is created mode 0600, owned by our user, so only root
 * (the module inside sshd, sudo, su, login) and our own user can connect.
 * Each peer's pid and uid come from SO_PEERCRED, never from the frame.  If
 * an administrator opens the socket to others (chmod 0666), a peer that is
 * not root may submit records only about itself: a record whose user does
 * not resolve to the peer's uid gets a REPLY without a seq and with reason
 * "refused", is logged, and is not stored.  The same rule holds for spool
 * files, whose uid is their owner.
 *
 * Decisions: a RECORD_T_DECIDE names the policy the module would load
 * (its identity, policy_stamp()).  We decide only if that is the identity
 * of the policy we hold warm, refreshed first; otherwise (another policy=
 * or config= on the PAM stack line, files changed in between, or no
 * identity at all) the reply has no seq and reason "other-policy", nothing
 * is stored, and the module decides with its own policy and sends us that
 * record as an ordinary one.  So every stack gets the decision of its own
 * policy, helper or not.
 *
 * Hostile input: a frame that is malformed or longer than RECORD_WIRE_MAX
 * drops that client (logged once); a client that has not completed a frame
 * for IDLE_TIMEOUT_MS, or does not read its replies, is dropped too.
 * Every socket is nonblocking and nothing waits on one client.
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
#include <pwd.h>
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

#include "conf.h"
#include "err.h"
#include "forward.h"
#include "journal.h"
#include "policy.h"
#include "record.h"
#include "spool.h"
#include "trust.h"

#define OWNER			0	/* who must own the policy */
#define IDLE_TIMEOUT_MS		5000	/* to complete a frame, or read */
#define SPOOL_INTERVAL_MS	1000
#define SWEEP_INTERVAL_MS	250
#define ACCEPT_PAUSE_MS		100	/* out of descriptors: wait */
#define SHUTDOWN_FLUSH_MS	2000	/* to deliver the last replies */
#define GATHER_US		1000	/* a small batch waits for more */
#define BATCH_MAX		8192	/* records per commit */
#define SPOOL_BATCH_MAX		1024
#define CLIENT_FRAMES_MAX	1024	/* from one client per turn */
/* The most frames one receive buffer can hold (6 bytes each at least). */
#define FRAMES_PER_BUFFER	((RECORD_WIRE_MAX + 4) / 6 + 1)
/*
 * Our files in state_dir start with '.', as no user name does
 * (trust_name_ok()), so that no user's state file can be one of them;
 * before that the anchor was ANCHOR_OLD (see migrate()).
 */
#define ANCHOR_NAME		".hostgated.head"
#define ANCHOR_OLD		"hostgated.head"
#define MIGRATE_MAX		256	/* largest file migrate() moves */
#define EVENTS_MAX		256

static bool log_stderr = true;	/* until the loop runs */

static void log_at(int, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Our own messages: LOG_DAEMON, stamped with the function's name. */
#define log_f(prio, ...)	log_at((prio), __func__, __VA_ARGS__)

static void
log_at(int prio, const char *func, const char *fmt, ...)
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

struct client {
	struct client	*next, *prev;	/* all clients */
	struct client	*reap_next;	/* to look at after this turn */
	int		 fd;
	pid_t		 pid;
	uid_t		 uid;
	uint32_t	 events;	/* what epoll watches for */
	long long	 deadline;	/* dropped if no frame by then */
	bool		 eof;		/* the peer will send no more */
	bool		 drop;		/* close after this turn */
	bool		 reaping;	/* on the reap list */
	unsigned long	 turn;		/* when FRAMES was counted */
	unsigned	 frames;	/* read in that turn */
	size_t		 inlen;
	unsigned char	 in[RECORD_WIRE_MAX + 4];
	unsigned char	*out;		/* replies not yet sent */
	size_t		 outoff, outlen, outcap;
};

/* One record of the batch being committed. */
struct item {
	struct client		*c;	/* who waits for the reply */
	const struct spool_file	*spool;	/* or where it came from */
	enum record_type	 type;
	bool			 stored;
	bool			 refused;	/* answered, never stored */
	const char		*why;	/* the reply's reason if so */
	struct hg_record	 rec;
};

/*
 * The policy, kept loaded, and its identity then (policy_stamp()): what
 * its files looked like, which a decision request must name.
 */
struct warm {
	const char		*path;
	struct hg_policy	*pol;
	char			 stamp[POLICY_STAMP_HEX + 1];
	bool			 loaded;
	long long		 declined;	/* declined since the log */
	long long		 declined_log;	/* when that was, ms */
};

struct daemon {
	struct hg_conf		 conf;
	struct journal		 journal;
	struct journal_batch	 batch;
	struct warm		 warm;
	struct forward		*fw;		/* NULL: not forwarding */
	char			 host[RECORD_FIELD_MAX];
	int			 ep, lfd, sfd, spoolfd;
	dev_t			 sock_dev;
	ino_t			 sock_ino;
	bool			 listening;
	long long		 listen_resume;
	struct client		*clients;
	size_t			 nclients;
	struct client		*reap;
	struct item		*items;
	size_t			 nitems;
	struct spool_file	*spool;
	long long		 next_spool;
	size_t			 spool_denied;	/* unreadable, last pass */
	bool			 spool_off;
	bool			 hup, terminate;
	unsigned long		 turn;		/* of the loop */
	size_t			 last_batch;	/* client records committed */
};

static void client_read(struct daemon *, struct client *);

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --- the warm policy ----------------------------------------------------- */

/*
 * Reload the policy if any of its files changed since it was loaded (or
 * if FORCE).  A policy that does not load leaves none: decisions then deny
 * with policy-invalid, as the module's local path does, and the error is
 * logged once for each change.
 */
static void
warm_refresh(struct warm *w, bool force)
{
	char stamp[POLICY_STAMP_HEX + 1];
	struct hg_msg msg = { "" };
	size_t files, roles, rules;
	int r;

	policy_stamp(w->path, stamp);
	if (!force && w->loaded && strcmp(stamp, w->stamp) == 0)
		return;
	policy_free(w->pol);
	w->pol = NULL;
	/* Stamped before loading: a change while loading shows next time. */
	memcpy(w->stamp, stamp, sizeof(stamp));
	w->loaded = true;
	if ((r = policy_load(w->path, OWNER, &w->pol, &msg)) != 0) {
		log_f(LOG_ALERT, "%s; the policy is invalid, denying everyone",
		    msg.text);
		if (r == HG_ERR_IO || r == HG_ERR_NOMEM) {
			/*
			 * A passing failure (no memory, no descriptor) is not
			 * this policy's answer: decline until a load works,
			 * so that modules decide on their own meanwhile.
			 */
			w->loaded = false;
			w->stamp[0] = '\0';
		}
		return;
	}
	policy_counts(w->pol, &files, &roles, &rules);
	log_f(LOG_INFO, "policy %s loaded: %zu files, %zu roles, %zu rules",
	    w->path, files, roles, rules);
}

/*
 * Whether the decision request R from C names the policy we hold warm,
 * refreshed first: only then may we decide it.  A module whose stack names
 * another policy (policy=, or a config= with another one), or that names
 * none, must not get this policy's answer: it decides itself when we
 * decline.  Declines are logged at most once a minute, with their count.
 */
static bool
warm_named(struct warm *w, const struct hg_record *r, const struct client *c)
{
	long long now = now_ms();

	warm_refresh(w, false);
	if (w->stamp[0] != '\0' && strcmp(r->policy, w->stamp) == 0)
		return true;
	w->declined++;
	if (w->declined_log == 0 || now - w->declined_log >= 60000) {
		log_f(LOG_INFO, "declined a decision for peer pid %ld uid %lu: "
		    "the request names %s, not %s as held here, so the "
		    "module decides itself (%lld such in the last minute)",
		    (long)c->pid, (unsigned long)c->uid,
		    r->policy[0] == '\0' ? "no policy" : "another policy "
		    "(or its files changed meanwhile)", w->path, w->declined);
		w->declined = 0;
		w->declined_log = now;
	}
	return false;
}

/*
 * Decide the account-phase record R with the warm policy (warm_named()
 * refreshed it), exactly as the module's local path does (groups through
 * NSS, mfa if a code passed, host local time of R's timestamp), and fill
 * its result, pam, reason and rule.
 */
static void
decide(struct warm *w, struct hg_record *r)
{
	struct policy_decision d;
	struct policy_input in;
	struct hg_msg msg = { "" };
	time_t when = (time_t)(r->ts_ms / 1000);
	char **groups = NULL;
	size_t ngroups = 0;
	const char *reason;
	struct tm tm;
	int err;

	memset(&in, 0, sizeof(in));
	memset(&d, 0, sizeof(d));
	r->rule[0] = '\0';
	if (!trust_name_ok(r->user)) {
		err = HG_ERR_UNKNOWN_USER;
		reason = hg_reason(err);
		goto out;
	}
	err = policy_user_groups(r->user, &groups, &ngroups, &msg);
	if (err == HG_ERR_UNKNOWN_USER) {
		reason = hg_reason(err);
		goto out;
	}
	if (err != 0) {
		log_f(LOG_ERR, "%s; denying", msg.text);
		reason = "internal-error";
		goto out;
	}
	in.user = r->user;
	in.groups = (const char *const *)groups;
	in.ngroups = ngroups;
	in.service = r->service;
	in.rhost = r->rhost;
	in.mfa = strstr(r->factors, "totp") != NULL ||
	    strstr(r->factors, "scratch") != NULL;
	in.when = localtime_r(&when, &tm);
	/* With no policy this denies with reason policy-invalid. */
	err = policy_decide(w->pol, &in, &d);
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
	policy_groups_free(groups, ngroups);
}

/* --- peers --------------------------------------------------------------- */

/*
 * Root may submit anything; anyone else only records about themselves:
 * the record's user must resolve to the peer's uid.
 */
static bool
peer_may_submit(uid_t uid, const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (uid == 0)
		return true;
	if (user[0] == '\0' ||
	    getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	return pw.pw_uid == uid;
}

/*
 * A decision is about an account event; a record may name any event
 * ("auth", "account", "session_open", "session_close", and what the CLI
 * adds, such as "unlock") as long as it is a lowercase word.
 */
static bool
event_ok(enum record_type type, struct hg_record *r)
{
	const char *p;

	if (type == RECORD_T_DECIDE) {
		if (r->event[0] == '\0')
			snprintf(r->event, sizeof(r->event), "account");
		return strcmp(r->event, "account") == 0;
	}
	if (r->event[0] == '\0')
		return false;
	for (p = r->event; *p != '\0'; p++)
		if ((*p < 'a' || *p > 'z') && *p != '_')
			return false;
	return true;
}

/* Put C on the list of clients to close or check after this turn. */
static void
client_reap(struct daemon *d, struct client *c)
{
	if (c->reaping)
		return;
	c->reaping = true;
	c->reap_next = d->reap;
	d->reap = c;
}

/* Drop C after this turn; WHY (may be NULL: say nothing) is logged. */
static void
client_drop(struct daemon *d, struct client *c, const char *why)
{
	if (c->drop)
		return;
	if (why != NULL)
		log_f(LOG_WARNING, "peer pid %ld uid %lu: %s; disconnecting",
		    (long)c->pid, (unsigned long)c->uid, why);
	c->drop = true;
	client_reap(d, c);
}

/* Watch C for what it needs now: its replies sent, else its frames. */
static void
client_watch(struct daemon *d, struct client *c)
{
	struct epoll_event ev;
	uint32_t want = 0;

	if (c->drop)
		return;
	if (c->outoff < c->outlen)
		want = EPOLLOUT;
	else if (!c->eof)
		want = EPOLLIN;
	else {
		/* Done: closing it takes it out of the set. */
		client_reap(d, c);
		return;
	}
	if (want == c->events)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = want;
	ev.data.ptr = c;
	if (epoll_ctl(d->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
		log_f(LOG_ERR, "epoll_ctl: %s", strerror(errno));
		client_drop(d, c, NULL);
		return;
	}
	c->events = want;
}

static void
client_free(struct daemon *d, struct client *c)
{
	close(c->fd);	/* which also takes it out of the epoll set */
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	d->nclients--;
	free(c->out);
	free(c);
}

static void
accept_pause(struct daemon *d, bool pause)
{
	struct epoll_event ev;

	if (pause == !d->listening)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = &d->lfd;
	if (epoll_ctl(d->ep, pause ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, d->lfd,
	    &ev) != 0) {
		log_f(LOG_ERR, "epoll_ctl: %s", strerror(errno));
		return;
	}
	d->listening = !pause;
	d->listen_resume = now_ms() + ACCEPT_PAUSE_MS;
}

static void
client_accept(struct daemon *d)
{
	static bool told;
	struct epoll_event ev;
	struct ucred cred;
	socklen_t len;
	struct client *c;
	int fd, i;

	for (i = 0; i < 256; i++) {
		fd = accept4(d->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/* Out of descriptors or memory: let clients go. */
			if (!told)
				log_f(LOG_ERR, "accept: %s (%zu clients); "
				    "pausing", strerror(errno), d->nclients);
			told = true;
			accept_pause(d, true);
			return;
		}
		told = false;
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
		    len != sizeof(cred)) {
			log_f(LOG_ERR, "SO_PEERCRED: %s", strerror(errno));
			close(fd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			log_f(LOG_ERR, "out of memory");
			close(fd);
			return;
		}
		c->fd = fd;
		c->pid = cred.pid;
		c->uid = cred.uid;
		c->events = EPOLLIN;
		c->deadline = now_ms() + IDLE_TIMEOUT_MS;
		memset(&ev, 0, sizeof(ev));
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(d->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			log_f(LOG_ERR, "epoll_ctl: %s", strerror(errno));
			close(fd);
			free(c);
			return;
		}
		c->next = d->clients;
		if (d->clients != NULL)
			d->clients->prev = c;
		d->clients = c;
		d->nclients++;
		/* The module sends its frame at once: it is often here. */
		client_read(d, c);
	}
}

/* Fill what the record may lack and the journal needs. */
static void
item_prepare(struct daemon *d, struct item *it)
{
	if (it->rec.host[0] == '\0')
		snprintf(it->rec.host, sizeof(it->rec.host), "%s", d->host);
	if (it->rec.ts_ms <= 0)
		it->rec.ts_ms = wall_ms();
	if (it->type == RECORD_T_DECIDE)
		decide(&d->warm, &it->rec);
}

/* One complete frame BUF of LEN bytes from C into the batch. */
static void
client_frame(struct daemon *d, struct client *c, const unsigned char *buf,
    size_t len)
{
	struct item *it = &d->items[d->nitems];
	char quser[RECORD_FIELD_MAX * 4 + 8];

	it->c = c;
	it->spool = NULL;
	it->stored = it->refused = false;
	it->why = "refused";
	if (record_decode(buf, len, &it->type, &it->rec) != 0 ||
	    it->type == RECORD_T_REPLY) {
		client_drop(d, c, "malformed frame");
		return;
	}
	if (!event_ok(it->type, &it->rec)) {
		client_drop(d, c, "unknown event");
		return;
	}
	/* Who sent it is what the kernel says, never what the frame says. */
	it->rec.pid = c->pid;
	it->rec.uid = c->uid;
	c->deadline = now_ms() + IDLE_TIMEOUT_MS;
	c->frames++;
	if (!peer_may_submit(c->uid, it->rec.user)) {
		record_quote(it->rec.user, quser, sizeof(quser));
		log_f(LOG_WARNING, "peer pid %ld uid %lu may not submit a "
		    "record about user %s: refused", (long)c->pid,
		    (unsigned long)c->uid, quser);
		it->refused = true;
	} else if (it->type == RECORD_T_DECIDE &&
	    !warm_named(&d->warm, &it->rec, c)) {
		it->refused = true;
		it->why = RECORD_REASON_OTHER_POLICY;
	} else
		item_prepare(d, it);
	d->nitems++;
}

/* Take every complete frame out of C's buffer. */
static void
client_frames(struct daemon *d, struct client *c)
{
	size_t off = 0;
	long len;

	while (!c->drop &&
	    (len = record_frame_len(c->in + off, c->inlen - off)) != 0) {
		if (len < 0) {
			client_drop(d, c, "frame length out of bounds");
			break;
		}
		if ((size_t)len > c->inlen - off)
			break;
		client_frame(d, c, c->in + off, (size_t)len);
		off += (size_t)len;
	}
	memmove(c->in, c->in + off, c->inlen - off);
	c->inlen -= off;
}

static void
client_read(struct daemon *d, struct client *c)
{
	size_t room;
	ssize_t n;

	if (c->turn != d->turn) {
		c->turn = d->turn;
		c->frames = 0;
	}
	/* A client that does not take its replies is not read. */
	while (!c->drop && !c->eof && c->outoff == c->outlen &&
	    c->frames < CLIENT_FRAMES_MAX &&
	    d->nitems + FRAMES_PER_BUFFER <= BATCH_MAX) {
		room = sizeof(c->in) - c->inlen;
		n = recv(c->fd, c->in + c->inlen, room, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_drop(d, c, NULL);	/* reset */
			break;
		}
		if (n == 0) {
			c->eof = true;
			if (c->inlen > 0)
				client_drop(d, c, "closed in the middle of a "
				    "frame");
			break;
		}
		c->inlen += (size_t)n;
		client_frames(d, c);
		/*
		 * Short of filling the buffer, the socket is most likely
		 * empty now: epoll tells if not, and a recv() per frame that
		 * would only say EAGAIN is saved.
		 */
		if ((size_t)n < room)
			break;
	}
	client_watch(d, c);
}

static void
client_flush(struct daemon *d, struct client *c)
{
	ssize_t n;

	while (!c->drop && c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_drop(d, c, NULL);	/* gone */
			break;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	client_watch(d, c);
}

/* Queue the reply to IT for its client. */
static void
client_reply(struct daemon *d, struct item *it)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct client *c = it->c;
	struct hg_record rep;
	unsigned char *p;
	size_t cap;
	int n;

	if (c->drop)
		return;
	record_init(&rep);
	if (it->stored) {
		rep.seq = it->rec.seq;
		if (it->type == RECORD_T_DECIDE) {
			memcpy(rep.result, it->rec.result, sizeof(rep.result));
			memcpy(rep.pam, it->rec.pam, sizeof(rep.pam));
			memcpy(rep.reason, it->rec.reason, sizeof(rep.reason));
			memcpy(rep.rule, it->rec.rule, sizeof(rep.rule));
		}
	} else
		snprintf(rep.reason, sizeof(rep.reason), "%s", it->why);
	if ((n = record_encode(RECORD_T_REPLY, &rep, buf, sizeof(buf))) < 0) {
		client_drop(d, c, "reply too long");
		return;
	}
	if (c->outcap - c->outlen < (size_t)n) {
		cap = c->outcap < 1024 ? 1024 : c->outcap;
		while (cap - c->outlen < (size_t)n)
			cap *= 2;
		if ((p = realloc(c->out, cap)) == NULL) {
			client_drop(d, c, "out of memory");
			return;
		}
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, buf, (size_t)n);
	c->outlen += (size_t)n;
}

/* --- the spool ----------------------------------------------------------- */

static void
spool_report(const char *name, const char *why, void *arg)
{
	struct daemon *d = arg;

	log_f(LOG_ERR, "%s/%s: %s; set aside as %s%s", d->conf.audit_spool,
	    name, why, name, SPOOL_BAD_SUFFIX);
}

/* Add the spool files that are due to the batch. */
static void
spool_drain(struct daemon *d, long long now)
{
	struct hg_msg msg = { "" };
	size_t room, n, i, denied;
	struct item *it;
	int more;

	d->next_spool = now + SPOOL_INTERVAL_MS;
	if (d->spool_off || d->spoolfd == -1 || d->nitems >= BATCH_MAX)
		return;
	room = BATCH_MAX - d->nitems;
	if (room > SPOOL_BATCH_MAX)
		room = SPOOL_BATCH_MAX;
	if (spool_collect(d->spoolfd, d->spool, room, &n, &more, &denied,
	    spool_report, d, &msg) != 0) {
		log_f(LOG_ERR, "%s", msg.text);
		return;
	}
	/* Said when it starts, not every second. */
	if (denied > 0 && d->spool_denied == 0)
		log_f(LOG_ERR, "%s: %zu files we may not read; they stay "
		    "there until hostgated can read them", d->conf.audit_spool,
		    denied);
	d->spool_denied = denied;
	if (more)
		d->next_spool = now;	/* the rest in the next turn */
	for (i = 0; i < n; i++) {
		if (!peer_may_submit(d->spool[i].rec.uid,
		    d->spool[i].rec.user) || !event_ok(RECORD_T_RECORD,
		    &d->spool[i].rec)) {
			spool_report(d->spool[i].name, "not a record its "
			    "owner may submit", d);
			if (spool_set_aside(d->spoolfd, d->spool[i].name,
			    &msg) != 0)
				log_f(LOG_ERR, "%s", msg.text);
			continue;
		}
		it = &d->items[d->nitems++];
		it->c = NULL;
		it->spool = &d->spool[i];
		it->type = RECORD_T_RECORD;
		it->stored = it->refused = false;
		it->why = "refused";
		it->rec = d->spool[i].rec;
		item_prepare(d, it);
	}
}

/* --- group commit -------------------------------------------------------- */

/* Take the spool files whose records are now in the journal away. */
static void
spool_done(struct daemon *d)
{
	struct hg_msg msg = { "" };
	size_t i, n = 0;

	/* Spool items were added in order: compact them in place. */
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].spool != NULL && d->items[i].stored) {
			if (d->items[i].spool != &d->spool[n])
				d->spool[n] = *d->items[i].spool;
			n++;
		}
	if (n == 0)
		return;
	if (spool_remove(d->spoolfd, d->spool, n, &msg) != 0) {
		/* Reading them again would journal them again and again. */
		log_f(LOG_ERR, "%s; not draining the spool until restarted",
		    msg.text);
		d->spool_off = true;
	}
}

/*
 * Write the batch to the journal (one write, one fdatasync), then log each
 * record and acknowledge it.  If the journal fails nothing is
 * acknowledged: the clients are dropped (the module falls back to its
 * spool) and spool files stay for the next try.
 */
static void
commit(struct daemon *d)
{
	struct journal_batch *b = &d->batch;
	struct hg_msg msg = { "" };
	char line[8192];
	struct item *it;
	size_t i;
	int r;

	if (d->nitems == 0)
		return;
	journal_batch_begin(&d->journal, b);
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (it->refused)
			continue;
		if ((r = journal_batch_add(b, &it->rec)) == HG_ERR_TOOLONG) {
			if (it->c != NULL)
				log_f(LOG_WARNING, "peer pid %ld uid %lu: "
				    "record too long for the journal: refused",
				    (long)it->c->pid,
				    (unsigned long)it->c->uid);
			else {
				spool_report(it->spool->name, "record too long "
				    "for the journal", d);
				if (spool_set_aside(d->spoolfd, it->spool->name,
				    &msg) != 0)
					log_f(LOG_ERR, "%s", msg.text);
			}
			it->refused = true;
			continue;
		}
		if (r != 0) {
			snprintf(msg.text, sizeof(msg.text), "out of memory");
			goto fail;
		}
		it->stored = true;
	}
	if (journal_commit(&d->journal, b, &msg) != 0)
		goto fail;
	forward_notify(d->fw);
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (!it->stored)
			continue;
		record_syslog_line(&it->rec, line, sizeof(line));
		syslog(LOG_AUTHPRIV | (strcmp(it->rec.result, "deny") == 0 ?
		    LOG_NOTICE : LOG_INFO), "%s", line);
	}
	spool_done(d);
	d->last_batch = 0;
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].c != NULL) {
			client_reply(d, &d->items[i]);
			d->last_batch++;
		}
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (it->c != NULL && it->c->outlen > 0 && !it->c->drop)
			client_flush(d, it->c);
	}
	d->nitems = 0;
	return;
 fail:
	log_f(LOG_ERR, "%s: %zu records not stored, not acknowledged",
	    msg.text, d->nitems);
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].c != NULL)
			client_drop(d, d->items[i].c, NULL);
	d->nitems = 0;
}

/* --- the loop ------------------------------------------------------------ */

/* Close what was dropped, and finished clients whose replies are out. */
static void
reap(struct daemon *d)
{
	struct client *c;

	while ((c = d->reap) != NULL) {
		d->reap = c->reap_next;
		c->reaping = false;
		if (c->drop || (c->eof && c->outoff == c->outlen))
			client_free(d, c);
	}
	if (!d->listening && d->lfd != -1 && now_ms() >= d->listen_resume)
		accept_pause(d, false);
}

static void
sweep_idle(struct daemon *d, long long now)
{
	struct client *c;
	size_t n = 0;

	for (c = d->clients; c != NULL; c = c->next) {
		if (!c->drop && c->deadline <= now) {
			client_drop(d, c, NULL);
			n++;
		}
	}
	if (n > 0)
		log_f(LOG_NOTICE, "dropped %zu clients that sent no complete "
		    "frame or read no reply for %d ms", n, IDLE_TIMEOUT_MS);
}

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
	warm_refresh(&d->warm, true);
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
	long long end = now_ms() + SHUTDOWN_FLUSH_MS;
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
	commit(d);
	reap(d);
	for (;;) {
		pending = false;
		for (c = d->clients; c != NULL; c = c->next)
			if (!c->drop && c->outoff < c->outlen)
				pending = true;
		if (!pending || now_ms() >= end)
			break;
		n = epoll_wait(d->ep, ev, EVENTS_MAX, 50);
		for (i = 0; i < n; i++)
			if (ev[i].data.ptr != &d->sfd &&
			    ev[i].data.ptr != &d->lfd &&
			    (ev[i].events & EPOLLOUT) != 0)
				client_flush(d, ev[i].data.ptr);
		reap(d);
	}
	while (d->clients != NULL)
		client_free(d, d->clients);
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
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
	long long end = now_us() + GATHER_US, left;
	int n, i;

	while (!d->terminate && d->nitems > 0 &&
	    d->nitems * 4 < d->last_batch * 3 &&
	    (left = end - now_us()) > 0) {
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
	long long now = now_ms(), next_sweep = now + SWEEP_INTERVAL_MS;
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
		now = now_ms();
		if (now >= d->next_spool)
			spool_drain(d, now);
		commit(d);
		if (d->hup)
			rotate(d);
		if (now >= next_sweep) {
			sweep_idle(d, now);
			next_sweep = now + SWEEP_INTERVAL_MS;
		}
		reap(d);
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
	    (d->spool = calloc(SPOOL_BATCH_MAX, sizeof(*d->spool))) == NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "out of memory");
	if ((d->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		return hg_fail(msg, HG_ERR_INTERNAL, "epoll: %s",
		    strerror(errno));
	if ((r = setup_signals(d, msg)) != 0 ||
	    (r = watch(d, d->sfd, &d->sfd, msg)) != 0)
		return r;
	if ((r = socket_probe(d->conf.audit_socket, msg)) != 0)
		return r;
	d->warm.path = d->conf.policy;
	warm_refresh(&d->warm, true);
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
	return conf_load(conf, argc, argv, OWNER, msg);
}

/* -t: the settings and the policy, nothing else. */
static int
check_only(struct daemon *d)
{
	struct hg_policy *pol = NULL;
	struct hg_msg msg = { "" };
	size_t files, roles, rules;

	if (policy_load(d->conf.policy, OWNER, &pol, &msg) != 0) {
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
	policy_free(d->warm.pol);
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

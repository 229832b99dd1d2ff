/* hostgated's socket protocol: clients, frames in, replies out. */
#include "config.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "batch.h"
#include "client.h"
#include "decide.h"
#include "hostgated.h"
#include "now.h"
#include "record.h"

#define ACCEPT_PAUSE_MS		100	/* out of descriptors: wait */
#define CLIENT_FRAMES_MAX	1024	/* from one client per turn */
/* The most frames one receive buffer can hold (6 bytes each at least). */
#define FRAMES_PER_BUFFER	((RECORD_WIRE_MAX + 4) / 6 + 1)

/* Not root: the record's user must resolve to the peer's uid. */
bool
client_may_submit(uid_t uid, const char *user)
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
bool
client_event_ok(enum record_type type, struct hg_record *r)
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

void
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

/* A recv() or send() on C failed: drop C unless it would only block. */
static void
client_failed(struct daemon *d, struct client *c)
{
	if (errno != EAGAIN && errno != EWOULDBLOCK)
		client_drop(d, c, NULL);	/* reset, or gone */
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

void
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
client_pause(struct daemon *d, bool pause)
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
	d->listen_resume = now_mono_ms() + ACCEPT_PAUSE_MS;
}

void
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
			client_pause(d, true);
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
		c->deadline = now_mono_ms() + CLIENT_IDLE_MS;
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


/* One complete frame BUF of LEN bytes from C into the batch. */
static void
client_frame(struct daemon *d, struct client *c, const unsigned char *buf,
    size_t len)
{
	struct batch_item *it = &d->items[d->nitems];
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
	if (!client_event_ok(it->type, &it->rec)) {
		client_drop(d, c, "unknown event");
		return;
	}
	/* Who sent it is what the kernel says, never what the frame says. */
	it->rec.pid = c->pid;
	it->rec.uid = c->uid;
	c->deadline = now_mono_ms() + CLIENT_IDLE_MS;
	c->frames++;
	if (!client_may_submit(c->uid, it->rec.user)) {
		record_quote(it->rec.user, quser, sizeof(quser));
		log_f(LOG_WARNING, "peer pid %ld uid %lu may not submit a "
		    "record about user %s: refused", (long)c->pid,
		    (unsigned long)c->uid, quser);
		it->refused = true;
	} else if (it->type == RECORD_T_DECIDE &&
	    !decide_named(&d->warm, &it->rec, c->pid, c->uid)) {
		it->refused = true;
		it->why = RECORD_REASON_OTHER_POLICY;
	} else
		batch_prepare(d, it);
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

void
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
		do
			n = recv(c->fd, c->in + c->inlen, room, 0);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			client_failed(d, c);
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

void
client_flush(struct daemon *d, struct client *c)
{
	ssize_t n;

	while (!c->drop && c->outoff < c->outlen) {
		do
			n = send(c->fd, c->out + c->outoff,
			    c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			client_failed(d, c);
			break;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	client_watch(d, c);
}

void
client_reply(struct daemon *d, struct batch_item *it)
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

void
client_close_reaped(struct daemon *d)
{
	struct client *c;

	while ((c = d->reap) != NULL) {
		d->reap = c->reap_next;
		c->reaping = false;
		if (c->drop || (c->eof && c->outoff == c->outlen))
			client_free(d, c);
	}
	if (!d->listening && d->lfd != -1 &&
	    now_mono_ms() >= d->listen_resume)
		client_pause(d, false);
}

void
client_sweep(struct daemon *d, long long now)
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
		    "frame or read no reply for %d ms", n, CLIENT_IDLE_MS);
}

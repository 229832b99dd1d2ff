/*
 * hgsend: the test client and load generator for hostgated.
 *
 *   hgsend record SOCKET [KEY=VALUE...]   send one record, print the reply
 *   hgsend decide SOCKET [KEY=VALUE...]   ask for a decision, print it
 *   hgsend bad SOCKET KIND                send a malformed frame (see
 *                                         bad_frame()), print what the
 *                                         daemon did: "closed after N ms",
 *                                         "reply ..." or "open"
 *   hgsend spool DIR [KEY=VALUE...]       write a spool file exactly as the
 *                                         module does (submit_spool())
 *   hgsend idle SOCKET N SECONDS          hold N connections that send
 *                                         nothing; print how many the
 *                                         daemon closed meanwhile
 *   hgsend wait SOCKET SECONDS            until the socket accepts
 *   hgsend load SOCKET CONNS TOTAL PREFIX ACKFILE [SECONDS]
 *
 * KEY is a record field: event user service ruser rhost tty result pam
 * reason rule factors host ts duration; or policy=PATH, which puts the
 * identity of the policy PATH (policy_stamp()) in a decision request, as
 * the module does.  A record starts as a session_open
 * (a decision as an account event) by root, stamped now.  A reply prints
 * as "seq=N result=R pam=P reason=R rule=F".  Exit status: 0 stored (the
 * reply has a seq), 3 refused (a reply without one), 1 no reply.
 *
 * load sends TOTAL records (tty = PREFIX-NNNNNN, a unique id) over CONNS
 * connections, each waiting for the ack before its next record.  A record
 * whose ack does not come (the daemon died, or is not there yet) is sent
 * again on a new connection, until SECONDS (default 120) have passed: so
 * it may be stored twice when only the ack was lost.  ACKFILE gets "ID SEQ"
 * for every acknowledged record.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"
#include "record.h"
#include "submit.h"

#define REPLY_TIMEOUT_MS	5000

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
die(const char *what)
{
	fprintf(stderr, "hgsend: %s\n", what);
	exit(1);
}

static void
set_field(struct hg_record *r, const char *kv)
{
	static const struct {
		const char	*key;
		size_t		 off, size;
	} f[] = {
#define F(m)	{ #m, offsetof(struct hg_record, m), \
		    sizeof(((struct hg_record *)0)->m) }
		F(event), F(user), F(service), F(ruser), F(rhost), F(tty),
		F(result), F(pam), F(reason), F(rule), F(factors), F(host),
#undef F
	};
	const char *eq = strchr(kv, '=');
	size_t i, klen;

	if (eq == NULL)
		die("fields are KEY=VALUE");
	klen = (size_t)(eq - kv);
	if (klen == 2 && strncmp(kv, "ts", 2) == 0) {
		r->ts_ms = atoll(eq + 1);
		return;
	}
	if (klen == 8 && strncmp(kv, "duration", 8) == 0) {
		r->duration = atoll(eq + 1);
		return;
	}
	if (klen == 6 && strncmp(kv, "policy", 6) == 0) {
		policy_stamp(eq + 1, r->policy);
		return;
	}
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (strlen(f[i].key) == klen &&
		    strncmp(kv, f[i].key, klen) == 0) {
			snprintf((char *)r + f[i].off, f[i].size, "%s",
			    eq + 1);
			return;
		}
	die("unknown field");
}

static void
make_record(struct hg_record *r, const char *event, int argc, char **argv)
{
	int i;

	record_init(r);
	record_stamp(r);
	snprintf(r->event, sizeof(r->event), "%s", event);
	snprintf(r->user, sizeof(r->user), "root");
	snprintf(r->service, sizeof(r->service), "hgsend");
	for (i = 0; i < argc; i++)
		set_field(r, argv[i]);
}

static int
dial(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long");
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, (const char *)buf + done, len - done,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Wait up to MS for one reply frame into REPLY.  Returns 0 (a reply), 1
 * (the daemon closed the connection), 2 (nothing came), -1 (garbage).
 */
static int
read_reply(int fd, int ms, struct hg_record *reply)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	enum record_type type;
	long long end = now_ms() + ms;
	struct pollfd p;
	size_t have = 0;
	long need;
	ssize_t n;
	int left;

	for (;;) {
		need = record_frame_len(buf, have);
		if (need < 0)
			return -1;
		if (need > 0 && have >= (size_t)need)
			break;
		if ((left = (int)(end - now_ms())) <= 0)
			return 2;
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, left) <= 0)
			continue;
		n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 1;
		have += (size_t)n;
	}
	if (have != (size_t)need || record_decode(buf, have, &type,
	    reply) != 0 || type != RECORD_T_REPLY)
		return -1;
	return 0;
}

static void
print_reply(const struct hg_record *r)
{
	printf("seq=%lld result=%s pam=%s reason=%s rule=%s\n", r->seq,
	    r->result, r->pam, r->reason, r->rule);
}

static int
cmd_send(enum record_type type, const char *sock, int argc, char **argv)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, reply;
	int fd, n, rc;

	make_record(&r, type == RECORD_T_DECIDE ? "account" : "session_open",
	    argc, argv);
	if ((n = record_encode(type, &r, buf, sizeof(buf))) < 0)
		die("record too long");
	if ((fd = dial(sock)) == -1) {
		printf("no daemon: %s\n", strerror(errno));
		return 1;
	}
	if (send_all(fd, buf, (size_t)n) != 0) {
		printf("send failed\n");
		close(fd);
		return 1;
	}
	rc = read_reply(fd, REPLY_TIMEOUT_MS, &reply);
	close(fd);
	if (rc != 0) {
		printf("%s\n", rc == 1 ? "closed" : rc == 2 ? "timeout" :
		    "garbage");
		return 1;
	}
	print_reply(&reply);
	return reply.seq > 0 ? 0 : 3;
}

/* Replace the first FROM in BUF (LEN bytes) by TO, of the same length. */
static void
patch(unsigned char *buf, size_t len, const char *from, const char *to)
{
	unsigned char *p = memmem(buf, len, from, strlen(from));

	if (p == NULL)
		die("patch: not found");
	memcpy(p, to, strlen(from));
}

static void
set_len(unsigned char *buf, size_t total)
{
	size_t n = total - 4;

	buf[0] = (unsigned char)(n >> 24);
	buf[1] = (unsigned char)(n >> 16);
	buf[2] = (unsigned char)(n >> 8);
	buf[3] = (unsigned char)n;
}

/*
 * Build the malformed frame KIND into BUF; *LEN its length, *KEEP whether
 * to keep our side open (else we shut down writing after it).
 */
static void
bad_frame(const char *kind, unsigned char *buf, size_t size, size_t *len,
    int *keep)
{
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: hostgated\r\n"
	    "\r\n";
	struct hg_record r;
	unsigned char *p;
	int n;

	record_init(&r);
	record_stamp(&r);
	r.ts_ms = 1234567;
	snprintf(r.event, sizeof(r.event), "auth");
	snprintf(r.user, sizeof(r.user), "roXt");
	snprintf(r.service, sizeof(r.service), "sshd");
	if ((n = record_encode(RECORD_T_RECORD, &r, buf, size)) < 0)
		die("encode");
	*len = (size_t)n;
	*keep = 0;
	if (strcmp(kind, "garbage") == 0) {
		memcpy(buf, garbage, sizeof(garbage) - 1);
		*len = sizeof(garbage) - 1;
	} else if (strcmp(kind, "oversized") == 0) {
		/* 1 MiB announced; a little of it sent. */
		set_len(buf, 4 + (1 << 20));
		*keep = 1;
	} else if (strcmp(kind, "wire-max-plus-one") == 0) {
		set_len(buf, 4 + RECORD_WIRE_MAX + 1);
		*keep = 1;
	} else if (strcmp(kind, "zero-length") == 0) {
		set_len(buf, 4);
		*len = 4;
	} else if (strcmp(kind, "truncated") == 0) {
		*len -= 3;	/* and then we close */
	} else if (strcmp(kind, "partial") == 0) {
		*len -= 3;	/* and then we say nothing more */
		*keep = 1;
	} else if (strcmp(kind, "trailing") == 0) {
		memcpy(buf + *len, "xyz", 3);
		*len += 3;
		set_len(buf, *len);
	} else if (strcmp(kind, "unknown-tag") == 0) {
		memcpy(buf + *len, "\x63\x00\x01x", 4);
		*len += 4;
		set_len(buf, *len);
	} else if (strcmp(kind, "dup-tag") == 0) {
		/* The user field (header and value) once more. */
		p = memmem(buf, *len, "roXt", 4);
		memcpy(buf + *len, p - 3, 7);
		*len += 7;
		set_len(buf, *len);
	} else if (strcmp(kind, "nul") == 0) {
		patch(buf, *len, "roXt", "ro\0t");
	} else if (strcmp(kind, "bad-number") == 0) {
		patch(buf, *len, "1234567", "12x4567");
	} else if (strcmp(kind, "long-field") == 0) {
		/* The user field grown to 300 bytes: longer than its room. */
		p = memmem(buf, *len, "roXt", 4);
		memmove(p + 300, p + 4, (size_t)(buf + *len - (p + 4)));
		memset(p, 'A', 300);
		p[-2] = 300 >> 8;
		p[-1] = 300 & 0xff;
		*len += 296;
		set_len(buf, *len);
	} else if (strcmp(kind, "version") == 0) {
		buf[4] = 9;
	} else if (strcmp(kind, "reply-type") == 0) {
		buf[5] = RECORD_T_REPLY;
	} else if (strcmp(kind, "bad-type") == 0) {
		buf[5] = 77;
	} else if (strcmp(kind, "bad-event") == 0) {
		patch(buf, *len, "auth", "au;h");
	} else if (strcmp(kind, "no-event") == 0) {
		p = memmem(buf, *len, "auth", 4);
		memmove(p - 3, p + 4, (size_t)(buf + *len - (p + 4)));
		*len -= 7;
		set_len(buf, *len);
	} else if (strcmp(kind, "decide-auth") == 0) {
		buf[5] = RECORD_T_DECIDE;
	} else
		die("unknown kind");
}

static int
cmd_bad(const char *sock, const char *kind)
{
	unsigned char buf[2 * RECORD_WIRE_MAX];
	struct hg_record reply;
	long long t0;
	size_t len;
	int fd, keep, rc;

	bad_frame(kind, buf, sizeof(buf), &len, &keep);
	if ((fd = dial(sock)) == -1) {
		printf("no daemon\n");
		return 1;
	}
	t0 = now_ms();
	if (send_all(fd, buf, len) != 0) {
		printf("closed after %lld ms\n", now_ms() - t0);
		close(fd);
		return 0;
	}
	if (!keep)
		shutdown(fd, SHUT_WR);
	rc = read_reply(fd, 10000, &reply);
	if (rc == 0)
		print_reply(&reply);
	else if (rc == 1)
		printf("closed after %lld ms\n", now_ms() - t0);
	else
		printf("%s\n", rc == 2 ? "open" : "garbage");
	close(fd);
	return 0;
}

static int
cmd_spool(const char *dir, int argc, char **argv)
{
	struct hg_record r;
	struct hg_msg msg = { "" };

	make_record(&r, "session_open", argc, argv);
	if (submit_spool(dir, &r, &msg) != 0) {
		fprintf(stderr, "hgsend: %s\n", msg.text);
		return 1;
	}
	return 0;
}

static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
cmd_idle(const char *sock, int n, int secs)
{
	struct pollfd *p;
	char c;
	int i, open = 0, closed = 0;

	raise_nofile();
	if ((p = calloc((size_t)n, sizeof(*p))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		p[i].events = POLLIN;
		if ((p[i].fd = dial(sock)) != -1)
			open++;
	}
	printf("open %d\n", open);
	fflush(stdout);
	sleep((unsigned)secs);
	(void)poll(p, (nfds_t)n, 0);
	for (i = 0; i < n; i++)
		if (p[i].fd != -1 && (p[i].revents & (POLLIN | POLLHUP)) != 0 &&
		    recv(p[i].fd, &c, 1, MSG_DONTWAIT) <= 0)
			closed++;
	printf("closed %d of %d\n", closed, open);
	for (i = 0; i < n; i++)
		if (p[i].fd != -1)
			close(p[i].fd);
	free(p);
	return 0;
}

static int
cmd_wait(const char *sock, int secs)
{
	long long end = now_ms() + secs * 1000LL;
	int fd;

	while ((fd = dial(sock)) == -1) {
		if (now_ms() >= end) {
			printf("no daemon\n");
			return 1;
		}
		usleep(10000);
	}
	close(fd);
	return 0;
}

/* --- load ---------------------------------------------------------------- */

struct load {
	const char	*sock;
	const char	*prefix;
	long		 total;
	int		 conns;
	long long	 deadline;
	long long	*seq;		/* per id: the acked seq, 0 if none */
	pthread_mutex_t	 mu;
	long		 resent, reconnects;
};

struct worker {
	struct load	*l;
	int		 index;
};

static void *
load_worker(void *arg)
{
	struct worker *w = arg;
	struct load *l = w->l;
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, reply;
	long id, tries;
	int fd = -1, n;

	for (id = w->index; id < l->total; id += l->conns) {
		record_init(&r);
		record_stamp(&r);
		snprintf(r.event, sizeof(r.event), "session_open");
		snprintf(r.user, sizeof(r.user), "root");
		snprintf(r.service, sizeof(r.service), "hgload");
		snprintf(r.tty, sizeof(r.tty), "%s-%06ld", l->prefix, id);
		if ((n = record_encode(RECORD_T_RECORD, &r, buf,
		    sizeof(buf))) < 0)
			die("encode");
		for (tries = 0; l->seq[id] == 0; tries++) {
			if (now_ms() > l->deadline)
				goto out;
			if (tries > 0) {
				pthread_mutex_lock(&l->mu);
				l->resent++;
				pthread_mutex_unlock(&l->mu);
			}
			while (fd == -1 && (fd = dial(l->sock)) == -1) {
				if (now_ms() > l->deadline)
					goto out;
				usleep(5000);
			}
			if (send_all(fd, buf, (size_t)n) == 0 &&
			    read_reply(fd, REPLY_TIMEOUT_MS, &reply) == 0) {
				if (reply.seq <= 0)
					die("a load record was refused");
				l->seq[id] = reply.seq;
				continue;
			}
			close(fd);
			fd = -1;
			pthread_mutex_lock(&l->mu);
			l->reconnects++;
			pthread_mutex_unlock(&l->mu);
		}
	}
 out:
	if (fd != -1)
		close(fd);
	return NULL;
}

static int
cmd_load(const char *sock, int conns, long total, const char *prefix,
    const char *ackfile, int secs)
{
	struct worker *w;
	pthread_t *t;
	struct load l;
	long long t0 = now_ms();
	long acked = 0, id;
	FILE *f;
	int i;

	if (conns < 1 || total < 1)
		die("bad load arguments");
	memset(&l, 0, sizeof(l));
	l.sock = sock;
	l.prefix = prefix;
	l.total = total;
	l.conns = conns;
	l.deadline = t0 + secs * 1000LL;
	pthread_mutex_init(&l.mu, NULL);
	if ((l.seq = calloc((size_t)total, sizeof(*l.seq))) == NULL ||
	    (w = calloc((size_t)conns, sizeof(*w))) == NULL ||
	    (t = calloc((size_t)conns, sizeof(*t))) == NULL)
		die("out of memory");
	for (i = 0; i < conns; i++) {
		w[i].l = &l;
		w[i].index = i;
		if (pthread_create(&t[i], NULL, load_worker, &w[i]) != 0)
			die("pthread_create");
	}
	for (i = 0; i < conns; i++)
		pthread_join(t[i], NULL);
	if ((f = fopen(ackfile, "w")) == NULL)
		die("cannot write the ack file");
	for (id = 0; id < total; id++)
		if (l.seq[id] > 0) {
			fprintf(f, "%s-%06ld %lld\n", prefix, id, l.seq[id]);
			acked++;
		}
	if (fclose(f) != 0)
		die("cannot write the ack file");
	printf("acked %ld of %ld, resent %ld, reconnects %ld, %lld ms\n",
	    acked, total, l.resent, l.reconnects, now_ms() - t0);
	free(l.seq);
	free(w);
	free(t);
	return acked == total ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "record") == 0)
		return cmd_send(RECORD_T_RECORD, argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[1], "decide") == 0)
		return cmd_send(RECORD_T_DECIDE, argv[2], argc - 3, argv + 3);
	if (argc == 4 && strcmp(argv[1], "bad") == 0)
		return cmd_bad(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "spool") == 0)
		return cmd_spool(argv[2], argc - 3, argv + 3);
	if (argc == 5 && strcmp(argv[1], "idle") == 0)
		return cmd_idle(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "wait") == 0)
		return cmd_wait(argv[2], atoi(argv[3]));
	if ((argc == 7 || argc == 8) && strcmp(argv[1], "load") == 0)
		return cmd_load(argv[2], atoi(argv[3]), atol(argv[4]),
		    argv[5], argv[6], argc == 8 ? atoi(argv[7]) : 120);
	fprintf(stderr, "usage: see the comment at the top of hgsend.c\n");
	return 2;
}

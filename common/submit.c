#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "now.h"
#include "submit.h"
#include "trust.h"

/* Wait for EVENTS on FD until DEADLINE; 0, HG_ERR_TIMEOUT or HG_ERR_IO. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { fd, events, 0 };
	long long left;
	int n;

	for (;;) {
		if ((left = deadline - now_mono_ms()) <= 0)
			return HG_ERR_TIMEOUT;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return (p.revents & (POLLERR | POLLNVAL)) != 0 ?
			    HG_ERR_IO : 0;
		if (n == 0)
			return HG_ERR_TIMEOUT;
		if (errno != EINTR)
			return HG_ERR_IO;
	}
}

/*
 * Is the socket PATH's directory one that only root controls?  Otherwise
 * anyone who can write there could put their own socket in its place.
 */
static int
trusted_dir(const char *path, struct hg_msg *msg)
{
	struct hg_msg why = { "" };
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL)
		return hg_fail(msg, HG_ERR_UNTRUSTED, "%s: audit_socket must "
		    "be an absolute path; not using the helper", path);
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir))
		return hg_fail(msg, HG_ERR_IO, "%s: socket path too long",
		    path);
	memcpy(dir, path, n);
	dir[n] = '\0';
	switch (trust_check_dir(dir, 0, TRUST_PUBLIC, &why)) {
	case 0:
		return 0;
	case HG_ERR_UNTRUSTED:
		return hg_fail(msg, HG_ERR_UNTRUSTED, "%s: not using the "
		    "helper: its directory is not trusted (%s); make %s a "
		    "directory owned by root that group and others cannot "
		    "write to (chown root %s; chmod 0755 %s)", path, why.text,
		    dir, dir, dir);
	default:
		/* Missing: no helper, the usual case when it is down. */
		return hg_fail(msg, HG_ERR_IO, "%s", why.text);
	}
}

/*
 * Is the peer on FD root?  The kernel says who listens (SO_PEERCRED);
 * anyone else may have answered anything.
 */
static int
trusted_peer(int fd, const char *path, struct hg_msg *msg)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    len != sizeof(cred))
		return hg_fail(msg, HG_ERR_IO, "%s: SO_PEERCRED: %s", path,
		    strerror(errno));
	if (cred.uid != 0)
		return hg_fail(msg, HG_ERR_UNTRUSTED, "%s: not using the "
		    "helper: the process listening there (pid %ld) runs as "
		    "uid %lu, not root; stop it, remove the socket and start "
		    "hostgated as root (systemctl restart hostgated)", path,
		    (long)cred.pid, (unsigned long)cred.uid);
	return 0;
}

int
submit_send(const char *path, enum record_type type,
    const struct hg_record *r, int timeout_ms, struct hg_record *reply,
    struct hg_msg *msg)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct sockaddr_un sun;
	enum record_type rtype;
	long long deadline = now_mono_ms() + timeout_ms;
	size_t have = 0, sent = 0;
	long need;
	ssize_t n;
	int fd, len, rc;

	record_init(reply);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return hg_fail(msg, HG_ERR_IO, "%s: socket path too long",
		    path);
	strcpy(sun.sun_path, path);
	if ((len = record_encode(type, r, buf, sizeof(buf))) < 0)
		return hg_fail(msg, HG_ERR_IO, "record too large to send");
	if ((rc = trusted_dir(path, msg)) != 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return hg_fail(msg, HG_ERR_IO, "socket: %s", strerror(errno));
	/*
	 * A Unix socket connects at once or not at all (EAGAIN: its queue
	 * is full), so that the peer is known before anything is sent.
	 */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		rc = hg_fail(msg, HG_ERR_IO, "%s: connect: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((rc = trusted_peer(fd, path, msg)) != 0)
		goto out;
	while (sent < (size_t)len) {
		if ((rc = wait_fd(fd, POLLOUT, deadline)) != 0)
			goto fail;
		n = send(fd, buf + sent, (size_t)len - sent, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1) {
			rc = HG_ERR_IO;
			goto fail;
		}
		sent += (size_t)n;
	}
	/* Read exactly one reply frame. */
	for (;;) {
		need = record_frame_len(buf, have);
		if (need < 0) {
			rc = HG_ERR_IO;
			goto fail;
		}
		if (need > 0 && have >= (size_t)need)
			break;
		if ((rc = wait_fd(fd, POLLIN, deadline)) != 0)
			goto fail;
		n = recv(fd, buf + have, sizeof(buf) - have, 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			rc = HG_ERR_IO;
			goto fail;
		}
		have += (size_t)n;
	}
	if (have != (size_t)need ||
	    record_decode(buf, have, &rtype, reply) != 0 ||
	    rtype != RECORD_T_REPLY) {
		rc = hg_fail(msg, HG_ERR_IO, "%s: a malformed reply", path);
		goto out;
	}
	if (reply->seq <= 0 && type == RECORD_T_DECIDE &&
	    strcmp(reply->reason, RECORD_REASON_OTHER_POLICY) == 0) {
		rc = hg_fail(msg, HG_ERR_POLICY, "%s: the helper does not hold "
		    "the policy named in the request", path);
		goto out;
	}
	if (reply->seq <= 0) {
		/* A reply without a seq: the helper refused the record. */
		rc = hg_fail(msg, HG_ERR_IO, "%s: the helper refused the "
		    "record%s%s", path, reply->reason[0] ? ": " : "",
		    reply->reason);
		goto out;
	}
	rc = 0;
	goto out;
 fail:
	hg_fail(msg, rc, "%s: %s", path, rc == HG_ERR_TIMEOUT ?
	    "the helper did not answer in time" : "the helper hung up");
 out:
	close(fd);
	return rc;
}

int
submit_spool(const char *dir, const struct hg_record *r, struct hg_msg *msg)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	char name[96], tmp[100];
	int dfd, fd = -1, len, rc = HG_ERR_IO;
	size_t off = 0;
	ssize_t n;

	if ((len = record_encode(RECORD_T_RECORD, r, buf, sizeof(buf))) < 0)
		return hg_fail(msg, HG_ERR_TOOLONG, "record too large to "
		    "spool");
	/*
	 * Where others can write, records could be planted or removed.  The
	 * writer owns it: root for the module; hostgated vets spool files by
	 * their owner anyway.
	 */
	if ((rc = trust_open_dir(dir, geteuid(), TRUST_PUBLIC, &dfd,
	    msg)) != 0)
		return rc;
	rc = HG_ERR_IO;
	/*
	 * Names sort by time; records of one login stamped in the same
	 * millisecond keep their order by the monotonic clock.
	 */
	snprintf(name, sizeof(name), "%013lld-%ld-%020lld%08x.rec", r->ts_ms,
	    (long)getpid(), now_mono_ns(), randombytes_random());
	/* Written under a name hostgated ignores, then renamed whole. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd == -1) {
		hg_fail(msg, HG_ERR_IO, "%s/%s: %s", dir, tmp,
		    strerror(errno));
		goto out;
	}
	while (off < (size_t)len) {
		n = write(fd, buf + off, (size_t)len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (off != (size_t)len || fsync(fd) != 0 ||
	    renameat(dfd, tmp, dfd, name) != 0 || fsync(dfd) != 0) {
		hg_fail(msg, HG_ERR_IO, "%s/%s: %s", dir, name,
		    off != (size_t)len ? "short write (disk full?)" :
		    strerror(errno));
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	rc = 0;
 out:
	if (fd != -1)
		close(fd);
	close(dfd);
	return rc;
}

int
submit_helper(struct submit_ctx *c, enum record_type type,
    const struct hg_record *r, struct hg_record *reply)
{
	struct hg_msg msg = { "" };
	int err;

	if (c->down)
		return HG_ERR_IO;
	err = submit_send(c->conf->audit_socket, type, r, SUBMIT_TIMEOUT_MS,
	    reply, &msg);
	if (err == 0 || err == HG_ERR_POLICY)
		return err;
	if (err == HG_ERR_UNTRUSTED)
		hg_logf(&c->log, LOG_ERR, __func__, "%s", msg.text);
	else if (c->conf->debug)
		hg_logf(&c->log, LOG_DEBUG, __func__, "%s", msg.text);
	c->down = true;
	return HG_ERR_IO;
}

int
submit_record(struct submit_ctx *c, const struct hg_record *r)
{
	struct hg_record reply;
	struct hg_msg msg = { "" };
	char line[2048];

	if (submit_helper(c, RECORD_T_RECORD, r, &reply) == 0)
		return 0;
	record_syslog_line(r, line, sizeof(line));
	hg_logf(&c->log, strcmp(r->result, "deny") == 0 ? LOG_NOTICE : LOG_INFO,
	    NULL, "%s", line);
	if (submit_spool(c->conf->audit_spool, r, &msg) != 0) {
		hg_logf(&c->log, LOG_ERR, __func__, "audit record not stored: %s",
		    msg.text);
		return c->conf->audit == CONF_AUDIT_REQUIRED ? HG_ERR_IO : 0;
	}
	return 0;
}

/* The audit journal: hash-chained lines, group-committed (journal.h). */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "trust.h"

/* A partial last line and the complete line before it fit in this. */
#define TAIL_WINDOW	(2 * (RECORD_LINE_MAX + 1) + 1)
#define ANCHOR_MAX	256

static int
pread_all(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;
	size_t done = 0;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done,
		    off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* fsync the directory PATH lives in, so that a new name is durable. */
static int
sync_dir_of(const char *path)
{
	char copy[PATH_MAX];
	int fd, r;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -1;
	if ((fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/*
 * The head of the journal open on FD: cut back a partial last line (after
 * skipping the zero-filled tail a crash can leave), then check the last
 * complete line.  *EMPTY when no complete line is left.  The file is
 * changed only when the last line checks out.
 */
static int
recover(int fd, const char *path, long long *seq, char *hash, off_t *cut,
    bool *empty, struct hg_msg *msg)
{
	struct hg_msg why = { "" };
	struct stat st;
	char *win = NULL, *nl, *line;
	off_t end, start, good;
	size_t wlen, i;
	int r;

	*cut = 0;
	*empty = true;
	if (fstat(fd, &st) != 0)
		return hg_fail(msg, HG_ERR_IO, "%s: %s", path,
		    strerror(errno));
	if ((win = malloc(TAIL_WINDOW > 65536 ? TAIL_WINDOW : 65536)) ==
	    NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "out of memory");
	end = st.st_size;
	while (end > 0) {
		wlen = end > 65536 ? 65536 : (size_t)end;
		if (pread_all(fd, win, wlen, end - (off_t)wlen) != 0) {
			r = hg_fail(msg, HG_ERR_IO, "%s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		for (i = wlen; i > 0 && win[i - 1] == '\0'; i--)
			;
		end -= (off_t)(wlen - i);
		if (i > 0)
			break;
	}
	wlen = end > TAIL_WINDOW ? TAIL_WINDOW : (size_t)end;
	start = end - (off_t)wlen;
	if (wlen > 0 && pread_all(fd, win, wlen, start) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: read: %s", path,
		    strerror(errno));
		goto out;
	}
	nl = wlen > 0 ? memrchr(win, '\n', wlen) : NULL;
	if (nl == NULL && start > 0) {
		r = hg_fail(msg, HG_ERR_STATE, "%s: ends in more than %d "
		    "bytes that are not a record", path, TAIL_WINDOW);
		goto out;
	}
	good = nl == NULL ? 0 : start + (nl - win) + 1;
	if (end - good > RECORD_LINE_MAX + 1) {
		r = hg_fail(msg, HG_ERR_STATE, "%s: ends in %jd bytes that "
		    "are not a record", path, (intmax_t)(end - good));
		goto out;
	}
	if (good > 0) {
		/* The line before the last newline, wholly in the window. */
		line = memrchr(win, '\n', (size_t)(nl - win));
		line = line == NULL ? win : line + 1;
		if (line == win && start > 0) {
			r = hg_fail(msg, HG_ERR_STATE, "%s: the last record "
			    "is longer than %d bytes", path, RECORD_LINE_MAX);
			goto out;
		}
		if (record_check_line(line, (size_t)(nl - line), NULL, seq,
		    hash, &why) != 0) {
			r = hg_fail(msg, HG_ERR_STATE, "%s: the last record "
			    "is damaged: %s", path, why.text);
			goto out;
		}
		*empty = false;
	}
	if (good < st.st_size) {
		if (ftruncate(fd, good) != 0 || fsync(fd) != 0) {
			r = hg_fail(msg, HG_ERR_IO, "%s: truncate: %s", path,
			    strerror(errno));
			goto out;
		}
		*cut = st.st_size - good;
	}
	r = 0;
 out:
	free(win);
	return r;
}

/* Parse BUF, LEN bytes and a NUL, as journal_save_anchor() writes it. */
static bool
parse_anchor(const char *buf, size_t len, long long *seq, char *hash)
{
	char h[RECORD_HASH_HEX + 1];
	long long s;
	int n;

	if (sscanf(buf, "%lld %64[0-9a-f]%n", &s, h, &n) != 2 || s < 0 ||
	    strlen(h) != RECORD_HASH_HEX || (size_t)n + 1 != len ||
	    buf[n] != '\n')
		return false;
	*seq = s;
	memcpy(hash, h, sizeof(h));
	return true;
}

bool
journal_anchor_ok(const char *text, size_t len)
{
	char hash[RECORD_HASH_HEX + 1];
	long long seq;

	return memchr(text, '\0', len) == NULL &&
	    parse_anchor(text, len, &seq, hash);
}

/* The head saved by journal_save_anchor(): "SEQ HASH\n". */
static int
load_anchor(const char *anchor, long long *seq, char *hash,
    struct hg_msg *msg)
{
	char *buf = NULL;
	size_t len;
	int r;

	r = trust_read(anchor, TRUST_PUBLIC, geteuid(), ANCHOR_MAX, &buf,
	    &len, msg);
	if (r == HG_ERR_NOENT)
		return 0;
	if (r != 0)
		return r;
	r = parse_anchor(buf, len, seq, hash) ? 0 :
	    hg_fail(msg, HG_ERR_STATE, "%s: malformed", anchor);
	free(buf);
	return r;
}

/* Open PATH for appending, trusted and locked; *FD on success. */
static int
open_file(const char *path, int *fdp, struct stat *st, struct hg_msg *msg)
{
	int fd, r;

	*fdp = -1;
	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
	    JOURNAL_MODE);
	if (fd == -1)
		return hg_fail(msg, errno == ELOOP ? HG_ERR_UNTRUSTED :
		    HG_ERR_IO, "%s: %s", path, strerror(errno));
	if ((r = trust_check_fd(fd, path, TRUST_PUBLIC, geteuid(), msg)) != 0)
		goto fail;
	if (fstat(fd, st) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: %s", path, strerror(errno));
		goto fail;
	}
	*fdp = fd;
	return 0;
 fail:
	close(fd);
	return r;
}

static int
lock_file(int fd, const char *path, struct hg_msg *msg)
{
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		return hg_fail(msg, HG_ERR_IO, "%s: %s", path,
		    errno == EWOULDBLOCK ? "in use by another process "
		    "(another hostgated?)" : strerror(errno));
	return 0;
}

int
journal_open(struct journal *j, const char *path, const char *anchor,
    struct hg_msg *msg)
{
	struct stat st;
	bool empty;
	int fd = -1, r;

	memset(j, 0, sizeof(*j));
	j->fd = -1;
	memcpy(j->hash, record_genesis, sizeof(j->hash));
	if ((j->path = strdup(path)) == NULL ||
	    (anchor != NULL && (j->anchor = strdup(anchor)) == NULL)) {
		r = hg_fail(msg, HG_ERR_NOMEM, "out of memory");
		goto fail;
	}
	if ((r = open_file(path, &fd, &st, msg)) != 0 ||
	    (r = lock_file(fd, path, msg)) != 0 ||
	    (r = recover(fd, path, &j->seq, j->hash, &j->cut, &empty,
	    msg)) != 0)
		goto fail;
	if (empty && anchor != NULL &&
	    (r = load_anchor(anchor, &j->seq, j->hash, msg)) != 0)
		goto fail;
	if (sync_dir_of(path) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: sync directory: %s", path,
		    strerror(errno));
		goto fail;
	}
	j->fd = fd;
	j->dev = st.st_dev;
	j->ino = st.st_ino;
	return 0;
 fail:
	if (fd != -1)
		close(fd);
	journal_close(j);
	return r;
}

int
journal_reopen(struct journal *j, bool *foreign, struct hg_msg *msg)
{
	char hash[RECORD_HASH_HEX + 1];
	struct stat st;
	long long seq = 0;
	off_t cut;
	bool empty;
	int fd = -1, r;

	*foreign = false;
	if ((r = open_file(j->path, &fd, &st, msg)) != 0)
		return r;
	if (st.st_dev == j->dev && st.st_ino == j->ino) {
		/* Not rotated: keep the descriptor (and lock) we have. */
		close(fd);
		return journal_save_anchor(j, msg);
	}
	if ((r = lock_file(fd, j->path, msg)) != 0 ||
	    (r = recover(fd, j->path, &seq, hash, &cut, &empty, msg)) != 0 ||
	    (sync_dir_of(j->path) != 0 && (r = hg_fail(msg, HG_ERR_IO,
	    "%s: sync directory: %s", j->path, strerror(errno))) != 0)) {
		close(fd);
		return r;
	}
	if (!empty && (seq != j->seq || strcmp(hash, j->hash) != 0))
		*foreign = true;
	close(j->fd);
	j->fd = fd;
	j->dev = st.st_dev;
	j->ino = st.st_ino;
	return journal_save_anchor(j, msg);
}

int
journal_save_anchor(const struct journal *j, struct hg_msg *msg)
{
	char buf[ANCHOR_MAX];
	int n;

	if (j->anchor == NULL)
		return 0;
	n = snprintf(buf, sizeof(buf), "%lld %s\n", j->seq, j->hash);
	return trust_replace(j->anchor, buf, (size_t)n, 0600, msg);
}

void
journal_close(struct journal *j)
{
	if (j->fd != -1)
		close(j->fd);
	free(j->path);
	free(j->anchor);
	j->fd = -1;
	j->path = j->anchor = NULL;
}

void
journal_batch_begin(const struct journal *j, struct journal_batch *b)
{
	b->len = 0;
	b->n = 0;
	b->seq = j->seq;
	memcpy(b->hash, j->hash, sizeof(b->hash));
}

int
journal_batch_add(struct journal_batch *b, struct hg_record *r)
{
	/* A line, its newline and record_json()'s NUL. */
	const size_t room = RECORD_LINE_MAX + 2;
	char hash[RECORD_HASH_HEX + 1];
	long long saved = r->seq;
	size_t cap;
	char *p;
	int n;

	if (b->cap - b->len < room) {
		cap = b->cap < 65536 ? 65536 : b->cap * 2;
		if ((p = realloc(b->buf, cap)) == NULL)
			return HG_ERR_NOMEM;
		b->buf = p;
		b->cap = cap;
	}
	r->seq = b->seq + 1;
	if ((n = record_json(r, b->hash, b->buf + b->len, room, hash)) < 0) {
		r->seq = saved;
		return HG_ERR_TOOLONG;
	}
	b->len += (size_t)n;
	b->n++;
	b->seq = r->seq;
	memcpy(b->hash, hash, sizeof(hash));
	return 0;
}

int
journal_commit(struct journal *j, const struct journal_batch *b,
    struct hg_msg *msg)
{
	struct stat st;
	size_t done = 0;
	ssize_t n = 1;
	int e;

	if (b->n == 0)
		return 0;
	if (fstat(j->fd, &st) != 0)
		return hg_fail(msg, HG_ERR_IO, "%s: %s", j->path,
		    strerror(errno));
	while (done < b->len) {
		n = write(j->fd, b->buf + done, b->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	if (fdatasync(j->fd) != 0)
		goto fail;
	j->seq = b->seq;
	memcpy(j->hash, b->hash, sizeof(j->hash));
	return 0;
 fail:
	e = n == 0 ? ENOSPC : errno;
	/* Take back what may have landed: those records were never acked. */
	if (ftruncate(j->fd, st.st_size) == 0)
		(void)fdatasync(j->fd);
	return hg_fail(msg, HG_ERR_IO, "%s: %s", j->path, strerror(e));
}

void
journal_batch_free(struct journal_batch *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = b->n = 0;
}

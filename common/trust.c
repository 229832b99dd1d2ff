#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "trust.h"

int
trust_check_fd(int fd, const char *path, enum trust_level level, uid_t owner,
    struct hg_msg *msg)
{
	struct stat st;
	mode_t forbidden;

	if (fstat(fd, &st) != 0)
		return hg_fail(msg, HG_ERR_IO, "%s: fstat: %s", path,
		    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return hg_fail(msg, HG_ERR_UNTRUSTED,
		    "%s: not a regular file", path);
	if (st.st_uid != owner)
		return hg_fail(msg, HG_ERR_UNTRUSTED,
		    "%s: owned by uid %lu, must be owned by uid %lu", path,
		    (unsigned long)st.st_uid, (unsigned long)owner);
	forbidden = level == TRUST_SECRET ? (S_IRWXG | S_IRWXO) :
	    (S_IWGRP | S_IWOTH);
	if ((st.st_mode & forbidden) != 0)
		return hg_fail(msg, HG_ERR_UNTRUSTED,
		    "%s: mode %04o is too open, must not exceed %04o", path,
		    (unsigned)(st.st_mode & 07777),
		    (unsigned)(0777 & ~forbidden));
	return 0;
}

int
trust_read_fd(int fd, const char *path, size_t max, char **bufp,
    size_t *lenp, struct hg_msg *msg)
{
	char *buf;
	size_t len = 0;
	ssize_t n;
	int r;

	*bufp = NULL;
	*lenp = 0;
	if ((buf = malloc(max + 1)) == NULL)
		return hg_fail(msg, HG_ERR_NOMEM, "%s: out of memory", path);
	/* Read one byte past MAX so that an oversized file is detected. */
	while (len <= max) {
		n = read(fd, buf + len, max + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = hg_fail(msg, HG_ERR_IO, "%s: read: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > max) {
		r = hg_fail(msg, HG_ERR_TOOLONG,
		    "%s: larger than %zu bytes", path, max);
		goto out;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	r = 0;
 out:
	if (buf != NULL) {
		sodium_memzero(buf, len);	/* only what was read */
		free(buf);
	}
	return r;
}

int
trust_read(const char *path, enum trust_level level, uid_t owner,
    size_t max, char **bufp, size_t *lenp, struct hg_msg *msg)
{
	int fd, r;

	*bufp = NULL;
	*lenp = 0;
	/* O_NONBLOCK: a FIFO planted in place of the file must not hang us. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return hg_fail(msg, HG_ERR_NOENT, "%s: no such file",
			    path);
		if (errno == ELOOP)
			return hg_fail(msg, HG_ERR_UNTRUSTED,
			    "%s: is a symbolic link", path);
		return hg_fail(msg, HG_ERR_IO, "%s: open: %s", path,
		    strerror(errno));
	}
	if ((r = trust_check_fd(fd, path, level, owner, msg)) == 0)
		r = trust_read_fd(fd, path, max, bufp, lenp, msg);
	close(fd);
	return r;
}

int
trust_check_dir(const char *path, uid_t owner, enum trust_level level,
    struct hg_msg *msg)
{
	int fd, r;

	if ((r = trust_open_dir(path, owner, level, &fd, msg)) == 0)
		close(fd);
	return r;
}

int
trust_open_dir(const char *path, uid_t owner, enum trust_level level,
    int *fdp, struct hg_msg *msg)
{
	mode_t forbidden = level == TRUST_SECRET ? (S_IRWXG | S_IRWXO) :
	    (S_IWGRP | S_IWOTH);
	struct stat st;
	int fd, r;

	*fdp = -1;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return hg_fail(msg, HG_ERR_NOENT,
			    "%s: no such directory", path);
		if (errno == ELOOP || errno == ENOTDIR)
			return hg_fail(msg, HG_ERR_UNTRUSTED,
			    "%s: not a directory (or a symbolic link)", path);
		return hg_fail(msg, HG_ERR_IO, "%s: open: %s", path,
		    strerror(errno));
	}
	r = 0;
	if (fstat(fd, &st) != 0)
		r = hg_fail(msg, HG_ERR_IO, "%s: fstat: %s", path,
		    strerror(errno));
	else if (st.st_uid != owner)
		r = hg_fail(msg, HG_ERR_UNTRUSTED,
		    "%s: owned by uid %lu, must be owned by uid %lu", path,
		    (unsigned long)st.st_uid, (unsigned long)owner);
	else if ((st.st_mode & forbidden) != 0)
		r = hg_fail(msg, HG_ERR_UNTRUSTED,
		    "%s: directory mode %04o lets others %s it", path,
		    (unsigned)(st.st_mode & 07777),
		    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ? "write to" :
		    "read");
	if (r != 0)
		close(fd);
	else
		*fdp = fd;
	return r;
}

bool
trust_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > TRUST_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (name[i] == '/' || (unsigned char)name[i] <= 0x20 ||
		    (unsigned char)name[i] >= 0x7f)
			return false;
	return !((n >= 5 && strcmp(name + n - 5, ".lock") == 0) ||
	    (n >= 4 && strcmp(name + n - 4, ".new") == 0));
}

/* fsync the directory holding PATH, so that a rename in it is durable. */
static int
sync_parent(const char *path, struct hg_msg *msg)
{
	char copy[PATH_MAX];
	int fd, r = 0;

	if (strlen(path) >= sizeof(copy))
		return hg_fail(msg, HG_ERR_TOOLONG, "%s: path too long", path);
	strcpy(copy, path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) != 0)
		r = hg_fail(msg, HG_ERR_IO, "%s: syncing directory: %s", path,
		    strerror(errno));
	if (fd != -1)
		close(fd);
	return r;
}

int
trust_replace(const char *path, const void *data, size_t len, mode_t mode,
    struct hg_msg *msg)
{
	char tmp[PATH_MAX];
	const char *p = data;
	ssize_t n;
	int fd, r;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return hg_fail(msg, HG_ERR_TOOLONG, "%s: path too long", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1)
		return hg_fail(msg, HG_ERR_IO, "%s: create: %s", tmp,
		    strerror(errno));
	/* An earlier crash may have left the file with another mode. */
	if (fchmod(fd, mode) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: chmod: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = hg_fail(msg, HG_ERR_IO, "%s: write: %s", tmp,
			    strerror(errno));
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: fsync: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		r = hg_fail(msg, HG_ERR_IO, "%s: close: %s", tmp,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		r = hg_fail(msg, HG_ERR_IO, "%s: rename: %s", path,
		    strerror(errno));
		goto fail;
	}
	return sync_parent(path, msg);
 fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return r;
}

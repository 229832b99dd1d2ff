/* The audit spool as hostgated reads it (spool.h). */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

int
spool_open(const char *path, int *dirfd, struct hg_msg *msg)
{
	*dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*dirfd == -1)
		return hg_fail(msg, errno == ENOENT ? HG_ERR_NOENT : HG_ERR_IO,
		    "%s: %s", path, strerror(errno));
	return 0;
}

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "<13 digits>-<pid>-<alnum>.rec"; *PID from it. */
static bool
parse_name(const char *name, long long *pid)
{
	const char *p = name;
	size_t i;

	for (i = 0; i < 13; i++)
		if (!isdigit((unsigned char)*p++))
			return false;
	if (*p++ != '-' || !isdigit((unsigned char)*p))
		return false;
	*pid = 0;
	for (i = 0; isdigit((unsigned char)*p); i++, p++) {
		if (i >= 10)
			return false;
		*pid = *pid * 10 + (*p - '0');
	}
	if (*pid < 1 || *pid > INT_MAX || *p++ != '-' ||
	    !isalnum((unsigned char)*p))
		return false;
	while (isalnum((unsigned char)*p))
		p++;
	return strcmp(p, SPOOL_SUFFIX) == 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_set_aside(int dirfd, const char *name, struct hg_msg *msg)
{
	char bad[NAME_MAX + 1];

	if (snprintf(bad, sizeof(bad), "%s%s", name, SPOOL_BAD_SUFFIX) >=
	    (int)sizeof(bad) ||
	    renameat(dirfd, name, dirfd, bad) != 0 || fsync(dirfd) != 0)
		return hg_fail(msg, HG_ERR_IO, "%s: cannot set aside: %s",
		    name, strerror(errno));
	return 0;
}

/*
 * Read NAME into F.  Returns 0, 1 (malformed: *WHY says how, *YOUNG
 * whether its writer may still be at it), -1 (gone: skip it) or -2 (we may
 * not read it: leave it).
 */
static int
read_file(int dirfd, const char *name, struct spool_file *f,
    const char **why, bool *young)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	enum record_type type;
	struct stat st;
	long long pid;
	size_t done = 0;
	ssize_t n;
	int fd, r = 1;

	*young = false;
	if (strlen(name) >= sizeof(f->name) || !parse_name(name, &pid)) {
		*why = "not a spool file name";
		return 1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT)
			return -1;
		if (errno == EACCES || errno == EPERM)
			return -2;
		*why = errno == ELOOP ? "a symbolic link" : strerror(errno);
		return 1;
	}
	if (fstat(fd, &st) != 0) {
		*why = strerror(errno);
		goto out;
	}
	*young = time(NULL) - st.st_mtime < SPOOL_GRACE_S;
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		*young = false;
		goto out;
	}
	if (st.st_nlink != 1) {
		*why = "has other links";
		*young = false;
		goto out;
	}
	if (st.st_size > (off_t)sizeof(buf)) {
		*why = "larger than a frame";
		goto out;
	}
	while (done < (size_t)st.st_size) {
		n = read(fd, buf + done, (size_t)st.st_size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	if (done != (size_t)st.st_size ||
	    record_decode(buf, done, &type, &f->rec) != 0 ||
	    type != RECORD_T_RECORD) {
		*why = "not exactly one record frame";
		goto out;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->rec.pid = pid;
	f->rec.uid = st.st_uid;
	r = 0;
 out:
	close(fd);
	return r;
}

int
spool_collect(int dirfd, struct spool_file *v, size_t max, size_t *n,
    int *more, size_t *denied, spool_report_fn report, void *arg,
    struct hg_msg *msg)
{
	struct hg_msg why_aside;
	struct dirent *e;
	const char *why;
	char **names = NULL, **p;
	size_t count = 0, cap = 0, i;
	bool young;
	DIR *d = NULL;
	int fd, r;

	*n = 0;
	*more = 0;
	*denied = 0;
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (d = fdopendir(fd)) == NULL) {
		r = hg_fail(msg, HG_ERR_IO, "spool: %s", strerror(errno));
		if (fd != -1)
			close(fd);
		return r;
	}
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (!has_suffix(e->d_name, SPOOL_SUFFIX))
			continue;
		if (count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((p = reallocarray(names, cap, sizeof(*p))) ==
			    NULL) {
				r = hg_fail(msg, HG_ERR_NOMEM, "out of memory");
				goto out;
			}
			names = p;
		}
		if ((names[count] = strdup(e->d_name)) == NULL) {
			r = hg_fail(msg, HG_ERR_NOMEM, "out of memory");
			goto out;
		}
		count++;
	}
	if (errno != 0) {
		r = hg_fail(msg, HG_ERR_IO, "spool: %s", strerror(errno));
		goto out;
	}
	if (count > 0)
		qsort(names, count, sizeof(*names), cmp_names);
	for (i = 0; i < count; i++) {
		if (*n == max) {
			*more = 1;
			break;
		}
		r = read_file(dirfd, names[i], &v[*n], &why, &young);
		if (r == 0)
			(*n)++;
		else if (r == -2)
			(*denied)++;
		else if (r == 1 && !young) {
			why_aside.text[0] = '\0';
			if (spool_set_aside(dirfd, names[i], &why_aside) != 0)
				why = why_aside.text;
			report(names[i], why, arg);
		}
	}
	r = 0;
 out:
	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return r;
}

int
spool_remove(int dirfd, const struct spool_file *v, size_t n,
    struct hg_msg *msg)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (unlinkat(dirfd, v[i].name, 0) != 0 && errno != ENOENT)
			return hg_fail(msg, HG_ERR_IO, "spool: %s: %s",
			    v[i].name, strerror(errno));
	if (n > 0 && fsync(dirfd) != 0)
		return hg_fail(msg, HG_ERR_IO, "spool: sync: %s",
		    strerror(errno));
	return 0;
}

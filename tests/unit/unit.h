/*
 * Shared helpers for the Check unit suites: each suite defines suite(),
 * and this main() runs it and exits non-zero on any failure.
 *
 * Suites that touch the file system add unit_base_setup() and
 * unit_base_teardown() as an unchecked fixture: they run in the parent
 * process, once per test case, so the scratch tree under /tmp is removed
 * even when a test fails or crashes.  Each test makes its own directory
 * inside it with unit_dir().
 */
#ifndef HG_UNIT_H
#define HG_UNIT_H

#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sodium.h>

#define UNIT_UNUSED	__attribute__((unused))

static Suite *suite(void);

static char unit_base[PATH_MAX];

static UNIT_UNUSED void
unit_base_setup(void)
{
	snprintf(unit_base, sizeof(unit_base), "/tmp/hg-unit-XXXXXX");
	ck_assert_msg(mkdtemp(unit_base) != NULL, "mkdtemp failed");
}

/* Remove PATH and all it holds; symbolic links are not followed. */
static UNIT_UNUSED void
unit_rm(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlink(path);
		return;
	}
	/* A test may have left the directory read-only. */
	(void)chmod(path, 0700);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
			    de->d_name) < sizeof(sub))
				unit_rm(sub);
		}
		closedir(d);
	}
	(void)rmdir(path);
}

static UNIT_UNUSED void
unit_base_teardown(void)
{
	if (unit_base[0] == '\0')
		return;
	unit_rm(unit_base);
	unit_base[0] = '\0';
}

/* Make a fresh 0700 directory for one test under the scratch tree. */
static UNIT_UNUSED void
unit_dir(char *buf, size_t size)
{
	ck_assert_msg(unit_base[0] != '\0', "no scratch directory");
	ck_assert((size_t)snprintf(buf, size, "%s/t-XXXXXX", unit_base) <
	    size);
	ck_assert_msg(mkdtemp(buf) != NULL, "mkdtemp failed");
}

/* BUF = DIR/NAME. */
static UNIT_UNUSED void
unit_path(char *buf, size_t size, const char *dir, const char *name)
{
	ck_assert((size_t)snprintf(buf, size, "%s/%s", dir, name) < size);
}

/* Create PATH (it must not exist) with LEN bytes of DATA and mode MODE. */
static UNIT_UNUSED void
unit_write(const char *path, const void *data, size_t len, mode_t mode)
{
	const char *p = data;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	ck_assert_msg(fd != -1, "cannot create %s", path);
	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_msg(n > 0, "cannot write %s", path);
		p += n;
		len -= (size_t)n;
	}
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

/* Write a NUL-terminated string to a new file. */
static UNIT_UNUSED void
unit_write_str(const char *path, const char *text, mode_t mode)
{
	unit_write(path, text, strlen(text), mode);
}

/* Read all of PATH into a new NUL-terminated buffer. */
static UNIT_UNUSED char *
unit_read(const char *path, size_t *lenp)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "cannot open %s", path);
	for (;;) {
		if (cap - len < 4096) {
			cap += 65536;
			buf = realloc(buf, cap + 1);
			ck_assert(buf != NULL);
		}
		n = read(fd, buf + len, cap - len);
		ck_assert_msg(n >= 0, "cannot read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Whether PATH exists (without following a final symlink). */
static UNIT_UNUSED int
unit_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int
main(void)
{
	SRunner *sr;
	int failed;

	if (sodium_init() < 0)
		return 99;
	sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif /* HG_UNIT_H */

/*
 * Files are trusted by descriptor: opened without following a final symlink,
 * then checked with fstat for type, owner and mode, so that a check and the
 * use that follows it see the same file.
 */
#ifndef HG_TRUST_H
#define HG_TRUST_H

#include <sys/types.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* How much a file must be protected. */
enum trust_level {
	TRUST_PUBLIC,	/* settings, policy: not writable by group/other */
	TRUST_SECRET,	/* seeds, key, state: no group/other access at all */
};

/* The largest file trust_read() accepts. */
#define TRUST_MAX_FILE	(1024 * 1024)

/*
 * Check an open descriptor: a regular file owned by OWNER with the mode
 * LEVEL demands.  PATH only names the file in the diagnostic.
 * Returns 0 or HG_ERR_UNTRUSTED.
 */
int trust_check_fd(int fd, const char *path, enum trust_level level,
    uid_t owner, struct hg_msg *msg);

/*
 * Read all of the trusted file PATH (at most MAX bytes) into a new buffer,
 * NUL-terminated; *LEN excludes the terminator.  The caller wipes and frees
 * it.  Returns 0, HG_ERR_NOENT, HG_ERR_IO, HG_ERR_UNTRUSTED, HG_ERR_TOOLONG
 * or HG_ERR_NOMEM.
 */
int trust_read(const char *path, enum trust_level level, uid_t owner,
    size_t max, char **buf, size_t *len, struct hg_msg *msg);

/*
 * Read all of the open descriptor FD (at most MAX bytes) into a new
 * buffer, NUL-terminated; *LEN excludes the terminator.  It checks
 * nothing about the file: trust_read() does, and callers whose files are
 * not root's make their own checks first.  PATH only names the file in the
 * diagnostic.  The caller wipes and frees the buffer.  Returns 0,
 * HG_ERR_IO, HG_ERR_TOOLONG or HG_ERR_NOMEM.
 */
int trust_read_fd(int fd, const char *path, size_t max, char **buf,
    size_t *len, struct hg_msg *msg);

/*
 * Check that the directory PATH is a directory owned by OWNER that no one
 * else can write to (TRUST_PUBLIC) or even read (TRUST_SECRET: state and
 * seeds, whose names alone tell who is enrolled).  Returns 0, HG_ERR_NOENT,
 * HG_ERR_IO or HG_ERR_UNTRUSTED.
 */
int trust_check_dir(const char *path, uid_t owner, enum trust_level level,
    struct hg_msg *msg);

/*
 * trust_check_dir(), keeping the checked directory open in *FD (-1 on
 * error) for use by descriptor, so that what was checked is what is used.
 */
int trust_open_dir(const char *path, uid_t owner, enum trust_level level,
    int *fd, struct hg_msg *msg);

/* The longest user name hostgate uses as a file name. */
#define TRUST_NAME_MAX	256

/*
 * Whether NAME (a user name) is safe as a file name in hostgate's
 * directories: printable ASCII without blanks or '/', not starting with
 * '.' or '-', at most TRUST_NAME_MAX bytes, and not ending in ".lock" or
 * ".new", which would collide with another user's lock or temporary file.
 */
bool trust_name_ok(const char *name);

/*
 * Replace PATH atomically with LEN bytes of DATA and mode MODE: write a
 * sibling temporary file, fsync it, rename it over PATH and fsync the
 * directory, so that a crash leaves either the old or the new content.
 * Callers serialise writers of the same PATH.  Returns 0 or HG_ERR_IO.
 */
int trust_replace(const char *path, const void *data, size_t len,
    mode_t mode, struct hg_msg *msg);

#endif /* HG_TRUST_H */

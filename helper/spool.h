/*
 * The audit spool, as hostgated reads it.  When the module cannot reach
 * hostgated it stores each record as its own file (submit_spool() in
 * common/submit.c): "<ts_ms>-<pid>-<random>.rec", ts_ms zero-padded to 13
 * digits so that names sort by time, holding exactly one RECORD_T_RECORD
 * frame, written with O_EXCL and fsync'd.
 *
 * The reader trusts nothing in a file beyond what the descriptor says: the
 * submitting pid comes from the name, the uid from the file's owner.  A
 * file that is not one well-formed frame is renamed to NAME.bad, never
 * deleted; one younger than SPOOL_GRACE_S seconds is left alone instead,
 * since its writer may not have finished it yet.
 */
#ifndef HG_SPOOL_H
#define HG_SPOOL_H

#include <stddef.h>

#include "err.h"
#include "record.h"

#define SPOOL_SUFFIX		".rec"
#define SPOOL_BAD_SUFFIX	".bad"
#define SPOOL_NAME_MAX		64	/* bytes in a name, NUL included */
#define SPOOL_GRACE_S		10

struct spool_file {
	char		 name[SPOOL_NAME_MAX];
	struct hg_record rec;		/* pid from the name, uid the owner */
};

/* Told about each file set aside: its name and what was wrong. */
typedef void (*spool_report_fn)(const char *name, const char *why,
    void *arg);

/*
 * Open the spool directory PATH (not following a symlink) into *DIRFD.
 * Returns 0, HG_ERR_NOENT or HG_ERR_IO.
 */
int spool_open(const char *path, int *dirfd, struct hg_msg *msg);

/*
 * Read up to MAX spool files of DIRFD, oldest name first, into V; *N says
 * how many.  Files that are malformed (name, type, links, size or frame)
 * and older than SPOOL_GRACE_S are set aside as NAME.bad and passed to
 * REPORT.  Files we may not open are left alone and counted in *DENIED.
 * Names not ending in SPOOL_SUFFIX are ignored.  *MORE is set when files
 * were left for a later call.  Returns 0, HG_ERR_IO or HG_ERR_NOMEM.
 */
int spool_collect(int dirfd, struct spool_file *v, size_t max, size_t *n,
    int *more, size_t *denied, spool_report_fn report, void *arg,
    struct hg_msg *msg);

/*
 * Rename NAME in DIRFD to NAME.bad, so that it is kept but not read again.
 * Returns 0 or HG_ERR_IO.
 */
int spool_set_aside(int dirfd, const char *name, struct hg_msg *msg);

/*
 * Remove the N files of V from DIRFD (a file already gone is fine), then
 * fsync the directory.  Call only once their records are durable
 * elsewhere.  Returns 0 or HG_ERR_IO.
 */
int spool_remove(int dirfd, const struct spool_file *v, size_t n,
    struct hg_msg *msg);

#endif /* HG_SPOOL_H */

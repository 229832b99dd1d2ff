/*
 * The audit journal: an append-only file of record_json() lines, each
 * chained by its hash to the line before (the first to record_genesis, or
 * to the last record of the journal it was rotated from).  Records are
 * appended in batches, one write() and one fdatasync() per batch, and only
 * a batch that reached the disk advances the chain: a failed batch is cut
 * off again, so the file never holds a record that was not acknowledged
 * and then reused its seq.
 *
 * The chain's head (last seq and hash) is recovered from the file's last
 * line when it is opened.  A file that ends in a partial line (a crash in
 * the middle of a write) is cut back to its last complete line: no record
 * of that line was ever acknowledged.  An empty file continues from the
 * anchor file, which keeps the head across a rotation (mv, then SIGHUP).
 */
#ifndef HG_JOURNAL_H
#define HG_JOURNAL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "record.h"

#define JOURNAL_MODE	0640

struct journal {
	char		*path;
	char		*anchor;	/* where the head is kept, or NULL */
	int		 fd;
	dev_t		 dev;		/* the open file, to tell a rotation */
	ino_t		 ino;
	long long	 seq;		/* the last record's seq, 0 if none */
	char		 hash[RECORD_HASH_HEX + 1];	/* and its hash */
	off_t		 cut;		/* bytes of a partial line removed */
};

/* Records formatted for one commit, chained onto the journal's head. */
struct journal_batch {
	char		*buf;
	size_t		 len, cap;
	size_t		 n;		/* records in it */
	long long	 seq;		/* the last one's seq */
	char		 hash[RECORD_HASH_HEX + 1];
};

/*
 * Open (creating with JOURNAL_MODE) the journal PATH, whose directory must
 * exist, lock it against a second writer and recover its head: the last
 * line, checked with record_check_line(), after cutting off a partial last
 * line (J->cut says how many bytes; the caller logs it).  An empty file
 * takes its head from ANCHOR (may be NULL; a missing anchor means
 * genesis).  The file must be a regular file owned by the caller's euid
 * and not writable by group or other.
 * Returns 0, HG_ERR_IO, HG_ERR_UNTRUSTED, HG_ERR_STATE (a damaged last
 * record or anchor: MSG says which; nothing is changed) or HG_ERR_NOMEM.
 */
int journal_open(struct journal *j, const char *path, const char *anchor,
    struct hg_msg *msg);

/*
 * Open PATH again, for log rotation: new records go to whatever file now
 * has the name (created if missing), still chained to the head in memory,
 * and the anchor is saved.  *FOREIGN is set when a file already there does
 * not end with our head (the chain in it will show a break).
 * Returns 0 or what journal_open() returns; on error the old file stays
 * in use.
 */
int journal_reopen(struct journal *j, bool *foreign, struct hg_msg *msg);

/*
 * Save the head to the anchor file (atomically), if there is one.
 * Returns 0 or HG_ERR_IO.
 */
int journal_save_anchor(const struct journal *j, struct hg_msg *msg);

/*
 * Whether TEXT (LEN bytes, NUL-terminated) is an anchor as
 * journal_save_anchor() writes it: "SEQ HASH\n", nothing else.
 */
bool journal_anchor_ok(const char *text, size_t len);

/* Close J and free what it holds; J may be reused after. */
void journal_close(struct journal *j);

/* Start an empty batch B on J's head. */
void journal_batch_begin(const struct journal *j, struct journal_batch *b);

/*
 * Give R the next seq and add its line to B.  R->seq is set only on
 * success.  Returns 0, HG_ERR_TOOLONG (the line would exceed
 * RECORD_LINE_MAX: nothing is added) or HG_ERR_NOMEM.
 */
int journal_batch_add(struct journal_batch *b, struct hg_record *r);

/*
 * Append B to J with one write() and one fdatasync(); on success J's head
 * becomes B's.  On failure whatever part of B reached the file is cut off
 * again and J is unchanged.  Returns 0 or HG_ERR_IO.
 */
int journal_commit(struct journal *j, const struct journal_batch *b,
    struct hg_msg *msg);

/* Release B's buffer; B may be begun again after. */
void journal_batch_free(struct journal_batch *b);

#endif /* HG_JOURNAL_H */

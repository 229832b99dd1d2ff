/*
 * Handing audit records to hostgated, from the module (and the CLI): over
 * the helper socket with a deadline, or, when the helper is not there, into
 * the spool that hostgated drains when it starts.
 */
#ifndef HG_SUBMIT_H
#define HG_SUBMIT_H

#include <stdbool.h>

#include "conf.h"
#include "err.h"
#include "record.h"

/* How long a login may wait for the helper, in all. */
#define SUBMIT_TIMEOUT_MS	250

/*
 * Send R as a frame of TYPE (RECORD_T_RECORD or RECORD_T_DECIDE) to the
 * helper listening on SOCKET and wait at most TIMEOUT_MS for its reply,
 * which is decoded into REPLY (seq, and for a decision result, pam, reason
 * and rule).  Never raises SIGPIPE.
 *
 * Only root's helper is used: SOCKET's directory must be owned by root
 * and not writable by group or others (trust_check_dir()), and the peer
 * that listens must be root (SO_PEERCRED), both checked before anything is
 * sent; else MSG names the socket and the fix.
 *
 * Returns 0 (stored: REPLY has its seq), HG_ERR_POLICY (a decision the
 * helper declined, storing nothing, because it does not hold the policy
 * R->policy names: decide and send the record as a RECORD_T_RECORD),
 * HG_ERR_UNTRUSTED (the directory or the peer is not root's), HG_ERR_IO (no
 * helper, it failed or refused) or HG_ERR_TIMEOUT.
 */
int submit_send(const char *socket, enum record_type type,
    const struct hg_record *r, int timeout_ms, struct hg_record *reply,
    struct hg_msg *msg);

/*
 * Store R durably in the spool directory DIR as one file holding one
 * RECORD_T_RECORD frame, named "<ts_ms>-<pid>-<monotonic ns><random>.rec"
 * so that names sort by time, and records of one process stamped in the
 * same millisecond keep their order; written under NAME.tmp with O_EXCL,
 * fsync'd, renamed into place and the directory fsync'd, so hostgated never
 * sees a partial file.  DIR must belong to the caller (root, for the
 * module) and not be writable by group or others.  Returns 0, HG_ERR_TOOLONG, HG_ERR_NOENT, HG_ERR_UNTRUSTED or
 * HG_ERR_IO.
 */
int submit_spool(const char *dir, const struct hg_record *r,
    struct hg_msg *msg);

/* One transaction's way to the helper. */
struct submit_ctx {
	const struct hg_conf	*conf;
	bool			 down;	/* failed once: not asked again */
	struct hg_log		 log;	/* where its lines go */
};

/*
 * Offer R to hostgated as TYPE, unless C->down.  A helper that failed, or
 * was not root's, is marked down and not asked again in this transaction,
 * so that a login waits for it SUBMIT_TIMEOUT_MS at most and an untrusted
 * helper is reported once.  Returns 0 when it answered (REPLY filled),
 * HG_ERR_POLICY when it declined a decision for another policy (it is up:
 * send the record), else HG_ERR_IO.
 */
int submit_helper(struct submit_ctx *c, enum record_type type,
    const struct hg_record *r, struct hg_record *reply);

/*
 * Record R: through the helper, else where the helper would have put it
 * (syslog now, and the spool).  Returns 0, or HG_ERR_IO when audit=required
 * and the record could not be stored durably anywhere.
 */
int submit_record(struct submit_ctx *c, const struct hg_record *r);

#endif /* HG_SUBMIT_H */

/*
 * hostgated's group commit: the records of one turn of the loop, from
 * every ready client and the spool files due, made durable together.
 *
 * Each turn collects every complete frame that arrived (client_read())
 * and the spool files due (batch_spool()); batch_commit() writes their
 * journal lines with one write() and one fdatasync(), and only then logs
 * them to syslog and sends the acknowledgements (a REPLY with the seq).
 * A batch that cannot be made durable is not acknowledged: its clients are
 * disconnected, so the module falls back to its spool.
 */
#ifndef HG_BATCH_H
#define HG_BATCH_H

#include <stdbool.h>

#include "record.h"

#define BATCH_MAX		8192	/* records per commit */
#define BATCH_SPOOL_MAX		1024	/* spool files per commit */

struct client;
struct daemon;
struct spool_file;

/* One record of the batch being committed. */
struct batch_item {
	struct client		*c;	/* who waits for the reply */
	const struct spool_file	*spool;	/* or where it came from */
	enum record_type	 type;
	bool			 stored;
	bool			 refused;	/* answered, never stored */
	const char		*why;	/* the reply's reason if so */
	struct hg_record	 rec;
};

/*
 * Fill what IT's record may lack and the journal needs (host, time), and
 * decide it if it is a decision request.
 */
void batch_prepare(struct daemon *d, struct batch_item *it);

/*
 * Add the spool files that are due at NOW (ms, monotonic) to D's batch:
 * those their owner may submit; the others are set aside.
 */
void batch_spool(struct daemon *d, long long now);

/*
 * Write D's batch to the journal (one write, one fdatasync), then log each
 * record and acknowledge it.  If the journal fails nothing is
 * acknowledged: the clients are dropped (the module falls back to its
 * spool) and spool files stay for the next try.
 */
void batch_commit(struct daemon *d);

#endif /* HG_BATCH_H */

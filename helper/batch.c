/* hostgated's group commit: a turn's records into the journal, then acks. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "batch.h"
#include "client.h"
#include "decide.h"
#include "err.h"
#include "forward.h"
#include "hostgated.h"
#include "journal.h"
#include "now.h"
#include "record.h"
#include "spool.h"

#define SPOOL_INTERVAL_MS	1000

void
batch_prepare(struct daemon *d, struct batch_item *it)
{
	if (it->rec.host[0] == '\0')
		snprintf(it->rec.host, sizeof(it->rec.host), "%s", d->host);
	if (it->rec.ts_ms <= 0)
		it->rec.ts_ms = now_wall_ms();
	if (it->type == RECORD_T_DECIDE)
		decide_record(&d->warm, &it->rec);
}

/* A spool file set aside (spool_collect() or ours): say which and why. */
static void
batch_report(const char *name, const char *why, void *arg)
{
	struct daemon *d = arg;

	log_f(LOG_ERR, "%s/%s: %s; set aside as %s%s", d->conf.audit_spool,
	    name, why, name, SPOOL_BAD_SUFFIX);
}

void
batch_spool(struct daemon *d, long long now)
{
	struct hg_msg msg = { "" };
	size_t room, n, i, denied;
	struct batch_item *it;
	int more;

	d->next_spool = now + SPOOL_INTERVAL_MS;
	if (d->spool_off || d->spoolfd == -1 || d->nitems >= BATCH_MAX)
		return;
	room = BATCH_MAX - d->nitems;
	if (room > BATCH_SPOOL_MAX)
		room = BATCH_SPOOL_MAX;
	if (spool_collect(d->spoolfd, d->spool, room, &n, &more, &denied,
	    batch_report, d, &msg) != 0) {
		log_f(LOG_ERR, "%s", msg.text);
		return;
	}
	/* Said when it starts, not every second. */
	if (denied > 0 && d->spool_denied == 0)
		log_f(LOG_ERR, "%s: %zu files we may not read; they stay "
		    "there until hostgated can read them", d->conf.audit_spool,
		    denied);
	d->spool_denied = denied;
	if (more)
		d->next_spool = now;	/* the rest in the next turn */
	for (i = 0; i < n; i++) {
		if (!client_may_submit(d->spool[i].rec.uid,
		    d->spool[i].rec.user) || !client_event_ok(RECORD_T_RECORD,
		    &d->spool[i].rec)) {
			batch_report(d->spool[i].name, "not a record its "
			    "owner may submit", d);
			if (spool_set_aside(d->spoolfd, d->spool[i].name,
			    &msg) != 0)
				log_f(LOG_ERR, "%s", msg.text);
			continue;
		}
		it = &d->items[d->nitems++];
		it->c = NULL;
		it->spool = &d->spool[i];
		it->type = RECORD_T_RECORD;
		it->stored = it->refused = false;
		it->why = "refused";
		it->rec = d->spool[i].rec;
		batch_prepare(d, it);
	}
}

/* Take the spool files whose records are now in the journal away. */
static void
batch_spool_done(struct daemon *d)
{
	struct hg_msg msg = { "" };
	size_t i, n = 0;

	/* Spool items were added in order: compact them in place. */
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].spool != NULL && d->items[i].stored) {
			if (d->items[i].spool != &d->spool[n])
				d->spool[n] = *d->items[i].spool;
			n++;
		}
	if (n == 0)
		return;
	if (spool_remove(d->spoolfd, d->spool, n, &msg) != 0) {
		/* Reading them again would journal them again and again. */
		log_f(LOG_ERR, "%s; not draining the spool until restarted",
		    msg.text);
		d->spool_off = true;
	}
}

void
batch_commit(struct daemon *d)
{
	struct journal_batch *b = &d->batch;
	struct hg_msg msg = { "" };
	char line[8192];
	struct batch_item *it;
	size_t i;
	int r;

	if (d->nitems == 0)
		return;
	journal_batch_begin(&d->journal, b);
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (it->refused)
			continue;
		if ((r = journal_batch_add(b, &it->rec)) == HG_ERR_TOOLONG) {
			if (it->c != NULL)
				log_f(LOG_WARNING, "peer pid %ld uid %lu: "
				    "record too long for the journal: refused",
				    (long)it->c->pid,
				    (unsigned long)it->c->uid);
			else {
				batch_report(it->spool->name, "record too long "
				    "for the journal", d);
				if (spool_set_aside(d->spoolfd, it->spool->name,
				    &msg) != 0)
					log_f(LOG_ERR, "%s", msg.text);
			}
			it->refused = true;
			continue;
		}
		if (r != 0) {
			snprintf(msg.text, sizeof(msg.text), "out of memory");
			goto fail;
		}
		it->stored = true;
	}
	if (journal_commit(&d->journal, b, &msg) != 0)
		goto fail;
	forward_notify(d->fw);
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (!it->stored)
			continue;
		record_syslog_line(&it->rec, line, sizeof(line));
		syslog(LOG_AUTHPRIV | (strcmp(it->rec.result, "deny") == 0 ?
		    LOG_NOTICE : LOG_INFO), "%s", line);
	}
	batch_spool_done(d);
	d->last_batch = 0;
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].c != NULL) {
			client_reply(d, &d->items[i]);
			d->last_batch++;
		}
	for (i = 0; i < d->nitems; i++) {
		it = &d->items[i];
		if (it->c != NULL && it->c->outlen > 0 && !it->c->drop)
			client_flush(d, it->c);
	}
	d->nitems = 0;
	return;
 fail:
	log_f(LOG_ERR, "%s: %zu records not stored, not acknowledged",
	    msg.text, d->nitems);
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].c != NULL)
			client_drop(d, d->items[i].c, NULL);
	d->nitems = 0;
}

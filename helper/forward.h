/*
 * HTTPS forwarding of the audit journal (hostgated only: it needs libcurl
 * and a thread, which the PAM module must never carry).
 *
 * A thread tails audit_log on its own descriptor, posts the records after
 * the persisted cursor as a JSON array to audit_forward_url with a bearer
 * token, and advances the cursor (the last delivered seq, in
 * <state_dir>/.forward.cursor) only after a 2xx answer: delivery is
 * at-least-once and resumes from the journal after restarts and outages.
 * Failures back off exponentially with jitter.  It never blocks the socket
 * loop or the journal writer.
 */
#ifndef HG_FORWARD_H
#define HG_FORWARD_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "err.h"

/*
 * The cursor's name in state_dir.  It starts with '.', as no user name
 * does, so that it is never a user's state file; hostgated before that
 * kept it under FORWARD_CURSOR_OLD (see hostgated.c, migrate()).
 */
#define FORWARD_CURSOR		".forward.cursor"
#define FORWARD_CURSOR_OLD	"forward.cursor"

struct forward;

/*
 * Whether TEXT (LEN bytes, NUL-terminated) is a cursor file as the
 * forwarder writes it: "seq = N\n", nothing else.
 */
bool forward_cursor_ok(const char *text, size_t len);

/*
 * Check the forwarding settings of CONF without starting anything: an
 * https:// URL, a trusted token file (one line), a readable CA file.
 * Returns 0, HG_ERR_CONFIG, HG_ERR_UNTRUSTED, HG_ERR_NOENT or HG_ERR_IO.
 */
int forward_check(const struct hg_conf *conf, struct hg_msg *msg);

/*
 * Start forwarding as CONF says (audit_forward_url must be an https://
 * URL; the token file, if set, is read now and must be a trusted secret).
 * Returns 0, HG_ERR_CONFIG, HG_ERR_UNTRUSTED, HG_ERR_IO or HG_ERR_NOMEM.
 */
int forward_start(const struct hg_conf *conf, struct forward **out,
    struct hg_msg *msg);

/* Tell the thread that new records were journaled (it also polls). */
void forward_notify(struct forward *fw);

/* Stop the thread (after the request in flight, if any) and free FW. */
void forward_stop(struct forward *fw);

#endif /* HG_FORWARD_H */

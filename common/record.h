/*
 * Audit records: one decision or session event, its JSON line with the hash
 * chain, its syslog line, and the framing the module and hostgated use on
 * the helper socket.
 *
 * Journal line (one per record, fields always in this order):
 *   {"seq":N,"ts":"YYYY-MM-DDTHH:MM:SS.mmmZ","host":S,"event":S,
 *    "service":S,"user":S,"ruser":S,"rhost":S,"tty":S,"result":S,"pam":S,
 *    "reason":S,"rule":S,"factors":[S,...],"pid":N,"uid":N,"duration":N,
 *    "prev":"HEX","hash":"HEX"}
 * where an empty string field, pid/uid -1 and duration -1 are written as
 * null.  hash = hex(BLAKE2b-256(the line up to and including the prev
 * field, followed by "}")), so each record commits to its predecessor.
 *
 * Wire frame: u32 length (big-endian) of what follows, at most
 * RECORD_WIRE_MAX; u8 version (1); u8 type; then fields, each u8 tag,
 * u16 length (big-endian), that many bytes (no NUL).  Every tag at most
 * once, only known tags, and the fields end exactly at the frame's end.
 * Tags 1-15 are the record's fields (seq ... factors); tag 16, the
 * identity of the policy the module would load (policy_stamp()), belongs
 * to RECORD_T_DECIDE frames only and is refused in any other.  A frame
 * without it is still a valid version 1 frame: hostgated answers such a
 * decision request with a REPLY without a seq and with reason
 * RECORD_REASON_OTHER_POLICY, as it does for an identity that is not the
 * one of the policy it holds.
 */
#ifndef HG_RECORD_H
#define HG_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define RECORD_HASH_HEX		64	/* BLAKE2b-256 as hex */
#define RECORD_LINE_MAX		8192	/* longest journal line */
#define RECORD_WIRE_MAX		4096	/* longest frame after its length */
#define RECORD_WIRE_VERSION	1
#define RECORD_FIELD_MAX	256	/* bytes in any one string field */
#define RECORD_POLICY_MAX	65	/* policy identity: 64 hex and NUL */

/* A REPLY's reason when hostgated will not decide for that policy. */
#define RECORD_REASON_OTHER_POLICY	"other-policy"

/* Frame types. */
enum record_type {
	RECORD_T_RECORD = 1,	/* module -> helper: store this record */
	RECORD_T_DECIDE = 2,	/* module -> helper: decide, store, answer */
	RECORD_T_REPLY = 3,	/* helper -> module: stored (and decision) */
};

struct hg_record {
	long long	seq;		/* given by the journal; 0 before */
	long long	ts_ms;		/* ms since the epoch */
	long long	duration;	/* session_close: seconds, else -1 */
	long long	pid;		/* the submitting process, or -1 */
	long long	uid;		/* its uid, or -1 */
	char		host[RECORD_FIELD_MAX];
	char		event[16];	/* auth, account, session_open, ... */
	char		service[RECORD_FIELD_MAX];
	char		user[RECORD_FIELD_MAX];
	char		ruser[RECORD_FIELD_MAX];
	char		rhost[RECORD_FIELD_MAX];
	char		tty[RECORD_FIELD_MAX];
	char		result[8];	/* allow, deny, or "" for session */
	char		pam[32];	/* PAM_SUCCESS, PAM_AUTH_ERR, ... */
	char		reason[32];	/* stable reason code */
	char		rule[RECORD_FIELD_MAX];	/* "file:line" or "" */
	char		factors[64];	/* "password,totp" or "" */
	/* A decision request: the policy the module would load (no JSON). */
	char		policy[RECORD_POLICY_MAX];
};

/* Reset R to an empty record (pid, uid, duration -1). */
void record_init(struct hg_record *r);

/* Fill R->host with this host's name and R->ts_ms with now. */
void record_stamp(struct hg_record *r);

/*
 * Write R as one journal line chained to PREV (RECORD_HASH_HEX hex digits
 * plus NUL), ending in '\n', into BUF of SIZE bytes; HASH (room for
 * RECORD_HASH_HEX + 1) receives the line's hash.  Returns the line's
 * length or HG_ERR_TOOLONG.
 */
int record_json(const struct hg_record *r, const char *prev, char *buf,
    size_t size, char *hash);

/*
 * Check one journal line (without its '\n') of LEN bytes: its form, that
 * its hash matches its content, and, when PREV is not NULL, that it chains
 * to PREV.  On success *SEQ is its seq and HASH (room for
 * RECORD_HASH_HEX + 1) its hash.  Returns 0, HG_ERR_INVALID (malformed or
 * edited: MSG says which) or HG_ERR_STATE (does not chain to PREV).
 */
int record_check_line(const char *line, size_t len, const char *prev,
    long long *seq, char *hash, struct hg_msg *msg);

/* The all-zero hash that the first record of a journal chains to. */
extern const char record_genesis[RECORD_HASH_HEX + 1];

/*
 * Write R as one syslog message of key=value pairs ("seq=" only once the
 * journal has given one), every string value quoted by record_quote() so
 * that no value can forge a field.
 */
void record_syslog_line(const struct hg_record *r, char *buf, size_t size);

/*
 * Write IN to OUT (SIZE bytes, at least 8) as a double-quoted string with
 * '"', '\\' and every byte outside printable ASCII escaped (\n, \t, \xNN).
 * A value that does not fit is cut and ends in "...".  NULL becomes "-".
 */
void record_quote(const char *in, char *out, size_t size);

/*
 * Encode R as a frame of TYPE into BUF (SIZE bytes, at least
 * RECORD_WIRE_MAX + 4).  A reply carries seq, result, pam, reason and rule;
 * R->policy travels in a RECORD_T_DECIDE frame only.
 * Returns the frame's length or HG_ERR_TOOLONG.
 */
int record_encode(enum record_type type, const struct hg_record *r,
    unsigned char *buf, size_t size);

/*
 * Decode the frame BUF of LEN bytes (length prefix included) into *TYPE
 * and R (pid and uid are not on the wire: the receiver sets them).
 * Returns 0, or HG_ERR_INVALID for anything malformed: a wrong length,
 * version or type, an unknown or repeated tag, a tag its type does not
 * carry, a string with a NUL or too long for its field, a bad number, or
 * bytes left over.
 */
int record_decode(const unsigned char *buf, size_t len,
    enum record_type *type, struct hg_record *r);

/*
 * The total length of the frame that BUF (LEN bytes so far) begins with:
 * 0 when fewer than 4 bytes are there yet, HG_ERR_TOOLONG when the length
 * exceeds RECORD_WIRE_MAX, else length + 4.
 */
long record_frame_len(const unsigned char *buf, size_t len);

#endif /* HG_RECORD_H */

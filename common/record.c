#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "record.h"

const char record_genesis[RECORD_HASH_HEX + 1] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void
record_init(struct hg_record *r)
{
	memset(r, 0, sizeof(*r));
	r->pid = r->uid = r->duration = -1;
}

void
record_stamp(struct hg_record *r)
{
	struct timespec ts;

	if (gethostname(r->host, sizeof(r->host)) != 0)
		snprintf(r->host, sizeof(r->host), "unknown");
	r->host[sizeof(r->host) - 1] = '\0';
	clock_gettime(CLOCK_REALTIME, &ts);
	r->ts_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends to a bounded buffer, remembering overflow instead of failing. */
struct out {
	char	*buf;
	size_t	 size, len;
	bool	 overflow;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || o->len + n >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void putf(struct out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
putf(struct out *o, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->overflow = true;
	else
		put(o, tmp, (size_t)n);
}

/*
 * A JSON string value, or null for "".  Bytes outside printable ASCII are
 * escaped as \u00XX so that the line is ASCII and valid JSON whatever the
 * input.
 */
static void
put_jval(struct out *o, const char *s)
{
	char esc[8];

	if (*s == '\0') {
		put(o, "null", 4);
		return;
	}
	put(o, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(o, esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			put(o, esc, 6);
		} else
			put(o, (const char *)&c, 1);
	}
	put(o, "\"", 1);
}

static void
put_jstr(struct out *o, const char *key, const char *s)
{
	putf(o, ",\"%s\":", key);
	put_jval(o, s);
}

static void
put_jnum(struct out *o, const char *key, long long v)
{
	if (v < 0)
		putf(o, ",\"%s\":null", key);
	else
		putf(o, ",\"%s\":%lld", key, v);
}

static void
hash_hex(const char *data, size_t len, char *hex)
{
	unsigned char h[RECORD_HASH_HEX / 2];

	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len,
	    NULL, 0);
	sodium_bin2hex(hex, RECORD_HASH_HEX + 1, h, sizeof(h));
}

int
record_json(const struct hg_record *r, const char *prev, char *buf,
    size_t size, char *hash)
{
	struct out o = { buf, size, 0, false };
	time_t secs = (time_t)(r->ts_ms / 1000);
	char ts[64], f[sizeof(r->factors)], *p, *save = NULL;
	struct tm tm;
	int i = 0;

	if (size < 2 || strlen(prev) != RECORD_HASH_HEX)
		return HG_ERR_TOOLONG;
	gmtime_r(&secs, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(r->ts_ms % 1000));
	putf(&o, "{\"seq\":%lld", r->seq);
	put_jstr(&o, "ts", ts);
	put_jstr(&o, "host", r->host);
	put_jstr(&o, "event", r->event);
	put_jstr(&o, "service", r->service);
	put_jstr(&o, "user", r->user);
	put_jstr(&o, "ruser", r->ruser);
	put_jstr(&o, "rhost", r->rhost);
	put_jstr(&o, "tty", r->tty);
	put_jstr(&o, "result", r->result);
	put_jstr(&o, "pam", r->pam);
	put_jstr(&o, "reason", r->reason);
	put_jstr(&o, "rule", r->rule);
	put(&o, ",\"factors\":[", 12);
	snprintf(f, sizeof(f), "%s", r->factors);
	for (p = strtok_r(f, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (i++ > 0)
			put(&o, ",", 1);
		put_jval(&o, p);
	}
	put(&o, "]", 1);
	put_jnum(&o, "pid", r->pid);
	put_jnum(&o, "uid", r->uid);
	put_jnum(&o, "duration", r->duration);
	putf(&o, ",\"prev\":\"%s\"", prev);
	/* The hash covers the line up to prev, closed with '}'. */
	put(&o, "}", 1);
	if (o.overflow)
		return HG_ERR_TOOLONG;
	hash_hex(o.buf, o.len, hash);
	o.len--;
	putf(&o, ",\"hash\":\"%s\"}\n", hash);
	if (o.overflow)
		return HG_ERR_TOOLONG;
	return (int)o.len;
}

static bool
is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int
record_check_line(const char *line, size_t len, const char *prev,
    long long *seq, char *hash, struct hg_msg *msg)
{
	static const char tail_key[] = ",\"hash\":\"";
	static const char prev_key[] = ",\"prev\":\"";
	char body[RECORD_LINE_MAX + 1], want[RECORD_HASH_HEX + 1];
	size_t tail = sizeof(tail_key) - 1 + RECORD_HASH_HEX + 2;
	size_t blen, pk = sizeof(prev_key) - 1;
	const char *h, *p;
	char *end;

	/* {"seq":N ... ,"prev":"HEX","hash":"HEX"} */
	if (len < 8 + tail + pk + RECORD_HASH_HEX + 1 || len > RECORD_LINE_MAX ||
	    memchr(line, '\0', len) != NULL ||
	    strncmp(line, "{\"seq\":", 7) != 0)
		return hg_fail(msg, HG_ERR_INVALID, "not a journal record");
	h = line + len - tail;
	if (memcmp(h, tail_key, sizeof(tail_key) - 1) != 0 ||
	    !is_hex(h + sizeof(tail_key) - 1, RECORD_HASH_HEX) ||
	    memcmp(line + len - 2, "\"}", 2) != 0)
		return hg_fail(msg, HG_ERR_INVALID,
		    "no hash at the end (truncated?)");
	p = h - RECORD_HASH_HEX - 1 - pk;
	if (memcmp(p, prev_key, pk) != 0 || !is_hex(p + pk, RECORD_HASH_HEX) ||
	    p[pk + RECORD_HASH_HEX] != '"')
		return hg_fail(msg, HG_ERR_INVALID, "no prev field");
	blen = (size_t)(h - line);
	memcpy(body, line, blen);
	body[blen] = '}';
	hash_hex(body, blen + 1, want);
	if (memcmp(want, h + sizeof(tail_key) - 1, RECORD_HASH_HEX) != 0)
		return hg_fail(msg, HG_ERR_INVALID,
		    "hash does not match the content (edited)");
	*seq = strtoll(line + 7, &end, 10);
	if (end == line + 7 || *end != ',' || *seq < 1)
		return hg_fail(msg, HG_ERR_INVALID, "bad seq");
	memcpy(hash, want, RECORD_HASH_HEX + 1);
	if (prev != NULL && memcmp(prev, p + pk, RECORD_HASH_HEX) != 0)
		return hg_fail(msg, HG_ERR_STATE, "does not chain to the "
		    "record before it (a record was deleted or moved)");
	return 0;
}

/* The escaped form of C into ESC (room for 5); returns its length. */
static size_t
quote_char(unsigned char c, char *esc)
{
	if (c == '"' || c == '\\')
		return (size_t)snprintf(esc, 5, "\\%c", c);
	if (c == '\n')
		return (size_t)snprintf(esc, 5, "\\n");
	if (c == '\t')
		return (size_t)snprintf(esc, 5, "\\t");
	if (c < 0x20 || c >= 0x7f)
		return (size_t)snprintf(esc, 5, "\\x%02x", c);
	esc[0] = (char)c;
	esc[1] = '\0';
	return 1;
}

void
record_quote(const char *in, char *out, size_t size)
{
	const char *p;
	char esc[5];
	size_t n = 0, total = 0, elen, room;

	if (in == NULL) {
		snprintf(out, size, "-");
		return;
	}
	for (p = in; *p != '\0'; p++)
		total += quote_char((unsigned char)*p, esc);
	/* Two quotes and the NUL; a cut value also needs "...". */
	room = total + 3 <= size ? size - 2 : size - 5;
	out[n++] = '"';
	for (p = in; *p != '\0'; p++) {
		elen = quote_char((unsigned char)*p, esc);
		if (n + elen > room) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(out + n, esc, elen);
		n += elen;
	}
	out[n++] = '"';
	out[n] = '\0';
}

void
record_syslog_line(const struct hg_record *r, char *buf, size_t size)
{
	const struct { const char *key, *val; } f[] = {
		{ "user", r->user }, { "service", r->service },
		{ "rhost", r->rhost }, { "ruser", r->ruser },
		{ "tty", r->tty }, { "rule", r->rule },
		{ "factors", r->factors },
	};
	struct out o = { buf, size, 0, false };
	char q[RECORD_FIELD_MAX * 4 + 8];
	size_t i;

	buf[0] = '\0';
	if (r->seq > 0)
		putf(&o, "seq=%lld ", r->seq);
	putf(&o, "event=%s", r->event);
	if (r->result[0] != '\0')
		putf(&o, " result=%s pam=%s reason=%s", r->result, r->pam,
		    r->reason);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		record_quote(f[i].val[0] != '\0' ? f[i].val : NULL, q,
		    sizeof(q));
		putf(&o, " %s=", f[i].key);
		put(&o, q, strlen(q));
	}
	putf(&o, " pid=%lld uid=%lld", r->pid, r->uid);
	if (r->duration >= 0)
		putf(&o, " duration=%lld", r->duration);
}

/*
 * Wire tags: one per field.  Numbers travel as decimal strings.  New tags
 * go at the end: a frame without them stays a valid frame.
 */
enum tag {
	TAG_SEQ = 1, TAG_TS, TAG_DURATION, TAG_HOST, TAG_EVENT, TAG_SERVICE,
	TAG_USER, TAG_RUSER, TAG_RHOST, TAG_TTY, TAG_RESULT, TAG_PAM,
	TAG_REASON, TAG_RULE, TAG_FACTORS, TAG_POLICY, TAG_MAX
};

/* Whether a frame of TYPE carries TAG: the policy only asks a decision. */
static bool
tag_in(enum record_type type, int tag)
{
	return tag != TAG_POLICY || type == RECORD_T_DECIDE;
}

/* Where each string tag lives in a record, and its room. */
static char *
tag_field(struct hg_record *r, int tag, size_t *room)
{
#define F(m)	(*room = sizeof(r->m), r->m)
	switch (tag) {
	case TAG_HOST:		return F(host);
	case TAG_EVENT:		return F(event);
	case TAG_SERVICE:	return F(service);
	case TAG_USER:		return F(user);
	case TAG_RUSER:		return F(ruser);
	case TAG_RHOST:		return F(rhost);
	case TAG_TTY:		return F(tty);
	case TAG_RESULT:	return F(result);
	case TAG_PAM:		return F(pam);
	case TAG_REASON:	return F(reason);
	case TAG_RULE:		return F(rule);
	case TAG_FACTORS:	return F(factors);
	case TAG_POLICY:	return F(policy);
	}
#undef F
	return NULL;
}

static long long *
tag_number(struct hg_record *r, int tag)
{
	switch (tag) {
	case TAG_SEQ:		return &r->seq;
	case TAG_TS:		return &r->ts_ms;
	case TAG_DURATION:	return &r->duration;
	}
	return NULL;
}

static int
put_field(unsigned char *buf, size_t size, size_t *len, int tag,
    const char *val)
{
	size_t n = strlen(val);

	if (n == 0)
		return 0;	/* absent and empty are the same */
	if (n > 0xffff || *len + 3 + n > size)
		return HG_ERR_TOOLONG;
	buf[(*len)++] = (unsigned char)tag;
	buf[(*len)++] = (unsigned char)(n >> 8);
	buf[(*len)++] = (unsigned char)n;
	memcpy(buf + *len, val, n);
	*len += n;
	return 0;
}

int
record_encode(enum record_type type, const struct hg_record *r,
    unsigned char *buf, size_t size)
{
	struct hg_record copy = *r;
	size_t len = 6, room, max;
	char num[32];
	int tag, r2;

	max = size < RECORD_WIRE_MAX + 4 ? size : RECORD_WIRE_MAX + 4;
	if (max < 6)
		return HG_ERR_TOOLONG;
	buf[4] = RECORD_WIRE_VERSION;
	buf[5] = (unsigned char)type;
	for (tag = 1; tag < TAG_MAX; tag++) {
		const long long *n = tag_number(&copy, tag);
		const char *s;

		if (!tag_in(type, tag))
			continue;
		if (n != NULL) {
			if (*n < 0)
				continue;
			snprintf(num, sizeof(num), "%lld", *n);
			s = num;
		} else
			s = tag_field(&copy, tag, &room);
		if ((r2 = put_field(buf, max, &len, tag, s)) != 0)
			return r2;
	}
	buf[0] = (unsigned char)((len - 4) >> 24);
	buf[1] = (unsigned char)((len - 4) >> 16);
	buf[2] = (unsigned char)((len - 4) >> 8);
	buf[3] = (unsigned char)(len - 4);
	return (int)len;
}

long
record_frame_len(const unsigned char *buf, size_t len)
{
	uint32_t n;

	if (len < 4)
		return 0;
	n = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 |
	    (uint32_t)buf[2] << 8 | buf[3];
	if (n > RECORD_WIRE_MAX || n < 2)
		return HG_ERR_TOOLONG;
	return (long)n + 4;
}

int
record_decode(const unsigned char *buf, size_t len, enum record_type *type,
    struct hg_record *r)
{
	unsigned seen = 0;
	size_t i, n, room;
	long long *num;
	char *dst, *end;

	record_init(r);
	if (record_frame_len(buf, len) != (long)len ||
	    buf[4] != RECORD_WIRE_VERSION || buf[5] < RECORD_T_RECORD ||
	    buf[5] > RECORD_T_REPLY)
		return HG_ERR_INVALID;
	*type = (enum record_type)buf[5];
	for (i = 6; i < len; i += n) {
		int tag = buf[i];

		/* A field header must fit before its length is used. */
		if (len - i < 3 || tag < 1 || tag >= TAG_MAX ||
		    (seen & (1U << tag)) != 0 || !tag_in(*type, tag))
			return HG_ERR_INVALID;
		seen |= 1U << tag;
		n = (size_t)buf[i + 1] << 8 | buf[i + 2];
		i += 3;
		if (n == 0 || n > len - i || memchr(buf + i, '\0', n) != NULL)
			return HG_ERR_INVALID;
		if ((num = tag_number(r, tag)) != NULL) {
			char tmp[24];

			if (n >= sizeof(tmp))
				return HG_ERR_INVALID;
			memcpy(tmp, buf + i, n);
			tmp[n] = '\0';
			if (!isdigit((unsigned char)tmp[0]))
				return HG_ERR_INVALID;
			*num = strtoll(tmp, &end, 10);
			if (*end != '\0' || *num < 0)
				return HG_ERR_INVALID;
			continue;
		}
		dst = tag_field(r, tag, &room);
		if (n >= room)
			return HG_ERR_INVALID;
		memcpy(dst, buf + i, n);
		dst[n] = '\0';
	}
	return 0;
}

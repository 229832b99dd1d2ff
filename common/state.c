#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"
#include "state.h"
#include "trust.h"

#define STATE_VERSION	"1"

void
state_limits_of(const struct hg_conf *conf, struct state_limits *l)
{
	l->deny = conf->lockout_deny;
	l->deny_total = conf->lockout_deny_total;
	l->interval = conf->lockout_interval;
	l->unlock = conf->lockout_unlock;
	l->trust = (long long)conf->lockout_trust_days * 86400;
}

/* DIR/NAME plus SUFFIX into BUF; NAME is a user name or a bucket. */
static int
state_path(char *buf, size_t size, const char *dir, const char *name,
    const char *suffix, struct hg_msg *msg)
{
	if (snprintf(buf, size, "%s/%s%s", dir, name, suffix) >= (int)size)
		return hg_fail(msg, HG_ERR_TOOLONG, "%s: path too long", dir);
	return 0;
}

static int
user_ok(const char *dir, const char *user, struct hg_msg *msg)
{
	if (!trust_name_ok(user))
		return hg_fail(msg, HG_ERR_INVALID, "%s: user name not usable "
		    "as a file name", dir);
	return 0;
}

static int
lock_file(const char *dir, const char *name, uid_t owner, int *fdp,
    struct hg_msg *msg)
{
	char path[PATH_MAX];
	int fd, r;

	*fdp = -1;
	if ((r = trust_check_dir(dir, owner, TRUST_SECRET, msg)) != 0 ||
	    (r = state_path(path, sizeof(path), dir, name, ".lock", msg)) != 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return hg_fail(msg, HG_ERR_IO, "%s: open: %s", path,
		    strerror(errno));
	if ((r = trust_check_fd(fd, path, TRUST_SECRET, owner, msg)) != 0) {
		close(fd);
		return r;
	}
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			r = hg_fail(msg, HG_ERR_IO, "%s: lock: %s", path,
			    strerror(errno));
			close(fd);
			return r;
		}
	}
	*fdp = fd;
	return 0;
}

int
state_lock(const char *dir, const char *user, uid_t owner, int *fdp,
    struct hg_msg *msg)
{
	int r;

	*fdp = -1;
	if ((r = user_ok(dir, user, msg)) != 0)
		return r;
	return lock_file(dir, user, owner, fdp, msg);
}

void
state_unlock(int fd)
{
	if (fd != -1)
		close(fd);	/* closing the descriptor releases the flock */
}

static void
state_init(struct hg_state *st)
{
	memset(st, 0, sizeof(*st));
	st->last_step = -1;
}

/*
 * Source names are stored percent-encoded so that a field has no blanks
 * and no '#' that the line reader would take for a comment.
 */
static int
encode_source(const char *src, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *src != '\0'; src++) {
		unsigned char c = (unsigned char)*src;

		if (n + 4 > size)
			return -1;
		if (c > 0x20 && c < 0x7f && c != '%' && c != '#') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 0xf];
		}
	}
	out[n] = '\0';
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
decode_source(const char *in, char *out, size_t size)
{
	size_t n = 0;
	int hi, lo;

	for (; *in != '\0'; in++) {
		if (n + 1 >= size)
			return -1;
		if (*in != '%') {
			out[n++] = *in;
			continue;
		}
		if ((hi = hexval(in[1])) < 0 || (lo = hexval(in[2])) < 0 ||
		    (hi == 0 && lo == 0))
			return -1;
		out[n++] = (char)(hi << 4 | lo);
		in += 2;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* Parse a decimal number (optionally negative) up to a blank or the end. */
static int
parse_ll(char **p, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(*p, &end, 10);
	if (end == *p || errno != 0 || (*end != ' ' && *end != '\0'))
		return -1;
	*p = end + (*end == ' ');
	return 0;
}

static int
parse_fails(char **p, struct state_fails *f)
{
	long long count;

	if (parse_ll(p, &count) != 0 || count < 0 || count > UINT_MAX ||
	    parse_ll(p, &f->first) != 0 || parse_ll(p, &f->locked_until) != 0)
		return -1;
	f->count = (unsigned)count;
	return 0;
}

int
state_parse(struct hg_state *st, char *text, size_t len, const char *path,
    struct hg_msg *msg)
{
	struct conf_lines it;
	struct state_source *s;
	char *line, *k, *v;
	bool versioned = false;
	int r;

	state_init(st);
	conf_lines_init(&it, text, len);
	while ((r = conf_lines_next(&it, &line)) == 1) {
		if (*line == '\0')
			continue;
		if (conf_split(line, &k, &v) != 0)
			goto bad;
		if (strcmp(k, "version") == 0 && strcmp(v, STATE_VERSION) == 0)
			versioned = true;
		else if (strcmp(k, "last_step") == 0) {
			if (parse_ll(&v, &st->last_step) != 0 || *v != '\0')
				goto bad;
		} else if (strcmp(k, "last_success") == 0) {
			if (parse_ll(&v, &st->last_success) != 0 || *v != '\0')
				goto bad;
		} else if (strcmp(k, "total") == 0) {
			if (parse_fails(&v, &st->total) != 0 || *v != '\0')
				goto bad;
		} else if (strcmp(k, "source") == 0) {
			if (st->nsources == STATE_MAX_SOURCES)
				goto bad;
			s = &st->sources[st->nsources];
			if (parse_fails(&v, &s->fails) != 0 ||
			    decode_source(v, s->name, sizeof(s->name)) != 0)
				goto bad;
			st->nsources++;
		} else if (strcmp(k, "trusted") == 0) {
			struct state_trusted *t;

			if (st->ntrusted == STATE_MAX_TRUSTED)
				goto bad;
			t = &st->trusted[st->ntrusted];
			if (parse_ll(&v, &t->last) != 0 ||
			    decode_source(v, t->name, sizeof(t->name)) != 0)
				goto bad;
			st->ntrusted++;
		} else
			goto bad;
	}
	if (r == 0 && versioned)
		return 0;
	if (r == 0)
		return hg_fail(msg, HG_ERR_STATE,
		    "%s: no 'version = " STATE_VERSION "' line (truncated or "
		    "foreign file); inspect it, then remove it or run "
		    "'hostgate unlock'", path);
 bad:
	return hg_fail(msg, HG_ERR_STATE,
	    "%s:%u: malformed state line; inspect the file, then remove it "
	    "or run 'hostgate unlock'", path, it.lineno);
}

int
state_format(const struct hg_state *st, char *buf, size_t size)
{
	char name[STATE_MAX_SOURCE_LEN * 3 + 1];
	size_t i, len;
	int n;

	n = snprintf(buf, size, "# hostgate lockout and replay state; see "
	    "hostgate(8) status and unlock\nversion = " STATE_VERSION "\n"
	    "last_step = %lld\nlast_success = %lld\ntotal = %u %lld %lld\n",
	    st->last_step, st->last_success, st->total.count, st->total.first,
	    st->total.locked_until);
	if (n < 0 || (size_t)n >= size)
		return HG_ERR_TOOLONG;
	len = (size_t)n;
	for (i = 0; i < st->nsources; i++) {
		const struct state_source *s = &st->sources[i];

		if (encode_source(s->name, name, sizeof(name)) != 0)
			return HG_ERR_TOOLONG;
		n = snprintf(buf + len, size - len, "source = %u %lld %lld %s\n",
		    s->fails.count, s->fails.first, s->fails.locked_until,
		    name);
		if (n < 0 || (size_t)n >= size - len)
			return HG_ERR_TOOLONG;
		len += (size_t)n;
	}
	for (i = 0; i < st->ntrusted; i++) {
		if (encode_source(st->trusted[i].name, name, sizeof(name)) != 0)
			return HG_ERR_TOOLONG;
		n = snprintf(buf + len, size - len, "trusted = %lld %s\n",
		    st->trusted[i].last, name);
		if (n < 0 || (size_t)n >= size - len)
			return HG_ERR_TOOLONG;
		len += (size_t)n;
	}
	return (int)len;
}

static int
load_file(const char *dir, const char *name, uid_t owner, struct hg_state *st,
    struct hg_msg *msg)
{
	char path[PATH_MAX], *text;
	size_t len;
	int r;

	state_init(st);
	if ((r = state_path(path, sizeof(path), dir, name, "", msg)) != 0)
		return r;
	r = trust_read(path, TRUST_SECRET, owner, STATE_MAX_FILE, &text, &len,
	    msg);
	if (r == HG_ERR_NOENT) {
		if (msg != NULL)
			msg->text[0] = '\0';	/* a fresh state */
		return 0;
	}
	if (r == HG_ERR_TOOLONG)
		return hg_fail(msg, HG_ERR_STATE, "%s: larger than %d bytes",
		    path, STATE_MAX_FILE);
	if (r != 0)
		return r;
	r = state_parse(st, text, len, path, msg);
	free(text);
	return r;
}

static int
save_file(const char *dir, const char *name, const struct hg_state *st,
    struct hg_msg *msg)
{
	char path[PATH_MAX], buf[STATE_MAX_FILE];
	int n, r;

	if ((r = state_path(path, sizeof(path), dir, name, "", msg)) != 0)
		return r;
	if ((n = state_format(st, buf, sizeof(buf))) < 0)
		return hg_fail(msg, HG_ERR_INTERNAL, "%s: state too large",
		    path);
	return trust_replace(path, buf, (size_t)n, 0600, msg);
}

int
state_load(const char *dir, const char *user, uid_t owner,
    struct hg_state *st, struct hg_msg *msg)
{
	int r;

	state_init(st);
	if ((r = user_ok(dir, user, msg)) != 0)
		return r;
	return load_file(dir, user, owner, st, msg);
}

int
state_save(const char *dir, const char *user, const struct hg_state *st,
    struct hg_msg *msg)
{
	int r;

	if ((r = user_ok(dir, user, msg)) != 0)
		return r;
	return save_file(dir, user, st, msg);
}

struct state_source *
state_find_source(const struct hg_state *st, const char *source)
{
	size_t i;

	/* As strchr(): the caller decides whether it may change it. */
	for (i = 0; i < st->nsources; i++)
		if (strcmp(st->sources[i].name, source) == 0)
			return (struct state_source *)&st->sources[i];
	return NULL;
}

static const struct state_fails *
fails_find(const struct hg_state *st, const char *source)
{
	const struct state_source *s = state_find_source(st, source);

	return s != NULL ? &s->fails : NULL;
}

static void
remove_source(struct hg_state *st, struct state_source *s)
{
	size_t i = (size_t)(s - st->sources);

	memmove(s, s + 1, (st->nsources - i - 1) * sizeof(*s));
	st->nsources--;
}

/* Forget sources whose window has passed and which are not locked. */
static void
prune(struct hg_state *st, long long now, unsigned interval)
{
	size_t i = 0;

	while (i < st->nsources) {
		struct state_fails *f = &st->sources[i].fails;

		if (now - f->first >= interval && f->locked_until <= now)
			remove_source(st, &st->sources[i]);
		else
			i++;
	}
}

static void
fails_add(struct state_fails *f, long long now, unsigned deny,
    const struct state_limits *limits)
{
	if (f->count == 0 || now - f->first >= limits->interval) {
		f->count = 0;
		f->first = now;
	}
	if (f->count < UINT_MAX)
		f->count++;
	if (deny != 0 && f->count >= deny)
		f->locked_until = now + limits->unlock;
}

/* Did this user log in from SOURCE within the last TRUST seconds? */
static bool
trusted(const struct hg_state *st, const char *source, long long now,
    long long trust)
{
	size_t i;

	for (i = 0; i < st->ntrusted; i++)
		if (strcmp(st->trusted[i].name, source) == 0)
			return st->trusted[i].last <= now &&
			    st->trusted[i].last > now - trust;
	return false;
}

static long long
locked_until(const struct state_fails *f, long long now)
{
	return f != NULL && f->locked_until > now ? f->locked_until : 0;
}

bool
state_is_locked(const struct hg_state *st, const char *source,
    long long now, const struct state_limits *limits, long long *until)
{
	long long own;

	*until = 0;
	if (!trusted(st, source, now, limits->trust))
		*until = locked_until(&st->total, now);
	own = locked_until(fails_find(st, source), now);
	if (own > *until)
		*until = own;
	return *until != 0;
}

/*
 * The entry for SOURCE, made when missing: when the table is full the
 * entry whose window began first makes room (the per-user total still
 * bounds the guesses).  In a bucket (SPARE) the per-name totals, entries
 * without a blank, make room only when nothing else can: a user's total
 * is never dropped either.
 */
static struct state_fails *
fails_get(struct hg_state *st, const char *source, bool spare)
{
	struct state_source *s;
	size_t i, oldest = STATE_MAX_SOURCES;
	int pass;

	if ((s = state_find_source(st, source)) != NULL)
		return &s->fails;
	for (pass = spare ? 0 : 1;
	    st->nsources == STATE_MAX_SOURCES && pass < 2; pass++) {
		for (i = 0; i < st->nsources; i++)
			if ((pass == 1 || strchr(st->sources[i].name, ' ') !=
			    NULL) && (oldest == STATE_MAX_SOURCES ||
			    st->sources[i].fails.first <
			    st->sources[oldest].fails.first))
				oldest = i;
		if (oldest != STATE_MAX_SOURCES) {
			remove_source(st, &st->sources[oldest]);
			break;
		}
	}
	s = &st->sources[st->nsources++];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", source);
	return &s->fails;
}

void
state_fail(struct hg_state *st, const char *source, long long now,
    const struct state_limits *limits)
{
	prune(st, now, limits->interval);
	fails_add(fails_get(st, source, false), now, limits->deny, limits);
	fails_add(&st->total, now, limits->deny_total, limits);
}

/* Remember SOURCE as known-good at NOW; the least recent makes room. */
static void
trust_source(struct hg_state *st, const char *source, long long now)
{
	size_t i, slot;

	for (i = 0, slot = 0; i < st->ntrusted; i++) {
		if (strcmp(st->trusted[i].name, source) == 0) {
			slot = i;
			break;
		}
		if (st->trusted[i].last < st->trusted[slot].last)
			slot = i;
	}
	if (i == st->ntrusted && st->ntrusted < STATE_MAX_TRUSTED)
		slot = st->ntrusted++;
	snprintf(st->trusted[slot].name, sizeof(st->trusted[slot].name), "%s",
	    source);
	st->trusted[slot].last = now;
}

void
state_success(struct hg_state *st, const char *source, long long now,
    long long step, bool trust)
{
	struct state_source *s;

	if ((s = state_find_source(st, source)) != NULL)
		remove_source(st, s);
	if (trust)
		trust_source(st, source, now);
	if (step >= 0)
		st->last_step = step;
	st->last_success = now;
}

bool
state_step_ahead(const struct hg_state *st, long long now, unsigned window,
    unsigned period)
{
	/* Compared as a difference: a hostile file may hold any number. */
	return st->last_step >= 0 && now >= 0 &&
	    st->last_step - now > (long long)window * period;
}

void
state_clear(struct hg_state *st, const char *source)
{
	struct state_source *s;

	if (source == NULL) {
		st->nsources = 0;
		memset(&st->total, 0, sizeof(st->total));
	} else if ((s = state_find_source(st, source)) != NULL)
		remove_source(st, s);
}

/* --- names that are not accounts ---------------------------------------- */

#define BUCKET_KEY	".unknown.key"

/* The bucket key: read it, or make it on first use (atomically). */
static int
bucket_key(const char *dir, unsigned char key[crypto_generichash_KEYBYTES],
    struct hg_msg *msg)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int r;

	if ((r = state_path(path, sizeof(path), dir, BUCKET_KEY, "", msg)) != 0)
		return r;
	r = trust_read(path, TRUST_SECRET, 0, crypto_generichash_KEYBYTES,
	    &text, &len, msg);
	if (r == 0 && len == crypto_generichash_KEYBYTES)
		memcpy(key, text, len);
	else if (r == 0)
		r = hg_fail(msg, HG_ERR_STATE, "%s: not %d bytes; remove it "
		    "(a new one is made)", path, crypto_generichash_KEYBYTES);
	else if (r == HG_ERR_NOENT) {
		randombytes_buf(key, crypto_generichash_KEYBYTES);
		r = trust_replace(path, key, crypto_generichash_KEYBYTES, 0600,
		    msg);
	}
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	return r;
}

int
state_unknown_bucket(const char *dir, const char *user, char *name,
    char *tag, struct hg_msg *msg)
{
	unsigned char key[crypto_generichash_KEYBYTES], h[1 + STATE_TAG_LEN / 2];
	int r;

	if ((r = trust_check_dir(dir, 0, TRUST_SECRET, msg)) != 0 ||
	    (r = bucket_key(dir, key, msg)) != 0)
		return r;
	crypto_generichash(h, sizeof(h), (const unsigned char *)user,
	    strlen(user), key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	snprintf(name, STATE_BUCKET_NAME, ".unknown.%02x", h[0]);
	sodium_bin2hex(tag, STATE_TAG_LEN + 1, h + 1, sizeof(h) - 1);
	return 0;
}

int
state_bucket_lock(const char *dir, const char *name, int *fd,
    struct hg_msg *msg)
{
	return lock_file(dir, name, 0, fd, msg);
}

int
state_bucket_load(const char *dir, const char *name, struct hg_state *st,
    struct hg_msg *msg)
{
	return load_file(dir, name, 0, st, msg);
}

int
state_bucket_save(const char *dir, const char *name,
    const struct hg_state *st, struct hg_msg *msg)
{
	return save_file(dir, name, st, msg);
}

/*
 * "TAG HASH" into BUF, HASH standing for SOURCE so that sources of any
 * length stay apart (a user's sources are cut at STATE_MAX_SOURCE_LEN,
 * which its table also compares).
 */
static void
tagged(char *buf, size_t size, const char *tag, const char *source)
{
	unsigned char h[8];
	char hex[2 * sizeof(h) + 1], cut[STATE_MAX_SOURCE_LEN + 1];

	snprintf(cut, sizeof(cut), "%s", source);
	crypto_generichash(h, sizeof(h), (const unsigned char *)cut,
	    strlen(cut), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(buf, size, "%s %s", tag, hex);
}

bool
state_unknown_locked(const struct hg_state *st, const char *tag,
    const char *source, long long now, long long *until)
{
	char key[STATE_MAX_SOURCE_LEN + 1];
	long long own;

	tagged(key, sizeof(key), tag, source);
	*until = locked_until(fails_find(st, tag), now);
	own = locked_until(fails_find(st, key), now);
	if (own > *until)
		*until = own;
	return *until != 0;
}

void
state_unknown_fail(struct hg_state *st, const char *tag, const char *source,
    long long now, const struct state_limits *limits)
{
	char key[STATE_MAX_SOURCE_LEN + 1];

	tagged(key, sizeof(key), tag, source);
	prune(st, now, limits->interval);
	fails_add(fails_get(st, key, true), now, limits->deny, limits);
	fails_add(fails_get(st, tag, true), now, limits->deny_total, limits);
}

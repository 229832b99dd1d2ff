/*
 * Replay and lockout state: the file format, the lockout arithmetic, and
 * the lock that serialises concurrent logins of one user.
 */
#include "config.h"
#include "unit.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>

#include "state.h"

#define T0	1700000000LL

static const struct state_limits limits = {
	.deny = 3, .deny_total = 20, .interval = 900, .unlock = 600,
};

static const struct state_fails *
fails_of(const struct hg_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->nsources; i++)
		if (strcmp(st->sources[i].name, name) == 0)
			return &st->sources[i].fails;
	return NULL;
}

static unsigned
count_of(const struct hg_state *st, const char *name)
{
	const struct state_fails *f = fails_of(st, name);

	return f == NULL ? 0 : f->count;
}

static void
fresh(struct hg_state *st)
{
	memset(st, 0, sizeof(*st));
	st->last_step = -1;
}

static void
add_source(struct hg_state *st, const char *name, unsigned count,
    long long first, long long until)
{
	struct state_source *s = &st->sources[st->nsources++];

	ck_assert_uint_le(st->nsources, STATE_MAX_SOURCES);
	ck_assert_uint_le(strlen(name), STATE_MAX_SOURCE_LEN);
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->fails.count = count;
	s->fails.first = first;
	s->fails.locked_until = until;
}

static void
assert_same(const struct hg_state *a, const struct hg_state *b)
{
	size_t i;

	ck_assert_int_eq(a->last_step, b->last_step);
	ck_assert_int_eq(a->last_success, b->last_success);
	ck_assert_uint_eq(a->total.count, b->total.count);
	ck_assert_int_eq(a->total.first, b->total.first);
	ck_assert_int_eq(a->total.locked_until, b->total.locked_until);
	ck_assert_uint_eq(a->nsources, b->nsources);
	for (i = 0; i < a->nsources; i++) {
		ck_assert_msg(strcmp(a->sources[i].name, b->sources[i].name) ==
		    0, "source %zu differs", i);
		ck_assert_uint_eq(a->sources[i].fails.count,
		    b->sources[i].fails.count);
		ck_assert_int_eq(a->sources[i].fails.first,
		    b->sources[i].fails.first);
		ck_assert_int_eq(a->sources[i].fails.locked_until,
		    b->sources[i].fails.locked_until);
	}
}

/* Format ST, parse the text back into OUT; the text is left in BUF. */
static void
roundtrip(const struct hg_state *st, struct hg_state *out, char *buf,
    size_t size)
{
	struct hg_msg msg;
	char *copy;
	int n;

	n = state_format(st, buf, size);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert_ptr_nonnull(copy = strdup(buf));
	msg.text[0] = '\0';
	ck_assert_msg(state_parse(out, copy, (size_t)n, "/var/lib/hostgate/u",
	    &msg) == 0, "own output refused: %s", msg.text);
	free(copy);
}

/* ---- the file format --------------------------------------------------- */

START_TEST(roundtrip_basic)
{
	static char buf[STATE_MAX_FILE];
	struct hg_state st, back;

	fresh(&st);
	st.last_step = 56666666LL * 30;
	st.last_success = T0 - 5;
	st.total.count = 7;
	st.total.first = T0 - 100;
	st.total.locked_until = T0 + 500;
	add_source(&st, "10.0.0.1", 3, T0 - 50, T0 + 550);
	add_source(&st, "fd00::1", 1, T0 - 10, 0);
	roundtrip(&st, &back, buf, sizeof(buf));
	assert_same(&st, &back);
}
END_TEST

START_TEST(roundtrip_fresh)
{
	static char buf[STATE_MAX_FILE];
	struct hg_state st, back;

	fresh(&st);
	roundtrip(&st, &back, buf, sizeof(buf));
	assert_same(&st, &back);
	ck_assert_int_eq(back.last_step, -1);
}
END_TEST

/* Names with blanks, newlines and '%' survive and cannot forge lines. */
START_TEST(roundtrip_odd_sources)
{
	static const char *const names[] = {
		"ssh pts/0", "a\nsource = 0 0 0 forged", "50%off", "%41",
		"tab\there", "cr\r", "\x01\x7f", "caf\xc3\xa9", "x=y", " lead",
		"trail ",
	};
	static char buf[STATE_MAX_FILE];
	struct hg_state st, back;
	size_t i, lines = 0;
	char *p;

	fresh(&st);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		add_source(&st, names[i], (unsigned)i + 1, T0 + (long long)i,
		    0);
	roundtrip(&st, &back, buf, sizeof(buf));
	assert_same(&st, &back);
	/* One line per source: the newline was encoded. */
	for (p = buf; (p = strstr(p, "\nsource = ")) != NULL; p++)
		lines++;
	ck_assert_uint_eq(lines, sizeof(names) / sizeof(names[0]));
	/* Percent-encoded: blank, newline and '%' itself. */
	ck_assert_ptr_nonnull(strstr(buf, "ssh%20pts/0"));
	ck_assert_ptr_nonnull(strstr(buf, "50%25off"));
	ck_assert_ptr_nonnull(strstr(buf, "%2541"));
	ck_assert_ptr_null(strstr(buf, "\nsource = 0 0 0 forged"));
}
END_TEST

/* A name that starts with '#' must not read back as a comment. */
START_TEST(roundtrip_hash_source)
{
	static char buf[STATE_MAX_FILE];
	struct hg_state st, back;

	fresh(&st);
	add_source(&st, "#1", 2, T0, 0);
	add_source(&st, "pts/#2", 1, T0, 0);
	roundtrip(&st, &back, buf, sizeof(buf));
	assert_same(&st, &back);
}
END_TEST

/* The largest state there can be still fits in a file. */
START_TEST(roundtrip_full)
{
	static char buf[STATE_MAX_FILE];
	char name[STATE_MAX_SOURCE_LEN + 1];
	struct hg_state st, back;
	size_t i;

	fresh(&st);
	st.last_step = 9223372036854775807LL / 30 * 30;
	st.total.count = 4294967295U;
	st.total.first = -1;
	for (i = 0; i < STATE_MAX_SOURCES; i++) {
		/* Every byte needs escaping: the longest encoding. */
		memset(name, ' ', STATE_MAX_SOURCE_LEN);
		name[STATE_MAX_SOURCE_LEN] = '\0';
		snprintf(name, 4, "%03zu", i);
		name[3] = ' ';
		add_source(&st, name, 4294967295U, -9223372036854775807LL,
		    9223372036854775807LL);
	}
	roundtrip(&st, &back, buf, sizeof(buf));
	assert_same(&st, &back);
}
END_TEST

START_TEST(format_too_small)
{
	struct hg_state st;
	char buf[32];

	fresh(&st);
	ck_assert_int_eq(state_format(&st, buf, sizeof(buf)),
	    HG_ERR_TOOLONG);
}
END_TEST

/* Parse TEXT: must be HG_ERR_STATE naming the path and, if LINE, line. */
static void
expect_parse_error(const char *text, unsigned line)
{
	static const char path[] = "/var/lib/hostgate/alice";
	struct hg_state st;
	struct hg_msg msg;
	char *copy, want[64];

	ck_assert_ptr_nonnull(copy = strdup(text));
	msg.text[0] = '\0';
	ck_assert_int_eq(state_parse(&st, copy, strlen(copy), path, &msg),
	    HG_ERR_STATE);
	free(copy);
	if (line != 0)
		snprintf(want, sizeof(want), "%s:%u:", path, line);
	else
		snprintf(want, sizeof(want), "%s", path);
	ck_assert_msg(strstr(msg.text, want) != NULL,
	    "message '%s' does not name '%s'", msg.text, want);
}

START_TEST(parse_missing_version)
{
	expect_parse_error("last_step = 30\nlast_success = 0\n"
	    "total = 0 0 0\n", 0);
}
END_TEST

START_TEST(parse_empty)
{
	expect_parse_error("", 0);
}
END_TEST

START_TEST(parse_wrong_version)
{
	expect_parse_error("version = 2\nlast_step = 30\n", 1);
}
END_TEST

START_TEST(parse_unknown_key)
{
	expect_parse_error("version = 1\nlast_step = 30\nlast_stpe = 60\n", 3);
}
END_TEST

START_TEST(parse_no_equals)
{
	expect_parse_error("version = 1\n\ngarbage\n", 3);
}
END_TEST

START_TEST(parse_bad_number)
{
	expect_parse_error("version = 1\nlast_step = 30x\n", 2);
}
END_TEST

START_TEST(parse_empty_number)
{
	expect_parse_error("version = 1\nlast_success =\n", 2);
}
END_TEST

START_TEST(parse_number_overflow)
{
	expect_parse_error("version = 1\nlast_step = "
	    "99999999999999999999999\n", 2);
}
END_TEST

START_TEST(parse_total_short)
{
	expect_parse_error("version = 1\ntotal = 1 2\n", 2);
}
END_TEST

START_TEST(parse_total_extra)
{
	expect_parse_error("version = 1\ntotal = 1 2 3 4\n", 2);
}
END_TEST

START_TEST(parse_negative_count)
{
	expect_parse_error("version = 1\n# c\nsource = -1 2 3 tty1\n", 3);
}
END_TEST

START_TEST(parse_source_no_name)
{
	expect_parse_error("version = 1\nsource = 1 2 3\n", 2);
}
END_TEST

START_TEST(parse_source_bad_escape)
{
	expect_parse_error("version = 1\nsource = 1 2 3 a%zz\n", 2);
}
END_TEST

START_TEST(parse_source_nul_escape)
{
	expect_parse_error("version = 1\nsource = 1 2 3 a%00b\n", 2);
}
END_TEST

START_TEST(parse_too_many_sources)
{
	static char text[STATE_MAX_FILE];
	size_t i, n;

	n = (size_t)snprintf(text, sizeof(text), "version = 1\n");
	for (i = 0; i <= STATE_MAX_SOURCES; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "source = 1 %lld 0 s%zu\n", T0, i);
	expect_parse_error(text, STATE_MAX_SOURCES + 2);
}
END_TEST

START_TEST(parse_comments_and_blanks)
{
	static char text[] = "# written by hand\n\nversion = 1\n\n"
	    "last_step = 90   # three steps\r\n  total = 2 100 0\n";
	struct hg_state st;
	struct hg_msg msg;

	ck_assert_int_eq(state_parse(&st, text, strlen(text), "s", &msg), 0);
	ck_assert_int_eq(st.last_step, 90);
	ck_assert_uint_eq(st.total.count, 2);
	ck_assert_int_eq(st.total.first, 100);
	ck_assert_uint_eq(st.nsources, 0);
}
END_TEST

/* ---- lockout arithmetic ------------------------------------------------ */

START_TEST(fail_counts)
{
	struct hg_state st;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "b", T0 + 1, &limits);
	state_fail(&st, "a", T0 + 2, &limits);
	ck_assert_uint_eq(count_of(&st, "a"), 2);
	ck_assert_uint_eq(count_of(&st, "b"), 1);
	ck_assert_uint_eq(st.total.count, 3);
	ck_assert_int_eq(fails_of(&st, "a")->first, T0);
	ck_assert_int_eq(fails_of(&st, "b")->first, T0 + 1);
	ck_assert_int_eq(st.total.first, T0);
	ck_assert_int_eq(st.last_step, -1);
}
END_TEST

START_TEST(fail_below_deny_not_locked)
{
	struct hg_state st;
	long long until = 99;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0 + 1, &limits);
	ck_assert(!state_is_locked(&st, "a", T0 + 2, &limits, &until));
	ck_assert_int_eq(until, 0);
}
END_TEST

START_TEST(fail_locks_at_deny)
{
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0 + 100, &limits);
	state_fail(&st, "a", T0 + 200, &limits);
	ck_assert(state_is_locked(&st, "a", T0 + 201, &limits, &until));
	ck_assert_int_eq(until, T0 + 200 + limits.unlock);
	ck_assert_int_eq(fails_of(&st, "a")->locked_until,
	    T0 + 200 + limits.unlock);
}
END_TEST

START_TEST(fail_lock_expires)
{
	struct hg_state st;
	long long until;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	ck_assert(state_is_locked(&st, "a", T0 + limits.unlock - 1, &limits,
	    &until));
	ck_assert(!state_is_locked(&st, "a", T0 + limits.unlock, &limits,
	    &until));
	ck_assert(!state_is_locked(&st, "a", T0 + limits.unlock + 3600,
	    &limits, &until));
}
END_TEST

/* Failures spread wider than the interval never add up to a lock. */
START_TEST(fail_new_window)
{
	struct hg_state st;
	long long until, t = T0;

	fresh(&st);
	state_fail(&st, "a", t, &limits);
	state_fail(&st, "a", t + 1, &limits);
	t += limits.interval;
	state_fail(&st, "a", t, &limits);
	ck_assert_uint_eq(count_of(&st, "a"), 1);
	ck_assert_int_eq(fails_of(&st, "a")->first, t);
	ck_assert(!state_is_locked(&st, "a", t, &limits, &until));
	state_fail(&st, "a", t + 1, &limits);
	ck_assert_uint_eq(count_of(&st, "a"), 2);
	ck_assert(!state_is_locked(&st, "a", t + 1, &limits, &until));
}
END_TEST

START_TEST(fail_other_source_free)
{
	struct hg_state st;
	long long until;

	fresh(&st);
	state_fail(&st, "203.0.113.9", T0, &limits);
	state_fail(&st, "203.0.113.9", T0 + 1, &limits);
	state_fail(&st, "203.0.113.9", T0 + 2, &limits);
	ck_assert(state_is_locked(&st, "203.0.113.9", T0 + 3, &limits, &until));
	ck_assert(!state_is_locked(&st, "10.0.0.5", T0 + 3, &limits, &until));
	ck_assert_int_eq(until, 0);
	ck_assert(!state_is_locked(&st, "pts/0", T0 + 3, &limits, &until));
}
END_TEST

START_TEST(fail_total_locks_all)
{
	static const struct state_limits tl = {
		.deny = 100, .deny_total = 4, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_fail(&st, "a", T0, &tl);
	state_fail(&st, "b", T0 + 1, &tl);
	state_fail(&st, "c", T0 + 2, &tl);
	ck_assert(!state_is_locked(&st, "never-seen", T0 + 3, &limits, &until));
	state_fail(&st, "d", T0 + 3, &tl);
	ck_assert(state_is_locked(&st, "never-seen", T0 + 4, &limits, &until));
	ck_assert_int_eq(until, T0 + 3 + tl.unlock);
	ck_assert(state_is_locked(&st, "a", T0 + 4, &limits, &until));
	ck_assert(!state_is_locked(&st, "a", T0 + 3 + tl.unlock, &limits, &until));
}
END_TEST

/* A success from one source does not lift the user-wide lock. */
/* i9_03: the per-user total does not lock a recent known-good source. */
START_TEST(i9_03_trusted_source_spared_by_total)
{
	static const struct state_limits tl = {
		.deny = 100, .deny_total = 3, .interval = 900, .unlock = 600,
		.trust = 30 * 86400,
	};
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_success(&st, "192.0.2.10", T0, -1, true);
	state_fail(&st, "a", T0 + 1, &tl);
	state_fail(&st, "b", T0 + 2, &tl);
	state_fail(&st, "c", T0 + 3, &tl);
	ck_assert(state_is_locked(&st, "new", T0 + 4, &tl, &until));
	ck_assert(!state_is_locked(&st, "192.0.2.10", T0 + 4, &tl, &until));
}
END_TEST

START_TEST(i9_03_trusted_source_own_count_locks)
{
	static const struct state_limits tl = {
		.deny = 2, .deny_total = 20, .interval = 900, .unlock = 600,
		.trust = 30 * 86400,
	};
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_success(&st, "192.0.2.10", T0, -1, true);
	state_fail(&st, "192.0.2.10", T0 + 1, &tl);
	state_fail(&st, "192.0.2.10", T0 + 2, &tl);
	ck_assert(state_is_locked(&st, "192.0.2.10", T0 + 3, &tl, &until));
}
END_TEST

START_TEST(i9_03_trust_expires_and_zero_disables)
{
	struct state_limits tl = {
		.deny = 100, .deny_total = 1, .interval = 900,
		.unlock = 100 * 86400, .trust = 86400,
	};
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_success(&st, "s", T0, -1, true);
	state_fail(&st, "x", T0 + 10, &tl);
	ck_assert(!state_is_locked(&st, "s", T0 + 11, &tl, &until));
	ck_assert(state_is_locked(&st, "s", T0 + 86400, &tl, &until));
	tl.trust = 0;
	ck_assert(state_is_locked(&st, "s", T0 + 11, &tl, &until));
	/* A last login "in the future" (a hostile file) earns no trust. */
	st.trusted[0].last = T0 + 1000;
	tl.trust = 86400;
	ck_assert(state_is_locked(&st, "s", T0 + 11, &tl, &until));
}
END_TEST

START_TEST(i9_03_trusted_roundtrip_and_bound)
{
	struct hg_state st, back;
	char buf[STATE_MAX_FILE];
	size_t i;
	int n;

	fresh(&st);
	for (i = 0; i < STATE_MAX_TRUSTED + 5; i++) {
		char name[32];

		snprintf(name, sizeof(name), "10.0.0.%zu", i);
		state_success(&st, name, T0 + (long long)i, -1, true);
	}
	ck_assert_uint_eq(st.ntrusted, STATE_MAX_TRUSTED);
	state_success(&st, "odd source#%", T0 + 100, -1, true);
	n = state_format(&st, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(state_parse(&back, buf, (size_t)n, "t", NULL), 0);
	ck_assert_uint_eq(back.ntrusted, STATE_MAX_TRUSTED);
	for (i = 0; i < back.ntrusted; i++) {
		ck_assert_str_eq(back.trusted[i].name, st.trusted[i].name);
		ck_assert_int_eq(back.trusted[i].last, st.trusted[i].last);
		/* The least recent made room: 10.0.0.0 to 10.0.0.5 are gone. */
		ck_assert_str_ne(back.trusted[i].name, "10.0.0.0");
	}
}
END_TEST

/* i9_04: names that are no account: per (name, source) and per name. */
START_TEST(i9_04_unknown_counts_like_a_user)
{
	static const struct state_limits tl = {
		.deny = 3, .deny_total = 5, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until = 0;

	fresh(&st);
	state_unknown_fail(&st, "aaaa", "s1", T0, &tl);
	state_unknown_fail(&st, "aaaa", "s1", T0 + 1, &tl);
	ck_assert(!state_unknown_locked(&st, "aaaa", "s1", T0 + 2, &until));
	state_unknown_fail(&st, "aaaa", "s1", T0 + 2, &tl);
	ck_assert(state_unknown_locked(&st, "aaaa", "s1", T0 + 3, &until));
	ck_assert(!state_unknown_locked(&st, "aaaa", "s2", T0 + 3, &until));
	ck_assert(!state_unknown_locked(&st, "bbbb", "s1", T0 + 3, &until));
	state_unknown_fail(&st, "aaaa", "s2", T0 + 3, &tl);
	state_unknown_fail(&st, "aaaa", "s3", T0 + 4, &tl);
	ck_assert(state_unknown_locked(&st, "aaaa", "s9", T0 + 5, &until));
	ck_assert_int_eq(until, T0 + 4 + tl.unlock);
	ck_assert(!state_unknown_locked(&st, "bbbb", "s9", T0 + 5, &until));
	ck_assert(!state_unknown_locked(&st, "aaaa", "s9", T0 + 4 + tl.unlock,
	    &until));
}
END_TEST

/* i9_04: a full bucket drops per-source entries before a name's total. */
START_TEST(i9_04_bucket_spares_name_totals)
{
	static const struct state_limits tl = {
		.deny = 1000, .deny_total = 3, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until = 0;
	char src[32];
	int i;

	fresh(&st);
	state_unknown_fail(&st, "aaaa", "s1", T0, &tl);
	state_unknown_fail(&st, "aaaa", "s2", T0 + 1, &tl);
	for (i = 0; i < 3 * STATE_MAX_SOURCES; i++) {
		snprintf(src, sizeof(src), "flood%d", i);
		state_unknown_fail(&st, "bbbb", src, T0 + 2, &tl);
	}
	ck_assert_uint_eq(st.nsources, STATE_MAX_SOURCES);
	state_unknown_fail(&st, "aaaa", "s3", T0 + 3, &tl);
	ck_assert(state_unknown_locked(&st, "aaaa", "s4", T0 + 4, &until));
}
END_TEST

/* i9_04: sources of any length stay apart in a bucket, as for a user. */
START_TEST(i9_04_bucket_long_sources_apart)
{
	static const struct state_limits tl = {
		.deny = 2, .deny_total = 100, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until = 0;
	char a[241], b[241];

	memset(a, 'h', 240);
	a[240] = '\0';
	memcpy(b, a, sizeof(b));
	b[239] = 'x';
	fresh(&st);
	state_unknown_fail(&st, "aaaa", a, T0, &tl);
	state_unknown_fail(&st, "aaaa", b, T0 + 1, &tl);
	ck_assert(!state_unknown_locked(&st, "aaaa", a, T0 + 2, &until));
	state_unknown_fail(&st, "aaaa", a, T0 + 2, &tl);
	ck_assert(state_unknown_locked(&st, "aaaa", a, T0 + 3, &until));
}
END_TEST

START_TEST(fail_total_survives_success)
{
	static const struct state_limits tl = {
		.deny = 100, .deny_total = 2, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until;

	fresh(&st);
	state_fail(&st, "a", T0, &tl);
	state_fail(&st, "a", T0 + 1, &tl);
	state_success(&st, "a", T0 + 2, -1, false);
	ck_assert(state_is_locked(&st, "b", T0 + 3, &limits, &until));
}
END_TEST

START_TEST(fail_deny_zero_unlimited)
{
	static const struct state_limits tl = {
		.deny = 0, .deny_total = 0, .interval = 900, .unlock = 600,
	};
	struct hg_state st;
	long long until;
	int i;

	fresh(&st);
	for (i = 0; i < 50; i++)
		state_fail(&st, "a", T0 + i, &tl);
	ck_assert_uint_eq(count_of(&st, "a"), 50);
	ck_assert(!state_is_locked(&st, "a", T0 + 50, &limits, &until));
}
END_TEST

START_TEST(success_clears_source_only)
{
	struct hg_state st;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0 + 1, &limits);
	state_fail(&st, "b", T0 + 2, &limits);
	state_fail(&st, "b", T0 + 3, &limits);
	state_success(&st, "a", T0 + 10, T0 / 30 * 30, false);
	ck_assert_uint_eq(count_of(&st, "a"), 0);
	ck_assert_uint_eq(count_of(&st, "b"), 2);
	ck_assert_int_eq(st.last_step, T0 / 30 * 30);
	ck_assert_int_eq(st.last_success, T0 + 10);
	/* Two more failures from a are not enough: its count restarted. */
	state_fail(&st, "a", T0 + 11, &limits);
	state_fail(&st, "a", T0 + 12, &limits);
	ck_assert_uint_eq(count_of(&st, "a"), 2);
}
END_TEST

/* A success without a code (a recovery code) keeps the last step. */
START_TEST(success_without_step)
{
	struct hg_state st;

	fresh(&st);
	state_success(&st, "a", T0, 3000, false);
	state_success(&st, "a", T0 + 60, -1, false);
	ck_assert_int_eq(st.last_step, 3000);
	ck_assert_int_eq(st.last_success, T0 + 60);
}
END_TEST

START_TEST(clear_all)
{
	struct hg_state st;
	long long until;

	fresh(&st);
	st.last_step = 12345 * 30;
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "b", T0, &limits);
	ck_assert(state_is_locked(&st, "a", T0 + 1, &limits, &until));
	state_clear(&st, NULL);
	ck_assert_uint_eq(st.nsources, 0);
	ck_assert_uint_eq(st.total.count, 0);
	ck_assert_int_eq(st.total.locked_until, 0);
	ck_assert(!state_is_locked(&st, "a", T0 + 1, &limits, &until));
	/* Unlocking must not reopen used codes. */
	ck_assert_int_eq(st.last_step, 12345 * 30);
}
END_TEST

START_TEST(clear_one)
{
	struct hg_state st;
	long long until;

	fresh(&st);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "a", T0, &limits);
	state_fail(&st, "b", T0, &limits);
	state_clear(&st, "a");
	ck_assert(!state_is_locked(&st, "a", T0 + 1, &limits, &until));
	ck_assert_uint_eq(count_of(&st, "a"), 0);
	ck_assert_uint_eq(count_of(&st, "b"), 1);
	ck_assert_uint_eq(st.total.count, 4);
	state_clear(&st, "not-there");
	ck_assert_uint_eq(st.nsources, 1);
}
END_TEST

START_TEST(evict_oldest)
{
	struct hg_state st;
	char name[32];
	size_t i;

	fresh(&st);
	for (i = 0; i < STATE_MAX_SOURCES; i++) {
		snprintf(name, sizeof(name), "10.0.0.%zu", i);
		state_fail(&st, name, T0 + (long long)i, &limits);
	}
	ck_assert_uint_eq(st.nsources, STATE_MAX_SOURCES);
	state_fail(&st, "192.0.2.1", T0 + 100, &limits);
	ck_assert_uint_eq(st.nsources, STATE_MAX_SOURCES);
	ck_assert_ptr_null(fails_of(&st, "10.0.0.0"));
	ck_assert_ptr_nonnull(fails_of(&st, "10.0.0.1"));
	ck_assert_ptr_nonnull(fails_of(&st, "10.0.0.63"));
	ck_assert_uint_eq(count_of(&st, "192.0.2.1"), 1);
	/* The total still counts every failure. */
	ck_assert_uint_eq(st.total.count, STATE_MAX_SOURCES + 1);
}
END_TEST

/* "Oldest" is by window start, not by slot. */
START_TEST(evict_oldest_by_time)
{
	struct hg_state st;
	char name[32];
	size_t i;

	fresh(&st);
	for (i = 0; i < STATE_MAX_SOURCES; i++) {
		snprintf(name, sizeof(name), "s%zu", i);
		/* s40 starts first. */
		state_fail(&st, name, i == 40 ? T0 : T0 + 10 + (long long)i,
		    &limits);
	}
	state_fail(&st, "new", T0 + 200, &limits);
	ck_assert_ptr_null(fails_of(&st, "s40"));
	ck_assert_ptr_nonnull(fails_of(&st, "s0"));
	ck_assert_ptr_nonnull(fails_of(&st, "new"));
}
END_TEST

/* ---- files and the lock ------------------------------------------------ */

START_TEST(file_roundtrip)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_state st, back;
	struct hg_msg msg;
	struct stat sb;
	int fd = -1;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(state_lock(dir, "alice", geteuid(), &fd, &msg), 0);
	ck_assert_int_ge(fd, 0);
	unit_path(path, sizeof(path), dir, "alice.lock");
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert(S_ISREG(sb.st_mode));
	ck_assert_uint_eq(sb.st_mode & 077, 0);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg), 0);
	ck_assert_int_eq(st.last_step, -1);
	state_fail(&st, "ssh 10.0.0.1", T0, &limits);
	state_fail(&st, "pts/1", T0 + 1, &limits);
	state_success(&st, "pts/1", T0 + 2, T0 / 30 * 30, false);
	ck_assert_int_eq(state_save(dir, "alice", &st, &msg), 0);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &back, &msg), 0);
	assert_same(&st, &back);
	state_unlock(fd);
	unit_path(path, sizeof(path), dir, "alice");
	ck_assert_int_eq(lstat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 07777, 0600);
	unit_path(path, sizeof(path), dir, "alice.new");
	ck_assert(!unit_exists(path));
	/* Another user's state is separate. */
	ck_assert_int_eq(state_load(dir, "bob", geteuid(), &back, &msg), 0);
	ck_assert_int_eq(back.last_step, -1);
}
END_TEST

START_TEST(load_missing_fresh)
{
	char dir[PATH_MAX];
	struct hg_state st;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	memset(&st, 0x55, sizeof(st));
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg), 0);
	ck_assert_int_eq(st.last_step, -1);
	ck_assert_int_eq(st.last_success, 0);
	ck_assert_uint_eq(st.nsources, 0);
	ck_assert_uint_eq(st.total.count, 0);
	ck_assert_int_eq(st.total.locked_until, 0);
}
END_TEST

START_TEST(lock_dir_group_writable)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;
	int fd = 99;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(chmod(dir, 0770), 0);
	msg.text[0] = '\0';
	ck_assert_int_eq(state_lock(dir, "alice", geteuid(), &fd, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_int_eq(fd, -1);
	ck_assert_ptr_nonnull(strstr(msg.text, dir));
	/* Nothing was created in the untrusted directory. */
	unit_path(path, sizeof(path), dir, "alice.lock");
	ck_assert(!unit_exists(path));
}
END_TEST

START_TEST(lock_dir_wrong_owner)
{
	char dir[PATH_MAX];
	struct hg_msg msg;
	int fd = 99;

	unit_dir(dir, sizeof(dir));
	ck_assert_int_eq(state_lock(dir, "alice", geteuid() + 1, &fd, &msg),
	    HG_ERR_UNTRUSTED);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(lock_dir_missing)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_msg msg;
	int fd = 99;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "absent");
	ck_assert_int_eq(state_lock(path, "alice", geteuid(), &fd, &msg),
	    HG_ERR_NOENT);
	ck_assert_int_eq(fd, -1);
}
END_TEST

/* A lock file planted as a symlink is not followed. */
START_TEST(lock_file_symlink)
{
	char dir[PATH_MAX], lock[PATH_MAX], target[PATH_MAX];
	struct hg_msg msg;
	int fd = 99;

	unit_dir(dir, sizeof(dir));
	unit_path(lock, sizeof(lock), dir, "alice.lock");
	unit_path(target, sizeof(target), dir, "elsewhere");
	ck_assert_int_eq(symlink(target, lock), 0);
	ck_assert_int_lt(state_lock(dir, "alice", geteuid(), &fd, &msg), 0);
	ck_assert_int_eq(fd, -1);
	ck_assert(!unit_exists(target));
}
END_TEST

START_TEST(load_untrusted_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_state st;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "version = 1\nlast_step = 0\n", 0644);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg),
	    HG_ERR_UNTRUSTED);
}
END_TEST

START_TEST(load_malformed_file)
{
	char dir[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 8];
	struct hg_state st;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "version = 1\nlast_step = 0\nsource = x\n", 0600);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg),
	    HG_ERR_STATE);
	snprintf(want, sizeof(want), "%s:3:", path);
	ck_assert_ptr_nonnull(strstr(msg.text, want));
}
END_TEST

/* A truncated file (no version line) is refused, not taken as fresh. */
START_TEST(load_truncated_file)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct hg_state st;
	struct hg_msg msg;

	unit_dir(dir, sizeof(dir));
	unit_path(path, sizeof(path), dir, "alice");
	unit_write_str(path, "", 0600);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg),
	    HG_ERR_STATE);
}
END_TEST

/* Wait for PID; return its exit status, or -1 if it did not exit. */
static int
wait_exit(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Child body: ROUNDS times take the lock, create MARKER exclusively (which
 * fails if the other process is inside too), linger, remove it.
 */
static int
overlap_child(const char *dir, const char *marker, int rounds)
{
	struct hg_msg msg;
	int fd, m, i;

	for (i = 0; i < rounds; i++) {
		if (state_lock(dir, "alice", geteuid(), &fd, &msg) != 0)
			return 2;
		m = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (m == -1)
			return 1;	/* the other one holds the lock too */
		close(m);
		usleep(2000);
		if (unlink(marker) != 0)
			return 3;
		state_unlock(fd);
	}
	return 0;
}

START_TEST(lock_excludes)
{
	char dir[PATH_MAX], marker[PATH_MAX];
	pid_t pid[2];
	int i;

	unit_dir(dir, sizeof(dir));
	unit_path(marker, sizeof(marker), dir, "inside");
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0)
			_exit(overlap_child(dir, marker, 40));
	}
	for (i = 0; i < 2; i++)
		ck_assert_msg(wait_exit(pid[i]) == 0,
		    "process %d saw the other inside the lock (or failed)", i);
}
END_TEST

/* While one process holds the lock, another waits for it. */
START_TEST(lock_blocks)
{
	char dir[PATH_MAX], marker[PATH_MAX];
	struct hg_msg msg;
	int fd, status;
	pid_t pid;

	unit_dir(dir, sizeof(dir));
	unit_path(marker, sizeof(marker), dir, "got-it");
	ck_assert_int_eq(state_lock(dir, "alice", geteuid(), &fd, &msg), 0);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		int cfd, m;

		close(fd);	/* the parent's lock, not ours to hold */
		if (state_lock(dir, "alice", geteuid(), &cfd, &msg) != 0)
			_exit(2);
		m = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0600);
		_exit(m == -1 ? 3 : 0);
	}
	usleep(300000);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);
	ck_assert_msg(!unit_exists(marker), "second holder got in");
	state_unlock(fd);
	ck_assert_int_eq(wait_exit(pid), 0);
	ck_assert(unit_exists(marker));
}
END_TEST

/* Another user's lock is independent. */
START_TEST(lock_per_user)
{
	char dir[PATH_MAX];
	struct hg_msg msg;
	int a, b;

	unit_dir(dir, sizeof(dir));
	alarm(5);
	ck_assert_int_eq(state_lock(dir, "alice", geteuid(), &a, &msg), 0);
	ck_assert_int_eq(state_lock(dir, "bob", geteuid(), &b, &msg), 0);
	alarm(0);
	state_unlock(a);
	state_unlock(b);
	state_unlock(-1);
}
END_TEST

START_TEST(names_colliding_refused)
{
	struct hg_state st;
	struct hg_msg msg;
	char dir[PATH_MAX];
	int fd;

	unit_dir(dir, sizeof(dir));
	/* "bob.lock" would share bob's lock file, "bob.new" his temporary. */
	ck_assert_int_eq(state_lock(dir, "bob.lock", geteuid(), &fd, &msg),
	    HG_ERR_INVALID);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(state_load(dir, "bob.new", geteuid(), &st, &msg),
	    HG_ERR_INVALID);
	ck_assert_int_eq(state_save(dir, "../bob", &st, &msg),
	    HG_ERR_INVALID);
}
END_TEST

/* Child body: ROUNDS read-modify-write cycles of last_step under lock. */
static int
counter_child(const char *dir, int rounds)
{
	struct hg_state st;
	struct hg_msg msg;
	int fd, i;

	for (i = 0; i < rounds; i++) {
		if (state_lock(dir, "alice", geteuid(), &fd, &msg) != 0 ||
		    state_load(dir, "alice", geteuid(), &st, &msg) != 0)
			return 2;
		st.last_step = st.last_step < 0 ? 1 : st.last_step + 1;
		usleep(500);
		if (state_save(dir, "alice", &st, &msg) != 0)
			return 3;
		state_unlock(fd);
	}
	return 0;
}

/* No update is lost when two logins race. */
START_TEST(lock_serialises_updates)
{
	char dir[PATH_MAX];
	struct hg_state st;
	struct hg_msg msg;
	pid_t pid[2];
	int i;

	unit_dir(dir, sizeof(dir));
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		ck_assert_int_ne(pid[i], -1);
		if (pid[i] == 0)
			_exit(counter_child(dir, 25));
	}
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(wait_exit(pid[i]), 0);
	ck_assert_int_eq(state_load(dir, "alice", geteuid(), &st, &msg), 0);
	ck_assert_int_eq(st.last_step, 50);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("state");
	TCase *tf = tcase_create("format");
	TCase *tl = tcase_create("lockout");
	TCase *tk = tcase_create("files");

	tcase_add_test(tf, roundtrip_basic);
	tcase_add_test(tf, roundtrip_fresh);
	tcase_add_test(tf, roundtrip_odd_sources);
	tcase_add_test(tf, roundtrip_hash_source);
	tcase_add_test(tf, roundtrip_full);
	tcase_add_test(tf, format_too_small);
	tcase_add_test(tf, parse_missing_version);
	tcase_add_test(tf, parse_empty);
	tcase_add_test(tf, parse_wrong_version);
	tcase_add_test(tf, parse_unknown_key);
	tcase_add_test(tf, parse_no_equals);
	tcase_add_test(tf, parse_bad_number);
	tcase_add_test(tf, parse_empty_number);
	tcase_add_test(tf, parse_number_overflow);
	tcase_add_test(tf, parse_total_short);
	tcase_add_test(tf, parse_total_extra);
	tcase_add_test(tf, parse_negative_count);
	tcase_add_test(tf, parse_source_no_name);
	tcase_add_test(tf, parse_source_bad_escape);
	tcase_add_test(tf, parse_source_nul_escape);
	tcase_add_test(tf, parse_too_many_sources);
	tcase_add_test(tf, parse_comments_and_blanks);
	suite_add_tcase(s, tf);

	tcase_add_test(tl, fail_counts);
	tcase_add_test(tl, fail_below_deny_not_locked);
	tcase_add_test(tl, fail_locks_at_deny);
	tcase_add_test(tl, fail_lock_expires);
	tcase_add_test(tl, fail_new_window);
	tcase_add_test(tl, fail_other_source_free);
	tcase_add_test(tl, fail_total_locks_all);
	tcase_add_test(tl, fail_total_survives_success);
	tcase_add_test(tl, fail_deny_zero_unlimited);
	tcase_add_test(tl, success_clears_source_only);
	tcase_add_test(tl, success_without_step);
	tcase_add_test(tl, clear_all);
	tcase_add_test(tl, clear_one);
	tcase_add_test(tl, evict_oldest);
	tcase_add_test(tl, evict_oldest_by_time);
	tcase_add_test(tl, i9_03_trusted_source_spared_by_total);
	tcase_add_test(tl, i9_03_trusted_source_own_count_locks);
	tcase_add_test(tl, i9_03_trust_expires_and_zero_disables);
	tcase_add_test(tl, i9_03_trusted_roundtrip_and_bound);
	tcase_add_test(tl, i9_04_unknown_counts_like_a_user);
	tcase_add_test(tl, i9_04_bucket_spares_name_totals);
	tcase_add_test(tl, i9_04_bucket_long_sources_apart);
	suite_add_tcase(s, tl);

	tcase_add_unchecked_fixture(tk, unit_base_setup, unit_base_teardown);
	tcase_set_timeout(tk, 30);
	tcase_add_test(tk, file_roundtrip);
	tcase_add_test(tk, load_missing_fresh);
	tcase_add_test(tk, lock_dir_group_writable);
	tcase_add_test(tk, lock_dir_wrong_owner);
	tcase_add_test(tk, lock_dir_missing);
	tcase_add_test(tk, lock_file_symlink);
	tcase_add_test(tk, load_untrusted_file);
	tcase_add_test(tk, load_malformed_file);
	tcase_add_test(tk, load_truncated_file);
	tcase_add_test(tk, lock_excludes);
	tcase_add_test(tk, lock_blocks);
	tcase_add_test(tk, lock_per_user);
	tcase_add_test(tk, names_colliding_refused);
	tcase_add_test(tk, lock_serialises_updates);
	suite_add_tcase(s, tk);
	return s;
}

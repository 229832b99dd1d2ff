/*
 * record_quote(): log values are quoted so that a user name with blanks,
 * quotes, newlines or control bytes cannot forge a field or a line.
 * The wire frame: the policy identity of a decision request (tag 16)
 * travels in RECORD_T_DECIDE frames only, at most once, within its room.
 */
#include "config.h"
#include "unit.h"

#include "record.h"

#define CANARY	0xa5

/* Quote IN into a SIZE-byte window of a larger buffer; check the rest. */
static void
quote(const char *in, char *out, size_t size)
{
	unsigned char big[1024];
	size_t i;

	ck_assert(size <= sizeof(big) / 2);
	memset(big, CANARY, sizeof(big));
	record_quote(in, (char *)big, size);
	for (i = size; i < sizeof(big); i++)
		ck_assert_msg(big[i] == CANARY,
		    "record_quote wrote byte %zu with size %zu", i, size);
	ck_assert_msg(memchr(big, '\0', size) != NULL,
	    "no NUL within size %zu", size);
	memcpy(out, big, size);
}

START_TEST(quote_plain)
{
	char out[64];

	quote("alice", out, sizeof(out));
	ck_assert_str_eq(out, "\"alice\"");
}
END_TEST

START_TEST(quote_empty)
{
	char out[64];

	quote("", out, sizeof(out));
	ck_assert_str_eq(out, "\"\"");
}
END_TEST

START_TEST(quote_quote_and_backslash)
{
	char out[64];

	quote("a\"b\\c", out, sizeof(out));
	ck_assert_str_eq(out, "\"a\\\"b\\\\c\"");
}
END_TEST

START_TEST(quote_newline)
{
	char out[64];

	quote("bob\nresult=allow", out, sizeof(out));
	ck_assert_str_eq(out, "\"bob\\nresult=allow\"");
	ck_assert_ptr_null(strchr(out, '\n'));
}
END_TEST

START_TEST(quote_tab_and_cr)
{
	char out[64];

	quote("a\tb\rc", out, sizeof(out));
	ck_assert_str_eq(out, "\"a\\tb\\x0dc\"");
}
END_TEST

START_TEST(quote_control_byte)
{
	char out[64];

	quote("x\x01y\x1f" "z\x7f", out, sizeof(out));
	ck_assert_str_eq(out, "\"x\\x01y\\x1fz\\x7f\"");
}
END_TEST

START_TEST(quote_non_ascii)
{
	char out[64];

	/* "é" in UTF-8, then a lone 0xff. */
	quote("\xc3\xa9\xff", out, sizeof(out));
	ck_assert_str_eq(out, "\"\\xc3\\xa9\\xff\"");
}
END_TEST

START_TEST(quote_null)
{
	char out[64];

	quote(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "-");
}
END_TEST

START_TEST(quote_null_small)
{
	char out[8];

	quote(NULL, out, sizeof(out));
	ck_assert_str_eq(out, "-");
}
END_TEST

START_TEST(quote_truncated)
{
	char in[200], out[16];
	size_t len;

	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	quote(in, out, sizeof(out));
	len = strlen(out);
	ck_assert_uint_lt(len, sizeof(out));
	ck_assert_int_eq(out[0], '"');
	ck_assert_uint_ge(len, 5);
	ck_assert_str_eq(out + len - 4, "...\"");
	/* What precedes the mark is a prefix of the value. */
	ck_assert_int_eq(strspn(out + 1, "a"), len - 5);
	ck_assert_uint_gt(len - 5, 0);
}
END_TEST

/* A cut never splits an escape sequence, whatever the size. */
START_TEST(quote_truncated_escapes)
{
	char in[100], out[64];
	size_t size, len, i;

	memset(in, '\x01', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	for (size = 8; size <= sizeof(out); size++) {
		quote(in, out, size);
		len = strlen(out);
		ck_assert_uint_lt(len, size);
		ck_assert_str_eq(out + len - 4, "...\"");
		/* Between the quotes: whole "\x01" groups, then "...". */
		ck_assert_uint_eq((len - 5) % 4, 0);
		for (i = 1; i + 4 <= len - 4; i += 4)
			ck_assert_msg(memcmp(out + i, "\\x01", 4) == 0,
			    "split escape at %zu with size %zu", i, size);
	}
}
END_TEST

/* Every size from the minimum up stays within bounds. */
START_TEST(quote_sizes_bounded)
{
	static const char in[] = "user \"x\"\n\\\x01\xc3\xa9 tail";
	char out[64];
	size_t size;

	for (size = 8; size <= sizeof(out); size++) {
		quote(in, out, size);
		ck_assert_uint_lt(strlen(out), size);
		ck_assert_int_eq(out[0], '"');
		ck_assert_int_eq(out[strlen(out) - 1], '"');
	}
	/* With room to spare it is not cut. */
	quote(in, out, sizeof(out));
	ck_assert_str_eq(out,
	    "\"user \\\"x\\\"\\n\\\\\\x01\\xc3\\xa9 tail\"");
}
END_TEST

/* A value that fits exactly (quotes and NUL included) is not cut. */
START_TEST(quote_fits_exactly)
{
	char out[8];

	/* "abcde" quoted is 7 characters plus the NUL: 8 bytes. */
	quote("abcde", out, sizeof(out));
	ck_assert_str_eq(out, "\"abcde\"");
}
END_TEST

START_TEST(quote_fits_short)
{
	char out[8];

	quote("abc", out, sizeof(out));
	ck_assert_str_eq(out, "\"abc\"");
}
END_TEST

/* --- the wire frame: the policy identity of a decision request ---------- */

#define POLICY_HEX \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
decide_record(struct hg_record *r)
{
	record_init(r);
	r->ts_ms = 1795428000123LL;
	snprintf(r->event, sizeof(r->event), "account");
	snprintf(r->user, sizeof(r->user), "alice");
	snprintf(r->service, sizeof(r->service), "sshd");
	snprintf(r->policy, sizeof(r->policy), "%s", POLICY_HEX);
}

/* Append field TAG with VAL to the frame BUF of *LEN bytes; fix its length. */
static void
append_field(unsigned char *buf, int *len, int tag, const char *val)
{
	size_t n = strlen(val), total;

	buf[(*len)++] = (unsigned char)tag;
	buf[(*len)++] = (unsigned char)(n >> 8);
	buf[(*len)++] = (unsigned char)n;
	memcpy(buf + *len, val, n);
	*len += (int)n;
	total = (size_t)*len - 4;
	buf[0] = (unsigned char)(total >> 24);
	buf[1] = (unsigned char)(total >> 16);
	buf[2] = (unsigned char)(total >> 8);
	buf[3] = (unsigned char)total;
}

START_TEST(i9_01_wire_decide_carries_policy)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	len = record_encode(RECORD_T_DECIDE, &r, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out), 0);
	ck_assert_int_eq(type, RECORD_T_DECIDE);
	ck_assert_str_eq(out.policy, POLICY_HEX);
	ck_assert_str_eq(out.user, "alice");
}
END_TEST

START_TEST(i9_01_wire_record_omits_policy)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	len = record_encode(RECORD_T_RECORD, &r, buf, sizeof(buf));
	ck_assert_int_gt(len, 0);
	ck_assert_ptr_null(memmem(buf, (size_t)len, POLICY_HEX, 64));
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out), 0);
	ck_assert_str_eq(out.policy, "");
	len = record_encode(RECORD_T_REPLY, &r, buf, sizeof(buf));
	ck_assert_ptr_null(memmem(buf, (size_t)len, POLICY_HEX, 64));
}
END_TEST

START_TEST(i9_01_wire_decide_without_policy_decodes)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	/* A frame of before the tag: still valid; the daemon refuses it. */
	decide_record(&r);
	r.policy[0] = '\0';
	len = record_encode(RECORD_T_DECIDE, &r, buf, sizeof(buf));
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out), 0);
	ck_assert_str_eq(out.policy, "");
}
END_TEST

START_TEST(i9_01_wire_policy_refused_in_record)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	len = record_encode(RECORD_T_RECORD, &r, buf, sizeof(buf));
	append_field(buf, &len, 16, POLICY_HEX);
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out),
	    HG_ERR_INVALID);
	buf[5] = RECORD_T_REPLY;
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out),
	    HG_ERR_INVALID);
}
END_TEST

START_TEST(i9_01_wire_policy_repeated)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	len = record_encode(RECORD_T_DECIDE, &r, buf, sizeof(buf));
	append_field(buf, &len, 16, POLICY_HEX);
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out),
	    HG_ERR_INVALID);
}
END_TEST

START_TEST(i9_01_wire_policy_too_long)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	r.policy[0] = '\0';
	len = record_encode(RECORD_T_DECIDE, &r, buf, sizeof(buf));
	append_field(buf, &len, 16, POLICY_HEX "0");
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out),
	    HG_ERR_INVALID);
}
END_TEST

START_TEST(i9_01_wire_unknown_tag)
{
	unsigned char buf[RECORD_WIRE_MAX + 4];
	struct hg_record r, out;
	enum record_type type;
	int len;

	decide_record(&r);
	len = record_encode(RECORD_T_DECIDE, &r, buf, sizeof(buf));
	append_field(buf, &len, 17, "x");
	ck_assert_int_eq(record_decode(buf, (size_t)len, &type, &out),
	    HG_ERR_INVALID);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("record");
	TCase *tc = tcase_create("quote");

	tcase_add_test(tc, quote_plain);
	tcase_add_test(tc, quote_empty);
	tcase_add_test(tc, quote_quote_and_backslash);
	tcase_add_test(tc, quote_newline);
	tcase_add_test(tc, quote_tab_and_cr);
	tcase_add_test(tc, quote_control_byte);
	tcase_add_test(tc, quote_non_ascii);
	tcase_add_test(tc, quote_null);
	tcase_add_test(tc, quote_null_small);
	tcase_add_test(tc, quote_truncated);
	tcase_add_test(tc, quote_truncated_escapes);
	tcase_add_test(tc, quote_sizes_bounded);
	tcase_add_test(tc, quote_fits_exactly);
	tcase_add_test(tc, quote_fits_short);
	suite_add_tcase(s, tc);
	tc = tcase_create("wire");
	tcase_add_test(tc, i9_01_wire_decide_carries_policy);
	tcase_add_test(tc, i9_01_wire_record_omits_policy);
	tcase_add_test(tc, i9_01_wire_decide_without_policy_decodes);
	tcase_add_test(tc, i9_01_wire_policy_refused_in_record);
	tcase_add_test(tc, i9_01_wire_policy_repeated);
	tcase_add_test(tc, i9_01_wire_policy_too_long);
	tcase_add_test(tc, i9_01_wire_unknown_tag);
	suite_add_tcase(s, tc);
	return s;
}

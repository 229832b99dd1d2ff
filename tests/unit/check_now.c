/*
 * now_*(): the monotonic readings never go back and agree in their units;
 * the wall clock is the epoch's, in milliseconds.
 */
#include "config.h"
#include "unit.h"

#include <time.h>

#include "now.h"

START_TEST(mono_never_goes_back)
{
	long long a, b;
	int i;

	for (i = 0; i < 1000; i++) {
		a = now_mono_ns();
		b = now_mono_ns();
		ck_assert(b >= a);
		a = now_mono_ms();
		b = now_mono_ms();
		ck_assert(b >= a);
	}
}
END_TEST

/* Read in order, each coarser reading lies between the finer ones. */
START_TEST(mono_units_agree)
{
	long long ns0, us, ms, ns1;

	ns0 = now_mono_ns();
	us = now_mono_us();
	ms = now_mono_ms();
	ns1 = now_mono_ns();
	ck_assert(us >= ns0 / 1000 && us <= ns1 / 1000);
	ck_assert(ms >= ns0 / 1000000 && ms <= ns1 / 1000000);
}
END_TEST

/* Milliseconds since the epoch, between two readings of the wall clock. */
static long long
wall(void)
{
	struct timespec ts;

	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &ts), 0);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

START_TEST(wall_is_epoch_ms)
{
	long long before = wall();
	long long ms = now_wall_ms();
	long long after = wall();

	ck_assert(ms >= before && ms <= after);
	ck_assert(ms > 1700000000000LL);	/* after November 2023 */
}
END_TEST

START_TEST(mono_advances)
{
	struct timespec ts = { 0, 20 * 1000000L };
	long long a = now_mono_ms();

	ck_assert_int_eq(nanosleep(&ts, NULL), 0);
	ck_assert(now_mono_ms() - a >= 20);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("now");
	TCase *tc = tcase_create("clocks");

	tcase_add_test(tc, mono_never_goes_back);
	tcase_add_test(tc, mono_units_agree);
	tcase_add_test(tc, wall_is_epoch_ms);
	tcase_add_test(tc, mono_advances);
	suite_add_tcase(s, tc);
	return s;
}

/* The time in the units the module, the daemon and the CLI count in. */
#include "config.h"

#include <time.h>

#include "now.h"

/* CLK in nanoseconds; the other units are cut from this one reading. */
static long long
now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long
now_mono_ns(void)
{
	return now_ns(CLOCK_MONOTONIC);
}

long long
now_mono_us(void)
{
	return now_ns(CLOCK_MONOTONIC) / 1000;
}

long long
now_mono_ms(void)
{
	return now_ns(CLOCK_MONOTONIC) / 1000000;
}

long long
now_wall_ms(void)
{
	return now_ns(CLOCK_REALTIME) / 1000000;
}

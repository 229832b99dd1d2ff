/*
 * The time, read one way: the monotonic clock for deadlines and intervals
 * (it never jumps when the wall clock is set), the wall clock only for what
 * is stamped into records.
 */
#ifndef HG_NOW_H
#define HG_NOW_H

/* Monotonic time in nanoseconds: orders events within one boot. */
long long now_mono_ns(void);

/* Monotonic time in microseconds. */
long long now_mono_us(void);

/* Monotonic time in milliseconds: deadlines and timeouts. */
long long now_mono_ms(void);

/* Wall-clock time in milliseconds since the epoch, as records carry it. */
long long now_wall_ms(void);

#endif /* HG_NOW_H */

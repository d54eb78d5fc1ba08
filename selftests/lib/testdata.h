/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the data-checking selftest tools share: a 64-bit mixer that makes
 * every word of a test pattern depend on its seed, page and position (so a
 * page read back from the wrong place, or stale, is caught), and a clock.
 */
#ifndef _HEXO_TESTDATA_H
#define _HEXO_TESTDATA_H

#include <stdint.h>
#include <time.h>

/* splitmix64's finalizer: a bijection that scatters every input bit. */
static inline uint64_t td_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Seconds on the monotonic clock. */
static inline double td_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif /* _HEXO_TESTDATA_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the NAS Parallel Benchmarks applications share: the NPB
 * pseudorandom generator and problem classes, and the result lines the
 * tests read.
 */
#ifndef _HEXO_NPB_H
#define _HEXO_NPB_H

#include "hexo_rt.h"

#define NPB_A		1220703125ull	/* 5^13, the multiplier */
#define NPB_MASK46	((1ull << 46) - 1)

/*
 * The NPB generator: x <- a * x mod 2^46, returns x * 2^-46. The
 * specification computes it in doubles, exactly; 64-bit integers give the
 * same numbers (2^46 divides 2^64) with no rounding to reason about.
 */
static inline double npb_randlc(uint64_t *x, uint64_t a)
{
	*x = (*x * a) & NPB_MASK46;
	return (double)*x * 0x1p-46;
}

/* The class letter from argv[1] ("S", "W", "A", ...): 'S' by default, 0 if
 * it is not one of `allowed`.
 */
char npb_class(int argc, char **argv, const char *allowed);

/*
 * The closing lines every application prints: its result as exact bits
 * (the tests compare migrated and unmigrated runs with it), then the
 * verification verdict.
 */
void npb_report(const char *app, char cls, uint64_t digest, bool verified);
void npb_banner(const char *app, char cls, const char *what);
void npb_resumed(const char *app, const char *where);

#endif /* _HEXO_NPB_H */

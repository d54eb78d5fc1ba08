// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded pseudorandom generator, so that a simulation and the random
 * policy give the same numbers for the same seed on every machine:
 * splitmix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), one 64-bit word of state.
 */
#include <math.h>

#include "policy.h"

void hxp_rand_seed(struct hxp_rand *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t hxp_rand_u64(struct hxp_rand *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

double hxp_rand_unit(struct hxp_rand *r)
{
	/* The top 53 bits: every double in [0, 1) a multiple of 2^-53. */
	return (double)(hxp_rand_u64(r) >> 11) * 0x1p-53;
}

double hxp_rand_exp(struct hxp_rand *r, double mean)
{
	return -mean * log1p(-hxp_rand_unit(r));
}

double hxp_rand_normal(struct hxp_rand *r)
{
	/* Box-Muller; 1 - u is in (0, 1], so the log is finite. */
	double u = 1.0 - hxp_rand_unit(r), v = hxp_rand_unit(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Elementary functions in plain double arithmetic. The same C on both ISAs,
 * built with -ffp-contract=off (no fused multiply-add), gives the same bits
 * on both: a computation migrated half way ends exactly as one that was not.
 * sqrt is IEEE-754 correctly rounded in hardware on both ISAs.
 */
#include "hexo_rt.h"

#define HEXO_LN2	0.69314718055994530942
#define HEXO_SQRT2	1.41421356237309504880

uint64_t hexo_double_bits(double x)
{
	union {
		double d;
		uint64_t u;
	} v = { .d = x };

	return v.u;
}

static double hexo_double_from_bits(uint64_t u)
{
	union {
		uint64_t u;
		double d;
	} v = { .u = u };

	return v.d;
}

double hexo_fabs(double x)
{
	return hexo_double_from_bits(hexo_double_bits(x) & ~(1ull << 63));
}

double hexo_sqrt(double x)
{
	return __builtin_sqrt(x);
}

/*
 * log(x) = e*ln2 + log(m), m in [sqrt(1/2), sqrt(2)); log(m) = 2 atanh(s)
 * with s = (m-1)/(m+1), |s| < 0.172: the odd series converges fast.
 */
double hexo_log(double x)
{
	uint64_t bits = hexo_double_bits(x);
	int e;
	double m, s, s2, term, sum;

	if (x != x || x < 0)
		return (x - x) / 0.0;
	if (x == 0)
		return -1.0 / 0.0;
	if (x > 1.7976931348623157e308)
		return x;
	e = (int)(bits >> 52 & 0x7ff);
	if (!e) {	/* subnormal: scale into the normal range first */
		x *= 18014398509481984.0;	/* 2^54 */
		bits = hexo_double_bits(x);
		e = (int)(bits >> 52 & 0x7ff) - 54;
	}
	e -= 1023;
	m = hexo_double_from_bits((bits & ((1ull << 52) - 1)) | (1023ull << 52));
	if (m > HEXO_SQRT2) {
		m *= 0.5;
		e++;
	}
	s = (m - 1.0) / (m + 1.0);
	s2 = s * s;
	term = s;
	sum = 0;
	for (int k = 1; k < 40; k += 2) {
		double add = term / k;

		sum += add;
		if (hexo_fabs(add) < 1e-18 * hexo_fabs(sum) || add == 0)
			break;
		term *= s2;
	}
	return e * HEXO_LN2 + 2.0 * sum;
}

/*
 * exp(x) = 2^k exp(r), |r| <= ln2/2: 20 Taylor terms leave r^21/21! below
 * 10^-28; summed smallest first, in Horner form.
 */
double hexo_exp(double x)
{
	double r, sum;
	int k;

	if (x != x)
		return x;
	if (x > 709.78)
		return 1.0 / 0.0;
	if (x < -745.2)
		return 0.0;
	k = (int)(x / HEXO_LN2 + (x < 0 ? -0.5 : 0.5));
	r = x - k * HEXO_LN2;
	sum = 1.0;
	for (int i = 20; i > 0; i--)
		sum = 1.0 + sum * r / i;
	/* 2^k in two steps, so neither factor overflows or underflows early. */
	sum *= hexo_double_from_bits((uint64_t)(1023 + k / 2) << 52);
	return sum * hexo_double_from_bits((uint64_t)(1023 + k - k / 2) << 52);
}

double hexo_pow(double x, double y)
{
	if (y == 0)
		return 1.0;
	if (x == 0)
		return y > 0 ? 0.0 : 1.0 / 0.0;
	if (x < 0)
		return (x - x) / 0.0;
	return hexo_exp(y * hexo_log(x));
}

// SPDX-License-Identifier: GPL-2.0
/*
 * NPB EP ("embarrassingly parallel"), from the NAS Parallel Benchmarks
 * specification: 2^(M+1) uniform pseudorandom numbers, in batches of 2^16
 * pairs, become Gaussian pairs by the Marsaglia polar method; the sums of
 * the deviates and the counts of pairs in square annuli are the result,
 * checked against the specification's values.
 *
 * Migration points: after every chunk of pairs (EP_POINT_CHUNK) and after
 * every batch (EP_POINT_BATCH). Everything live there is in struct
 * ep_state.
 */
#include "npb.h"

#define EP_MK		16			/* 2^16 pairs per batch */
#define EP_NK		(1u << EP_MK)
#define EP_CHUNK	4096			/* pairs per migration point */
#define EP_NQ		10
#define EP_SEED		271828183ull
#define EP_EPSILON	1e-8

enum {
	EP_POINT_CHUNK = 1,
	EP_POINT_BATCH = 2,
};

struct ep_class {
	char cls;
	int m;
	double sx, sy;		/* the specification's verification values */
};

static const struct ep_class ep_classes[] = {
	{ 'S', 24, -3.247834652034740e+3, -6.958407078382297e+3 },
	{ 'W', 25, -2.863319731645753e+3, -6.320053679109499e+3 },
	{ 'A', 28, -4.295875165629892e+3, -1.580732573678431e+4 },
};

struct ep_state {
	char cls;
	uint32_t m;
	uint64_t batches;	/* 2^(M - MK) */
	uint64_t an;		/* A^(2^(MK+1)) mod 2^46: one batch's stride */
	uint64_t batch;		/* the batch under way or next */
	uint32_t chunk;		/* next chunk of that batch */
	bool in_batch;
	uint64_t seed;		/* the generator's state inside the batch */
	double sx, sy;
	double q[EP_NQ];
};

static struct ep_state ep;
static double ep_x[2 * EP_CHUNK];

/* The seed of batch k: S * an^k, by binary powering as the spec does. */
static uint64_t ep_batch_seed(uint64_t k)
{
	uint64_t t1 = EP_SEED, t2 = ep.an;

	for (int i = 0; i < 100; i++) {
		uint64_t ik = k / 2;

		if (2 * ik != k)
			npb_randlc(&t1, t2);
		if (!ik)
			break;
		npb_randlc(&t2, t2);
		k = ik;
	}
	return t1;
}

static void ep_chunk(void)
{
	for (unsigned int i = 0; i < 2 * EP_CHUNK; i++)
		ep_x[i] = npb_randlc(&ep.seed, NPB_A);
	for (unsigned int i = 0; i < EP_CHUNK; i++) {
		double x1 = 2.0 * ep_x[2 * i] - 1.0;
		double x2 = 2.0 * ep_x[2 * i + 1] - 1.0;
		double t1 = x1 * x1 + x2 * x2;

		if (t1 <= 1.0) {
			double t2 = hexo_sqrt(-2.0 * hexo_log(t1) / t1);
			double t3 = x1 * t2, t4 = x2 * t2;
			double l = hexo_fabs(t3) > hexo_fabs(t4) ? hexo_fabs(t3) : hexo_fabs(t4);

			ep.q[(int)l] += 1.0;
			ep.sx += t3;
			ep.sy += t4;
		}
	}
}

static int ep_finish(void)
{
	const struct ep_class *c = NULL;
	uint64_t digest;
	double gc = 0;
	bool ok;

	for (unsigned int i = 0; i < sizeof(ep_classes) / sizeof(ep_classes[0]); i++)
		if (ep_classes[i].cls == ep.cls)
			c = &ep_classes[i];
	for (int i = 0; i < EP_NQ; i++)
		gc += ep.q[i];
	hexo_printf("ep: sx %.15e sy %.15e gaussian pairs %.0f\n", ep.sx, ep.sy, gc);
	for (int i = 0; i < EP_NQ; i++)
		hexo_printf("ep: q[%d] %.0f\n", i, ep.q[i]);
	ok = hexo_fabs((ep.sx - c->sx) / c->sx) <= EP_EPSILON &&
	     hexo_fabs((ep.sy - c->sy) / c->sy) <= EP_EPSILON;
	digest = hexo_double_bits(ep.sx) ^ (hexo_double_bits(ep.sy) * 31) ^ (uint64_t)gc;
	npb_report("ep", ep.cls, digest, ok);
	return ok ? 0 : 1;
}

static int ep_run(void)
{
	while (ep.batch < ep.batches) {
		if (!ep.in_batch) {
			ep.seed = ep_batch_seed(ep.batch);
			ep.chunk = 0;
			ep.in_batch = true;
		}
		while (ep.chunk < EP_NK / EP_CHUNK) {
			ep_chunk();
			ep.chunk++;
			hexo_migration_point(EP_POINT_CHUNK);
		}
		ep.in_batch = false;
		ep.batch++;
		hexo_migration_point(EP_POINT_BATCH);
	}
	return ep_finish();
}

static int ep_main(int argc, char **argv)
{
	char cls = npb_class(argc, argv, "SWA");

	if (!cls) {
		hexo_printf("usage: ep [S|W|A]\n");
		return 2;
	}
	ep.cls = cls;
	for (unsigned int i = 0; i < sizeof(ep_classes) / sizeof(ep_classes[0]); i++)
		if (ep_classes[i].cls == cls)
			ep.m = ep_classes[i].m;
	ep.batches = 1ull << (ep.m - EP_MK);
	ep.an = NPB_A;
	for (int i = 0; i < EP_MK + 1; i++)
		npb_randlc(&ep.an, ep.an);
	hexo_migration_state(&ep, sizeof(ep));
	npb_banner("ep", cls, "2^M pairs in batches of 2^16");
	return ep_run();
}

static int ep_resume(uint32_t point)
{
	if (point != EP_POINT_CHUNK && point != EP_POINT_BATCH)
		hexo_panic("ep: no migration point %u", point);
	npb_resumed("ep", "");
	hexo_printf("ep: at batch %llu chunk %u\n", (unsigned long long)ep.batch, ep.chunk);
	return ep_run();
}

HEXO_APP("ep", ep_main, ep_resume);

// SPDX-License-Identifier: GPL-2.0
/*
 * NPB IS (integer sort), from the NAS Parallel Benchmarks specification:
 * keys from the NPB generator (each the scaled sum of four uniform
 * numbers), ranked by counting ten times, with two keys changed before
 * each ranking; partial verification of five ranks per iteration against
 * the specification's values, and a full check that the final ranking
 * sorts the keys.
 *
 * Migration points: after the keys are made (IS_POINT_KEYS) and after each
 * ranking (IS_POINT_RANK). The arrays are on the heap, which migrates.
 */
#include "npb.h"

#define IS_ITERATIONS	10
#define IS_TESTS	5

enum {
	IS_POINT_KEYS = 1,
	IS_POINT_RANK = 2,
};

enum is_phase {
	IS_PHASE_KEYS,		/* make the keys */
	IS_PHASE_WARMUP,	/* the untimed ranking the specification does first */
	IS_PHASE_RANK,		/* rankings 1..IS_ITERATIONS */
};

struct is_class {
	char cls;
	int log2_keys, log2_max_key;
	int32_t test_index[IS_TESTS];
	int32_t test_rank[IS_TESTS];
};

static const struct is_class is_classes[] = {
	{ 'S', 16, 11, { 48427, 17148, 23627, 62548, 4431 },
	  { 0, 18, 346, 64917, 65463 } },
	{ 'W', 20, 16, { 357773, 934767, 875723, 898999, 404505 },
	  { 1249, 11698, 1039987, 1043896, 1048018 } },
	{ 'A', 23, 19, { 2112377, 662041, 5336171, 3642833, 4250760 },
	  { 104, 17523, 123928, 8288932, 8388264 } },
};

struct is_state {
	char cls;
	uint32_t nkeys, max_key;
	enum is_phase phase;
	uint32_t iteration;		/* next ranking */
	uint32_t passed;		/* partial verifications passed */
	int32_t *keys;			/* heap: the keys */
	int32_t *ranks;			/* heap: key counts, then cumulative ranks */
	int32_t *copy;			/* heap: the keys as ranked */
};

static struct is_state is;

static const struct is_class *is_class_of(char cls)
{
	for (unsigned int i = 0; i < sizeof(is_classes) / sizeof(is_classes[0]); i++)
		if (is_classes[i].cls == cls)
			return &is_classes[i];
	return NULL;
}

static void is_make_keys(void)
{
	uint64_t seed = 314159265;
	int32_t k = is.max_key / 4;

	for (uint32_t i = 0; i < is.nkeys; i++) {
		double x = npb_randlc(&seed, NPB_A);

		x += npb_randlc(&seed, NPB_A);
		x += npb_randlc(&seed, NPB_A);
		x += npb_randlc(&seed, NPB_A);
		is.keys[i] = (int32_t)(k * x);
	}
}

static bool is_rank_ok(const struct is_class *c, int i, int32_t rank, int32_t it)
{
	switch (c->cls) {
	case 'S':
		return rank == (i <= 2 ? c->test_rank[i] + it : c->test_rank[i] - it);
	case 'W':
		return rank == (i < 2 ? c->test_rank[i] + (it - 2) : c->test_rank[i] - it);
	default:
		return rank == (i <= 2 ? c->test_rank[i] + (it - 1) : c->test_rank[i] - (it - 1));
	}
}

static void is_rank(uint32_t it)
{
	const struct is_class *c = is_class_of(is.cls);
	int32_t probe[IS_TESTS];

	is.keys[it] = it;
	is.keys[it + IS_ITERATIONS] = is.max_key - it;
	for (int i = 0; i < IS_TESTS; i++)
		probe[i] = is.keys[c->test_index[i]];
	memcpy(is.copy, is.keys, is.nkeys * sizeof(*is.keys));
	memset(is.ranks, 0, is.max_key * sizeof(*is.ranks));
	for (uint32_t i = 0; i < is.nkeys; i++)
		is.ranks[is.copy[i]]++;
	for (uint32_t i = 0; i + 1 < is.max_key; i++)
		is.ranks[i + 1] += is.ranks[i];
	for (int i = 0; i < IS_TESTS; i++) {
		int32_t k = probe[i];

		if (k <= 0 || k > (int32_t)is.nkeys - 1)
			continue;
		if (is_rank_ok(c, i, is.ranks[k - 1], it))
			is.passed++;
		else
			hexo_printf("is: iteration %u, test %d: rank %d of key %d is wrong\n",
				    it, i, is.ranks[k - 1], k);
	}
}

static int is_finish(void)
{
	uint64_t digest = 0xcbf29ce484222325ull;
	uint32_t unsorted = 0;
	bool ok;

	/* The full verification: the last ranking must sort the keys. */
	for (uint32_t i = 0; i < is.nkeys; i++)
		is.keys[--is.ranks[is.copy[i]]] = is.copy[i];
	for (uint32_t i = 1; i < is.nkeys; i++)
		if (is.keys[i - 1] > is.keys[i])
			unsorted++;
	if (!unsorted)
		is.passed++;
	for (uint32_t i = 0; i < is.nkeys; i++)
		digest = (digest ^ (uint32_t)is.keys[i]) * 0x100000001b3ull;
	hexo_printf("is: %u of %u partial verifications passed, %u keys out of order\n",
		    is.passed - !unsorted, IS_TESTS * IS_ITERATIONS, unsorted);
	ok = is.passed == IS_TESTS * IS_ITERATIONS + 1;
	npb_report("is", is.cls, digest, ok);
	return ok ? 0 : 1;
}

static int is_run(void)
{
	if (is.phase == IS_PHASE_KEYS) {
		is_make_keys();
		is.phase = IS_PHASE_WARMUP;
		hexo_migration_point(IS_POINT_KEYS);
	}
	if (is.phase == IS_PHASE_WARMUP) {
		is_rank(1);
		is.passed = 0;
		is.iteration = 1;
		is.phase = IS_PHASE_RANK;
	}
	while (is.iteration <= IS_ITERATIONS) {
		is_rank(is.iteration);
		hexo_printf("is: iteration %u\n", is.iteration);
		is.iteration++;
		hexo_migration_point(IS_POINT_RANK);
	}
	return is_finish();
}

static int is_main(int argc, char **argv)
{
	const struct is_class *c;
	char cls = npb_class(argc, argv, "SWA");

	if (!cls) {
		hexo_printf("usage: is [S|W|A]\n");
		return 2;
	}
	c = is_class_of(cls);
	is.cls = cls;
	is.nkeys = 1u << c->log2_keys;
	is.max_key = 1u << c->log2_max_key;
	is.keys = hexo_xcalloc(is.nkeys, sizeof(*is.keys));
	is.copy = hexo_xcalloc(is.nkeys, sizeof(*is.copy));
	is.ranks = hexo_xcalloc(is.max_key, sizeof(*is.ranks));
	hexo_migration_state(&is, sizeof(is));
	npb_banner("is", cls, "counting sort of 2^N keys");
	return is_run();
}

static int is_resume(uint32_t point)
{
	if (point != IS_POINT_KEYS && point != IS_POINT_RANK)
		hexo_panic("is: no migration point %u", point);
	npb_resumed("is", "");
	hexo_printf("is: at iteration %u\n", is.iteration);
	return is_run();
}

HEXO_APP("is", is_main, is_resume);

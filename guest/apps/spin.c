// SPDX-License-Identifier: GPL-2.0
/*
 * spin MS [POINTS]: computes for MS milliseconds without reaching a
 * migration point, then crosses POINTS points (default 0). A guest that a
 * migration request cannot reach in time, for hexovm's timeout path; it
 * checks its own arithmetic so a run that goes wrong fails.
 */
#include "npb.h"

enum { SPIN_POINT = 1 };

struct spin_state {
	uint64_t points, done;
	uint64_t x;
};

static struct spin_state spin;

static int spin_points(void)
{
	while (spin.done < spin.points) {
		spin.done++;
		hexo_migration_point(SPIN_POINT);
	}
	hexo_printf("spin: crossed %llu migration points\n", (unsigned long long)spin.done);
	return 0;
}

static int spin_main(int argc, char **argv)
{
	uint64_t ms = 0, t0, n = 0, x = 1, y = 1;

	if (argc < 2 || !hexo_parse_u64(argv[1], &ms) ||
	    (argc > 2 && !hexo_parse_u64(argv[2], &spin.points))) {
		hexo_printf("usage: spin MS [POINTS]\n");
		return 2;
	}
	hexo_migration_state(&spin, sizeof(spin));
	t0 = hexo_time_ns();
	/* Two ways to the same number: they must agree at the end. */
	while (hexo_time_ns() - t0 < ms * 1000000) {
		for (int i = 0; i < 100000; i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			y = y * 6364136223846793005ull + 1442695040888963407ull;
		}
		n++;
	}
	if (x != y) {
		hexo_printf("spin: arithmetic went wrong\n");
		return 1;
	}
	hexo_printf("spin: %llu ms without a migration point (%llu rounds)\n",
		    (unsigned long long)ms, (unsigned long long)n);
	return spin_points();
}

static int spin_resume(uint32_t point)
{
	hexo_printf("spin: resumed on %s\n", hexo_isa_name());
	return spin_points();
}

HEXO_APP("spin", spin_main, spin_resume);

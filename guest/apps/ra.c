// SPDX-License-Identifier: GPL-2.0
/*
 * ra MiB [N]: random access over a large table, the memory-bound guest
 * (the kind of load that swaps to Netswap on a board). A table of 2^k
 * 64-bit words, table[i] = i, takes N * 2^k (N: 4 unless given, up to
 * 64) read-modify-write updates at
 * pseudorandom places (a 64-bit LFSR stream, as in HPC Challenge's
 * RandomAccess): table[ran mod 2^k] ^= ran. The table's digest is the
 * result. Verification: XOR is its own inverse, so replaying the same
 * stream must give back table[i] = i everywhere.
 *
 * Migration points every RA_CHUNK updates or words, in every phase.
 */
#include "npb.h"

#define RA_POLY		0x0000000000000007ull
#define RA_SEED		0x2545f4914f6cdd1dull
#define RA_CHUNK	(1u << 16)

enum { RA_POINT = 1 };

enum ra_phase {
	RA_PHASE_INIT,
	RA_PHASE_UPDATE,	/* the updates */
	RA_PHASE_DIGEST,
	RA_PHASE_UNDO,		/* the same updates again */
	RA_PHASE_CHECK,
	RA_PHASE_DONE,
};

struct ra_state {
	uint64_t *table;	/* heap */
	uint64_t words, updates;
	enum ra_phase phase;
	uint64_t i;		/* progress within the phase */
	uint64_t ran;
	uint64_t digest, errors;
};

static struct ra_state ra;

static inline uint64_t ra_next(uint64_t ran)
{
	return ran << 1 ^ ((int64_t)ran < 0 ? RA_POLY : 0);
}

/* One chunk of the current phase; true when the phase is over. */
static bool ra_chunk(void)
{
	uint64_t mask = ra.words - 1;
	uint64_t end;

	switch (ra.phase) {
	case RA_PHASE_INIT:
	case RA_PHASE_DIGEST:
	case RA_PHASE_CHECK:
		end = ra.i + RA_CHUNK < ra.words ? ra.i + RA_CHUNK : ra.words;
		for (; ra.i < end; ra.i++) {
			if (ra.phase == RA_PHASE_INIT)
				ra.table[ra.i] = ra.i;
			else if (ra.phase == RA_PHASE_DIGEST)
				ra.digest = (ra.digest ^ ra.table[ra.i]) * 0x100000001b3ull;
			else
				ra.errors += ra.table[ra.i] != ra.i;
		}
		return ra.i == ra.words;
	default:
		end = ra.i + RA_CHUNK < ra.updates ? ra.i + RA_CHUNK : ra.updates;
		for (; ra.i < end; ra.i++) {
			ra.ran = ra_next(ra.ran);
			ra.table[ra.ran & mask] ^= ra.ran;
		}
		return ra.i == ra.updates;
	}
}

static int ra_run(void)
{
	while (ra.phase != RA_PHASE_DONE) {
		if (ra_chunk()) {
			ra.phase++;
			ra.i = 0;
			ra.ran = RA_SEED;
			if (ra.phase == RA_PHASE_DIGEST)
				ra.digest = 0xcbf29ce484222325ull;
		}
		hexo_migration_point(RA_POINT);
	}
	hexo_printf("ra: %llu updates over %llu MiB, replayed: %llu words wrong\n",
		    (unsigned long long)ra.updates, (unsigned long long)(ra.words >> 17),
		    (unsigned long long)ra.errors);
	npb_report("ra", '-', ra.digest, !ra.errors);
	return ra.errors ? 1 : 0;
}

static int ra_main(int argc, char **argv)
{
	uint64_t mib = 16, per_word = 4;

	if ((argc > 1 && !hexo_parse_u64(argv[1], &mib)) || mib < 1 || mib > 2048 ||
	    (argc > 2 && !hexo_parse_u64(argv[2], &per_word)) || per_word < 1 || per_word > 64) {
		hexo_printf("usage: ra [MiB [N]]   (table size, 1 to 2048, default 16; N updates "
			    "per word, 1 to 64, default 4)\n");
		return 2;
	}
	ra.words = 1;
	while (ra.words * 2 <= mib << 17)
		ra.words *= 2;
	ra.updates = per_word * ra.words;
	ra.table = hexo_malloc(ra.words * sizeof(*ra.table));
	if (!ra.table) {
		hexo_printf("ra: no room for a %llu MiB table; give hexovm --mem %lluM or more\n",
			    (unsigned long long)mib, (unsigned long long)mib + 48);
		return 2;
	}
	ra.ran = RA_SEED;
	hexo_migration_state(&ra, sizeof(ra));
	npb_banner("ra", '-', "random read-modify-write over the table");
	return ra_run();
}

static int ra_resume(uint32_t point)
{
	static const char *const phases[] = { "init", "update", "digest", "undo", "check" };

	if (point != RA_POINT || ra.phase >= RA_PHASE_DONE)
		hexo_panic("ra: cannot resume at point %u, phase %d", point, ra.phase);
	npb_resumed("ra", "");
	hexo_printf("ra: in phase %s at %llu\n", phases[ra.phase], (unsigned long long)ra.i);
	return ra_run();
}

HEXO_APP("ra", ra_main, ra_resume);

// SPDX-License-Identifier: GPL-2.0
/*
 * memstress: a memory workload that checks every byte it wrote. It maps MiB
 * of anonymous memory, fills it sequentially with a pattern that depends on
 * each word's address and a version, then runs random rounds (read a page,
 * check it, rewrite it with the next version), then checks everything once
 * more, sequentially. Larger than RAM, it swaps; any page swap gives back
 * wrong (lost, stale, misplaced, corrupted) is reported. A page whose swap-in
 * fails kills the process with SIGBUS, which the caller sees.
 *
 *   memstress MIB [RANDOM_PAGES [SEED]]
 *
 * Prints progress lines and, at the end, "memstress: OK ..." or the first bad
 * words; exit status 0 only if every byte checked out.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "testdata.h"

#define PAGE 4096
#define WORDS (PAGE / 8)

static uint64_t word(uint64_t seed, uint64_t page, unsigned int w, uint8_t ver)
{
	return td_mix(seed ^ (page << 16) ^ ((uint64_t)ver << 12) ^ w);
}

static uint64_t bad;

static void check(uint64_t *p, uint64_t seed, uint64_t page, uint8_t ver)
{
	for (unsigned int w = 0; w < WORDS; w++) {
		if (p[w] != word(seed, page, w, ver)) {
			if (bad++ < 10)
				printf("memstress: BAD page %" PRIu64 " word %u version %u: %016" PRIx64
				       "\n", page, w, ver, p[w]);
		}
	}
}

static void fill(uint64_t *p, uint64_t seed, uint64_t page, uint8_t ver)
{
	for (unsigned int w = 0; w < WORDS; w++)
		p[w] = word(seed, page, w, ver);
}

int main(int argc, char **argv)
{
	uint64_t mib, pages, rounds, seed, s, *mem;
	uint8_t *ver;
	double t0, t;

	if (argc < 2) {
		fprintf(stderr, "usage: memstress MIB [RANDOM_PAGES [SEED]]\n");
		return 2;
	}
	mib = strtoull(argv[1], NULL, 0);
	pages = mib * 256;
	rounds = argc > 2 ? strtoull(argv[2], NULL, 0) : pages;
	seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 42;
	mem = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ver = calloc(pages, 1);
	if (mem == MAP_FAILED || !ver) {
		perror("memstress: mmap");
		return 1;
	}

	t0 = td_now();
	for (uint64_t pg = 0; pg < pages; pg++) {
		fill(mem + pg * WORDS, seed, pg, 0);
		if (!(pg % (pages / 8 + 1)))
			printf("memstress: fill %3" PRIu64 "%%\n", pg * 100 / pages), fflush(stdout);
	}
	t = td_now();
	printf("memstress: filled %" PRIu64 " MiB sequentially in %.1fs\n", mib, t - t0);
	fflush(stdout);

	s = seed;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t pg = (s = td_mix(s + r)) % pages;

		check(mem + pg * WORDS, seed, pg, ver[pg]);
		ver[pg]++;
		fill(mem + pg * WORDS, seed, pg, ver[pg]);
		if (!(r % (rounds / 8 + 1)))
			printf("memstress: random %3" PRIu64 "%%\n", r * 100 / rounds), fflush(stdout);
	}
	printf("memstress: %" PRIu64 " random page updates in %.1fs\n", rounds, td_now() - t);
	fflush(stdout);
	t = td_now();
	for (uint64_t pg = 0; pg < pages; pg++)
		check(mem + pg * WORDS, seed, pg, ver[pg]);
	printf("memstress: checked %" PRIu64 " MiB sequentially in %.1fs\n", mib, td_now() - t);
	if (bad) {
		printf("memstress: FAILED: %" PRIu64 " bad words\n", bad);
		return 1;
	}
	printf("memstress: OK %" PRIu64 " MiB, %" PRIu64 " random updates, %.1fs\n", mib, rounds,
	       td_now() - t0);
	return 0;
}

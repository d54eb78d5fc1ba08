// SPDX-License-Identifier: GPL-2.0
/*
 * blkpattern: writes and checks page patterns on a block device with
 * O_DIRECT, so nothing is served from the page cache. Every 8-byte word of a
 * page is a hash of (seed, page number, word), so data returned for the wrong
 * page, from an older write or corrupted anywhere is caught.
 *
 *   blkpattern [-b PAGES] [-r] write  DEV SEED [FIRST COUNT]
 *   blkpattern [-b PAGES] [-r] verify DEV SEED [FIRST COUNT]
 *   blkpattern [-b PAGES] [-r] zero   DEV      [FIRST COUNT]   (pages read as zeros)
 *   blkpattern discard DEV FIRST COUNT                         (BLKDISCARD)
 *   blkpattern expect-eio DEV FIRST COUNT    (every read of these pages fails with EIO)
 *
 * -b: pages per I/O (default 8); -r: random order of the batches.
 * Exit status 0 when all is as expected; 1 with the first bad pages listed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "testdata.h"

#define PAGE 4096

static void fill(uint64_t *p, uint64_t seed, uint64_t page)
{
	for (int w = 0; w < PAGE / 8; w++)
		p[w] = td_mix(seed * 0x9e3779b97f4a7c15ULL ^ (page << 12 | w));
}

int main(int argc, char **argv)
{
	uint64_t first = 0, count = 0, seed = 0, bad = 0, batches, eio = 0;
	unsigned int batch = 8;
	bool random = false;
	const char *cmd, *path;
	int c, fd, narg;
	uint64_t *buf, *want, *order;
	double t0;

	while ((c = getopt(argc, argv, "b:r")) != -1) {
		switch (c) {
		case 'b': batch = atoi(optarg); break;
		case 'r': random = true; break;
		default: return 2;
		}
	}
	if (argc - optind < 2 || !batch || batch > 256) {
		fprintf(stderr, "usage: see the comment at the top of blkpattern.c\n");
		return 2;
	}
	cmd = argv[optind];
	path = argv[optind + 1];
	narg = optind + 2;
	if (!strcmp(cmd, "write") || !strcmp(cmd, "verify"))
		seed = strtoull(argv[narg++], NULL, 0);

	fd = open(path, (strcmp(cmd, "write") ? O_RDONLY : O_WRONLY) | O_DIRECT |
		  (strcmp(cmd, "discard") ? 0 : O_RDWR));
	if (!strcmp(cmd, "discard")) {
		close(fd);
		fd = open(path, O_RDWR);
	}
	if (fd < 0) {
		fprintf(stderr, "blkpattern: %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (narg + 2 <= argc) {
		first = strtoull(argv[narg], NULL, 0);
		count = strtoull(argv[narg + 1], NULL, 0);
	} else {
		uint64_t bytes;

		if (ioctl(fd, BLKGETSIZE64, &bytes)) {
			perror("blkpattern: BLKGETSIZE64");
			return 1;
		}
		count = bytes / PAGE;
	}

	if (!strcmp(cmd, "discard")) {
		uint64_t range[2] = { first * PAGE, count * PAGE };

		if (ioctl(fd, BLKDISCARD, range)) {
			perror("blkpattern: BLKDISCARD");
			return 1;
		}
		printf("discarded pages %" PRIu64 "..%" PRIu64 "\n", first, first + count - 1);
		return 0;
	}

	buf = aligned_alloc(PAGE, (size_t)batch * PAGE);
	want = aligned_alloc(PAGE, PAGE);
	batches = (count + batch - 1) / batch;
	order = malloc(batches * sizeof(*order));
	if (!buf || !want || !order) {
		fprintf(stderr, "blkpattern: out of memory\n");
		return 1;
	}
	for (uint64_t i = 0; i < batches; i++)
		order[i] = i;
	if (random) {
		uint64_t s = seed ^ 0x5eed;

		for (uint64_t i = batches - 1; i > 0; i--) {
			uint64_t j = (s = td_mix(s)) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
	}

	t0 = td_now();
	for (uint64_t b = 0; b < batches; b++) {
		uint64_t p0 = first + order[b] * batch;
		unsigned int n = batch;
		ssize_t r;

		if (p0 + n > first + count)
			n = first + count - p0;
		if (!strcmp(cmd, "write")) {
			for (unsigned int i = 0; i < n; i++)
				fill(buf + i * (PAGE / 8), seed, p0 + i);
			r = pwrite(fd, buf, (size_t)n * PAGE, p0 * PAGE);
			if (r != (ssize_t)n * PAGE) {
				fprintf(stderr, "blkpattern: write at page %" PRIu64 ": %s\n", p0,
					r < 0 ? strerror(errno) : "short");
				return 1;
			}
			continue;
		}
		r = pread(fd, buf, (size_t)n * PAGE, p0 * PAGE);
		if (!strcmp(cmd, "expect-eio")) {
			if (r < 0 && errno == EIO) {
				eio += n;
			} else {
				fprintf(stderr, "blkpattern: page %" PRIu64 ": read %s, not EIO\n", p0,
					r < 0 ? strerror(errno) : "succeeded");
				bad += n;
			}
			continue;
		}
		if (r != (ssize_t)n * PAGE) {
			fprintf(stderr, "blkpattern: read at page %" PRIu64 ": %s\n", p0,
				r < 0 ? strerror(errno) : "short");
			return 1;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (!strcmp(cmd, "zero"))
				memset(want, 0, PAGE);
			else
				fill(want, seed, p0 + i);
			if (memcmp(buf + i * (PAGE / 8), want, PAGE)) {
				if (bad++ < 10)
					fprintf(stderr, "blkpattern: page %" PRIu64 " differs\n", p0 + i);
			}
		}
	}
	if (!strcmp(cmd, "expect-eio")) {
		printf("%" PRIu64 " of %" PRIu64 " pages failed with EIO\n", eio, count);
		return bad ? 1 : 0;
	}
	printf("%s %" PRIu64 " pages (%" PRIu64 " bad) in %.2fs, %.0f pages/s\n", cmd, count, bad,
	       td_now() - t0, count / (td_now() - t0));
	return bad ? 1 : 0;
}

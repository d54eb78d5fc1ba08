// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: 4 KiB random reads or writes on a block device with O_DIRECT
 * and Linux native AIO, at a chosen queue depth, for a chosen time. Reports
 * pages per second and the latency distribution (median, p99, mean and the
 * longest, which shows a stall such as a mirrored device's failover). The
 * same tool measures every device of the comparison (netswap, AoE, NBD,
 * NVMe/TCP, zram), so they are measured alike.
 *
 *   blkbench [-w] [-q DEPTH] [-t SECONDS] [-s SPAN_PAGES] [-g USECS] [-p] [-c] [-V SEED] [-j]
 *            DEVICE
 *     -w        writes (default: reads)
 *     -q DEPTH  requests in flight (default 1)
 *     -g USECS  a pause of 0 to USECS (random) before each submission of
 *               what completed, so that the device goes idle between
 *               requests (default 0: none)
 *     -t SECS   how long to measure (default 5)
 *     -s PAGES  the random offsets fall in the first PAGES pages (default 4096)
 *     -p        first write the span sequentially (128 KiB at a time), so
 *               reads find data and not holes a device may short-cut
 *     -c        only check the span: read it sequentially (128 KiB at a
 *               time) and verify every page (needs -V); no timed run
 *     -V SEED   verified data: every page written (-p, -w) holds the pattern
 *               of its page index and SEED, and every page read (reads, -c)
 *               is compared with it; a page that differs is a mismatch,
 *               counted and reported like a failed I/O (exit status 1)
 *     -j        one JSON object instead of text
 *
 * The pattern names its page and seed in its first two 64-bit words, so a
 * mismatch says whose data came back (another page's, another run's, or
 * none: a read buffer's sectors are poisoned before each read).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/aio_abi.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"

#define PAGE 4096
#define MAXQ 256

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* SplitMix64's finalizer: one seed and page index give one stream. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

#define WORDS (PAGE / 8)
#define POISON 0xdeadbeefdeadbeefull

/* The contents of page `page` in the run of `seed`. */
static void pattern(uint64_t *w, uint64_t page, uint64_t seed)
{
	uint64_t x = mix64(seed ^ mix64(page + 1)) | 1;

	w[0] = page;
	w[1] = seed;
	for (unsigned int i = 2; i < WORDS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

/* Before a read: a read that completes without filling a sector fails the check. */
static void poison(void *buf)
{
	for (unsigned int i = 0; i < WORDS; i += 512 / 8)
		((uint64_t *)buf)[i] = POISON;
}

static uint64_t mismatches;

/* Compares the page read at index `page` with its pattern; 0 if equal. */
static int verify(const void *buf, uint64_t page, uint64_t seed)
{
	static uint64_t want[WORDS];
	const uint64_t *got = buf;
	unsigned int i;

	pattern(want, page, seed);
	if (!memcmp(got, want, PAGE))
		return 0;
	for (i = 0; i < WORDS && got[i] == want[i]; i++)
		;
	if (mismatches++ < 5)
		fprintf(stderr, "blkbench: page %llu (seed %llu): data differs from byte %u on: %s "
			"(its words 0-1: %llu, %llu)\n", (unsigned long long)page,
			(unsigned long long)seed, i * 8,
			got[i] == POISON && !(i % (512 / 8)) ? "a sector the read did not fill" :
			got[0] == page && got[1] == seed ? "this page, corrupted" :
			got[1] == seed ? "another page of this run" :
			got[0] == page ? "this page from another run" : "no page of this run",
			(unsigned long long)got[0], (unsigned long long)got[1]);
	return 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

#define CHUNK (128 << 10)

/* -p: the span written sequentially, CHUNK at a time; the pattern with -V. */
static int prefill(int fd, uint32_t span, bool verified, uint64_t seed, char *buf)
{
	for (uint64_t off = 0; off < (uint64_t)span * PAGE; off += CHUNK) {
		size_t n = (uint64_t)span * PAGE - off < CHUNK ? (uint64_t)span * PAGE - off : CHUNK;

		for (size_t p = 0; verified && p < n / PAGE; p++)
			pattern((uint64_t *)(buf + p * PAGE), off / PAGE + p, seed);
		if (pwrite(fd, buf, n, off) != (ssize_t)n) {
			fprintf(stderr, "blkbench: prefill: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* -c: the span read sequentially, every page verified. Counts failed reads. */
static uint64_t check(int fd, uint32_t span, uint64_t seed, char *buf, uint64_t *pages)
{
	uint64_t errors = 0;

	for (uint64_t off = 0; off < (uint64_t)span * PAGE; off += CHUNK) {
		size_t n = (uint64_t)span * PAGE - off < CHUNK ? (uint64_t)span * PAGE - off : CHUNK;

		for (size_t p = 0; p < n / PAGE; p++)
			poison(buf + p * PAGE);
		if (pread(fd, buf, n, off) != (ssize_t)n) {
			if (!errors++)
				fprintf(stderr, "blkbench: check: read at page %llu: %s\n",
					(unsigned long long)off / PAGE, strerror(errno));
			continue;
		}
		for (size_t p = 0; p < n / PAGE; p++) {
			verify(buf + p * PAGE, off / PAGE + p, seed);
			(*pages)++;
		}
	}
	return errors;
}

/*
 * A request's next random page and, with -V, its buffer: the page's pattern
 * to write, or poison where a read must put the page.
 */
static void aim(struct iocb *cb, uint32_t span, bool write, bool verified, uint64_t seed)
{
	uint64_t page = next_rand() % span;

	cb->aio_offset = page * PAGE;
	if (verified && write)
		pattern((uint64_t *)(uintptr_t)cb->aio_buf, page, seed);
	else if (verified)
		poison((void *)(uintptr_t)cb->aio_buf);
}

int main(int argc, char **argv)
{
	uint32_t depth = 1, secs = 5, span = 4096, gap = 0;
	bool write = false, prefill_span = false, check_only = false, verified = false, json = false;
	struct iocb iocbs[MAXQ], *ptrs[1], *batch[MAXQ];
	struct io_event events[MAXQ];
	uint64_t start[MAXQ], t0, end, done = 0, errors = 0, seed = 0, checked = 0;
	uint32_t *lat, max_us = 0;
	size_t nlat = 0, maxlat = 4 << 20;
	aio_context_t ctx = 0;
	char *bufs;
	int c, fd;

	while ((c = getopt(argc, argv, "wq:t:s:g:pcV:j")) != -1) {
		switch (c) {
		case 'w': write = true; break;
		case 'q':
			if (parse_u32(optarg, MAXQ, &depth) || !depth) {
				fprintf(stderr, "blkbench: -q: a depth from 1 to %d\n", MAXQ);
				return 2;
			}
			break;
		case 't':
			if (parse_u32(optarg, 3600, &secs) || !secs) {
				fprintf(stderr, "blkbench: -t: seconds, from 1 to 3600\n");
				return 2;
			}
			break;
		case 's':
			if (parse_u32(optarg, UINT32_MAX / PAGE, &span) || !span) {
				fprintf(stderr, "blkbench: -s: a span of pages, at least 1\n");
				return 2;
			}
			break;
		case 'g':
			if (parse_u32(optarg, 1000000, &gap)) {
				fprintf(stderr, "blkbench: -g: microseconds, from 0 to 1000000\n");
				return 2;
			}
			break;
		case 'p': prefill_span = true; break;
		case 'c': check_only = true; break;
		case 'V':
			if (parse_u64(optarg, UINT64_MAX, &seed)) {
				fprintf(stderr, "blkbench: -V: a seed, a 64-bit number\n");
				return 2;
			}
			verified = true;
			break;
		case 'j': json = true; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !depth || depth > MAXQ || !span || (check_only && !verified)) {
		fprintf(stderr, "usage: blkbench [-w] [-q DEPTH] [-t SECONDS] [-s SPAN] [-g USECS] "
			"[-p] [-c] [-V SEED] [-j] DEV (-c needs -V)\n");
		return 2;
	}
	fd = open(argv[optind], O_RDWR | O_DIRECT);
	bufs = aligned_alloc(PAGE, (size_t)MAXQ * PAGE + CHUNK);
	lat = malloc(maxlat * sizeof(*lat));
	if (fd < 0 || !bufs || !lat) {
		fprintf(stderr, "blkbench: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < (size_t)MAXQ * PAGE + CHUNK; i++)
		bufs[i] = (char)next_rand();

	if (prefill_span && prefill(fd, span, verified, seed, bufs))
		return 1;
	if (check_only) {
		t0 = now_ns();
		errors = check(fd, span, seed, bufs, &checked);
		if (json)
			printf("{\"op\":\"check\",\"pages\":%" PRIu64 ",\"errors\":%" PRIu64
			       ",\"seconds\":%.3f,\"seed\":%" PRIu64 ",\"verified\":%" PRIu64
			       ",\"mismatches\":%" PRIu64 "}\n", checked, errors,
			       (now_ns() - t0) / 1e9, seed, checked, mismatches);
		else
			printf("check: %" PRIu64 " pages verified (seed %" PRIu64 "): %" PRIu64
			       " mismatches; %" PRIu64 " errors\n", checked, seed, mismatches, errors);
		return errors || mismatches ? 1 : 0;
	}

	if (syscall(SYS_io_setup, depth, &ctx)) {
		fprintf(stderr, "blkbench: io_setup: %s\n", strerror(errno));
		return 1;
	}
	t0 = now_ns();
	end = t0 + (uint64_t)secs * 1000000000ull;
	for (unsigned int i = 0; i < depth; i++) {
		memset(&iocbs[i], 0, sizeof(iocbs[i]));
		iocbs[i].aio_fildes = fd;
		iocbs[i].aio_lio_opcode = write ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
		iocbs[i].aio_buf = (uintptr_t)(bufs + (size_t)i * PAGE);
		iocbs[i].aio_nbytes = PAGE;
		iocbs[i].aio_data = i;
	}
	for (unsigned int i = 0; i < depth; i++) {
		aim(&iocbs[i], span, write, verified, seed);
		ptrs[0] = &iocbs[i];
		start[i] = now_ns();
		if (syscall(SYS_io_submit, ctx, 1, ptrs) != 1) {
			fprintf(stderr, "blkbench: io_submit: %s\n", strerror(errno));
			return 1;
		}
	}
	for (unsigned int inflight = depth; inflight;) {
		int n = syscall(SYS_io_getevents, ctx, 1, MAXQ, events, NULL), again = 0;
		uint64_t t = now_ns();

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "blkbench: io_getevents: %s\n", strerror(errno));
			return 1;
		}
		for (int e = 0; e < n; e++) {
			unsigned int i = events[e].data;
			uint32_t us;

			if (events[e].res != PAGE) {
				/* A failed I/O is not throughput: count it apart. */
				if (!errors++)
					fprintf(stderr, "blkbench: I/O at page %llu failed: %s\n",
						(unsigned long long)iocbs[i].aio_offset / PAGE,
						(int64_t)events[e].res < 0 ?
						strerror((int)-events[e].res) : "short transfer");
			} else {
				done++;
				if (verified && !write) {
					verify(bufs + (size_t)i * PAGE, iocbs[i].aio_offset / PAGE,
					       seed);
					checked++;
				}
			}
			us = (uint32_t)((t - start[i]) / 1000);
			if (us > max_us)
				max_us = us;
			if (nlat < maxlat)
				lat[nlat++] = us;
			if (t >= end) {
				inflight--;
				continue;
			}
			aim(&iocbs[i], span, write, verified, seed);
			start[i] = t;
			batch[again++] = &iocbs[i];
		}
		if (gap && again) {
			uint64_t us = next_rand() % (gap + 1);
			struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000 };

			nanosleep(&ts, NULL);
			t = now_ns();
			for (int k = 0; k < again; k++)
				start[batch[k]->aio_data] = t;
		}
		/* What completed together is submitted again together, as AIO users do. */
		if (again && syscall(SYS_io_submit, ctx, again, batch) != again) {
			fprintf(stderr, "blkbench: io_submit: %s\n", strerror(errno));
			return 1;
		}
	}
	double elapsed = (now_ns() - t0) / 1e9, rate = done / elapsed, mean = 0;

	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	for (size_t i = 0; i < nlat; i++)
		mean += lat[i];
	mean = nlat ? mean / nlat : 0;
	uint32_t med = nlat ? lat[nlat / 2] : 0, p99 = nlat ? lat[nlat * 99 / 100] : 0;

	if (json) {
		printf("{\"op\":\"%s\",\"depth\":%u,\"pages\":%" PRIu64 ",\"errors\":%" PRIu64
		       ",\"seconds\":%.3f,\"pages_per_s\":%.1f,\"median_us\":%u,\"p99_us\":%u,"
		       "\"mean_us\":%.1f,\"max_us\":%u", write ? "randwrite" : "randread", depth,
		       done, errors, elapsed, rate, med, p99, mean, max_us);
		if (verified)
			printf(",\"seed\":%" PRIu64 ",\"verified\":%" PRIu64 ",\"mismatches\":%"
			       PRIu64, seed, checked, mismatches);
		printf("}\n");
	} else {
		printf("%s qd%u: %" PRIu64 " pages in %.2fs: %.0f pages/s (%.2f MB/s); latency "
		       "median %u us, p99 %u us, mean %.0f us, max %u us; %" PRIu64 " errors",
		       write ? "randwrite" : "randread", depth, done, elapsed, rate,
		       rate * PAGE / 1e6, med, p99, mean, max_us, errors);
		if (verified && !write)
			printf("; %" PRIu64 " pages verified, %" PRIu64 " mismatches", checked,
			       mismatches);
		printf("\n");
	}
	return errors || mismatches ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * blkbench: 4 KiB random reads or writes on a block device with O_DIRECT
 * and Linux native AIO, at a chosen queue depth, for a chosen time. Reports
 * pages per second and the latency distribution (median, p99, mean and the
 * longest, which shows a stall such as a mirrored device's failover). The
 * same tool measures every device of the comparison (netswap, AoE, NBD,
 * zram), so they are measured alike.
 *
 *   blkbench [-w] [-q DEPTH] [-t SECONDS] [-s SPAN_PAGES] [-p] [-j] DEVICE
 *     -w        writes (default: reads)
 *     -q DEPTH  requests in flight (default 1)
 *     -t SECS   how long to measure (default 5)
 *     -s PAGES  the random offsets fall in the first PAGES pages (default 4096)
 *     -p        first write the span sequentially (128 KiB at a time), so
 *               reads find data and not holes a device may short-cut
 *     -j        one JSON object instead of text
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

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	uint32_t depth = 1, secs = 5, span = 4096;
	bool write = false, prefill = false, json = false;
	struct iocb iocbs[MAXQ], *ptrs[1], *batch[MAXQ];
	struct io_event events[MAXQ];
	uint64_t start[MAXQ], t0, end, done = 0, errors = 0;
	uint32_t *lat, max_us = 0;
	size_t nlat = 0, maxlat = 4 << 20;
	aio_context_t ctx = 0;
	char *bufs;
	int c, fd;

	while ((c = getopt(argc, argv, "wq:t:s:pj")) != -1) {
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
		case 'p': prefill = true; break;
		case 'j': json = true; break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || !depth || depth > MAXQ || !span) {
		fprintf(stderr, "usage: blkbench [-w] [-q DEPTH] [-t SECONDS] [-s SPAN] [-p] [-j] DEV\n");
		return 2;
	}
	fd = open(argv[optind], O_RDWR | O_DIRECT);
	bufs = aligned_alloc(PAGE, (size_t)MAXQ * PAGE + (128 << 10));
	lat = malloc(maxlat * sizeof(*lat));
	if (fd < 0 || !bufs || !lat) {
		fprintf(stderr, "blkbench: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < (size_t)MAXQ * PAGE + (128 << 10); i++)
		bufs[i] = (char)next_rand();

	if (prefill) {
		for (uint64_t off = 0; off < (uint64_t)span * PAGE; off += 128 << 10) {
			size_t n = (uint64_t)span * PAGE - off < (128 << 10) ?
				   (uint64_t)span * PAGE - off : (128 << 10);

			if (pwrite(fd, bufs, n, off) != (ssize_t)n) {
				fprintf(stderr, "blkbench: prefill: %s\n", strerror(errno));
				return 1;
			}
		}
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
		iocbs[i].aio_offset = (next_rand() % span) * PAGE;
		iocbs[i].aio_data = i;
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
			iocbs[i].aio_offset = (next_rand() % span) * PAGE;
			start[i] = t;
			batch[again++] = &iocbs[i];
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

	if (json)
		printf("{\"op\":\"%s\",\"depth\":%u,\"pages\":%" PRIu64 ",\"errors\":%" PRIu64
		       ",\"seconds\":%.3f,\"pages_per_s\":%.1f,\"median_us\":%u,\"p99_us\":%u,"
		       "\"mean_us\":%.1f,\"max_us\":%u}\n", write ? "randwrite" : "randread", depth,
		       done, errors, elapsed, rate, med, p99, mean, max_us);
	else
		printf("%s qd%u: %" PRIu64 " pages in %.2fs: %.0f pages/s (%.2f MB/s); latency "
		       "median %u us, p99 %u us, mean %.0f us, max %u us; %" PRIu64 " errors\n",
		       write ? "randwrite" : "randread", depth, done, elapsed, rate,
		       rate * PAGE / 1e6, med, p99, mean, max_us, errors);
	return errors ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hexolink's measurements a frame at a time: send and recv (the link carries
 * HEXO's EtherType, intact), echo and ping (round trips).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hexolink.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int do_send(struct link *l)
{
	static uint8_t f[FRAME_MAX], data[FRAME_MAX];
	double t0 = now(), t;

	for (uint32_t i = 0; i < opt.count; i++) {
		pattern(data, opt.size, i);
		frame_send(l, f, frame_build(f, l, HEXO_OP_DATA, 0, i, data, opt.size));
		if (opt.interval > 0) {
			struct timespec ts = { 0, (long)(opt.interval * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	t = now() - t0;
	if (opt.json)
		printf("{\"sent\":%u,\"size\":%u,\"seconds\":%.6f}\n", opt.count, opt.size, t);
	else
		printf("sent %u frames of %u data bytes in %.3fs\n", opt.count, opt.size, t);
	return 0;
}

int do_recv(struct link *l)
{
	static uint8_t f[FRAME_MAX], data[FRAME_MAX];
	uint32_t good = 0, bad = 0, wrong = 0;
	double deadline = now() + opt.timeout, first = 0, last = 0;

	while (good < opt.count) {
		const struct hexo_hdr *h = (const struct hexo_hdr *)(f + ETH_HLEN);
		size_t n = frame_recv(l, f, deadline, &bad);
		uint32_t len;

		if (!n)
			break;
		if (h->service != HEXO_SVC_LINK || h->op != HEXO_OP_DATA)
			continue;
		len = be16_to_cpu(h->data_len);
		pattern(data, len, be32_to_cpu(h->tag));
		if (memcmp(data, f + ETH_HLEN + h->hdr_len, len)) {
			wrong++;
			continue;
		}
		if (!good++)
			first = now();
		last = now();
	}
	if (opt.json)
		printf("{\"received\":%u,\"bad\":%u,\"wrong\":%u,\"seconds\":%.6f}\n",
		       good, bad, wrong, last - first);
	else
		printf("received %u of %u frames (%u failed checks, %u wrong data) in %.3fs\n",
		       good, opt.count, bad, wrong, last - first);
	return good == opt.count && !wrong ? 0 : 1;
}

int do_echo(struct link *l)
{
	static uint8_t f[FRAME_MAX];
	uint32_t answered = 0, bad = 0;
	double deadline = now() + opt.timeout;

	while (!opt.count || answered < opt.count) {
		struct ethhdr *eth = (struct ethhdr *)f;
		struct hexo_hdr *h = (struct hexo_hdr *)(f + ETH_HLEN);
		size_t n = frame_recv(l, f, deadline, &bad);

		if (!n)
			break;
		if (h->service != HEXO_SVC_LINK || h->op != HEXO_OP_ECHO || (h->flags & HEXO_F_REPLY))
			continue;
		memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		memcpy(eth->h_source, l->mac, ETH_ALEN);
		h->flags |= HEXO_F_REPLY;
		hxp_hdr_seal(h);
		frame_send(l, f, n);
		answered++;
	}
	printf("answered %u echo requests (%u frames failed checks)\n", answered, bad);
	return 0;
}

int do_ping(struct link *l)
{
	static uint8_t f[FRAME_MAX], r[FRAME_MAX], data[FRAME_MAX];
	double *rtt = calloc(opt.count, sizeof(double)), sum = 0;
	uint32_t got = 0, lost = 0, bad = 0;

	if (!rtt)
		die("out of memory");
	for (uint32_t i = 0; i < opt.count; i++) {
		const struct hexo_hdr *h = (const struct hexo_hdr *)(r + ETH_HLEN);
		double t0 = now(), deadline = t0 + opt.timeout;
		size_t len;

		pattern(data, opt.size, i);
		len = frame_build(f, l, HEXO_OP_ECHO, 0, i, data, opt.size);
		frame_send(l, f, len);
		for (;;) {
			size_t n = frame_recv(l, r, deadline, &bad);

			if (!n) {
				lost++;
				break;
			}
			if (h->service == HEXO_SVC_LINK && h->op == HEXO_OP_ECHO &&
			    (h->flags & HEXO_F_REPLY) && h->status == HEXO_ST_OK &&
			    be32_to_cpu(h->tag) == i &&
			    !memcmp(r + ETH_HLEN + h->hdr_len, data, opt.size)) {
				rtt[got++] = (now() - t0) * 1e6;
				sum += rtt[got - 1];
				break;
			}
		}
		if (opt.interval > 0) {
			struct timespec ts = { 0, (long)(opt.interval * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	qsort(rtt, got, sizeof(double), cmp_double);
	if (opt.json) {
		printf("{\"sent\":%u,\"received\":%u,\"lost\":%u,\"size\":%u", opt.count, got,
		       lost, opt.size);
		if (got)
			printf(",\"min_us\":%.1f,\"median_us\":%.1f,\"p99_us\":%.1f,\"mean_us\":%.1f",
			       rtt[0], rtt[got / 2], rtt[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1],
			       sum / got);
		printf("}\n");
	} else {
		printf("%u sent, %u received, %u lost", opt.count, got, lost);
		if (got)
			printf("; rtt min %.1f median %.1f p99 %.1f mean %.1f us", rtt[0],
			       rtt[got / 2], rtt[(got * 99) / 100 < got ? (got * 99) / 100 : got - 1],
			       sum / got);
		printf("\n");
	}
	free(rtt);
	return got == opt.count ? 0 : 1;
}

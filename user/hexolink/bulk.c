// SPDX-License-Identifier: GPL-2.0
/*
 * Bulk rate with a sliding window, the way a windowed protocol uses the link:
 * "source" keeps at most --window frames beyond the last one "sink"
 * acknowledged (sink acknowledges every 8 frames; source gives up on an
 * acknowledgement after 20 ms), with no retransmission; sink counts what
 * arrives and reports the delivered rate. Both use PACKET_MMAP rings
 * (TPACKET_V2), so that what is measured is the link and the kernels, not a
 * system call per frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "hexolink.h"

#define BULK_ACK_EVERY	8
#define RING_FRAMES	256

struct ring {
	int fd;
	uint8_t *map;
	unsigned int frame_size, nframes, next;
};

/* Ring slots for frames of -s SIZE (TX) or of any size up to 9K (RX). */
static unsigned int ring_frame_size(bool tx)
{
	unsigned int need = TPACKET2_HDRLEN + ETH_HLEN + HEXO_HDR_LEN + opt.size + 64;

	if (!tx)
		return 16384;
	return need <= 2048 ? 2048 : need <= 4096 ? 4096 : need <= 8192 ? 8192 : 16384;
}

/* A TX (tx) or RX ring on its own AF_PACKET socket bound to the interface. */
static void ring_open(struct ring *r, const struct link *l, bool tx)
{
	struct tpacket_req req = {};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = l->ifindex };
	int v = TPACKET_V2;

	r->frame_size = ring_frame_size(tx);
	r->nframes = RING_FRAMES;
	r->next = 0;
	/* TX: protocol 0, so the socket hears nothing; RX: HEXO frames only. */
	r->fd = socket(AF_PACKET, SOCK_RAW, tx ? 0 : htons(HEXO_ETH_P));
	if (r->fd < 0)
		die("AF_PACKET socket: %s", strerror(errno));
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)))
		die("PACKET_VERSION: %s", strerror(errno));
	req.tp_frame_size = r->frame_size;
	req.tp_block_size = r->frame_size * 16;
	req.tp_block_nr = RING_FRAMES / 16;
	req.tp_frame_nr = RING_FRAMES;
	if (setsockopt(r->fd, SOL_PACKET, tx ? PACKET_TX_RING : PACKET_RX_RING, &req, sizeof(req)))
		die("%s ring: %s", tx ? "TX" : "RX", strerror(errno));
	r->map = mmap(NULL, (size_t)r->frame_size * RING_FRAMES, PROT_READ | PROT_WRITE,
		      MAP_SHARED, r->fd, 0);
	if (r->map == MAP_FAILED)
		die("mmap ring: %s", strerror(errno));
	sll.sll_protocol = tx ? 0 : htons(HEXO_ETH_P);
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind ring to %s: %s", opt.ifname, strerror(errno));
}

static struct tpacket2_hdr *ring_slot(struct ring *r, unsigned int i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * r->frame_size);
}

int do_sink(struct link *l)
{
	static uint8_t a[FRAME_MAX];
	uint64_t frames = 0, bytes = 0, high = 0, bad = 0;
	double first = 0, last = 0, deadline = now() + opt.timeout;
	uint32_t since_ack = 0;
	struct ring rx;

	ring_open(&rx, l, false);
	fprintf(stderr, "hexolink: listening on %s\n", opt.ifname);
	for (;;) {
		struct tpacket2_hdr *t = ring_slot(&rx, rx.next);
		double stop = frames ? min(deadline, last + 1.0) : deadline;

		if (!(t->tp_status & TP_STATUS_USER)) {
			struct pollfd p = { .fd = rx.fd, .events = POLLIN };
			double left = stop - now();

			if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) < 0)
				break;
			continue;
		}
		{
			const uint8_t *f = (const uint8_t *)t + t->tp_mac;
			const struct ethhdr *eth = (const struct ethhdr *)f;
			const struct hexo_hdr *h = (const struct hexo_hdr *)(f + ETH_HLEN);
			size_t data_at;

			if (t->tp_snaplen >= ETH_HLEN + HEXO_HDR_LEN &&
			    !(l->have_peer && memcmp(eth->h_source, l->peer, ETH_ALEN)) &&
			    hxp_hdr_check(h, t->tp_snaplen - ETH_HLEN, &data_at) == HXP_OK &&
			    h->service == HEXO_SVC_LINK && h->op == HEXO_OP_DATA &&
			    !(h->flags & HEXO_F_REPLY)) {
				if (!frames++)
					first = now();
				last = now();
				bytes += be16_to_cpu(h->data_len);
				if (be64_to_cpu(h->index) > high)
					high = be64_to_cpu(h->index);
				if (!l->have_peer) {
					memcpy(l->peer, eth->h_source, ETH_ALEN);
					l->have_peer = true;
				}
				if (++since_ack >= BULK_ACK_EVERY) {
					frame_send(l, a, frame_build(a, l, HEXO_OP_DATA, HEXO_F_REPLY,
								     (uint32_t)high, (const uint8_t *)"",
								     0));
					since_ack = 0;
				}
			} else {
				bad++;
			}
		}
		t->tp_status = TP_STATUS_KERNEL;
		rx.next = (rx.next + 1) % rx.nframes;
	}
	double secs = frames > 1 ? last - first : 0;

	if (opt.json)
		printf("{\"frames\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"seconds\":%.6f,"
		       "\"frames_per_s\":%.1f,\"mb_per_s\":%.3f,\"size\":%" PRIu64 "}\n", frames,
		       bytes, secs, secs ? frames / secs : 0, secs ? bytes / secs / 1e6 : 0,
		       frames ? bytes / frames : 0);
	else
		printf("sink: %" PRIu64 " frames, %" PRIu64 " data bytes in %.3fs: %.0f frames/s, "
		       "%.2f MB/s (%" PRIu64 " other frames)\n", frames, bytes, secs,
		       secs ? frames / secs : 0, secs ? bytes / secs / 1e6 : 0, bad);
	return frames ? 0 : 1;
}

int do_source(struct link *l)
{
	static uint8_t r[FRAME_MAX], data[FRAME_MAX];
	uint64_t seq = 0, acked = 0, stalls = 0;
	double end = now() + opt.timeout, wait_from = 0;
	unsigned int queued = 0;
	struct ring tx;
	uint32_t bad = 0;

	ring_open(&tx, l, true);
	pattern(data, opt.size, 0);
	while (now() < end) {
		const struct hexo_hdr *h = (const struct hexo_hdr *)(r + ETH_HLEN);
		struct tpacket2_hdr *t = ring_slot(&tx, tx.next);

		if (t->tp_status == TP_STATUS_WRONG_FORMAT)
			die("source: the kernel refused a frame of %u data bytes: "
			    "larger than the MTU of %s allows? (-s)", opt.size, opt.ifname);
		if (seq - acked < opt.window && !(t->tp_status & (TP_STATUS_SEND_REQUEST |
								   TP_STATUS_SENDING))) {
			uint8_t *f = (uint8_t *)t + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
			size_t len = frame_build(f, l, HEXO_OP_DATA, 0, (uint32_t)seq, data, opt.size);

			((struct hexo_hdr *)(f + ETH_HLEN))->index = cpu_to_be64(seq);
			hxp_hdr_seal((struct hexo_hdr *)(f + ETH_HLEN));
			t->tp_len = len;
			t->tp_status = TP_STATUS_SEND_REQUEST;
			tx.next = (tx.next + 1) % tx.nframes;
			seq++;
			wait_from = 0;
			/* Hand the kernel frames in batches, not one call each. */
			if (++queued < 16 && seq - acked < opt.window)
				continue;
		}
		if (queued) {
			if (send(tx.fd, NULL, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
			    errno != ENOBUFS)
				die("source: send: %s", strerror(errno));
			queued = 0;
		}
		if (seq - acked < opt.window)
			continue;
		if (!wait_from)
			wait_from = now();
		if (frame_recv(l, r, now() + 0.002, &bad)) {
			if ((h->flags & HEXO_F_REPLY) && h->service == HEXO_SVC_LINK &&
			    h->op == HEXO_OP_DATA &&
			    be64_to_cpu(h->index) + 1 > acked)
				acked = be64_to_cpu(h->index) + 1;
		} else if (now() - wait_from > 0.02) {
			/* The acknowledgement was lost, or the frames: move on. */
			acked = seq - opt.window / 2;
			stalls++;
			wait_from = 0;
		}
	}
	printf("source: %" PRIu64 " frames of %u data bytes, window %u, %" PRIu64 " stalls\n", seq,
	       opt.size, opt.window, stalls);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hexolink: HEXO frames from user space, over an AF_PACKET socket. It checks
 * that the link carries HEXO's EtherType both ways, measures the raw link
 * (echo round trips, one-way bulk rate) with the frame sizes HEXO uses, and
 * fires malformed frames at HEXO's modules. Frames are built and checked by
 * the kernel's own protocol code (kernel/link/proto.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "proto.h"

#define FRAME_MAX 9216

struct link {
	int fd;
	int ifindex;
	uint8_t mac[ETH_ALEN];
	uint8_t peer[ETH_ALEN];
	bool have_peer;
};

static struct {
	const char *ifname;
	uint32_t count;
	uint32_t size;
	double timeout;
	double interval;
	bool json;
	uint32_t seed;
	uint32_t session;
	uint8_t op;
	uint64_t index;
	uint32_t nr;
	uint32_t window;
	uint8_t as[ETH_ALEN];	/* --as: the source MAC claimed */
	bool have_as;
} opt = { .ifname = "eth0", .count = 10, .size = 1024, .timeout = 10, .seed = 1,
	  .op = HEXO_OP_READ, .nr = 1, .window = 64 };

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fputs("hexolink: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void link_open(struct link *l)
{
	/* Only HEXO frames, and not our own outgoing ones. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HEXO_ETH_P, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = {};

	/* ETH_P_ALL: frames that a loaded hexo_link consumes at ingress are
	 * still seen (taps run before ingress hooks). */
	l->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (l->fd < 0)
		die("AF_PACKET socket: %s (needs CAP_NET_RAW)", strerror(errno));
	if (setsockopt(l->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		die("SO_ATTACH_FILTER: %s", strerror(errno));
	l->ifindex = if_nametoindex(opt.ifname);
	if (!l->ifindex)
		die("no interface %s: %s", opt.ifname, strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", opt.ifname);
	if (ioctl(l->fd, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR %s: %s", opt.ifname, strerror(errno));
	memcpy(l->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = l->ifindex;
	if (bind(l->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind to %s: %s", opt.ifname, strerror(errno));
}

static void pattern(uint8_t *p, uint32_t len, uint32_t tag)
{
	for (uint32_t j = 0; j < len; j++)
		p[j] = (uint8_t)(tag * 31 + j * 7 + (j >> 8));
}

/* Builds an Ethernet frame with a sealed HEXO header; returns its length. */
static size_t frame_build(uint8_t *f, const struct link *l, uint8_t op, uint8_t flags,
			  uint32_t tag, const uint8_t *data, uint32_t len)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	struct hexo_hdr *h = (struct hexo_hdr *)(f + ETH_HLEN);

	memcpy(eth->h_dest, l->peer, ETH_ALEN);
	memcpy(eth->h_source, l->mac, ETH_ALEN);
	eth->h_proto = htons(HEXO_ETH_P);
	hxp_hdr_init(h, HEXO_SVC_LINK, op, 0, tag);
	h->flags = flags;
	h->index = cpu_to_be64(tag);
	h->count = cpu_to_be32(1);
	h->data_len = cpu_to_be16(len);
	memcpy(f + ETH_HLEN + HEXO_HDR_LEN, data, len);
	h->data_crc = cpu_to_be32(hxp_data_crc(tag, data, len));
	hxp_hdr_seal(h);
	return ETH_HLEN + HEXO_HDR_LEN + len;
}

static void frame_send(const struct link *l, const uint8_t *f, size_t len)
{
	if (send(l->fd, f, len, 0) != (ssize_t)len)
		die("send on %s: %s", opt.ifname, strerror(errno));
}

/*
 * Receives one valid HEXO frame within the deadline. Returns its length (0 on
 * timeout); counts frames that fail the checks in *bad.
 */
static size_t frame_recv(struct link *l, uint8_t *f, double deadline, uint32_t *bad)
{
	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		double left = deadline - now();
		const struct hexo_hdr *h;
		size_t data_at;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		n = recv(l->fd, f, FRAME_MAX, 0);
		if (n < ETH_HLEN)
			continue;
		if (l->have_peer && memcmp(((struct ethhdr *)f)->h_source, l->peer, ETH_ALEN))
			continue;
		h = (const struct hexo_hdr *)(f + ETH_HLEN);
		if (hxp_hdr_check(h, n - ETH_HLEN, &data_at) != HXP_OK) {
			(*bad)++;
			continue;
		}
		/* Another service's frame: its data follows that service's rules. */
		if (h->service != HEXO_SVC_LINK)
			return n;
		if (be32_to_cpu(h->data_crc) != hxp_data_crc(be64_to_cpu(h->index),
							     (const uint8_t *)h + data_at,
							     be16_to_cpu(h->data_len))) {
			(*bad)++;
			continue;
		}
		return n;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int do_send(struct link *l)
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

static int do_recv(struct link *l)
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

static int do_echo(struct link *l)
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

static int do_ping(struct link *l)
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
			    (h->flags & HEXO_F_REPLY) &&
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


static uint32_t rnd_state;

static uint32_t rnd(void)
{
	/* xorshift32: reproducible from --seed */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* A sealed header toward the peer, with fields chosen by the caller after. */
static struct hexo_hdr *fuzz_hdr(uint8_t *f, const struct link *l, uint8_t service, uint8_t op,
				 uint32_t session)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	struct hexo_hdr *h = (struct hexo_hdr *)(f + ETH_HLEN);

	memcpy(eth->h_dest, l->peer, ETH_ALEN);
	memcpy(eth->h_source, l->mac, ETH_ALEN);
	eth->h_proto = htons(HEXO_ETH_P);
	hxp_hdr_init(h, service, op, session, rnd());
	return h;
}

static const char *const fuzz_kinds[] = {
	"runt", "version", "hdr_len", "data_len", "hdr_crc", "service", "op",
	"foreign_session", "write_garbage", "in_session", "hello_garbage", "stray_reply",
	"big_data",
};
#define FUZZ_KINDS (sizeof(fuzz_kinds) / sizeof(fuzz_kinds[0]))

/*
 * Malformed and hostile frames, a kind at a time in turn: frames the header
 * checks must drop (runt, version, hdr_len, data_len, hdr_crc, service) and
 * well-formed ones that must be refused further in (unknown op, sessions that
 * are not the sender's, garbage writes and HELLOs, replies nobody asked for,
 * and, with --session, requests inside a real session with bad ranges,
 * offsets and checksums).
 */
static int do_fuzz(struct link *l)
{
	static uint8_t f[FRAME_MAX];
	uint32_t sent[FUZZ_KINDS] = {}, k;
	size_t len;

	rnd_state = opt.seed ? opt.seed : 1;
	for (uint32_t i = 0; i < opt.count; i++) {
		struct hexo_hdr *h;
		uint32_t dlen = rnd() % 1400;

		k = i % FUZZ_KINDS;
		h = fuzz_hdr(f, l, HEXO_SVC_NETSWAP, HEXO_OP_READ, rnd());
		for (uint32_t j = 0; j < dlen; j++)
			f[ETH_HLEN + HEXO_HDR_LEN + j] = rnd();
		h->data_len = htons(dlen);
		len = ETH_HLEN + HEXO_HDR_LEN + dlen;
		switch (k) {
		case 0:		/* shorter than a header */
			len = ETH_HLEN + rnd() % HEXO_HDR_LEN;
			break;
		case 1:
			h->version = 2 + rnd() % 250;
			hxp_hdr_seal(h);
			break;
		case 2:
			h->hdr_len = (uint8_t[]){ 0, 40, 45, 46, 252 }[rnd() % 5];
			hxp_hdr_seal(h);
			break;
		case 3:
			h->data_len = htons(dlen + 1 + rnd() % 1000);
			hxp_hdr_seal(h);
			break;
		case 4:
			for (int j = 0; j < HEXO_HDR_LEN; j++)
				((uint8_t *)h)[j] = rnd();
			h->version = HEXO_WIRE_VERSION;
			h->hdr_len = HEXO_HDR_LEN;
			h->data_len = htons(dlen);
			break;
		case 5:
			h->service = __HEXO_SVC_MAX + rnd() % 200;
			hxp_hdr_seal(h);
			break;
		case 6:
			h->op = 100 + rnd() % 150;
			hxp_hdr_seal(h);
			break;
		case 7:		/* someone else's (or nobody's) session */
			h->op = (uint8_t[]){ HEXO_OP_READ, HEXO_OP_WRITE, HEXO_OP_DISCARD,
					     HEXO_OP_FLUSH, HEXO_OP_PING, HEXO_OP_BYE }[rnd() % 6];
			h->index = cpu_to_be64(rnd() % 100000);
			h->count = cpu_to_be32(1 + rnd() % 64);
			hxp_hdr_seal(h);
			break;
		case 8:
			h->op = HEXO_OP_WRITE;
			h->count = cpu_to_be32(rnd());
			h->data_off = cpu_to_be32(rnd());
			h->index = cpu_to_be64(((uint64_t)rnd() << 32) | rnd());
			hxp_hdr_seal(h);
			break;
		case 9:
			/*
			 * Inside the session named with --session: malformed
			 * reads and writes (a well-formed DISCARD would be a
			 * legitimate request, not a malformed one).
			 */
			h->session = cpu_to_be32(opt.session);
			h->op = (uint8_t[]){ HEXO_OP_READ, HEXO_OP_WRITE, HEXO_OP_READV }[rnd() % 3];
			if (h->op == HEXO_OP_READV) {
				/* Entries of random tags and ranges, half with a valid checksum. */
				h->count = cpu_to_be32(dlen / sizeof(struct hexo_readv));
				h->data_len = htons(dlen / sizeof(struct hexo_readv) *
						    sizeof(struct hexo_readv));
				h->data_crc = cpu_to_be32(rnd() % 2 ? rnd() :
					hxp_data_crc(0, f + ETH_HLEN + HEXO_HDR_LEN, ntohs(h->data_len)));
				hxp_hdr_seal(h);
				len = ETH_HLEN + HEXO_HDR_LEN + ntohs(h->data_len);
				break;
			}
			h->index = cpu_to_be64(rnd() % 3 ? ~0ULL - rnd() % 64 : rnd());
			h->count = cpu_to_be32(rnd() % 2 ? 0 : rnd());
			h->data_off = cpu_to_be32(rnd() % 2 ? rnd() : (rnd() % 3) * 1456 + 1);
			h->seq = cpu_to_be64(rnd());
			h->data_crc = cpu_to_be32(rnd());
			hxp_hdr_seal(h);
			break;
		case 10:
			h->op = HEXO_OP_HELLO;
			h->session = 0;
			h->data_len = htons(rnd() % 2 ? sizeof(struct hexo_hello) : rnd() % 80);
			len = ETH_HLEN + HEXO_HDR_LEN + ntohs(h->data_len);
			h->data_crc = cpu_to_be32(rnd() % 4 ? rnd() :
				hxp_data_crc(0, f + ETH_HLEN + HEXO_HDR_LEN, ntohs(h->data_len)));
			hxp_hdr_seal(h);
			break;
		case 11:	/* answers to questions nobody asked */
			h->flags = HEXO_F_REPLY | (rnd() % 2 ? HEXO_F_ABSENT : 0);
			h->op = (uint8_t[]){ HEXO_OP_READ, HEXO_OP_WRITE, HEXO_OP_HELLO,
					     HEXO_OP_PING }[rnd() % 4];
			h->session = cpu_to_be32(opt.session && rnd() % 2 ? opt.session : rnd());
			h->tag = cpu_to_be32(rnd() % 2 ? rnd() % 64 : rnd());
			h->data_off = cpu_to_be32(rnd() % 8192);
			h->status = rnd() % 10;
			hxp_hdr_seal(h);
			break;
		case 12:	/* frames as large as the link takes */
			dlen = 1500 - HEXO_HDR_LEN;
			for (uint32_t j = 0; j < dlen; j++)
				f[ETH_HLEN + HEXO_HDR_LEN + j] = rnd();
			h->data_len = htons(dlen + rnd() % 3);
			h->session = cpu_to_be32(opt.session);
			h->op = HEXO_OP_WRITE;
			hxp_hdr_seal(h);
			len = ETH_HLEN + HEXO_HDR_LEN + dlen;
			break;
		}
		frame_send(l, f, len);
		sent[k]++;
		if (opt.interval > 0) {
			struct timespec ts = { 0, (long)(opt.interval * 1e9) };

			nanosleep(&ts, NULL);
		}
	}
	printf("fuzz: sent %u frames:", opt.count);
	for (k = 0; k < FUZZ_KINDS; k++)
		printf(" %s %u", fuzz_kinds[k], sent[k]);
	printf("\n");
	return 0;
}

/* A HELLO's data as a client asking for opt.nr pages sends it. */
static void hello_fill(struct hexo_hello *hello)
{
	memset(hello, 0, sizeof(*hello));
	hello->nonce = cpu_to_be64((uint64_t)rnd() << 32 | rnd());
	hello->boot = cpu_to_be64((uint64_t)rnd() << 32 | rnd());
	hello->size = cpu_to_be64((uint64_t)opt.nr * HEXO_PAGE_SIZE);
	hello->caps = cpu_to_be32(HXP_CAPS);
	hello->mtu = cpu_to_be16(1500);
	hello->window = cpu_to_be16(64);
	hello->max_pages = cpu_to_be16(32);
	snprintf(hello->name, sizeof(hello->name), "hexolink");
}

/*
 * A version 1 HELLO (wire version 1's header: 44 bytes, seq 32 bits, hdr_crc
 * last), and the answer: a version 2 end must say HEXO_ST_VERSION in
 * version 1's format.
 */
static int forge_v1_hello(struct link *l, uint8_t *f, uint8_t *r)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	uint8_t *h = f + ETH_HLEN;
	uint32_t tag = rnd() | 0xffff, crc;
	double deadline;

	memcpy(eth->h_dest, l->peer, ETH_ALEN);
	memcpy(eth->h_source, l->mac, ETH_ALEN);
	eth->h_proto = htons(HEXO_ETH_P);
	memset(h, 0, HXP_V1_REFUSAL_LEN);
	h[0] = 1;
	h[1] = HEXO_SVC_NETSWAP;
	h[2] = HEXO_OP_HELLO;
	h[5] = HXP_V1_HDR_LEN;
	h[7] = HXP_V1_HELLO_LEN;
	for (int i = 0; i < 4; i++)
		h[12 + i] = tag >> (24 - 8 * i);
	for (int i = 0; i < 8; i++)
		h[HXP_V1_HDR_LEN + i] = (uint8_t)rnd();
	h[HXP_V1_HDR_LEN + 16 + 6] = 1;			/* size: 1 MiB */
	h[HXP_V1_HDR_LEN + 36] = 1500 >> 8;		/* mtu */
	h[HXP_V1_HDR_LEN + 37] = 1500 & 0xff;
	h[HXP_V1_HDR_LEN + 39] = 64;			/* window */
	h[HXP_V1_HDR_LEN + 41] = 32;			/* max_pages */
	crc = hxp_data_crc(0, h + HXP_V1_HDR_LEN, HXP_V1_HELLO_LEN);
	for (int i = 0; i < 4; i++)
		h[36 + i] = crc >> (24 - 8 * i);
	crc = hxp_crc32c(h, HXP_V1_HDR_LEN);
	for (int i = 0; i < 4; i++)
		h[40 + i] = crc >> (24 - 8 * i);
	frame_send(l, f, ETH_HLEN + HXP_V1_REFUSAL_LEN);

	deadline = now() + opt.timeout;
	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		double left = deadline - now();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			break;
		n = recv(l->fd, r, FRAME_MAX, 0);
		if (n < ETH_HLEN + HXP_V1_REFUSAL_LEN ||
		    memcmp(((struct ethhdr *)r)->h_source, l->peer, ETH_ALEN))
			continue;
		h = r + ETH_HLEN;
		if (h[0] == 1 && (h[3] & HEXO_F_REPLY) && !memcmp(h + 12, f + ETH_HLEN + 12, 4) &&
		    !memcmp(h + HXP_V1_HDR_LEN, f + ETH_HLEN + HXP_V1_HDR_LEN, 8)) {
			printf("forge: version 1 reply status %u\n", h[4]);
			return 0;
		}
	}
	printf("forge: no reply\n");
	return 0;
}

/*
 * One request with the session, op and range given, as some other host could
 * send it; prints what comes back: a status, or data frames.
 */
static int do_forge(struct link *l)
{
	static uint8_t f[FRAME_MAX], r[FRAME_MAX];
	uint32_t tag, frames = 0, bad = 0, status = ~0u, session = 0;
	double deadline;
	struct hexo_hdr *h;

	rnd_state = opt.seed ? opt.seed : 1;
	if (opt.have_as)
		memcpy(l->mac, opt.as, ETH_ALEN);
	if (opt.op == 0xff)
		return forge_v1_hello(l, f, r);
	h = fuzz_hdr(f, l, HEXO_SVC_NETSWAP, opt.op, opt.session);
	tag = be32_to_cpu(h->tag);
	h->index = cpu_to_be64(opt.index);
	h->count = cpu_to_be32(opt.nr);
	/* The oldest order there is: never newer than what a page holds. */
	h->seq = cpu_to_be64(1);
	if (opt.op == HEXO_OP_HELLO) {
		struct hexo_hello *hello = (struct hexo_hello *)(h + 1);

		hello_fill(hello);
		h->session = 0;
		h->index = 0;
		h->count = 0;
		h->data_len = cpu_to_be16(sizeof(*hello));
		h->data_crc = cpu_to_be32(hxp_data_crc(0, hello, sizeof(*hello)));
		hxp_hdr_seal(h);
		frame_send(l, f, ETH_HLEN + HEXO_HDR_LEN + sizeof(*hello));
	} else if (opt.op == HEXO_OP_READV) {
		/* -n entries of --pages each, from --index on, all with our tag. */
		struct hexo_readv *e = (struct hexo_readv *)(h + 1);
		uint32_t n = opt.count, dlen = n * sizeof(*e);

		if (!n || HEXO_HDR_LEN + dlen > 1500)
			die("forge --op readv: -n 1 to %zu entries", (1500 - HEXO_HDR_LEN) / sizeof(*e));
		for (uint32_t i = 0; i < n; i++) {
			e[i].tag = h->tag;
			e[i].count = cpu_to_be32(opt.nr);
			e[i].index = cpu_to_be64(opt.index + (uint64_t)i * opt.nr);
		}
		h->count = cpu_to_be32(n);
		h->index = 0;
		h->data_len = cpu_to_be16(dlen);
		h->data_crc = cpu_to_be32(hxp_data_crc(0, e, dlen));
		hxp_hdr_seal(h);
		frame_send(l, f, ETH_HLEN + HEXO_HDR_LEN + dlen);
	} else {
		hxp_hdr_seal(h);
		frame_send(l, f, ETH_HLEN + HEXO_HDR_LEN);
	}
	deadline = now() + opt.timeout;
	for (;;) {
		const struct hexo_hdr *rh = (const struct hexo_hdr *)(r + ETH_HLEN);

		if (!frame_recv(l, r, deadline, &bad))
			break;
		if (!(rh->flags & HEXO_F_REPLY) || be32_to_cpu(rh->tag) != tag)
			continue;
		if (rh->status != HEXO_ST_OK) {
			status = rh->status;
			break;
		}
		if (opt.op == HEXO_OP_HELLO) {
			status = HEXO_ST_OK;
			session = be32_to_cpu(rh->session);
			break;
		}
		frames++;
		status = HEXO_ST_OK;
		deadline = now() + 0.5;	/* the rest of a data reply */
	}
	if (status == ~0u)
		printf("forge: no reply\n");
	else if (status == HEXO_ST_OK && opt.op == HEXO_OP_HELLO)
		printf("forge: reply ok, session %u\n", session);
	else if (status == HEXO_ST_OK)
		printf("forge: reply ok, %u data frames\n", frames);
	else
		printf("forge: reply status %u\n", status);
	return 0;
}

/*
 * Replays: captures up to -n HEXO frames this host sends to the peer within
 * -t seconds (a session under way), then sends each again, as an attacker
 * on the segment could. A keyed session must drop every one.
 */
#define REPLAY_MAX	512

static int do_replay(struct link *l)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HEXO_ETH_P, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = l->ifindex };
	static uint8_t frames[REPLAY_MAX][FRAME_MAX];
	static size_t lens[REPLAY_MAX];
	double deadline = now() + opt.timeout;
	uint32_t n = 0, want = opt.count < REPLAY_MAX ? opt.count : REPLAY_MAX;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("capture socket on %s: %s", opt.ifname, strerror(errno));
	fprintf(stderr, "hexolink: listening on %s\n", opt.ifname);
	while (n < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now();
		ssize_t len;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			break;
		len = recv(fd, frames[n], FRAME_MAX, 0);
		/* Frames to the peer, not HELLOs (those are answered anyway). */
		if (len < ETH_HLEN + HEXO_HDR_LEN ||
		    memcmp(((struct ethhdr *)frames[n])->h_dest, l->peer, ETH_ALEN) ||
		    ((struct hexo_hdr *)(frames[n] + ETH_HLEN))->op == HEXO_OP_HELLO)
			continue;
		lens[n++] = (size_t)len;
	}
	close(fd);
	/* Paced (-w, default 1 ms): a burst would be cut short by the link. */
	for (uint32_t i = 0; i < n; i++) {
		struct timespec ts = { 0, (long)((opt.interval > 0 ? opt.interval : 0.001) * 1e9) };

		frame_send(l, frames[i], lens[i]);
		nanosleep(&ts, NULL);
	}
	printf("replay: captured %u, sent %u again\n", n, n);
	return n ? 0 : 1;
}

/*
 * A server that lies: answers the first netswap HELLO from the peer with a
 * grant of --pages more pages than asked (default: as many again), the way a
 * broken or forged server could. A client must refuse it.
 */
static int do_grant(struct link *l)
{
	static uint8_t r[FRAME_MAX], f[FRAME_MAX];
	double deadline = now() + opt.timeout;
	struct hexo_hello req, *rep;
	struct hexo_hdr *h;
	uint32_t bad = 0;
	uint64_t asked;
	size_t data_at;

	rnd_state = opt.seed ? opt.seed : 1;
	for (;;) {
		const struct hexo_hdr *rh = (const struct hexo_hdr *)(r + ETH_HLEN);
		size_t n = frame_recv(l, r, deadline, &bad);

		if (!n) {
			printf("grant: no HELLO\n");
			return 1;
		}
		if (rh->service != HEXO_SVC_NETSWAP || rh->op != HEXO_OP_HELLO ||
		    (rh->flags & HEXO_F_REPLY) || be16_to_cpu(rh->data_len) < sizeof(req))
			continue;
		hxp_hdr_check(rh, n - ETH_HLEN, &data_at);
		memcpy(&req, (const uint8_t *)rh + data_at, sizeof(req));
		break;
	}
	asked = be64_to_cpu(req.size);
	h = fuzz_hdr(f, l, HEXO_SVC_NETSWAP, HEXO_OP_HELLO, rnd() | 1);
	h->tag = ((const struct hexo_hdr *)(r + ETH_HLEN))->tag;
	h->flags = HEXO_F_REPLY;
	rep = (struct hexo_hello *)(h + 1);
	*rep = req;
	rep->boot = 0;
	rep->prev_session = 0;
	rep->epoch = cpu_to_be64((uint64_t)rnd() << 32 | rnd());
	rep->size = cpu_to_be64(asked + (opt.nr > 1 ? (uint64_t)opt.nr * HEXO_PAGE_SIZE : asked));
	h->data_len = cpu_to_be16(sizeof(*rep));
	h->data_crc = cpu_to_be32(hxp_data_crc(0, rep, sizeof(*rep)));
	hxp_hdr_seal(h);
	frame_send(l, f, ETH_HLEN + HEXO_HDR_LEN + sizeof(*rep));
	printf("grant: asked %llu, granted %llu\n", (unsigned long long)asked,
	       (unsigned long long)be64_to_cpu(rep->size));
	return 0;
}

/*
 * Bulk rate with a sliding window, the way a windowed protocol uses the link:
 * "source" keeps at most --window frames beyond the last one "sink"
 * acknowledged (sink acknowledges every 8 frames; source gives up on an
 * acknowledgement after 20 ms), with no retransmission; sink counts what
 * arrives and reports the delivered rate. Both use PACKET_MMAP rings
 * (TPACKET_V2), so that what is measured is the link and the kernels, not a
 * system call per frame.
 */
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

static int do_sink(struct link *l)
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

static int do_source(struct link *l)
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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hexolink [-i IFACE] [-j] COMMAND [OPTIONS]\n"
		"  send --to MAC    send -n COUNT DATA frames of -s SIZE data bytes\n"
		"  recv             receive -n COUNT DATA frames within -t SECONDS and check\n"
		"                   them; exit 0 only if all arrived intact\n"
		"  echo             answer ECHO requests for -t SECONDS (or -n COUNT)\n"
		"  ping --to MAC    -n COUNT ECHO round trips: min, median, p99\n"
		"  sink             count DATA frames for -t SECONDS, acknowledging every 8;\n"
		"                   report the delivered rate\n"
		"  source --to MAC  DATA frames of -s SIZE for -t SECONDS, at most --window W\n"
		"                   (default 64) beyond the last acknowledged\n"
		"  fuzz --to MAC    -n COUNT malformed and hostile frames (--seed S,\n"
		"                   --session ID to aim some inside a real session)\n"
		"  forge --to MAC   one request: --session ID [--op read|readv|write|discard|bye]\n"
		"                   [--index I] [--pages N] (readv: -n entries of N pages);\n"
		"                   prints the reply's status; --op hello [--as MAC]: a HELLO\n"
		"                   for --pages N pages (from MAC: a spoofed one); --op\n"
		"                   hello-v1: a wire version 1 HELLO\n"
		"  replay --to MAC  capture up to -n frames this host sends to MAC within\n"
		"                   -t SECONDS, then send them all again, -w SECONDS apart\n"
		"                   (default 0.001)\n"
		"  grant --to MAC   answer MAC's first netswap HELLO with a grant of --pages N\n"
		"                   more pages than asked (default: twice what it asked)\n"
		"Options: -n COUNT, -s SIZE (data bytes per frame), -t SECONDS,\n"
		"  -w SECONDS (wait between frames), --from MAC (only this sender)\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 'T' },
		{ "from", required_argument, NULL, 'F' },
		{ "seed", required_argument, NULL, 'S' },
		{ "session", required_argument, NULL, 'I' },
		{ "op", required_argument, NULL, 'O' },
		{ "index", required_argument, NULL, 'X' },
		{ "pages", required_argument, NULL, 'P' },
		{ "window", required_argument, NULL, 'W' },
		{ "as", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct link l = {};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+i:jh", lopts, NULL)) != -1) {
		switch (c) {
		case 'i': opt.ifname = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	optind++;
	while ((c = getopt_long(argc, argv, "n:s:t:w:", lopts, NULL)) != -1) {
		uint64_t v;

		switch (c) {
		case 'n':
			if (parse_u32(optarg, UINT32_MAX, &opt.count))
				die("bad count '%s'", optarg);
			break;
		case 's':
			if (parse_u64(optarg, FRAME_MAX - ETH_HLEN - HEXO_HDR_LEN, &v))
				die("bad size '%s' (at most %d)", optarg, FRAME_MAX - ETH_HLEN - HEXO_HDR_LEN);
			opt.size = (uint32_t)v;
			break;
		case 't': opt.timeout = atof(optarg); break;
		case 'S':
			if (parse_u32(optarg, UINT32_MAX, &opt.seed))
				die("bad seed '%s'", optarg);
			break;
		case 'I':
			if (parse_u32(optarg, UINT32_MAX, &opt.session))
				die("bad session '%s' (decimal or 0x-hex)", optarg);
			break;
		case 'O':
			if (!strcmp(optarg, "read"))
				opt.op = HEXO_OP_READ;
			else if (!strcmp(optarg, "write"))
				opt.op = HEXO_OP_WRITE;
			else if (!strcmp(optarg, "discard"))
				opt.op = HEXO_OP_DISCARD;
			else if (!strcmp(optarg, "bye"))
				opt.op = HEXO_OP_BYE;
			else if (!strcmp(optarg, "readv"))
				opt.op = HEXO_OP_READV;
			else if (!strcmp(optarg, "hello"))
				opt.op = HEXO_OP_HELLO;
			else if (!strcmp(optarg, "hello-v1"))
				opt.op = 0xff;
			else
				die("bad op '%s': read, readv, write, discard, bye, hello or hello-v1",
				    optarg);
			break;
		case 'X':
			if (parse_u64(optarg, UINT64_MAX, &opt.index))
				die("bad index '%s'", optarg);
			break;
		case 'P':
			if (parse_u32(optarg, UINT32_MAX, &opt.nr))
				die("bad page count '%s'", optarg);
			break;
		case 'W':
			if (parse_u32(optarg, 100000, &opt.window) || !opt.window)
				die("bad window '%s'", optarg);
			break;
		case 'w': opt.interval = atof(optarg); break;
		case 'A':
			if (parse_mac(optarg, opt.as))
				die("bad MAC address '%s'", optarg);
			opt.have_as = true;
			break;
		case 'T':
		case 'F':
			if (parse_mac(optarg, l.peer))
				die("bad MAC address '%s'", optarg);
			l.have_peer = true;
			break;
		default: usage(stderr); return 2;
		}
	}
	link_open(&l);
	if (!strcmp(cmd, "send") || !strcmp(cmd, "ping") || !strcmp(cmd, "fuzz") ||
	    !strcmp(cmd, "forge") || !strcmp(cmd, "source") || !strcmp(cmd, "grant") ||
	    !strcmp(cmd, "replay")) {
		if (!l.have_peer) {
			fprintf(stderr, "hexolink: %s needs --to MAC\n", cmd);
			return 2;
		}
		if (!strcmp(cmd, "fuzz"))
			return do_fuzz(&l);
		if (!strcmp(cmd, "forge"))
			return do_forge(&l);
		if (!strcmp(cmd, "grant"))
			return do_grant(&l);
		if (!strcmp(cmd, "replay"))
			return do_replay(&l);
		if (!strcmp(cmd, "source"))
			return do_source(&l);
		return !strcmp(cmd, "send") ? do_send(&l) : do_ping(&l);
	}
	if (!strcmp(cmd, "sink"))
		return do_sink(&l);
	if (!strcmp(cmd, "recv") || !strcmp(cmd, "echo")) {
		/* Scripts start receivers in the background and wait for this. */
		fprintf(stderr, "hexolink: listening on %s\n", opt.ifname);
		return !strcmp(cmd, "recv") ? do_recv(&l) : do_echo(&l);
	}
	fprintf(stderr, "hexolink: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}

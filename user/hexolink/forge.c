// SPDX-License-Identifier: GPL-2.0
/*
 * hexolink's hostile frames: malformed ones (fuzz), one forged request
 * (forge), a session's frames sent again (replay), and a lying server's
 * grant (grant). All are reproducible from --seed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hexolink.h"

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
int do_fuzz(struct link *l)
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

/* Fills h's data with a HELLO for pages and seals h: the frame's length. */
static size_t hello_seal(struct hexo_hdr *h, uint64_t pages)
{
	struct hexo_hello *hello = (struct hexo_hello *)(h + 1);

	hello_fill(hello);
	hello->size = cpu_to_be64(pages * HEXO_PAGE_SIZE);
	h->data_len = cpu_to_be16(sizeof(*hello));
	h->data_crc = cpu_to_be32(hxp_data_crc(0, hello, sizeof(*hello)));
	hxp_hdr_seal(h);
	return ETH_HLEN + HEXO_HDR_LEN + sizeof(*hello);
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
int do_forge(struct link *l)
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
		h->session = 0;
		h->index = 0;
		h->count = 0;
		frame_send(l, f, hello_seal(h, opt.nr));
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

int do_replay(struct link *l)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = l->ifindex };
	static uint8_t frames[REPLAY_MAX][FRAME_MAX];
	static size_t lens[REPLAY_MAX];
	double deadline = now() + opt.timeout;
	uint32_t n = 0, want = opt.count < REPLAY_MAX ? opt.count : REPLAY_MAX;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0 || frame_filter(fd, true) ||
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
int do_grant(struct link *l)
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
 * The reply with tag to the request in f (len bytes, or nf frames of the
 * write in fs), sent again after a second of silence, three times in all:
 * its status, or -1; the reply's frame in r.
 */
static int kvm_call(struct link *l, uint8_t (*fs)[FRAME_MAX], const size_t *lens, uint32_t nf,
		    uint32_t tag, uint8_t *r)
{
	const struct hexo_hdr *rh = (const struct hexo_hdr *)(r + ETH_HLEN);
	uint32_t bad = 0;

	for (int attempt = 0; attempt < 3; attempt++) {
		double deadline = now() + 1.0;

		for (uint32_t i = 0; i < nf; i++)
			frame_send(l, fs[i], lens[i]);
		while (frame_recv(l, r, deadline, &bad))
			if ((rh->flags & HEXO_F_REPLY) && be32_to_cpu(rh->tag) == tag)
				return rh->status;
	}
	return -1;
}

/*
 * Forged hexo_kvm offers, as any host on the segment can send them: a
 * session with the target's HEXO_SVC_KVM, then -n OFFERs to its inbox one
 * at a time, each a new offer (a new token, "forged", 64 MiB); prints the
 * status of each answer and a summary. A target holds HEXO_KVM_MAX_OFFERS;
 * beyond, it must answer HEXO_ST_NOSPC.
 */
int do_offers(struct link *l)
{
	static uint8_t fs[HXP_MAX_FRAGS][FRAME_MAX], r[FRAME_MAX];
	static size_t lens[HXP_MAX_FRAGS];
	static const char *const names[] = { "ok", "version", "session", "nospc", "busy",
					     "csum", "inval" };
	struct hxp_terms mine = { 1500, 64, 32, HXP_CAPS }, theirs;
	uint32_t tag, session, crc, nf, ok = 0, nospc = 0, other = 0;
	uint8_t page[HEXO_PAGE_SIZE];
	struct hexo_kvm_msg *msg = (struct hexo_kvm_msg *)page;
	const struct hexo_hello *rhello;
	struct hxp_agreed ag;
	struct hexo_hdr *h;
	int st;

	rnd_state = opt.seed ? opt.seed : 1;
	if (opt.have_as)
		memcpy(l->mac, opt.as, ETH_ALEN);
	tag = rnd();
	h = fuzz_hdr(fs[0], l, HEXO_SVC_KVM, HEXO_OP_HELLO, 0);
	h->tag = cpu_to_be32(tag);
	h->seq = cpu_to_be64(1);
	lens[0] = hello_seal(h, 1);	/* the inbox */
	st = kvm_call(l, fs, lens, 1, tag, r);
	h = (struct hexo_hdr *)(r + ETH_HLEN);
	if (st != HEXO_ST_OK || be16_to_cpu(h->data_len) < sizeof(*rhello))
		die("offers: no session with %02x:%02x:%02x:%02x:%02x:%02x's hexo_kvm (status %d)",
		    l->peer[0], l->peer[1], l->peer[2], l->peer[3], l->peer[4], l->peer[5], st);
	session = be32_to_cpu(h->session);
	rhello = (const struct hexo_hello *)(h + 1);
	theirs = (struct hxp_terms){ be16_to_cpu(rhello->mtu), be16_to_cpu(rhello->window),
				     be16_to_cpu(rhello->max_pages), be32_to_cpu(rhello->caps) };
	if (!hxp_agree(&mine, &theirs, &ag))
		die("offers: no terms agree with the target's (MTU %u)", theirs.mtu);
	nf = hxp_nfrags(HEXO_PAGE_SIZE, ag.frag);
	for (uint32_t i = 0; i < opt.count; i++) {
		memset(page, 0, sizeof(page));
		msg->magic = cpu_to_be32(HEXO_KVM_MSG_MAGIC);
		msg->type = cpu_to_be16(HEXO_KVM_MSG_OFFER);
		msg->export = cpu_to_be16(1);
		msg->token = cpu_to_be64((uint64_t)rnd() << 32 | rnd());
		msg->mem_size = cpu_to_be64(64ULL << 20);
		msg->heap_top = cpu_to_be64(32ULL << 20);
		msg->isa = cpu_to_be32(1);	/* HEXO_ISA_X86_64 */
		msg->layout = cpu_to_be32(rnd());
		msg->point = cpu_to_be32(1);
		snprintf(msg->app, sizeof(msg->app), "forged");
		crc = hxp_data_crc(0, page, HEXO_PAGE_SIZE);
		/* The low 16 bits pick the server's staging slot: slot 0 (the window's first). */
		tag = rnd() & 0xffff0000u;
		for (uint32_t k = 0; k < nf; k++) {
			uint32_t off = k * ag.frag;
			uint32_t len = HEXO_PAGE_SIZE - off < ag.frag ? HEXO_PAGE_SIZE - off : ag.frag;

			h = fuzz_hdr(fs[k], l, HEXO_SVC_KVM, HEXO_OP_WRITE, session);
			h->tag = cpu_to_be32(tag);
			h->index = 0;
			h->count = cpu_to_be32(1);
			h->seq = cpu_to_be64(i + 1);
			h->data_off = cpu_to_be32(off);
			h->data_len = cpu_to_be16(len);
			h->data_crc = cpu_to_be32(crc);
			memcpy((uint8_t *)(h + 1), page + off, len);
			hxp_hdr_seal(h);
			lens[k] = ETH_HLEN + HEXO_HDR_LEN + len;
		}
		st = kvm_call(l, fs, lens, nf, tag, r);
		if (st < 0)
			printf("offer %u: no reply\n", i + 1);
		else
			printf("offer %u: %s\n", i + 1, st < (int)(sizeof(names) / sizeof(names[0])) ? names[st] : "?");
		if (st == HEXO_ST_OK)
			ok++;
		else if (st == HEXO_ST_NOSPC)
			nospc++;
		else
			other++;
	}
	printf("offers: %u sent, %u ok, %u nospc, %u other\n", opt.count, ok, nospc, other);
	return other ? 1 : 0;
}

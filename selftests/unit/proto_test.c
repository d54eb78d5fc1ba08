// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the HEXO protocol code (kernel/link/proto.c, built
 * here unchanged): checksums, header sealing and checking, fragments, serial
 * order, RTT estimation, the congestion window.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "proto.h"

/* hxp_hdr_check() as an int, for the harness' comparisons. */
static int check(const void *buf, size_t len, size_t *at)
{
	return (int)hxp_hdr_check(buf, len, at);
}

TEST(crc32c_check_value)
{
	/* The catalogue check value of CRC-32C. */
	EXPECT_EQ(0xE3069283u, hxp_crc32c("123456789", 9));
	EXPECT_EQ(0u, hxp_crc32c("", 0));
}

TEST(crc32c_in_pieces)
{
	u8 buf[1000];
	u32 s;

	for (int i = 0; i < 1000; i++)
		buf[i] = (u8)(i * 13);
	s = hxp_data_crc_begin(5);
	s = hxp_data_crc_update(s, buf, 333);
	s = hxp_data_crc_update(s, buf + 333, 667);
	EXPECT_EQ(hxp_data_crc(5, buf, 1000), hxp_data_crc_end(s));
}

TEST(data_crc_binds_the_page)
{
	u8 page[HEXO_PAGE_SIZE] = { 1, 2, 3 };

	/* The same data claimed for another page does not check. */
	EXPECT_NE(hxp_data_crc(7, page, sizeof(page)), hxp_data_crc(8, page, sizeof(page)));
	EXPECT_NE(hxp_data_crc(0, page, sizeof(page)), hxp_data_crc(1ull << 32, page, sizeof(page)));
}

static size_t sealed(u8 *buf, u16 data_len)
{
	struct hexo_hdr *h = (struct hexo_hdr *)buf;

	hxp_hdr_init(h, HEXO_SVC_NETSWAP, HEXO_OP_WRITE, 0x1234, 0xabcd);
	h->index = cpu_to_be64(99);
	h->count = cpu_to_be32(1);
	h->data_len = cpu_to_be16(data_len);
	hxp_hdr_seal(h);
	return HEXO_HDR_LEN + data_len;
}

TEST(header_round_trip)
{
	u8 buf[HEXO_HDR_LEN + 100] = {};
	const struct hexo_hdr *h = (const struct hexo_hdr *)buf;
	size_t at = 0, len = sealed(buf, 100);

	ASSERT_EQ(HXP_OK, check(buf, len, &at));
	EXPECT_EQ((size_t)HEXO_HDR_LEN, at);
	EXPECT_EQ(HEXO_WIRE_VERSION, h->version);
	EXPECT_EQ(0x1234u, be32_to_cpu(h->session));
	EXPECT_EQ(0xabcdu, be32_to_cpu(h->tag));
	EXPECT_EQ(99u, be64_to_cpu(h->index));
	EXPECT_EQ(sizeof(struct hexo_hdr), (size_t)HEXO_HDR_LEN);
}

TEST(every_flipped_header_bit_is_caught)
{
	u8 buf[HEXO_HDR_LEN + 16] = {};
	size_t at, len = sealed(buf, 16);

	for (int bit = 0; bit < HEXO_HDR_LEN * 8; bit++) {
		buf[bit / 8] ^= 1 << (bit % 8);
		EXPECT_NE(HXP_OK, check(buf, len, &at)) TH_LOG("bit %d", bit);
		buf[bit / 8] ^= 1 << (bit % 8);
	}
	EXPECT_EQ(HXP_OK, check(buf, len, &at));
}

TEST(malformed_headers)
{
	u8 buf[HEXO_HDR_LEN + 64] = {};
	struct hexo_hdr *h = (struct hexo_hdr *)buf;
	size_t at, len = sealed(buf, 16);

	EXPECT_EQ(HXP_DROP_RUNT, check(buf, HEXO_HDR_LEN - 1, &at));
	EXPECT_EQ(HXP_DROP_RUNT, check(buf, 0, &at));
	/* data_len larger than what arrived */
	EXPECT_EQ(HXP_DROP_DATA_LEN, check(buf, len - 1, &at));

	h->version = HEXO_WIRE_VERSION + 1;
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_VERSION, check(buf, len, &at));
	h->version = 1;
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_VERSION, check(buf, len, &at));
	h->version = HEXO_WIRE_VERSION;

	h->hdr_len = HEXO_HDR_LEN - 4;
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_HDR_LEN, check(buf, len, &at));
	h->hdr_len = HEXO_HDR_LEN + 2;	/* unaligned */
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_HDR_LEN, check(buf, len, &at));
	h->hdr_len = 252;		/* past the frame */
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_HDR_LEN, check(buf, len, &at));

	h->hdr_len = HEXO_HDR_LEN;
	h->service = 200;
	hxp_hdr_seal(h);
	EXPECT_EQ(HXP_DROP_SERVICE, check(buf, len, &at));
}

TEST(header_extension_is_covered)
{
	u8 buf[HEXO_HDR_LEN + 8 + 16] = {};
	struct hexo_hdr *h = (struct hexo_hdr *)buf;
	u32 zero = 0, crc;
	size_t at;

	sealed(buf, 16);
	/* A future, longer header: an old receiver skips the extension. */
	h->hdr_len = HEXO_HDR_LEN + 8;
	buf[HEXO_HDR_LEN] = 0x5a;
	h->hdr_crc = 0;
	crc = hxp_crc32c_update(~0u, buf, HEXO_HDR_LEN - 4);
	crc = hxp_crc32c_update(crc, &zero, 4);
	crc = hxp_crc32c_update(crc, buf + HEXO_HDR_LEN, 8);
	h->hdr_crc = cpu_to_be32(~crc);
	ASSERT_EQ(HXP_OK, check(buf, sizeof(buf), &at));
	EXPECT_EQ((size_t)HEXO_HDR_LEN + 8, at);
	buf[HEXO_HDR_LEN + 1] ^= 1;
	EXPECT_EQ(HXP_DROP_HDR_CRC, check(buf, sizeof(buf), &at));
}

TEST(fragment_sizes)
{
	EXPECT_EQ(1448u, hxp_frag_size(1500));		/* (1500 - 48) & ~7 */
	EXPECT_EQ(3u, hxp_nfrags(HEXO_PAGE_SIZE, hxp_frag_size(1500)));
	EXPECT_EQ((u32)HEXO_PAGE_SIZE, hxp_frag_size(9000));	/* jumbo: a page a frame */
	EXPECT_EQ(1u, hxp_nfrags(HEXO_PAGE_SIZE, hxp_frag_size(9000)));
	EXPECT_EQ(0u, hxp_frag_size(HEXO_HDR_LEN));
	EXPECT_EQ(0u, hxp_nfrags(100, 0));
}

TEST(fragment_index)
{
	u32 f = hxp_frag_size(1500), total = HEXO_PAGE_SIZE;

	EXPECT_EQ(0, hxp_frag_index(total, f, 0, f));
	EXPECT_EQ(1, hxp_frag_index(total, f, f, f));
	EXPECT_EQ(2, hxp_frag_index(total, f, 2 * f, total - 2 * f));
	EXPECT_EQ(-1, hxp_frag_index(total, f, 2 * f, f));	/* runs past the end */
	EXPECT_EQ(-1, hxp_frag_index(total, f, 1, f));		/* unaligned */
	EXPECT_EQ(-1, hxp_frag_index(total, f, total, 0));	/* past the end */
	EXPECT_EQ(-1, hxp_frag_index(total, f, 0, f - 1));	/* short */
	EXPECT_EQ(-1, hxp_frag_index(total, 0, 0, 0));
	/* Beyond the fragment bitmap. */
	EXPECT_EQ(-1, hxp_frag_index(HXP_MAX_FRAGS * 8 + 8, 8, HXP_MAX_FRAGS * 8, 8));
}

TEST(rtt_estimate_converges)
{
	struct hxp_rtt r = {};

	EXPECT_EQ(20000u, hxp_rto_us(&r, 20000, 1000, 1000000));	/* no sample yet */
	hxp_rtt_sample(&r, 1000, 0);
	EXPECT_EQ(1000u, r.srtt_us);
	EXPECT_EQ(500u, r.rttvar_us);
	EXPECT_EQ(3000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	/* Two periods later: the first sample's peak is forgotten. */
	for (int i = 0; i < 200; i++)
		hxp_rtt_sample(&r, 400, 2 * HXP_RTT_PEAK_PERIOD_US + i);
	EXPECT_LE(r.srtt_us, 410u);
	EXPECT_GE(r.srtt_us, 390u);
	EXPECT_LE(r.rttvar_us, 10u);
	EXPECT_EQ(400u, r.min_us);
	/* Clamped at both ends. */
	EXPECT_EQ(1000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	hxp_rtt_sample(&r, 4000000, 2 * HXP_RTT_PEAK_PERIOD_US + 200);
	EXPECT_EQ(1000000u, hxp_rto_us(&r, 20000, 1000, 1000000));
}

TEST(rtt_variance_tracks_jitter)
{
	struct hxp_rtt r = {};

	for (int i = 0; i < 100; i++)
		hxp_rtt_sample(&r, i % 2 ? 500 : 1500, i);
	EXPECT_GE(r.rttvar_us, 300u);
	EXPECT_GE(hxp_rto_us(&r, 0, 1, 1000000), 2000u);
}

TEST(rto_stays_above_a_recent_stall)
{
	struct hxp_rtt r = {};
	u64 t = 5000000;
	int i;

	/* Many samples per round trip: srtt and rttvar settle at once... */
	for (i = 0; i < 1000; i++)
		hxp_rtt_sample(&r, 400, t + i);
	EXPECT_EQ(1000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	/* ...and forget a 20 ms stall within a few dozen more. */
	hxp_rtt_sample(&r, 20000, t + 1000);
	for (i = 0; i < 100; i++)
		hxp_rtt_sample(&r, 400, t + 2000 + i);
	EXPECT_LE(r.srtt_us + 4 * r.rttvar_us, 2000u);
	/* The timeout does not: the next stall of that size is waited for. */
	EXPECT_EQ(30000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	/* Still so in the next period... */
	hxp_rtt_sample(&r, 400, t + HXP_RTT_PEAK_PERIOD_US);
	EXPECT_EQ(30000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	/* ...and forgotten in the one after that. */
	hxp_rtt_sample(&r, 400, t + 2 * HXP_RTT_PEAK_PERIOD_US);
	EXPECT_EQ(1000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	/* After an idle gap of two periods, at once. */
	hxp_rtt_sample(&r, 20000, t + 3 * HXP_RTT_PEAK_PERIOD_US);
	hxp_rtt_sample(&r, 400, t + 6 * HXP_RTT_PEAK_PERIOD_US);
	EXPECT_EQ(0u, r.peak_prev_us);
	/* A clock that went back starts a period; it does not keep the old one forever. */
	hxp_rtt_sample(&r, 9000, 10);
	EXPECT_EQ(9000u, r.peak_us);
	EXPECT_EQ(10u, (u32)r.period_us);
}

TEST(cwnd_aimd)
{
	struct hxp_cwnd w;

	hxp_cwnd_init(&w, 4, 16);
	EXPECT_EQ(4u, w.cwnd);
	for (int i = 0; i < 4; i++)
		hxp_cwnd_ack(&w, 1);
	EXPECT_EQ(5u, w.cwnd);		/* +1 per window of acks */
	for (int i = 0; i < 1000; i++)
		hxp_cwnd_ack(&w, 1);
	EXPECT_EQ(16u, w.cwnd);		/* capped */
	hxp_cwnd_loss(&w);
	EXPECT_EQ(8u, w.cwnd);		/* halved */
	for (int i = 0; i < 10; i++)
		hxp_cwnd_loss(&w);
	EXPECT_EQ(1u, w.cwnd);		/* never zero */
	hxp_cwnd_init(&w, 0, 0);
	EXPECT_EQ(1u, w.cwnd);
}

/*
 * The window is pages in flight, and grows by the pages answered: a window
 * of 21-page requests grows as fast as one of single pages, not 21 times
 * slower (it kept hexo_kvm's pulls at one request in flight).
 */
TEST(cwnd_counts_pages)
{
	struct hxp_cwnd w, one;
	int reqs = 0;

	hxp_cwnd_init(&w, 16, 64);
	hxp_cwnd_init(&one, 16, 64);
	hxp_cwnd_ack(&w, 21);
	EXPECT_EQ(17u, w.cwnd);		/* 16 pages answered: +1, 5 toward the next */
	EXPECT_EQ(5u, w.acked);
	for (int i = 0; i < 21; i++)
		hxp_cwnd_ack(&one, 1);
	EXPECT_EQ(w.cwnd, one.cwnd);
	EXPECT_EQ(w.acked, one.acked);
	/* From 16 to 42 pages, 21 pages at a time: 741 pages, 36 requests. */
	hxp_cwnd_init(&w, 16, 64);
	while (w.cwnd < 42) {
		hxp_cwnd_ack(&w, 21);
		reqs++;
	}
	EXPECT_EQ(36, reqs);
	/* Several steps in one answer on a small window; capped. */
	hxp_cwnd_init(&w, 1, 4);
	hxp_cwnd_ack(&w, 32);
	EXPECT_EQ(4u, w.cwnd);
	EXPECT_LT(w.acked, w.cwnd);
}

TEST(cwnd_undo_after_spurious_timeout)
{
	struct hxp_cwnd w;

	hxp_cwnd_init(&w, 20, 64);
	hxp_cwnd_loss(&w);
	EXPECT_EQ(10u, w.cwnd);
	hxp_cwnd_undo(&w);
	EXPECT_EQ(20u, w.cwnd);		/* back where it was */
	hxp_cwnd_undo(&w);
	EXPECT_EQ(20u, w.cwnd);		/* only once */
	for (int i = 0; i < 100; i++)
		hxp_cwnd_ack(&w, 1);
	hxp_cwnd_loss(&w);
	hxp_cwnd_ack(&w, 1);
	hxp_cwnd_undo(&w);
	EXPECT_GE(w.cwnd, 20u);
	EXPECT_LE(w.cwnd, 64u);

	/* Once grown back past it, an old loss's window is never restored. */
	hxp_cwnd_init(&w, 8, 64);
	hxp_cwnd_loss(&w);		/* 4, prior 8 */
	while (w.cwnd < 8)
		hxp_cwnd_ack(&w, 1);
	EXPECT_EQ(0u, w.prior);
	w.cwnd = 3;			/* shrunk by some later loss */
	hxp_cwnd_undo(&w);
	EXPECT_EQ(3u, w.cwnd);
}

/*
 * A server's idle time: the expiry worker reads the clock, then a frame of
 * the session stamps last_rx, one tick later, on another CPU. The session
 * was idle for no time; now - last_rx, unsigned, said ULONG_MAX, and a
 * live session was expired in the middle of a stream of writes (its pages
 * lost to its board).
 */
TEST(idle_since_a_later_stamp_is_zero)
{
	EXPECT_EQ(0ul, hxp_since(100, 100));
	EXPECT_EQ(1ul, hxp_since(101, 100));
	EXPECT_EQ(0ul, hxp_since(100, 101));
	EXPECT_EQ(0ul, hxp_since(100, 100 + 5000));
	/* Across the wrap of the clock, both ways. */
	EXPECT_EQ(10ul, hxp_since(5, ~0ul - 4));
	EXPECT_EQ(0ul, hxp_since(~0ul - 4, 5));
}

TEST(write_order)
{
	EXPECT_EQ(HXP_NEWER, (int)hxp_order(8, 7));
	EXPECT_EQ(HXP_SAME, (int)hxp_order(7, 7));
	EXPECT_EQ(HXP_OLDER, (int)hxp_order(6, 7));
}

/*
 * A page written once and rewritten after about 2^31 other requests of the
 * session: the rewrite is newer, however far the order went meanwhile. A
 * 32-bit serial order (wire version 1) judged it older, acknowledged the
 * write and dropped it.
 */
TEST(write_order_past_2_to_the_31)
{
	const u64 s = 5;

	EXPECT_EQ(HXP_NEWER, (int)hxp_order(s + (1ull << 31), s));
	EXPECT_EQ(HXP_NEWER, (int)hxp_order(s + (1ull << 31) + 1, s));
	EXPECT_EQ(HXP_NEWER, (int)hxp_order(s + 3 * (1ull << 30), s));
	EXPECT_EQ(HXP_NEWER, (int)hxp_order(s + (1ull << 32), s));
	EXPECT_EQ(HXP_OLDER, (int)hxp_order(s, s + (1ull << 31) + 1));
	/* Across the 32-bit boundary, both ways. */
	EXPECT_EQ(HXP_NEWER, (int)hxp_order(0x100000001ull, 0xffffffffull));
	EXPECT_EQ(HXP_OLDER, (int)hxp_order(0xffffffffull, 0x100000001ull));
	/* A session that starts just below the boundary and runs long. */
	for (u64 last = 0xffffff00ull, next = last + 1; next < 0x300000000ull;
	     last = next, next += 0x3fffffffull)
		ASSERT_EQ(HXP_NEWER, (int)hxp_order(next, last));
}

TEST(page_fragment_bits)
{
	EXPECT_EQ(0x7ull, hxp_page_frags(3, 0));
	EXPECT_EQ(0x38ull, hxp_page_frags(3, 1));
	EXPECT_EQ(0x1ull << 20, hxp_page_frags(1, 20));
	EXPECT_EQ(~0ull, hxp_page_frags(64, 0));
}

TEST(agreement_takes_the_smaller_offer)
{
	struct hxp_terms board = { 1500, 64, 32, HXP_CAPS },
			 server = { 9000, 48, 32, HEXO_CAP_READV };
	struct hxp_agreed a, b;

	ASSERT_TRUE(hxp_agree(&board, &server, &a));
	EXPECT_EQ(1448u, a.frag);
	EXPECT_EQ((u32)HEXO_CAP_READV, a.caps);	/* what both speak */
	EXPECT_EQ(3u, a.fpp);
	EXPECT_EQ(48u, a.window);
	EXPECT_EQ(21u, a.max_pages);		/* 21 pages x 3 frames fit 64 bits */
	/* Both ends compute the same terms. */
	ASSERT_TRUE(hxp_agree(&server, &board, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST(agreement_with_jumbo_frames_and_small_windows)
{
	struct hxp_terms one = { 9000, 8, 32, 0 }, two = { 9000, 64, 32, 0 };
	struct hxp_terms tiny = { 40, 8, 8, 0 };
	struct hxp_agreed a;

	ASSERT_TRUE(hxp_agree(&one, &two, &a));
	EXPECT_EQ(1u, a.fpp);			/* a page a frame */
	EXPECT_EQ(8u, a.window);
	EXPECT_EQ(8u, a.max_pages);		/* no more than the window */
	EXPECT_FALSE(hxp_agree(&tiny, &two, &a));	/* the MTU carries no data */
}

/* A page in more than 64 fragments cannot be tracked: refuse the terms. */
TEST(agreement_needs_a_page_in_64_fragments)
{
	struct hxp_terms big = { 1500, 8, 8, 0 }, small = { 0, 8, 8, 0 };
	struct hxp_agreed a;

	EXPECT_EQ(112, HXP_MIN_MTU);
	for (small.mtu = HEXO_HDR_LEN + 1; small.mtu < HXP_MIN_MTU; small.mtu++)
		EXPECT_FALSE(hxp_agree(&small, &big, &a));
	small.mtu = HXP_MIN_MTU;
	ASSERT_TRUE(hxp_agree(&small, &big, &a));
	EXPECT_EQ(64u, a.fpp);
	EXPECT_EQ(1u, a.max_pages);
}

/* A version 1 HELLO request, as a version 1 client sends it. */
static size_t v1_hello(u8 *f, u32 tag, u64 nonce)
{
	u32 crc;

	memset(f, 0, HXP_V1_HDR_LEN + HXP_V1_HELLO_LEN);
	f[0] = 1;
	f[1] = HEXO_SVC_NETSWAP;
	f[2] = HEXO_OP_HELLO;
	f[5] = HXP_V1_HDR_LEN;
	f[7] = HXP_V1_HELLO_LEN;
	for (int i = 0; i < 4; i++)
		f[12 + i] = tag >> (24 - 8 * i);
	for (int i = 0; i < 8; i++)
		f[HXP_V1_HDR_LEN + i] = nonce >> (56 - 8 * i);
	crc = hxp_data_crc(0, f + HXP_V1_HDR_LEN, HXP_V1_HELLO_LEN);
	for (int i = 0; i < 4; i++)
		f[36 + i] = crc >> (24 - 8 * i);
	crc = hxp_crc32c(f, HXP_V1_HDR_LEN);
	for (int i = 0; i < 4; i++)
		f[40 + i] = crc >> (24 - 8 * i);
	return HXP_V1_HDR_LEN + HXP_V1_HELLO_LEN;
}

TEST(version_1_hello_gets_a_version_1_refusal)
{
	u8 req[256], out[HXP_V1_REFUSAL_LEN], check[HXP_V1_HDR_LEN];
	size_t len = v1_hello(req, 0x1234ffff, 0x0102030405060708ull);
	u32 crc;

	ASSERT_TRUE(hxp_v1_refusal(req, len, out));
	EXPECT_EQ(1, out[0]);
	EXPECT_EQ(HEXO_SVC_NETSWAP, out[1]);
	EXPECT_EQ(HEXO_OP_HELLO, out[2]);
	EXPECT_EQ(HEXO_F_REPLY, out[3]);
	EXPECT_EQ(HEXO_ST_VERSION, out[4]);
	EXPECT_EQ(HXP_V1_HDR_LEN, out[5]);
	EXPECT_EQ(0, memcmp(out + 12, req + 12, 4));		/* the tag */
	EXPECT_EQ(0, memcmp(out + HXP_V1_HDR_LEN, req + HXP_V1_HDR_LEN, 8));	/* nonce */
	/* Both checksums as a version 1 client checks them. */
	memcpy(check, out, sizeof(check));
	memset(check + 40, 0, 4);
	crc = hxp_crc32c(check, sizeof(check));
	EXPECT_EQ(crc, (u32)out[40] << 24 | out[41] << 16 | out[42] << 8 | out[43]);
	crc = hxp_data_crc(0, out + HXP_V1_HDR_LEN, HXP_V1_HELLO_LEN);
	EXPECT_EQ(crc, (u32)out[36] << 24 | out[37] << 16 | out[38] << 8 | out[39]);

	/* Anything else gets nothing: a damaged header, a reply, a runt, data. */
	req[20] ^= 1;
	EXPECT_FALSE(hxp_v1_refusal(req, len, out));
	len = v1_hello(req, 1, 2);
	req[3] = HEXO_F_REPLY;
	EXPECT_FALSE(hxp_v1_refusal(req, len, out));
	len = v1_hello(req, 1, 2);
	EXPECT_FALSE(hxp_v1_refusal(req, len - 1, out));
	EXPECT_FALSE(hxp_v1_refusal(req, 20, out));
	req[2] = HEXO_OP_READ;
	EXPECT_FALSE(hxp_v1_refusal(req, len, out));
}

TEST(replay_window)
{
	struct hxp_replay r = {};

	EXPECT_FALSE(hxp_replay_check(&r, 0));		/* never sent */
	EXPECT_TRUE(hxp_replay_check(&r, 1));
	EXPECT_FALSE(hxp_replay_check(&r, 1));		/* a replay */
	EXPECT_TRUE(hxp_replay_check(&r, 3));
	EXPECT_TRUE(hxp_replay_check(&r, 2));		/* reordered: fine */
	EXPECT_FALSE(hxp_replay_check(&r, 2));
	EXPECT_FALSE(hxp_replay_check(&r, 3));
	/* A jump within the window: what lies between is still unseen. */
	EXPECT_TRUE(hxp_replay_check(&r, 1000));
	EXPECT_TRUE(hxp_replay_check(&r, 500));
	EXPECT_FALSE(hxp_replay_check(&r, 500));
	EXPECT_FALSE(hxp_replay_check(&r, 1));
	/* Older than the window: refused, whether seen or not. */
	EXPECT_TRUE(hxp_replay_check(&r, 1000 + HEXO_REPLAY_WINDOW));
	EXPECT_FALSE(hxp_replay_check(&r, 1000));
	EXPECT_FALSE(hxp_replay_check(&r, 999));
	EXPECT_TRUE(hxp_replay_check(&r, 1001));
	/* A jump past the whole window forgets all; then every number once. */
	EXPECT_TRUE(hxp_replay_check(&r, 1ull << 40));
	for (u64 pn = (1ull << 40) - HEXO_REPLAY_WINDOW + 1; pn < (1ull << 40); pn++)
		ASSERT_TRUE(hxp_replay_check(&r, pn));
	for (u64 pn = (1ull << 40) - HEXO_REPLAY_WINDOW + 1; pn <= (1ull << 40); pn++)
		ASSERT_FALSE(hxp_replay_check(&r, pn));
	/* Sliding one by one, with each number replayed right after. */
	for (u64 pn = (1ull << 40) + 1; pn < (1ull << 40) + 5000; pn++) {
		ASSERT_TRUE(hxp_replay_check(&r, pn));
		ASSERT_FALSE(hxp_replay_check(&r, pn));
		ASSERT_FALSE(hxp_replay_check(&r, pn - 1));
	}
}

/* Keyed frames carry less data: the MAC takes room. */
TEST(keyed_terms)
{
	struct hxp_terms a = { 1500, 64, 32, HXP_CAPS | HEXO_CAP_KEYED },
			 b = { 1500, 64, 32, HXP_CAPS | HEXO_CAP_KEYED },
			 c = { 1500, 64, 32, HXP_CAPS };
	struct hxp_agreed t;

	ASSERT_TRUE(hxp_agree(&a, &b, &t));
	EXPECT_EQ((u32)HEXO_CAP_KEYED, t.caps & HEXO_CAP_KEYED);
	EXPECT_EQ(1424u, t.frag);		/* (1500 - 48 - 24) & ~7 */
	ASSERT_TRUE(hxp_agree(&a, &c, &t));
	EXPECT_EQ(0u, t.caps & HEXO_CAP_KEYED);	/* one end unkeyed: not keyed */
	EXPECT_EQ(1448u, t.frag);
	/* An MTU that cannot even hold the MAC: no terms (no wrap around). */
	for (b.mtu = 0; b.mtu < HEXO_AUTH_LEN + HXP_MIN_MTU; b.mtu++)
		EXPECT_FALSE(hxp_agree(&a, &b, &t));
}

TEST(session_state_machine)
{
	/* Connecting: keep asking until the server answers. */
	EXPECT_EQ(HXP_CONNECTING, (int)hxp_next_state(HXP_CONNECTING, HXP_IN_SILENT));
	EXPECT_EQ(HXP_UP, (int)hxp_next_state(HXP_CONNECTING, HXP_IN_HELLO_OK));
	/* Up: silence or an unknown session means lost. */
	EXPECT_EQ(HXP_LOST, (int)hxp_next_state(HXP_UP, HXP_IN_SILENT));
	EXPECT_EQ(HXP_LOST, (int)hxp_next_state(HXP_UP, HXP_IN_UNKNOWN));
	EXPECT_EQ(HXP_UP, (int)hxp_next_state(HXP_UP, HXP_IN_HELLO_OK));
	/* Lost: found again by HELLO. */
	EXPECT_EQ(HXP_UP, (int)hxp_next_state(HXP_LOST, HXP_IN_HELLO_OK));
	EXPECT_EQ(HXP_LOST, (int)hxp_next_state(HXP_LOST, HXP_IN_SILENT));
	/* Closing and interface loss win from anywhere; closed stays closed. */
	for (int st = HXP_CONNECTING; st < __HXP_STATE_MAX; st++) {
		EXPECT_EQ(HXP_CLOSED, (int)hxp_next_state(st, HXP_IN_CLOSE));
		EXPECT_EQ(HXP_CLOSED, (int)hxp_next_state(st, HXP_IN_GONE));
	}
	EXPECT_EQ(HXP_CLOSED, (int)hxp_next_state(HXP_CLOSED, HXP_IN_HELLO_OK));
}

TEST(hello_outcomes)
{
	EXPECT_EQ(HXP_HELLO_FIRST, (int)hxp_hello_outcome(false, 0, 0, 5, 9));
	EXPECT_EQ(HXP_HELLO_SAME, (int)hxp_hello_outcome(true, 5, 9, 5, 9));
	/* A restarted server: new session, or the same id by chance in a new epoch. */
	EXPECT_EQ(HXP_HELLO_NEW, (int)hxp_hello_outcome(true, 5, 9, 6, 10));
	EXPECT_EQ(HXP_HELLO_NEW, (int)hxp_hello_outcome(true, 5, 9, 5, 10));
}

TEST_HARNESS_MAIN

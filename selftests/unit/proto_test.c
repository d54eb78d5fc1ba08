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

	h->version = 2;
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
	EXPECT_EQ(1456u, hxp_frag_size(1500));		/* (1500 - 44) & ~7 */
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

TEST(serial_order)
{
	EXPECT_TRUE(hxp_seq_after(2, 1));
	EXPECT_FALSE(hxp_seq_after(1, 2));
	EXPECT_FALSE(hxp_seq_after(5, 5));
	/* Across the wrap. */
	EXPECT_TRUE(hxp_seq_after(3, 0xfffffff0u));
	EXPECT_FALSE(hxp_seq_after(0xfffffff0u, 3));
}

TEST(rtt_estimate_converges)
{
	struct hxp_rtt r = {};

	EXPECT_EQ(20000u, hxp_rto_us(&r, 20000, 1000, 1000000));	/* no sample yet */
	hxp_rtt_sample(&r, 1000);
	EXPECT_EQ(1000u, r.srtt_us);
	EXPECT_EQ(500u, r.rttvar_us);
	EXPECT_EQ(3000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	for (int i = 0; i < 200; i++)
		hxp_rtt_sample(&r, 400);
	EXPECT_LE(r.srtt_us, 410u);
	EXPECT_GE(r.srtt_us, 390u);
	EXPECT_LE(r.rttvar_us, 10u);
	EXPECT_EQ(400u, r.min_us);
	/* Clamped at both ends. */
	EXPECT_EQ(1000u, hxp_rto_us(&r, 20000, 1000, 1000000));
	hxp_rtt_sample(&r, 4000000);
	EXPECT_EQ(1000000u, hxp_rto_us(&r, 20000, 1000, 1000000));
}

TEST(rtt_variance_tracks_jitter)
{
	struct hxp_rtt r = {};

	for (int i = 0; i < 100; i++)
		hxp_rtt_sample(&r, i % 2 ? 500 : 1500);
	EXPECT_GE(r.rttvar_us, 300u);
	EXPECT_GE(hxp_rto_us(&r, 0, 1, 1000000), 2000u);
}

TEST(cwnd_aimd)
{
	struct hxp_cwnd w;

	hxp_cwnd_init(&w, 4, 16);
	EXPECT_EQ(4u, w.cwnd);
	for (int i = 0; i < 4; i++)
		hxp_cwnd_ack(&w);
	EXPECT_EQ(5u, w.cwnd);		/* +1 per window of acks */
	for (int i = 0; i < 1000; i++)
		hxp_cwnd_ack(&w);
	EXPECT_EQ(16u, w.cwnd);		/* capped */
	hxp_cwnd_loss(&w);
	EXPECT_EQ(8u, w.cwnd);		/* halved */
	for (int i = 0; i < 10; i++)
		hxp_cwnd_loss(&w);
	EXPECT_EQ(1u, w.cwnd);		/* never zero */
	hxp_cwnd_init(&w, 0, 0);
	EXPECT_EQ(1u, w.cwnd);
}

TEST_HARNESS_MAIN

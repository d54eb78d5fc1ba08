// SPDX-License-Identifier: GPL-2.0
/*
 * The pure logic of the HEXO protocol (see proto.h). Built into the kernel
 * and, unchanged, into user space.
 */
#include "proto.h"

#ifdef __KERNEL__
#include <linux/export.h>
#define HXP_EXPORT(sym) EXPORT_SYMBOL_GPL(sym)
#else
#define HXP_EXPORT(sym)
#endif

const char *const hxp_drop_names[__HXP_DROP_MAX] = {
	[HXP_OK]		= "ok",
	[HXP_DROP_RUNT]		= "runt",
	[HXP_DROP_VERSION]	= "version",
	[HXP_DROP_HDR_LEN]	= "hdr_len",
	[HXP_DROP_DATA_LEN]	= "data_len",
	[HXP_DROP_HDR_CRC]	= "hdr_crc",
	[HXP_DROP_SERVICE]	= "service",
};
HXP_EXPORT(hxp_drop_names);

void hxp_hdr_init(struct hexo_hdr *h, u8 service, u8 op, u32 session, u32 tag)
{
	memset(h, 0, sizeof(*h));
	h->version = HEXO_WIRE_VERSION;
	h->service = service;
	h->op = op;
	h->hdr_len = HEXO_HDR_LEN;
	h->session = cpu_to_be32(session);
	h->tag = cpu_to_be32(tag);
}
HXP_EXPORT(hxp_hdr_init);

void hxp_hdr_seal(struct hexo_hdr *h)
{
	h->hdr_crc = 0;
	h->hdr_crc = cpu_to_be32(hxp_crc32c(h, HEXO_HDR_LEN));
}
HXP_EXPORT(hxp_hdr_seal);

enum hxp_drop hxp_hdr_check(const void *buf, size_t len, size_t *data_at)
{
	const struct hexo_hdr *h = buf;
	u32 want, got, zero = 0, crc;
	size_t hlen;

	if (len < HEXO_HDR_LEN)
		return HXP_DROP_RUNT;
	if (h->version != HEXO_WIRE_VERSION)
		return HXP_DROP_VERSION;
	hlen = h->hdr_len;
	if (hlen < HEXO_HDR_LEN || hlen % 4 || hlen > len)
		return HXP_DROP_HDR_LEN;
	if (be16_to_cpu(h->data_len) > len - hlen)
		return HXP_DROP_DATA_LEN;

	/* CRC over the header with hdr_crc taken as zero, extension included. */
	want = be32_to_cpu(h->hdr_crc);
	crc = hxp_crc32c_update(~0u, h, offsetof(struct hexo_hdr, hdr_crc));
	crc = hxp_crc32c_update(crc, &zero, sizeof(zero));
	crc = hxp_crc32c_update(crc, (const u8 *)buf + HEXO_HDR_LEN, hlen - HEXO_HDR_LEN);
	got = ~crc;
	if (got != want)
		return HXP_DROP_HDR_CRC;
	if (h->service >= __HEXO_SVC_MAX)
		return HXP_DROP_SERVICE;
	*data_at = hlen;
	return HXP_OK;
}
HXP_EXPORT(hxp_hdr_check);

/* The version 1 header's fields that a refusal reads or writes. */
#define HXP_V1_HDR_CRC_AT	40
#define HXP_V1_DATA_CRC_AT	36

static u32 hxp_be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static void hxp_put_be32_at(u8 *p, u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Version 1's header checksum: hdr_len bytes, hdr_crc taken as zero. */
static u32 hxp_v1_hdr_crc(const u8 *h, size_t hlen)
{
	u32 zero = 0, crc;

	crc = hxp_crc32c_update(~0u, h, HXP_V1_HDR_CRC_AT);
	crc = hxp_crc32c_update(crc, &zero, sizeof(zero));
	crc = hxp_crc32c_update(crc, h + HXP_V1_HDR_LEN, hlen - HXP_V1_HDR_LEN);
	return ~crc;
}

bool hxp_v1_refusal(const void *req, size_t len, void *out)
{
	const u8 *r = req;
	u8 *o = out;
	size_t hlen;

	/* version, service, op, flags, status, hdr_len, data_len: as today. */
	if (len < HXP_V1_HDR_LEN || r[0] != 1 || r[2] != HEXO_OP_HELLO ||
	    (r[3] & HEXO_F_REPLY) || r[1] >= __HEXO_SVC_MAX)
		return false;
	hlen = r[5];
	if (hlen < HXP_V1_HDR_LEN || hlen % 4 || hlen > len ||
	    ((size_t)r[6] << 8 | r[7]) < HXP_V1_HELLO_LEN ||
	    ((size_t)r[6] << 8 | r[7]) > len - hlen ||
	    hxp_v1_hdr_crc(r, hlen) != hxp_be32_at(r + HXP_V1_HDR_CRC_AT))
		return false;

	memset(o, 0, HXP_V1_REFUSAL_LEN);
	o[0] = 1;
	o[1] = r[1];
	o[2] = HEXO_OP_HELLO;
	o[3] = HEXO_F_REPLY;
	o[4] = HEXO_ST_VERSION;
	o[5] = HXP_V1_HDR_LEN;
	o[7] = HXP_V1_HELLO_LEN;
	memcpy(o + 12, r + 12, 4);			/* tag */
	memcpy(o + HXP_V1_HDR_LEN, r + hlen, 8);	/* the nonce, echoed */
	hxp_put_be32_at(o + HXP_V1_DATA_CRC_AT,
			hxp_data_crc(0, o + HXP_V1_HDR_LEN, HXP_V1_HELLO_LEN));
	hxp_put_be32_at(o + HXP_V1_HDR_CRC_AT, hxp_v1_hdr_crc(o, HXP_V1_HDR_LEN));
	return true;
}
HXP_EXPORT(hxp_v1_refusal);

u32 hxp_data_crc_begin(u64 index)
{
	__be64 be = cpu_to_be64(index);

	return hxp_crc32c_update(~0u, &be, sizeof(be));
}
HXP_EXPORT(hxp_data_crc_begin);

u32 hxp_data_crc(u64 index, const void *data, size_t len)
{
	return hxp_data_crc_end(hxp_data_crc_update(hxp_data_crc_begin(index), data, len));
}
HXP_EXPORT(hxp_data_crc);

u32 hxp_frag_size(u32 mtu)
{
	u32 room;

	if (mtu <= HEXO_HDR_LEN)
		return 0;
	room = (mtu - HEXO_HDR_LEN) & ~7u;
	return min_t(u32, room, HEXO_PAGE_SIZE);
}
HXP_EXPORT(hxp_frag_size);

int hxp_frag_index(u32 total, u32 frag, u32 off, u32 len)
{
	u32 idx;

	if (!frag || off >= total || off % frag)
		return -1;
	idx = off / frag;
	if (len != min_t(u32, frag, total - off) || idx >= HXP_MAX_FRAGS)
		return -1;
	return idx;
}
HXP_EXPORT(hxp_frag_index);

void hxp_rtt_sample(struct hxp_rtt *r, u32 sample_us, u64 now_us)
{
	u64 age = now_us - r->period_us;	/* a clock that went back: a new period */
	u32 err;

	if (!sample_us)
		sample_us = 1;
	r->last_us = sample_us;
	if (!r->min_us || sample_us < r->min_us)
		r->min_us = sample_us;
	if (age >= HXP_RTT_PEAK_PERIOD_US) {
		/* A period without samples between: its peak is gone too. */
		r->peak_prev_us = age < 2 * HXP_RTT_PEAK_PERIOD_US ? r->peak_us : 0;
		r->peak_us = 0;
		r->period_us = now_us;
	}
	if (sample_us > r->peak_us)
		r->peak_us = sample_us;
	if (!r->srtt_us) {
		r->srtt_us = sample_us;
		r->rttvar_us = sample_us / 2;
		return;
	}
	/* rttvar = 3/4 rttvar + 1/4 |srtt - sample|; srtt = 7/8 srtt + 1/8 sample */
	err = sample_us > r->srtt_us ? sample_us - r->srtt_us : r->srtt_us - sample_us;
	r->rttvar_us = r->rttvar_us - r->rttvar_us / 4 + err / 4;
	r->srtt_us = r->srtt_us - r->srtt_us / 8 + sample_us / 8;
	if (!r->srtt_us)
		r->srtt_us = 1;
}
HXP_EXPORT(hxp_rtt_sample);

u32 hxp_rto_us(const struct hxp_rtt *r, u32 initial_us, u32 lo_us, u32 hi_us)
{
	u64 rto, peak;

	if (!r->srtt_us)
		return clamp(initial_us, lo_us, hi_us);
	rto = (u64)r->srtt_us + 4 * (u64)r->rttvar_us;
	peak = max(r->peak_us, r->peak_prev_us);
	rto = max(rto, peak + peak / 2);
	if (rto > hi_us)
		return hi_us;
	return rto < lo_us ? lo_us : (u32)rto;
}
HXP_EXPORT(hxp_rto_us);

void hxp_cwnd_init(struct hxp_cwnd *w, u32 initial, u32 max)
{
	w->max = max ? max : 1;
	w->cwnd = clamp(initial, 1u, w->max);
	w->acked = 0;
	w->prior = 0;
}
HXP_EXPORT(hxp_cwnd_init);

void hxp_cwnd_ack(struct hxp_cwnd *w, u32 pages)
{
	/*
	 * The window is pages in flight, so a request counts the pages it
	 * covered. Counted a request at a time, a window of 21-page requests
	 * grew 21 times slower than one of single pages, and a channel of
	 * such requests kept one in flight (a second fits from 42 pages on)
	 * for the 741 round trips the window took to grow there from 16.
	 */
	w->acked += pages;
	while (w->acked >= w->cwnd) {
		w->acked -= w->cwnd;
		if (w->cwnd < w->max)
			w->cwnd++;
	}
	/* Grown back past the window before the last loss: nothing to undo. */
	if (w->prior && w->cwnd >= w->prior)
		w->prior = 0;
}
HXP_EXPORT(hxp_cwnd_ack);

void hxp_cwnd_loss(struct hxp_cwnd *w)
{
	w->prior = w->cwnd;
	w->cwnd = w->cwnd > 1 ? w->cwnd / 2 : 1;
	w->acked = 0;
}
HXP_EXPORT(hxp_cwnd_loss);

void hxp_cwnd_undo(struct hxp_cwnd *w)
{
	if (w->prior > w->cwnd)
		w->cwnd = min(w->prior, w->max);
	w->prior = 0;
}
HXP_EXPORT(hxp_cwnd_undo);

bool hxp_agree(const struct hxp_terms *mine, const struct hxp_terms *theirs,
	       struct hxp_agreed *out)
{
	u32 most;

	u32 mtu = min(mine->mtu, theirs->mtu);

	out->caps = mine->caps & theirs->caps;
	/* A keyed frame ends with its MAC: that much less data per frame. */
	if (out->caps & HEXO_CAP_KEYED) {
		if (mtu <= HEXO_AUTH_LEN)
			return false;
		mtu -= HEXO_AUTH_LEN;
	}
	out->frag = hxp_frag_size(mtu);
	out->fpp = hxp_nfrags(HEXO_PAGE_SIZE, out->frag);
	if (!out->frag || out->fpp > HXP_MAX_FRAGS)
		return false;
	out->window = clamp(min(mine->window, theirs->window), 1u, 0xffffu);
	most = min(out->window, HXP_MAX_FRAGS / out->fpp);
	out->max_pages = clamp(min(mine->max_pages, theirs->max_pages), 1u, most);
	return true;
}
HXP_EXPORT(hxp_agree);

bool hxp_replay_check(struct hxp_replay *r, u64 pn)
{
	const u64 win = HEXO_REPLAY_WINDOW;
	u64 i;

	if (!pn || (r->top >= win && pn <= r->top - win))
		return false;		/* never sent, or too old to tell */
	if (pn > r->top) {
		/* Slide: the numbers between the old top and pn are unseen. */
		if (pn - r->top >= win) {
			memset(r->bits, 0, sizeof(r->bits));
		} else {
			for (i = r->top + 1; i < pn; i++)
				r->bits[(i / 64) % (win / 64)] &= ~(1ULL << (i % 64));
		}
		r->top = pn;
		r->bits[(pn / 64) % (win / 64)] |= 1ULL << (pn % 64);
		return true;
	}
	if (r->bits[(pn / 64) % (win / 64)] & (1ULL << (pn % 64)))
		return false;		/* seen */
	r->bits[(pn / 64) % (win / 64)] |= 1ULL << (pn % 64);
	return true;
}
HXP_EXPORT(hxp_replay_check);

enum hxp_state hxp_next_state(enum hxp_state s, enum hxp_input in)
{
	if (s == HXP_CLOSED || in == HXP_IN_GONE || in == HXP_IN_CLOSE)
		return HXP_CLOSED;
	switch (in) {
	case HXP_IN_HELLO_OK:
		return HXP_UP;
	case HXP_IN_SILENT:
	case HXP_IN_UNKNOWN:
		/* Never connected: keep asking; connected: lost. */
		return s == HXP_CONNECTING ? HXP_CONNECTING : HXP_LOST;
	default:
		return s;
	}
}
HXP_EXPORT(hxp_next_state);

enum hxp_hello hxp_hello_outcome(bool had_session, u32 old_session, u64 old_epoch,
				 u32 session, u64 epoch)
{
	if (!had_session)
		return HXP_HELLO_FIRST;
	return session == old_session && epoch == old_epoch ? HXP_HELLO_SAME : HXP_HELLO_NEW;
}
HXP_EXPORT(hxp_hello_outcome);

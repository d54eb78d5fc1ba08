/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure logic of the HEXO protocol: header sealing and checking, data
 * checksums, fragments, sequence order, RTT estimation, the congestion
 * window. No locks, no allocation, no kernel objects: the same code builds
 * into hexo_link.ko, into HEXO's raw-socket tools and into the host-side unit
 * tests (through user/lib/kshim.h).
 */
#ifndef _HXP_PROTO_H
#define _HXP_PROTO_H

#ifdef __KERNEL__
#include <linux/crc32.h>
#include <linux/crc32c.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/types.h>
#include <asm/byteorder.h>

/* libcrc32c's crc32c() is the faster here (crc.c): timed at load. */
DECLARE_STATIC_KEY_FALSE(hxp_crc32c_lib);

/* CRC-32C update without pre- or post-inversion. */
static inline u32 hxp_crc32c_update(u32 crc, const void *p, size_t len)
{
	if (static_branch_unlikely(&hxp_crc32c_lib))
		return crc32c(crc, p, len);
	return __crc32c_le(crc, p, len);
}
#else
#include "kshim.h"

static inline u32 hxp_crc32c_update(u32 crc, const void *p, size_t len)
{
	return hexo_crc32c_update(crc, p, len);
}
#endif

#include <hexo/wire.h>

/* Why a received frame was dropped before reaching a service. */
enum hxp_drop {
	HXP_OK = 0,
	HXP_DROP_RUNT,		/* shorter than a header */
	HXP_DROP_VERSION,	/* another wire version */
	HXP_DROP_HDR_LEN,	/* hdr_len too small, unaligned, or past the frame */
	HXP_DROP_DATA_LEN,	/* data_len past the end of the frame */
	HXP_DROP_HDR_CRC,	/* header checksum mismatch */
	HXP_DROP_SERVICE,	/* unknown service */
	__HXP_DROP_MAX
};

extern const char *const hxp_drop_names[__HXP_DROP_MAX];

/* CRC-32C with the usual pre- and post-inversion. */
static inline u32 hxp_crc32c(const void *p, size_t len)
{
	return ~hxp_crc32c_update(~0u, p, len);
}

/* Fills a request header; data fields are zero, hdr_crc unset. */
void hxp_hdr_init(struct hexo_hdr *h, u8 service, u8 op, u32 session, u32 tag);
/* Computes hdr_crc over the HEXO_HDR_LEN bytes of h. */
void hxp_hdr_seal(struct hexo_hdr *h);
/*
 * Checks a received frame (buf, len: from the HEXO header on). On success
 * returns HXP_OK with *data_off_in_frame set to where the data starts.
 */
enum hxp_drop hxp_hdr_check(const void *buf, size_t len, size_t *data_at);

/*
 * Wire version 1, the only older one, as far as telling its clients that
 * they are not spoken here: the answer to a version 1 HELLO request.
 */
#define HXP_V1_HDR_LEN		44
#define HXP_V1_HELLO_LEN	76
#define HXP_V1_REFUSAL_LEN	(HXP_V1_HDR_LEN + HXP_V1_HELLO_LEN)
/*
 * Writes into out (HXP_V1_REFUSAL_LEN bytes) the HEXO_ST_VERSION reply to
 * the version 1 frame req (len bytes from its HEXO header on), and returns
 * true, when req is a well-formed version 1 HELLO request; false otherwise.
 */
bool hxp_v1_refusal(const void *req, size_t len, void *out);

/* data_crc: CRC-32C over the big-endian index, then the data, in pieces. */
u32 hxp_data_crc_begin(u64 index);
static inline u32 hxp_data_crc_update(u32 state, const void *p, size_t len)
{
	return hxp_crc32c_update(state, p, len);
}
static inline u32 hxp_data_crc_end(u32 state)
{
	return ~state;
}
u32 hxp_data_crc(u64 index, const void *data, size_t len);

/* Most fragments one request's data may travel in. */
#define HXP_MAX_FRAGS	64
/* The smallest MTU that carries a page in HXP_MAX_FRAGS fragments. */
#define HXP_MIN_MTU	(HEXO_HDR_LEN + HEXO_PAGE_SIZE / HXP_MAX_FRAGS)

/*
 * Data bytes per frame for a link whose frames carry mtu bytes after the
 * Ethernet header: what is left after the HEXO header, in 8-byte units,
 * at most a page. 0 if the MTU cannot carry data at all.
 */
u32 hxp_frag_size(u32 mtu);
static inline u32 hxp_nfrags(u32 total, u32 frag)
{
	return frag ? (total + frag - 1) / frag : 0;
}
/*
 * The fragment number of (off, len) in data of total bytes sent in frag-byte
 * fragments, or -1 if no such fragment exists.
 */
int hxp_frag_index(u32 total, u32 frag, u32 off, u32 len);

/*
 * Where a write or discard with seq stands against a page's last change.
 * Sequence numbers are 64 bits, start at 1 and grow by at least 1 per
 * request of a session: they do not wrap in any session's life (2^64
 * requests), so plain comparison orders them.
 */
enum hxp_order {
	HXP_OLDER,		/* a late duplicate: ignore it */
	HXP_SAME,		/* this very change, again: it is done */
	HXP_NEWER,		/* apply it */
};

static inline enum hxp_order hxp_order(u64 seq, u64 last)
{
	if (seq == last)
		return HXP_SAME;
	return seq > last ? HXP_NEWER : HXP_OLDER;
}

/*
 * How long before now last was, on a clock that wraps (jiffies): 0 when
 * last is later than now, as a stamp written after now was read is, so
 * that a race never looks like an age.
 */
static inline unsigned long hxp_since(unsigned long now, unsigned long last)
{
	return (long)(now - last) > 0 ? now - last : 0;
}

/* The fragment bits of page (a position in a request) when pages travel in fpp fragments. */
static inline u64 hxp_page_frags(u32 fpp, u32 page)
{
	return (fpp >= 64 ? ~0ULL : (1ULL << fpp) - 1) << (page * fpp);
}

/*
 * What the two ends of a session agree on at HELLO: each side offers its
 * MTU, window (pages in flight) and pages per request; they take the smaller
 * of each, and no more pages per request than fit the window and the
 * fragment bitmaps. Both ends compute the same terms from the same offers.
 */
struct hxp_terms {
	u32 mtu;
	u32 window;
	u32 max_pages;
	u32 caps;		/* HEXO_CAP_* */
};

struct hxp_agreed {
	u32 frag;		/* data bytes per frame */
	u32 fpp;		/* frames per page */
	u32 window;
	u32 max_pages;
	u32 caps;		/* spoken by both ends */
};

/* What this implementation speaks (and HEXO_CAP_KEYED where keyed). */
#define HXP_CAPS	(HEXO_CAP_READV | HEXO_CAP_RETRY_ECHO)

/*
 * false when the MTU cannot carry a page in at most HXP_MAX_FRAGS fragments
 * (an MTU below HXP_MIN_MTU).
 */
bool hxp_agree(const struct hxp_terms *mine, const struct hxp_terms *theirs,
	       struct hxp_agreed *out);

/*
 * The replay window of a keyed session's receiving end: a frame number is
 * fresh if it is new and no older than the last HEXO_REPLAY_WINDOW numbers
 * accepted. Call only for frames whose MAC verified.
 */
struct hxp_replay {
	u64 top;		/* highest accepted; 0 before any */
	u64 bits[HEXO_REPLAY_WINDOW / 64];
};

/* true (and pn recorded) when pn is fresh; false for a replay or 0. */
bool hxp_replay_check(struct hxp_replay *r, u64 pn);

/* The client side of a session. */
enum hxp_state {
	HXP_CONNECTING,		/* HELLO sent, no answer yet */
	HXP_UP,			/* session established */
	HXP_LOST,		/* server silent past the bound: I/O fails */
	HXP_CLOSED,		/* closed, or its interface is gone */
	__HXP_STATE_MAX
};

enum hxp_input {
	HXP_IN_HELLO_OK,	/* the server granted (or gave back) a session */
	HXP_IN_SILENT,		/* nothing heard from the server for the bound */
	HXP_IN_UNKNOWN,		/* the server does not know our session */
	HXP_IN_GONE,		/* the interface went away */
	HXP_IN_CLOSE,		/* the user closes the channel */
};

enum hxp_state hxp_next_state(enum hxp_state s, enum hxp_input in);

/* What a granted HELLO means to the channel that asked. */
enum hxp_hello {
	HXP_HELLO_FIRST,	/* its first session */
	HXP_HELLO_SAME,		/* the session it had: nothing was lost */
	HXP_HELLO_NEW,		/* a new session: what the old one held is gone */
};

enum hxp_hello hxp_hello_outcome(bool had_session, u32 old_session, u64 old_epoch,
				 u32 session, u64 epoch);

/*
 * Round-trip time estimate (Jacobson/Karels, RFC 6298), in microseconds.
 * Samples come only from requests answered on their first transmission
 * (Karn's rule), or from a first transmission answered after its timeout
 * fired (a spurious timeout): the caller decides.
 *
 * RFC 6298 assumes a sample or so per round trip. A channel with dozens of
 * requests in flight takes dozens per round trip, and srtt and rttvar then
 * forget a delay within a millisecond or two: the next stall of the same
 * size (a busy server, a descheduled vCPU) times out every request in
 * flight, though nothing was lost. So the timeout also stays above the
 * largest round trip of the last one to two periods, by half of it. A
 * spurious timeout's late sample is such a round trip, so the same delay
 * does not fire the timeout twice (the Eifel response, RFC 4015, in spirit).
 */
#define HXP_RTT_PEAK_PERIOD_US	1000000

struct hxp_rtt {
	u32 srtt_us;		/* 0 until the first sample */
	u32 rttvar_us;
	u32 last_us;
	u32 min_us;
	u32 peak_us;		/* largest sample of this period */
	u32 peak_prev_us;	/* largest of the period before */
	u64 period_us;		/* when this period began */
};

void hxp_rtt_sample(struct hxp_rtt *r, u32 sample_us, u64 now_us);
/*
 * max(srtt + 4 * rttvar, 1.5 * recent peak), clamped to [lo, hi];
 * "initial" before any sample.
 */
u32 hxp_rto_us(const struct hxp_rtt *r, u32 initial_us, u32 lo_us, u32 hi_us);

/*
 * Congestion window in pages (AoE's maxout, TCP's AIMD with appropriate byte
 * counting, RFC 3465): +1 per window of pages acknowledged, halved on a
 * loss, within [1, max].
 */
struct hxp_cwnd {
	u32 cwnd;
	u32 max;
	u32 acked;		/* pages acknowledged since the last increase */
	u32 prior;		/* cwnd before the last halving, for hxp_cwnd_undo() */
};

void hxp_cwnd_init(struct hxp_cwnd *w, u32 initial, u32 max);
/* A request was answered: the pages it covered (DISCARD, FLUSH: 1). */
void hxp_cwnd_ack(struct hxp_cwnd *w, u32 pages);
void hxp_cwnd_loss(struct hxp_cwnd *w);
/*
 * The last halving was for nothing: the "lost" request was only late (its
 * answer came sooner after the retransmission than any round trip could).
 * Restores the window it had (Eifel, RFC 3522 and 4015).
 */
void hxp_cwnd_undo(struct hxp_cwnd *w);

#endif /* _HXP_PROTO_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pages in fragments, for both ends: a page into the frames that carry it,
 * and frames back into a page checked against its end-to-end checksum.
 */
#ifndef _HXL_FRAG_H
#define _HXL_FRAG_H

#include <linux/skbuff.h>

#include "proto.h"

/*
 * Queues on q the frames of page p of a request (data: the page), in
 * fragments of frag bytes: make(arg, len) returns a frame with its header
 * filled and room for len bytes of data, or NULL (no memory: the rest of the
 * page is not sent, and the peer asks again); this sets data_off and
 * data_crc (crc) and appends the data.
 */
void hxl_frag_send(const void *data, u32 p, u32 frag, u32 crc,
		   struct sk_buff *(*make)(void *arg, u32 len), void *arg,
		   struct sk_buff_head *q);

/* What became of a received fragment. */
enum hxl_frag_rx {
	HXL_FRAG_DUP,		/* not a missing fragment of this page: ignore it */
	HXL_FRAG_MORE,		/* taken; the page is not whole yet */
	HXL_FRAG_PAGE,		/* the page is whole and checked */
	HXL_FRAG_BAD,		/* the page was whole but damaged: its fragments are forgotten */
};

/*
 * Takes the fragment at page offset poff (len bytes, at data_at in skb) of
 * page p of a request into page, the page's reassembly buffer; frags is the
 * request's fragment bitmap (fpp fragments of frag bytes per page). When the
 * page is whole it is checked against crc, the frame's data_crc, for the
 * page numbered index.
 */
enum hxl_frag_rx hxl_frag_recv(u64 *frags, u32 fpp, u32 frag, u32 p, u32 poff, u32 len,
			       const struct sk_buff *skb, size_t data_at, void *page,
			       u64 index, u32 crc);

#endif /* _HXL_FRAG_H */

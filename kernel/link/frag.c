// SPDX-License-Identifier: GPL-2.0
/*
 * Pages in fragments (frag.h): the one place where a page becomes frames and
 * frames become a checked page, for the client's writes and the server's
 * read replies alike, and for the server's writes and the client's reads.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/export.h>

#include "frag.h"
#include "hexo_link.h"

void hxl_frag_send(const void *data, u32 p, u32 frag, u32 crc,
		   struct sk_buff *(*make)(void *arg, u32 len), void *arg,
		   struct sk_buff_head *q)
{
	struct hexo_hdr *h;
	struct sk_buff *skb;
	u32 f, len;

	for (f = 0; f < HEXO_PAGE_SIZE; f += frag) {
		len = min_t(u32, frag, HEXO_PAGE_SIZE - f);
		skb = make(arg, len);
		if (!skb)
			return;
		h = (struct hexo_hdr *)skb->data;
		h->data_off = cpu_to_be32(p * HEXO_PAGE_SIZE + f);
		h->data_crc = cpu_to_be32(crc);
		skb_put_data(skb, data + f, len);
		__skb_queue_tail(q, skb);
	}
}

enum hxl_frag_rx hxl_frag_recv(u64 *frags, u32 fpp, u32 frag, u32 p, u32 poff, u32 len,
			       const struct sk_buff *skb, size_t data_at, void *page,
			       u64 index, u32 crc)
{
	int fi = hxp_frag_index(HEXO_PAGE_SIZE, frag, poff, len);
	u64 page_bits, bit;

	if (fi < 0 || (p + 1) * fpp > HXP_MAX_FRAGS)
		return HXL_FRAG_DUP;
	page_bits = hxp_page_frags(fpp, p);
	bit = BIT_ULL(p * fpp + fi);
	if ((*frags & bit) || skb_copy_bits(skb, data_at, page + poff, len))
		return HXL_FRAG_DUP;
	*frags |= bit;
	if ((*frags & page_bits) != page_bits)
		return HXL_FRAG_MORE;
	if (hxp_data_crc(index, page, HEXO_PAGE_SIZE) == crc)
		return HXL_FRAG_PAGE;
	*frags &= ~page_bits;
	return HXL_FRAG_BAD;
}

u32 hxl_page_crc(u64 index, const void *data)
{
	return hxp_data_crc(index, data, HEXO_PAGE_SIZE);
}
EXPORT_SYMBOL_GPL(hxl_page_crc);

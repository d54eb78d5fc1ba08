/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keyed sessions: key derivation, sealing and checking of frames, replay
 * window (include/uapi/hexo/wire.h, "Keyed frames").
 */
#ifndef _HXL_AUTH_H
#define _HXL_AUTH_H

#include <linux/atomic.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "proto.h"

/* One end of a keyed session. */
struct hxl_auth {
	u8 tx[HEXO_KEY_LEN];		/* seals what this end sends */
	u8 rx[HEXO_KEY_LEN];		/* checks what it receives */
	atomic64_t tx_pn;
	spinlock_t lock;		/* replay */
	struct hxp_replay replay;
};

/* The hello key of a pre-shared key. */
void hxl_auth_hello_key(const u8 *psk, u8 *out);
/*
 * Derives a session's keys (client: this end is the client) and starts its
 * frame numbers and replay window afresh.
 */
void hxl_auth_derive(struct hxl_auth *a, const u8 *psk, bool client, u64 cnonce, u64 snonce,
		     u32 session);
/*
 * Seals the frame at skb->data (HEXO header, then data_len bytes of data,
 * nothing after): appends struct hexo_auth with pn and the MAC under key.
 * The skb needs HEXO_AUTH_LEN bytes of tailroom (hxl_port_alloc_skb()
 * leaves them). hdr_crc is sealed afterwards.
 */
void hxl_auth_seal(const u8 *key, u64 pn, struct sk_buff *skb);
/*
 * Checks a received frame's MAC under key (skb->data at the HEXO header,
 * data at data_at); false when it is missing or wrong. *pn: its number.
 */
bool hxl_auth_check(const u8 *key, const struct sk_buff *skb, size_t data_at, u64 *pn);
/* Whether pn (of a frame whose MAC verified) is fresh; records it. */
bool hxl_auth_fresh(struct hxl_auth *a, u64 pn);
/* Seals skb with a's session key and its next frame number. */
void hxl_auth_seal_next(struct hxl_auth *a, struct sk_buff *skb);

#endif /* _HXL_AUTH_H */

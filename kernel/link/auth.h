/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Keyed sessions: key derivation, sealing and checking of frames, replay
 * window (include/uapi/hexo/wire.h, "Keyed frames").
 */
#ifndef _HXL_AUTH_H
#define _HXL_AUTH_H

#include <crypto/blake2s.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "proto.h"

/* What a receiver copies of a header: hdr_len is a byte. */
#define HXL_AUTH_HDR_MAX	256

/* One end of a keyed session. */
struct hxl_auth {
	spinlock_t lock;		/* everything below */
	bool ready;			/* keys derived */
	/* BLAKE2s keyed with a session key, HXL_OTK_LABEL absorbed. */
	struct blake2s_state tx;	/* seals what this end sends */
	struct blake2s_state rx;	/* checks what it receives */
	u64 tx_pn;			/* the last frame number sent */
	u32 key_gen;			/* keys derived so far */
	struct hxp_replay replay;
};

/* The hello key of a pre-shared key. */
void hxl_auth_hello_key(const u8 *psk, u8 *out);
/* Before the first hxl_auth_derive(): no keys yet, every frame fails. */
void hxl_auth_init(struct hxl_auth *a);
/*
 * Derives a session's keys (client: this end is the client) and starts its
 * frame numbers and replay window afresh, all at once for concurrent
 * senders and receivers.
 */
void hxl_auth_derive(struct hxl_auth *a, const u8 *psk, bool client, u64 cnonce, u64 snonce,
		     u32 session);
/*
 * Seals the HELLO at skb->data (HEXO header, then data_len bytes of data,
 * nothing after) with the hello key: appends struct hexo_auth, pn 0. The
 * skb needs HEXO_AUTH_LEN bytes of tailroom (hxl_port_alloc_skb() leaves
 * them). hdr_crc is sealed afterwards.
 */
void hxl_auth_hello_seal(const u8 *key, struct sk_buff *skb);
/* Seals a session frame the same way, with a's key and its next frame number. */
void hxl_auth_seal_next(struct hxl_auth *a, struct sk_buff *skb);
/*
 * Checks a received HELLO's MAC under the hello key (skb->data at the HEXO
 * header, data at data_at); false when it is missing or wrong.
 */
bool hxl_auth_hello_check(const u8 *key, struct sk_buff *skb, size_t data_at);
/*
 * The same for a session frame under a's key; *pn: its number, *key_gen: the
 * keys' generation. Takes only a's lock, briefly: a receiver checks the
 * MAC, the costly part, outside its own locks.
 */
bool hxl_auth_check(struct hxl_auth *a, struct sk_buff *skb, size_t data_at, u64 *pn,
		    u32 *key_gen);
/*
 * Whether pn, of a frame whose MAC verified under the keys of generation
 * key_gen, is fresh; records it. A frame checked under keys that have since
 * been replaced is not.
 */
bool hxl_auth_fresh(struct hxl_auth *a, u64 pn, u32 key_gen);

#endif /* _HXL_AUTH_H */

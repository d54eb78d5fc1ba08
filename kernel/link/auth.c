// SPDX-License-Identifier: GPL-2.0
/*
 * Keyed sessions. A pre-shared key never leaves the kernel; from it come a
 * hello key and, per session and direction, a session key (keyed BLAKE2s,
 * lib/crypto). Every frame of a keyed session ends with its frame number and
 * a 128-bit MAC over header, data and number; a receiver drops what fails
 * and what it saw already. The wire format is in include/uapi/hexo/wire.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <linux/string.h>

#include "auth.h"

#define HXL_MAC_LEN	16

static void hxl_auth_kdf(const u8 *psk, const char *label, const void *ctx, size_t ctx_len,
			 u8 *out)
{
	struct blake2s_state st;

	blake2s_init_key(&st, HEXO_KEY_LEN, psk, HEXO_KEY_LEN);
	blake2s_update(&st, label, strlen(label));
	if (ctx_len)
		blake2s_update(&st, ctx, ctx_len);
	blake2s_final(&st, out);
}

void hxl_auth_hello_key(const u8 *psk, u8 *out)
{
	hxl_auth_kdf(psk, "hexo hello v2", NULL, 0, out);
}

void hxl_auth_derive(struct hxl_auth *a, const u8 *psk, bool client, u64 cnonce, u64 snonce,
		     u32 session)
{
	struct {
		__be64 cnonce, snonce;
		__be32 session;
	} __packed ctx = { cpu_to_be64(cnonce), cpu_to_be64(snonce), cpu_to_be32(session) };

	hxl_auth_kdf(psk, client ? "hexo c2s v2" : "hexo s2c v2", &ctx, sizeof(ctx), a->tx);
	hxl_auth_kdf(psk, client ? "hexo s2c v2" : "hexo c2s v2", &ctx, sizeof(ctx), a->rx);
	atomic64_set(&a->tx_pn, 0);
	spin_lock_init(&a->lock);
	memset(&a->replay, 0, sizeof(a->replay));
}

/* BLAKE2s over len bytes of skb from off, linear or not. */
static void hxl_auth_update_skb(struct blake2s_state *st, const struct sk_buff *skb,
				u32 off, u32 len)
{
	u8 buf[256];
	const void *p;
	u32 n;

	while (len) {
		n = off < skb_headlen(skb) ? min(len, skb_headlen(skb) - off) :
					     min_t(u32, len, sizeof(buf));
		p = skb_header_pointer(skb, off, n, buf);
		if (!p)
			return;		/* the caller checked the length */
		blake2s_update(st, p, n);
		off += n;
		len -= n;
	}
}

/* The MAC of the frame whose header is hdr (hdr_len bytes, hdr_crc zeroed). */
static void hxl_auth_mac(const u8 *key, const u8 *hdr, size_t hdr_len, const struct sk_buff *skb,
			 u32 data_at, u32 data_len, __be64 pn, u8 *mac)
{
	u8 full[BLAKE2S_HASH_SIZE];
	struct blake2s_state st;

	blake2s_init_key(&st, BLAKE2S_HASH_SIZE, key, HEXO_KEY_LEN);
	blake2s_update(&st, hdr, hdr_len);
	hxl_auth_update_skb(&st, skb, data_at, data_len);
	blake2s_update(&st, (const u8 *)&pn, sizeof(pn));
	blake2s_final(&st, full);
	memcpy(mac, full, HXL_MAC_LEN);
	memzero_explicit(full, sizeof(full));
}

void hxl_auth_seal(const u8 *key, u64 pn, struct sk_buff *skb)
{
	struct hexo_hdr *h = (struct hexo_hdr *)skb->data;
	struct hexo_auth *a;

	h->hdr_crc = 0;
	a = skb_put(skb, sizeof(*a));
	a->pn = cpu_to_be64(pn);
	hxl_auth_mac(key, skb->data, h->hdr_len, skb, h->hdr_len, be16_to_cpu(h->data_len),
		     a->pn, a->mac);
}

void hxl_auth_seal_next(struct hxl_auth *a, struct sk_buff *skb)
{
	hxl_auth_seal(a->tx, atomic64_inc_return(&a->tx_pn), skb);
}

bool hxl_auth_check(const u8 *key, const struct sk_buff *skb, size_t data_at, u64 *pn)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 data_len = be16_to_cpu(h->data_len);
	u8 hdr[256], mac[HXL_MAC_LEN];
	struct hexo_auth a;

	/* The header checks bounded hdr_len and data_len by the frame. */
	if (skb->len - data_at - data_len < sizeof(a) ||
	    skb_copy_bits(skb, data_at + data_len, &a, sizeof(a)))
		return false;
	memcpy(hdr, skb->data, data_at);
	((struct hexo_hdr *)hdr)->hdr_crc = 0;
	hxl_auth_mac(key, hdr, data_at, skb, data_at, data_len, a.pn, mac);
	*pn = be64_to_cpu(a.pn);
	return !crypto_memneq(mac, a.mac, sizeof(mac));
}

bool hxl_auth_fresh(struct hxl_auth *a, u64 pn)
{
	bool fresh;

	spin_lock(&a->lock);
	fresh = hxp_replay_check(&a->replay, pn);
	spin_unlock(&a->lock);
	return fresh;
}

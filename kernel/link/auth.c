// SPDX-License-Identifier: GPL-2.0
/*
 * Keyed sessions. A pre-shared key never leaves the kernel; from it come a
 * hello key and, per session and direction, a session key (keyed BLAKE2s,
 * lib/crypto). Every frame of a keyed session ends with its frame number and
 * a 128-bit MAC over header, data and number: HELLOs keyed BLAKE2s under the
 * hello key, session frames Poly1305 under a one-time key that BLAKE2s
 * derives from the session key and the frame number (the ChaCha20-Poly1305
 * pattern, BLAKE2s in place of ChaCha20): over a page, Poly1305 costs 7 to
 * 15 times less than BLAKE2s on the testbed's emulated CPUs, and the one
 * BLAKE2s block per frame does not grow with its data. The generic Poly1305
 * on purpose: the vector ones were 2.5 (x86_64) and 7 (arm64) times slower
 * there, and they take the FPU on every frame. A receiver drops what fails
 * and what it saw already. The wire format is in include/uapi/hexo/wire.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <crypto/blake2s.h>
#include <crypto/internal/blake2s.h>
#include <crypto/poly1305.h>
#include <linux/string.h>

#include "auth.h"

#define HXL_MAC_LEN		16
/* Absorbed after the session key: the key block is compressed once per session. */
#define HXL_OTK_LABEL		"hexo otk"

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

void hxl_auth_init(struct hxl_auth *a)
{
	memset(a, 0, sizeof(*a));
	spin_lock_init(&a->lock);
}

/* The state that derives one-time keys from key: BLAKE2s(key, label || ...). */
static void hxl_auth_otk_base(struct blake2s_state *st, const u8 *key)
{
	static_assert(sizeof(HXL_OTK_LABEL) - 1 + sizeof(__be64) <= BLAKE2S_BLOCK_SIZE);
	blake2s_init_key(st, POLY1305_KEY_SIZE, key, HEXO_KEY_LEN);
	/* The key block is compressed here; the label waits in the buffer. */
	blake2s_update(st, HXL_OTK_LABEL, strlen(HXL_OTK_LABEL));
}

void hxl_auth_derive(struct hxl_auth *a, const u8 *psk, bool client, u64 cnonce, u64 snonce,
		     u32 session)
{
	struct {
		__be64 cnonce, snonce;
		__be32 session;
	} __packed ctx = { cpu_to_be64(cnonce), cpu_to_be64(snonce), cpu_to_be32(session) };
	struct blake2s_state tx, rx;
	u8 key[HEXO_KEY_LEN];

	hxl_auth_kdf(psk, client ? "hexo c2s v2" : "hexo s2c v2", &ctx, sizeof(ctx), key);
	hxl_auth_otk_base(&tx, key);
	hxl_auth_kdf(psk, client ? "hexo s2c v2" : "hexo c2s v2", &ctx, sizeof(ctx), key);
	hxl_auth_otk_base(&rx, key);
	memzero_explicit(key, sizeof(key));

	/* A sender between two frames sees old keys and numbers or new ones, never a mix. */
	spin_lock_bh(&a->lock);
	a->tx = tx;
	a->rx = rx;
	a->tx_pn = 0;
	memset(&a->replay, 0, sizeof(a->replay));
	a->key_gen++;
	a->ready = true;
	spin_unlock_bh(&a->lock);
	memzero_explicit(&tx, sizeof(tx));
	memzero_explicit(&rx, sizeof(rx));
}

typedef void (*hxl_auth_update_fn)(void *ctx, const u8 *p, unsigned int n);

static void hxl_auth_blake2s_update(void *ctx, const u8 *p, unsigned int n)
{
	blake2s_update(ctx, p, n);
}

static void hxl_auth_poly1305_update(void *ctx, const u8 *p, unsigned int n)
{
	poly1305_update_generic(ctx, p, n);
}

/*
 * Feeds update with len bytes of skb from off, linear or not: in place, a
 * fragment at a time (a received frame's data is mostly in page fragments,
 * and a copy of it per frame would cost as much as the MAC).
 */
static void hxl_auth_update_skb(hxl_auth_update_fn update, void *ctx, struct sk_buff *skb,
				u32 off, u32 len)
{
	struct skb_seq_state st;
	const u8 *p;
	u32 done = 0, n;

	skb_prepare_seq_read(skb, off, off + len, &st);
	while ((n = skb_seq_read(done, &p, &st))) {
		n = min(n, len - done);		/* it returns whole blocks, past off + len */
		update(ctx, p, n);
		done += n;
		if (done == len)
			break;
	}
	skb_abort_seq_read(&st);
}

/* A HELLO's MAC: keyed BLAKE2s under the hello key (hdr: hdr_len bytes, hdr_crc zeroed). */
static void hxl_auth_hello_mac(const u8 *key, const u8 *hdr, size_t hdr_len,
			       struct sk_buff *skb, u32 data_at, u32 data_len, __be64 pn,
			       u8 *mac)
{
	u8 full[BLAKE2S_HASH_SIZE];
	struct blake2s_state st;

	blake2s_init_key(&st, BLAKE2S_HASH_SIZE, key, HEXO_KEY_LEN);
	blake2s_update(&st, hdr, hdr_len);
	hxl_auth_update_skb(hxl_auth_blake2s_update, &st, skb, data_at, data_len);
	blake2s_update(&st, (const u8 *)&pn, sizeof(pn));
	blake2s_final(&st, full);
	memcpy(mac, full, HXL_MAC_LEN);
	memzero_explicit(full, sizeof(full));
}

/*
 * The one-time key of pn: BLAKE2s(session key, HXL_OTK_LABEL || pn), from
 * the state that absorbed key and label (hxl_auth_otk_base(): the label is
 * in its buffer, so pn completes the last block). blake2s_final() by hand
 * with the generic compression: the x86 one takes the FPU, whose state a
 * frame in softirq would save first, for one block.
 */
static void hxl_auth_otk(struct blake2s_state *st, __be64 pn, u8 *otk)
{
	memcpy(st->buf + st->buflen, &pn, sizeof(pn));
	st->buflen += sizeof(pn);
	st->f[0] = (u32)-1;		/* the last block */
	memset(st->buf + st->buflen, 0, BLAKE2S_BLOCK_SIZE - st->buflen);
	blake2s_compress_generic(st, st->buf, 1, st->buflen);
	cpu_to_le32_array(st->h, ARRAY_SIZE(st->h));
	memcpy(otk, st->h, POLY1305_KEY_SIZE);
}

/* A session frame's MAC: Poly1305 under the one-time key of pn (base: hxl_auth_otk_base()). */
static void hxl_auth_frame_mac(struct blake2s_state *base, const u8 *hdr, size_t hdr_len,
			       struct sk_buff *skb, u32 data_at, u32 data_len, __be64 pn,
			       u8 *mac)
{
	struct poly1305_desc_ctx pd;
	u8 otk[POLY1305_KEY_SIZE];

	hxl_auth_otk(base, pn, otk);
	poly1305_init_generic(&pd, otk);
	memzero_explicit(otk, sizeof(otk));
	poly1305_update_generic(&pd, hdr, hdr_len);
	hxl_auth_update_skb(hxl_auth_poly1305_update, &pd, skb, data_at, data_len);
	poly1305_update_generic(&pd, (const u8 *)&pn, sizeof(pn));
	poly1305_final_generic(&pd, mac);
}

/* Appends struct hexo_auth with pn to the frame at skb->data; its MAC is left to fill. */
static struct hexo_auth *hxl_auth_trailer(struct sk_buff *skb, u64 pn)
{
	struct hexo_hdr *h = (struct hexo_hdr *)skb->data;
	struct hexo_auth *a;

	h->hdr_crc = 0;
	a = skb_put(skb, sizeof(*a));
	a->pn = cpu_to_be64(pn);
	return a;
}

void hxl_auth_hello_seal(const u8 *key, struct sk_buff *skb)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hexo_auth *a = hxl_auth_trailer(skb, 0);

	hxl_auth_hello_mac(key, skb->data, h->hdr_len, skb, h->hdr_len,
			   be16_to_cpu(h->data_len), a->pn, a->mac);
}

void hxl_auth_seal_next(struct hxl_auth *a, struct sk_buff *skb)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct blake2s_state st;
	struct hexo_auth *t;
	u64 pn;

	/* Number and key together: a number is never used twice under one key. */
	spin_lock_bh(&a->lock);
	pn = ++a->tx_pn;
	st = a->tx;
	spin_unlock_bh(&a->lock);
	t = hxl_auth_trailer(skb, pn);
	hxl_auth_frame_mac(&st, skb->data, h->hdr_len, skb, h->hdr_len,
			   be16_to_cpu(h->data_len), t->pn, t->mac);
	memzero_explicit(&st, sizeof(st));
}

/*
 * The trailer of a received frame and a copy of its header with hdr_crc
 * zeroed; false when there is no trailer.
 */
static bool hxl_auth_open(const struct sk_buff *skb, size_t data_at, u8 *hdr,
			  struct hexo_auth *t)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 data_len = be16_to_cpu(h->data_len);

	/* The header checks bounded hdr_len and data_len by the frame. */
	if (data_at > HXL_AUTH_HDR_MAX || skb->len - data_at - data_len < sizeof(*t) ||
	    skb_copy_bits(skb, data_at + data_len, t, sizeof(*t)))
		return false;
	memcpy(hdr, skb->data, data_at);
	((struct hexo_hdr *)hdr)->hdr_crc = 0;
	return true;
}

bool hxl_auth_hello_check(const u8 *key, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u8 hdr[HXL_AUTH_HDR_MAX], mac[HXL_MAC_LEN];
	struct hexo_auth t;

	if (!hxl_auth_open(skb, data_at, hdr, &t) || t.pn)
		return false;
	hxl_auth_hello_mac(key, hdr, data_at, skb, data_at, be16_to_cpu(h->data_len), t.pn, mac);
	return !crypto_memneq(mac, t.mac, sizeof(mac));
}

bool hxl_auth_check(struct hxl_auth *a, struct sk_buff *skb, size_t data_at, u64 *pn,
		    u32 *key_gen)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u8 hdr[HXL_AUTH_HDR_MAX], mac[HXL_MAC_LEN];
	struct blake2s_state st;
	struct hexo_auth t;
	bool ready;

	if (!hxl_auth_open(skb, data_at, hdr, &t) || !t.pn)
		return false;
	spin_lock_bh(&a->lock);
	ready = a->ready;
	st = a->rx;
	*key_gen = a->key_gen;
	spin_unlock_bh(&a->lock);
	if (!ready)
		return false;
	hxl_auth_frame_mac(&st, hdr, data_at, skb, data_at, be16_to_cpu(h->data_len), t.pn, mac);
	memzero_explicit(&st, sizeof(st));
	*pn = be64_to_cpu(t.pn);
	return !crypto_memneq(mac, t.mac, sizeof(mac));
}

bool hxl_auth_fresh(struct hxl_auth *a, u64 pn, u32 key_gen)
{
	bool fresh;

	spin_lock_bh(&a->lock);
	fresh = a->key_gen == key_gen && hxp_replay_check(&a->replay, pn);
	spin_unlock_bh(&a->lock);
	return fresh;
}

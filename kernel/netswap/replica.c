// SPDX-License-Identifier: GPL-2.0
/*
 * The pure logic of a mirrored netswap device (see replica.h). Built into
 * netswap.ko and, unchanged, into the host-side unit tests.
 */
#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#else
#include <errno.h>
#define div64_u64(a, b) ((a) / (b))
#endif

#include "replica.h"

static bool nsw_test(const unsigned long *map, u64 i)
{
	return (map[i / NSW_BPL] >> (i % NSW_BPL)) & 1;
}

static void nsw_set(unsigned long *map, u64 i)
{
	map[i / NSW_BPL] |= 1UL << (i % NSW_BPL);
}

static void nsw_clear(unsigned long *map, u64 i)
{
	map[i / NSW_BPL] &= ~(1UL << (i % NSW_BPL));
}

static unsigned int nsw_popcount(unsigned long w)
{
#ifdef __KERNEL__
	return hweight_long(w);
#else
	return __builtin_popcountl(w);
#endif
}

/* Page i is dirty on replica r now (counted). */
static void nsw_dirty_set(struct nsw_bits *b, unsigned int r, u64 i)
{
	if (!nsw_test(b->dirty[r], i)) {
		nsw_set(b->dirty[r], i);
		b->ndirty[r]++;
	}
}

static void nsw_dirty_clear(struct nsw_bits *b, unsigned int r, u64 i)
{
	if (nsw_test(b->dirty[r], i)) {
		nsw_clear(b->dirty[r], i);
		b->ndirty[r]--;
	}
}

/* Whether latency a is to be preferred to b (no estimate first). */
static bool nsw_faster(u32 a, u32 b)
{
	if (!a)
		return b;
	return b && a < b;
}

int nsw_pick(const struct nsw_rview *r, unsigned int n, unsigned int tried)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!r[i].present || !r[i].clean || (tried & (1U << i)))
			continue;
		if (best < 0 || (r[i].up && !r[best].up) ||
		    (r[i].up == r[best].up && nsw_faster(r[i].lat_us, r[best].lat_us)))
			best = i;
	}
	return best;
}

int nsw_pick_failover(const struct nsw_rview *r, unsigned int n, unsigned int skip)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!r[i].present || !r[i].ready || !r[i].clean || (skip & (1U << i)))
			continue;
		if (best < 0 || nsw_faster(r[i].lat_us, r[best].lat_us))
			best = i;
	}
	return best;
}

int nsw_pick_retry(const struct nsw_rview *r, unsigned int n, unsigned int tried, bool read)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!r[i].present || !r[i].up || (read && !r[i].clean))
			continue;
		if (best < 0 || ((tried & (1U << best)) && !(tried & (1U << i))))
			best = i;
	}
	return best;
}

void nsw_lat_sample(u32 *lat_us, u32 sample_us)
{
	s64 d;

	if (!sample_us)
		sample_us = 1;
	if (!*lat_us) {
		*lat_us = sample_us;
		return;
	}
	d = (s64)sample_us - *lat_us;
	*lat_us += d / 8;
	if (!*lat_us)
		*lat_us = 1;
}

void nsw_write_outcome(const u8 *res, unsigned int n, unsigned int in, struct nsw_wout *o)
{
	unsigned int i, ok = 0, failed = 0;

	for (i = 0; i < n; i++) {
		if (res[i] == NSW_W_OK)
			ok |= 1U << i;
		else if (res[i] == NSW_W_FAIL)
			failed |= 1U << i;
	}
	o->status = ok ? 0 : -EIO;
	o->clean = ok;
	o->dirty = ok ? ((1U << n) - 1) & ~ok : 0;
	/* The last replica to hold a page is never declared out. */
	o->out = ok ? failed & in : 0;
}

void nsw_bits_write_done(struct nsw_bits *b, const struct nsw_wout *o, u64 index, u32 count)
{
	unsigned int r;
	u64 i;

	for (i = index; i < index + count; i++) {
		if (o->status) {
			/* No replica holds it: whatever it held is gone too. */
			if (nsw_test(b->stored, i)) {
				nsw_clear(b->stored, i);
				nsw_set(b->lost, i);
			}
			for (r = 0; r < b->n; r++)
				nsw_dirty_clear(b, r, i);
			continue;
		}
		nsw_set(b->stored, i);
		nsw_clear(b->lost, i);
		for (r = 0; r < b->n; r++) {
			if (o->clean & (1U << r))
				nsw_dirty_clear(b, r, i);
			else
				nsw_dirty_set(b, r, i);
		}
	}
}

void nsw_bits_discard_done(struct nsw_bits *b, u64 index, u32 count)
{
	unsigned int r;
	u64 i;

	/* Pages that read as zeros are never read from a server: none is dirty. */
	for (i = index; i < index + count; i++) {
		nsw_clear(b->stored, i);
		nsw_clear(b->lost, i);
		for (r = 0; r < b->n; r++)
			nsw_dirty_clear(b, r, i);
	}
}

/* Page i, stored, became dirty on some replica: lost if it is dirty on all. */
static bool nsw_settle(struct nsw_bits *b, u64 i)
{
	unsigned int r;

	for (r = 0; r < b->n; r++)
		if (!nsw_test(b->dirty[r], i))
			return false;
	nsw_clear(b->stored, i);
	nsw_set(b->lost, i);
	for (r = 0; r < b->n; r++)
		nsw_dirty_clear(b, r, i);
	return true;
}

u32 nsw_bits_replica_miss(struct nsw_bits *b, unsigned int r, u64 index, u32 count)
{
	u32 nlost = 0;
	u64 i;

	for (i = index; i < index + count; i++) {
		if (!nsw_test(b->stored, i))
			continue;
		nsw_dirty_set(b, r, i);
		nlost += nsw_settle(b, i);
	}
	return nlost;
}

u64 nsw_bits_replica_lost(struct nsw_bits *b, unsigned int r, u64 *word, u64 nwords)
{
	u64 w = *word, end = nsw_bits_words(b->npages), nlost = 0;
	unsigned long all, fresh;
	unsigned int k;

	if (w < end && end - w > nwords)
		end = w + nwords;
	for (; w < end; w++) {
		fresh = b->stored[w] & ~b->dirty[r][w];
		b->dirty[r][w] |= fresh;
		b->ndirty[r] += nsw_popcount(fresh);
		all = b->stored[w];
		for (k = 0; k < b->n; k++)
			all &= b->dirty[k][w];
		if (!all)
			continue;
		b->stored[w] &= ~all;
		b->lost[w] |= all;
		for (k = 0; k < b->n; k++) {
			b->dirty[k][w] &= ~all;
			b->ndirty[k] -= nsw_popcount(all);
		}
		nlost += nsw_popcount(all);
	}
	if (w > *word)
		*word = w;
	return nlost;
}

void nsw_bits_copied(struct nsw_bits *b, unsigned int r, u64 index, u32 count)
{
	u64 i;

	for (i = index; i < index + count; i++)
		nsw_dirty_clear(b, r, i);
}

bool nsw_bits_any(const unsigned long *map, u64 index, u32 count)
{
	u64 i;

	for (i = index; i < index + count; i++) {
		if (!(i % NSW_BPL) && i + NSW_BPL <= index + count && !map[i / NSW_BPL]) {
			i += NSW_BPL - 1;
			continue;
		}
		if (nsw_test(map, i))
			return true;
	}
	return false;
}

u32 nsw_bits_read_run(const struct nsw_bits *b, unsigned int mask, u64 index, u32 count)
{
	u32 best = 0, n;
	unsigned int r;

	for (r = 0; r < b->n; r++) {
		if (!(mask & (1U << r)))
			continue;
		for (n = 0; n < count && !nsw_test(b->dirty[r], index + n); n++)
			;
		if (n > best)
			best = n;
	}
	return best;
}

u64 nsw_bits_weight(const unsigned long *map, u64 npages)
{
	u64 i, n = 0;
	unsigned long bits;

	for (i = 0; i < npages; i += NSW_BPL) {
		bits = map[i / NSW_BPL];
		if (npages - i < NSW_BPL)
			bits &= (1UL << (npages - i)) - 1;
		n += nsw_popcount(bits);
	}
	return n;
}

/* The words of pages a resync may copy: stored, dirty on dst, clean on src. */
static unsigned long nsw_copy_word(const struct nsw_bits *b, unsigned int dst, unsigned int src,
				   u64 w)
{
	return b->stored[w] & b->dirty[dst][w] & ~b->dirty[src][w];
}

u32 nsw_bits_next_copy(const struct nsw_bits *b, unsigned int dst, unsigned int src, u64 *index,
		       u32 max, u64 budget)
{
	u64 i = *index, w, looked = 0;
	unsigned long bits;
	u32 n = 0;

	/* The first page: whole words at a time, budget of them at most. */
	while (i < b->npages) {
		if (looked++ >= budget) {
			*index = i;
			return 0;
		}
		w = i / NSW_BPL;
		bits = nsw_copy_word(b, dst, src, w) >> (i % NSW_BPL);
		if (bits) {
			while (!(bits & 1)) {
				bits >>= 1;
				i++;
			}
			break;
		}
		i = (w + 1) * NSW_BPL;
	}
	if (i >= b->npages) {
		*index = b->npages;
		return 0;
	}
	*index = i;
	while (n < max && i + n < b->npages &&
	       (nsw_copy_word(b, dst, src, (i + n) / NSW_BPL) >> ((i + n) % NSW_BPL)) & 1)
		n++;
	return n;
}

u32 nsw_copy_pages(u32 src_max_pages, u32 dst_max_pages)
{
	u32 n = min_t(u32, min(src_max_pages, dst_max_pages), NSW_COPY_PAGES);

	return n ? n : 1;
}

enum netswap_mirror nsw_mirror_state(const struct nsw_rsum *r, unsigned int n)
{
	unsigned int i, present = 0;
	bool degraded = false, resync = false;

	for (i = 0; i < n; i++) {
		if (!r[i].present)
			continue;
		present++;
		if (!r[i].in || !r[i].up)
			degraded = true;
		else if (r[i].dirty)
			resync = true;
	}
	if (present < 2)
		return NETSWAP_MIRROR_NONE;
	if (degraded)
		return NETSWAP_MIRROR_DEGRADED;
	return resync ? NETSWAP_MIRROR_RESYNCING : NETSWAP_MIRROR_HEALTHY;
}

u64 nsw_rate_wait_us(u64 copied, u64 elapsed_us, u32 rate)
{
	u64 due_us;

	if (!rate)
		return 0;
	due_us = div64_u64(copied * 1000000ULL, rate);
	return due_us > elapsed_us ? due_us - elapsed_us : 0;
}

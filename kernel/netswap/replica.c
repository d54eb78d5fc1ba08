// SPDX-License-Identifier: GPL-2.0
/*
 * The pure logic of a mirrored netswap device (see replica.h). Built into
 * netswap.ko and, unchanged, into the host-side unit tests.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/math64.h>
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

void nsw_bits_write_done(unsigned long *stored, unsigned long *lost, unsigned long *const *dirty,
			 unsigned int n, const struct nsw_wout *o, u64 index, u32 count)
{
	unsigned int r;
	u64 i;

	for (i = index; i < index + count; i++) {
		if (o->status) {
			/* No replica holds it: whatever it held is gone too. */
			if (nsw_test(stored, i)) {
				nsw_clear(stored, i);
				nsw_set(lost, i);
			}
			for (r = 0; r < n; r++)
				nsw_clear(dirty[r], i);
			continue;
		}
		nsw_set(stored, i);
		nsw_clear(lost, i);
		for (r = 0; r < n; r++) {
			if (o->clean & (1U << r))
				nsw_clear(dirty[r], i);
			else
				nsw_set(dirty[r], i);
		}
	}
}

void nsw_bits_discard_done(unsigned long *stored, unsigned long *lost,
			   unsigned long *const *dirty, unsigned int n, u64 index, u32 count)
{
	unsigned int r;
	u64 i;

	/* Pages that read as zeros are never read from a server: none is dirty. */
	for (i = index; i < index + count; i++) {
		nsw_clear(stored, i);
		nsw_clear(lost, i);
		for (r = 0; r < n; r++)
			nsw_clear(dirty[r], i);
	}
}

/* Page i, stored, became dirty on some replica: lost if it is dirty on all. */
static bool nsw_settle(unsigned long *stored, unsigned long *lost, unsigned long *const *dirty,
		       unsigned int n, u64 i)
{
	unsigned int r;

	for (r = 0; r < n; r++)
		if (!nsw_test(dirty[r], i))
			return false;
	nsw_clear(stored, i);
	nsw_set(lost, i);
	for (r = 0; r < n; r++)
		nsw_clear(dirty[r], i);
	return true;
}

u32 nsw_bits_replica_miss(unsigned long *stored, unsigned long *lost,
			  unsigned long *const *dirty, unsigned int n, unsigned int r,
			  u64 index, u32 count)
{
	u32 nlost = 0;
	u64 i;

	for (i = index; i < index + count; i++) {
		if (!nsw_test(stored, i))
			continue;
		nsw_set(dirty[r], i);
		nlost += nsw_settle(stored, lost, dirty, n, i);
	}
	return nlost;
}

u64 nsw_bits_replica_lost(unsigned long *stored, unsigned long *lost,
			  unsigned long *const *dirty, unsigned int n, unsigned int r, u64 npages)
{
	u64 w, nw = (npages + NSW_BPL - 1) / NSW_BPL, nlost = 0;
	unsigned long all, bits;
	unsigned int k;

	for (w = 0; w < nw; w++) {
		dirty[r][w] |= stored[w];
		all = stored[w];
		for (k = 0; k < n; k++)
			all &= dirty[k][w];
		if (!all)
			continue;
		stored[w] &= ~all;
		lost[w] |= all;
		for (k = 0; k < n; k++)
			dirty[k][w] &= ~all;
		for (bits = all; bits; bits &= bits - 1)
			nlost++;
	}
	return nlost;
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

u64 nsw_bits_weight(const unsigned long *map, u64 npages)
{
	u64 i, n = 0;
	unsigned long bits;

	for (i = 0; i < npages; i += NSW_BPL) {
		bits = map[i / NSW_BPL];
		if (npages - i < NSW_BPL)
			bits &= (1UL << (npages - i)) - 1;
		for (; bits; bits &= bits - 1)
			n++;
	}
	return n;
}

/* The words of pages a resync may copy: stored, dirty on dst, clean on src. */
static unsigned long nsw_copy_word(const unsigned long *stored, const unsigned long *dirty_dst,
				   const unsigned long *dirty_src, u64 w)
{
	return stored[w] & dirty_dst[w] & ~dirty_src[w];
}

u32 nsw_bits_next_copy(const unsigned long *stored, const unsigned long *dirty_dst,
		       const unsigned long *dirty_src, u64 npages, u64 *index, u32 max)
{
	u64 i = *index, w;
	unsigned long bits;
	u32 n = 0;

	/* The first page: whole words at a time. */
	while (i < npages) {
		w = i / NSW_BPL;
		bits = nsw_copy_word(stored, dirty_dst, dirty_src, w) >> (i % NSW_BPL);
		if (bits) {
			while (!(bits & 1)) {
				bits >>= 1;
				i++;
			}
			break;
		}
		i = (w + 1) * NSW_BPL;
	}
	if (i >= npages)
		return 0;
	*index = i;
	while (n < max && i + n < npages &&
	       (nsw_copy_word(stored, dirty_dst, dirty_src, (i + n) / NSW_BPL) >>
		((i + n) % NSW_BPL)) & 1)
		n++;
	return n;
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

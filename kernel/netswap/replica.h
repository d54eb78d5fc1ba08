/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure logic of a mirrored netswap device: which replica a read goes
 * to, what a write's outcome on each replica means for the page bitmaps,
 * the device's mirror state, which pages a resync copies next and how fast.
 * No locks, no allocation, no kernel objects: the same code builds into
 * netswap.ko and, unchanged, into the host-side unit tests
 * (selftests/unit/replica_test.c), as kernel/link/proto.c does.
 *
 * The bitmaps, one bit per page:
 *   stored   the page holds data the board wrote (as in an unmirrored device);
 *   lost     it held data once, and no replica holds it any more;
 *   dirty[r] a stored page replica r does not hold the latest data of: a
 *            write that did not reach it, or its server lost its pages.
 * A stored page is dirty on at most all replicas but one: once no replica
 * holds it, it is lost (and dirty on none).
 */
#ifndef _NSW_REPLICA_H
#define _NSW_REPLICA_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/types.h>
#else
#include "kshim.h"
#endif

#include <hexo/netswap.h>

#define NSW_MAX_REPLICAS	2
#define NSW_BPL			(8 * sizeof(unsigned long))

/* What choosing a replica for a read needs to know of each. */
struct nsw_rview {
	bool present;		/* configured */
	bool up;		/* its channel is up and the server answering */
	bool clean;		/* holds every page of the read (no dirty bit) */
	u32 lat_us;		/* latency estimate; 0: none yet */
};

/*
 * The replica a read goes to, or -1 if none can serve it: among those
 * present, clean and not in tried (a bit per replica), those up first,
 * then the lowest latency estimate (one without an estimate first, so that
 * it gets one).
 */
int nsw_pick(const struct nsw_rview *r, unsigned int n, unsigned int tried);

/* Latency estimates: an average of samples with gain 1/8, as srtt's. */
void nsw_lat_sample(u32 *lat_us, u32 sample_us);

/* A write's (or discard's) result on one replica. */
enum nsw_wres {
	NSW_W_NONE,		/* not sent there: the replica is out */
	NSW_W_OK,
	NSW_W_FAIL,		/* failed, or given up on (timed out) */
};

struct nsw_wout {
	int status;		/* 0: a replica holds it; -EIO: none does */
	u8 clean;		/* replicas that hold it: their dirty bits clear */
	u8 dirty;		/* replicas that miss it: their dirty bits set */
	u8 out;			/* replicas to declare out: failed while another held it */
};

/* in: a bit per replica that was in (written to) when the write was sent. */
void nsw_write_outcome(const u8 *res, unsigned int n, unsigned int in, struct nsw_wout *o);

/* Applies a write's outcome to pages index..index+count-1. */
void nsw_bits_write_done(unsigned long *stored, unsigned long *lost, unsigned long *const *dirty,
			 unsigned int n, const struct nsw_wout *o, u64 index, u32 count);
/* A discard that a replica acknowledged: the pages read as zeros. */
void nsw_bits_discard_done(unsigned long *stored, unsigned long *lost,
			   unsigned long *const *dirty, unsigned int n, u64 index, u32 count);
/*
 * Replica r no longer holds the pages at index..index+count-1 (its server
 * answered "absent", or a read of them failed for good): they are dirty on
 * it, and lost where no other replica holds them. Returns the pages lost.
 */
u32 nsw_bits_replica_miss(unsigned long *stored, unsigned long *lost,
			  unsigned long *const *dirty, unsigned int n, unsigned int r,
			  u64 index, u32 count);
/*
 * Replica r lost everything it held (a new session, or a new empty server
 * took its place): every stored page is dirty on it, and those no other
 * replica holds are lost. Returns the pages lost.
 */
u64 nsw_bits_replica_lost(unsigned long *stored, unsigned long *lost,
			  unsigned long *const *dirty, unsigned int n, unsigned int r, u64 npages);

/* Whether any of the pages index..index+count-1 is set in map. */
bool nsw_bits_any(const unsigned long *map, u64 index, u32 count);
u64 nsw_bits_weight(const unsigned long *map, u64 npages);

/*
 * The next run of pages a resync copies from replica src to replica dst:
 * stored, dirty on dst, clean on src, from page *index on, at most max
 * pages. Returns its length (0: none left) and sets *index to its start.
 */
u32 nsw_bits_next_copy(const unsigned long *stored, const unsigned long *dirty_dst,
		       const unsigned long *dirty_src, u64 npages, u64 *index, u32 max);

/* What the state of a mirrored device is made of, per replica. */
struct nsw_rsum {
	bool present;
	bool in;		/* written to */
	bool up;		/* its channel is up */
	u64 dirty;		/* pages it misses */
};

/*
 * NETSWAP_MIRROR_NONE for an unmirrored device; DEGRADED when a replica is
 * out or down; RESYNCING when all are in and up but one misses pages;
 * HEALTHY otherwise.
 */
enum netswap_mirror nsw_mirror_state(const struct nsw_rsum *r, unsigned int n);

/*
 * How long a resync that has copied pages in elapsed_us waits before its
 * next copy to stay within rate pages a second (0: no bound).
 */
u64 nsw_rate_wait_us(u64 copied, u64 elapsed_us, u32 rate);

#endif /* _NSW_REPLICA_H */

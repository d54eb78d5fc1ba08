/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure logic of a mirrored netswap device: which replica a read goes
 * to, what a write's outcome on each replica means for the page bitmaps,
 * the device's mirror state, which pages a resync copies next and how fast.
 * No locks, no allocation, no kernel objects: the same code builds into
 * netswap.ko and, unchanged, into the host-side unit tests
 * (selftests/unit/replica_test.c), as kernel/link/proto.c does.
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

/* Pages one resync copy moves at most. */
#define NSW_COPY_PAGES		16

/*
 * Words of the bitmaps that a caller holding a lock with bottom halves off
 * looks at in one go (2^18 pages): the rest at the next call, so that no
 * section of a large device's scan lasts more than some microseconds.
 */
#define NSW_SCAN_WORDS		4096

/* The words of a bitmap of npages bits. */
static inline u64 nsw_bits_words(u64 npages)
{
	return (npages + NSW_BPL - 1) / NSW_BPL;
}

/* What choosing a replica for a read needs to know of each. */
struct nsw_rview {
	bool present;		/* configured, and its pages known (not being swept) */
	bool up;		/* its channel is up and the server answering */
	bool ready;		/* in, up, its channel up, its server heard from */
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

/*
 * Where a read that is slow on one replica may be sent instead, or -1:
 * only a replica that is ready (in, up, answering: one that would fail it
 * at once or hold it is no better), present, clean and not in skip; the
 * fastest of them.
 */
int nsw_pick_failover(const struct nsw_rview *r, unsigned int n, unsigned int skip);

/*
 * Where a request that no replica has served is sent again, or -1: a
 * replica present and up (for a read, clean too), one not in tried (a bit
 * per replica that failed it) first, then the lowest index. A server that
 * answers but missed a request's deadline gets it again; one whose channel
 * is down does not, so a device with no server left fails within its bound.
 */
int nsw_pick_retry(const struct nsw_rview *r, unsigned int n, unsigned int tried, bool read);

/* Latency estimates: an average of samples with gain 1/8, as srtt's. */
void nsw_lat_sample(u32 *lat_us, u32 sample_us);

/* A write's (or discard's) result on one replica. */
enum nsw_wres {
	NSW_W_NONE,		/* not sent there: the replica is out */
	NSW_W_OK,
	NSW_W_FAIL,		/* failed, or given up on (timed out) */
};

/*
 * A replica's generation counts what made it lose what it held: a new
 * server in its place (replace) or a new session of its server. A result
 * (OK or not) of a request sent in an earlier generation says nothing of
 * what the replica holds now: it counts as not sent (NSW_W_NONE).
 */
static inline u8 nsw_wres_now(u8 res, u32 sent_gen, u32 gen)
{
	return sent_gen == gen ? res : NSW_W_NONE;
}

struct nsw_wout {
	int status;		/* 0: a replica holds it; -EIO: none does */
	u8 clean;		/* replicas that hold it: their dirty bits clear */
	u8 dirty;		/* replicas that miss it: their dirty bits set */
	u8 out;			/* replicas to declare out: failed while another held it */
};

/*
 * in: a bit per replica that was in (written to) when the write was sent.
 * The caller gives up on a replica of out only if another is in now.
 */
void nsw_write_outcome(const u8 *res, unsigned int n, unsigned int in, struct nsw_wout *o);

/*
 * The page bitmaps of a mirrored device, one bit per page:
 *   stored   the page holds data the board wrote (as in an unmirrored device);
 *   lost     it held data once, and no replica holds it any more;
 *   dirty[r] a stored page replica r does not hold the latest data of: a
 *            write that did not reach it, or its server lost its pages.
 * A stored page is dirty on at most all replicas but one: once no replica
 * holds it, it is lost (and dirty on none). ndirty[r] counts the bits of
 * dirty[r], kept by every function below.
 */
struct nsw_bits {
	unsigned long *stored, *lost;
	unsigned long *dirty[NSW_MAX_REPLICAS];
	u64 ndirty[NSW_MAX_REPLICAS];
	unsigned int n;
	u64 npages;
};

/* Applies a write's outcome to pages index..index+count-1. */
void nsw_bits_write_done(struct nsw_bits *b, const struct nsw_wout *o, u64 index, u32 count);
/* A discard that a replica acknowledged: the pages read as zeros. */
void nsw_bits_discard_done(struct nsw_bits *b, u64 index, u32 count);
/*
 * Replica r no longer holds the pages at index..index+count-1 (its server
 * answered "absent", or a read of them failed for good): they are dirty on
 * it, and lost where no other replica holds them. Returns the pages lost.
 */
u32 nsw_bits_replica_miss(struct nsw_bits *b, unsigned int r, u64 index, u32 count);
/*
 * Replica r lost everything it held (a new session, or a new empty server
 * took its place): every stored page is dirty on it, and those no other
 * replica holds are lost. Done for at most nwords words of the bitmaps
 * from word *word on, which it advances: a caller sweeps a large device in
 * chunks, its lock dropped between them, until *word reaches
 * nsw_bits_words(npages). Returns the pages lost in the chunk.
 */
u64 nsw_bits_replica_lost(struct nsw_bits *b, unsigned int r, u64 *word, u64 nwords);
/* A resync copied pages index..index+count-1 to replica r: it holds them. */
void nsw_bits_copied(struct nsw_bits *b, unsigned int r, u64 index, u32 count);

/* Whether any of the pages index..index+count-1 is set in map. */
bool nsw_bits_any(const unsigned long *map, u64 index, u32 count);

/*
 * The pages from index on, at most count, that a read asks of one replica:
 * the longest run that some replica in mask (a bit per replica) holds
 * whole (no dirty bit), count if one holds them all. 0: none holds page
 * index. A read whose pages are split between the replicas (each missing
 * some the other holds: a resync under way and a write the other failed)
 * is read a run at a time.
 */
u32 nsw_bits_read_run(const struct nsw_bits *b, unsigned int mask, u64 index, u32 count);
u64 nsw_bits_weight(const unsigned long *map, u64 npages);

/*
 * The next run of pages a resync copies from replica src to replica dst:
 * stored, dirty on dst, clean on src, from page *index on, at most max
 * pages, looking at no more than budget words of the bitmaps. Returns its
 * length and sets *index to its start; 0 when it found none: *index is
 * then where to look next, npages or more once the pass is over.
 */
u32 nsw_bits_next_copy(const struct nsw_bits *b, unsigned int dst, unsigned int src, u64 *index,
		       u32 max, u64 budget);

/*
 * Pages a copy moves: NSW_COPY_PAGES, or fewer if either channel agreed
 * fewer pages per request (its window, its MTU); at least 1.
 */
u32 nsw_copy_pages(u32 src_max_pages, u32 dst_max_pages);

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

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of a mirrored netswap device's pure logic
 * (kernel/netswap/replica.c, built here unchanged): which replica a read
 * goes to and where a slow one fails over, what a write's result on each
 * replica does to the page bitmaps (and to their counts), results of an
 * earlier generation, a replica losing its pages (swept in chunks), the
 * mirror state, the resync's next copy, its size and its rate bound.
 */
#include <errno.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "replica.h"

#define NPAGES	200
#define WORDS	((NPAGES + NSW_BPL - 1) / NSW_BPL)

/* The bitmaps of a two-replica device. */
struct maps {
	unsigned long stored[WORDS], lost[WORDS], d0[WORDS], d1[WORDS];
	struct nsw_bits b;
};

static void maps_init(struct maps *m)
{
	memset(m, 0, sizeof(*m));
	m->b.stored = m->stored;
	m->b.lost = m->lost;
	m->b.dirty[0] = m->d0;
	m->b.dirty[1] = m->d1;
	m->b.n = 2;
	m->b.npages = NPAGES;
}

static bool bit(const unsigned long *map, u64 i)
{
	return nsw_bits_any(map, i, 1);
}

/* The counts the functions keep are the bitmaps' weights. */
static bool counted(const struct maps *m)
{
	return m->b.ndirty[0] == nsw_bits_weight(m->d0, NPAGES) &&
	       m->b.ndirty[1] == nsw_bits_weight(m->d1, NPAGES);
}

static void written(struct maps *m, u64 index, u32 count, u8 r0, u8 r1, unsigned int in,
		    struct nsw_wout *o)
{
	u8 res[2] = { r0, r1 };

	nsw_write_outcome(res, 2, in, o);
	nsw_bits_write_done(&m->b, o, index, count);
}

/* Replica r lost everything, swept in one go. */
static u64 lost_all(struct maps *m, unsigned int r)
{
	u64 w = 0;

	return nsw_bits_replica_lost(&m->b, r, &w, WORDS);
}

TEST(pick_prefers_the_faster_replica)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .clean = true, .lat_us = 900 },
		{ .present = true, .up = true, .clean = true, .lat_us = 300 },
	};

	EXPECT_EQ(1, nsw_pick(v, 2, 0));
	v[1].lat_us = 1000;
	EXPECT_EQ(0, nsw_pick(v, 2, 0));
}

TEST(pick_tries_a_replica_without_an_estimate_first)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .clean = true, .lat_us = 100 },
		{ .present = true, .up = true, .clean = true, .lat_us = 0 },
	};

	EXPECT_EQ(1, nsw_pick(v, 2, 0));
}

TEST(pick_never_reads_a_replica_that_misses_a_page)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .clean = false, .lat_us = 10 },
		{ .present = true, .up = false, .clean = true, .lat_us = 5000 },
	};

	/* Down, but the only one that holds the pages: it is asked. */
	EXPECT_EQ(1, nsw_pick(v, 2, 0));
	v[1].clean = false;
	EXPECT_EQ(-1, nsw_pick(v, 2, 0));
}

TEST(pick_fails_over_to_the_replica_not_tried)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .clean = true, .lat_us = 10 },
		{ .present = true, .up = true, .clean = true, .lat_us = 50 },
	};

	EXPECT_EQ(0, nsw_pick(v, 2, 0));
	EXPECT_EQ(1, nsw_pick(v, 2, 1u << 0));
	EXPECT_EQ(-1, nsw_pick(v, 2, 3));
	/* One that is up first, however slow. */
	v[0].up = false;
	EXPECT_EQ(1, nsw_pick(v, 2, 0));
	/* A replica being replaced (no channel) is never asked. */
	v[1].present = false;
	EXPECT_EQ(0, nsw_pick(v, 2, 0));
}

TEST(latency_estimate_moves_by_an_eighth)
{
	u32 lat = 0;

	nsw_lat_sample(&lat, 800);
	EXPECT_EQ(800u, lat);
	nsw_lat_sample(&lat, 1600);
	EXPECT_EQ(900u, lat);
	nsw_lat_sample(&lat, 100);
	EXPECT_EQ(800u, lat);
	/* Never 0, which means "no estimate". */
	lat = 1;
	nsw_lat_sample(&lat, 0);
	EXPECT_LT(0u, lat);
}

TEST(write_held_by_both_is_clean_on_both)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 10, 4, NSW_W_OK, NSW_W_OK, 3, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_EQ(0, o.out);
	EXPECT_TRUE(bit(m.stored, 10) && bit(m.stored, 13));
	EXPECT_FALSE(bit(m.stored, 14));
	EXPECT_FALSE(nsw_bits_any(m.d0, 0, NPAGES) || nsw_bits_any(m.d1, 0, NPAGES));
}

TEST(write_held_by_one_degrades_and_marks_the_other)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 10, 4, NSW_W_OK, NSW_W_FAIL, 3, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_EQ(1u << 1, o.out);
	EXPECT_EQ(4u, nsw_bits_weight(m.d1, NPAGES));
	EXPECT_EQ(0u, nsw_bits_weight(m.d0, NPAGES));
	EXPECT_EQ(4u, nsw_bits_weight(m.stored, NPAGES));
	/* The next write does not go to the replica that is out: marked too. */
	written(&m, 20, 1, NSW_W_OK, NSW_W_NONE, 1, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_EQ(0, o.out);
	EXPECT_TRUE(bit(m.d1, 20));
	/* Once it holds a page again (a later write), it is clean there. */
	written(&m, 10, 1, NSW_W_OK, NSW_W_OK, 3, &o);
	EXPECT_FALSE(bit(m.d1, 10));
	EXPECT_TRUE(bit(m.d1, 11));
	EXPECT_TRUE(counted(&m));
}

TEST(write_held_by_none_fails_and_loses_the_old_data)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 5, 2, NSW_W_OK, NSW_W_FAIL, 3, &o);
	written(&m, 5, 2, NSW_W_FAIL, NSW_W_NONE, 1, &o);
	EXPECT_EQ(-EIO, o.status);
	/* The last replica in is never declared out. */
	EXPECT_EQ(0, o.out);
	EXPECT_TRUE(bit(m.lost, 5) && bit(m.lost, 6));
	EXPECT_FALSE(nsw_bits_any(m.stored, 0, NPAGES));
	/* Lost pages are copied nowhere. */
	EXPECT_FALSE(nsw_bits_any(m.d1, 0, NPAGES));
	/* A failed first write of a page leaves it reading zeros, as unmirrored. */
	written(&m, 50, 1, NSW_W_FAIL, NSW_W_FAIL, 3, &o);
	EXPECT_FALSE(bit(m.stored, 50) || bit(m.lost, 50));
}

TEST(discard_clears_every_bit)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 0, 8, NSW_W_OK, NSW_W_FAIL, 3, &o);
	nsw_bits_discard_done(&m.b, 2, 4);
	EXPECT_EQ(4u, nsw_bits_weight(m.stored, NPAGES));
	EXPECT_EQ(4u, nsw_bits_weight(m.d1, NPAGES));
	EXPECT_FALSE(bit(m.d1, 3));
}

TEST(restarted_replica_misses_every_stored_page)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 0, 100, NSW_W_OK, NSW_W_OK, 3, &o);
	EXPECT_EQ(0u, lost_all(&m, 1));
	EXPECT_EQ(100u, nsw_bits_weight(m.d1, NPAGES));
	EXPECT_EQ(100u, nsw_bits_weight(m.stored, NPAGES));
	/* The other then loses its pages too: all lost, nothing left to copy. */
	EXPECT_EQ(100u, lost_all(&m, 0));
	EXPECT_EQ(100u, nsw_bits_weight(m.lost, NPAGES));
	EXPECT_EQ(0u, nsw_bits_weight(m.stored, NPAGES));
	EXPECT_EQ(0u, nsw_bits_weight(m.d0, NPAGES) + nsw_bits_weight(m.d1, NPAGES));
	EXPECT_TRUE(counted(&m));
}

TEST(restart_loses_only_what_the_other_misses)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 0, 64, NSW_W_OK, NSW_W_OK, 3, &o);
	written(&m, 64, 6, NSW_W_OK, NSW_W_FAIL, 3, &o);
	/* Replica 0, the only one with pages 64..69, restarts. */
	EXPECT_EQ(6u, lost_all(&m, 0));
	EXPECT_EQ(64u, nsw_bits_weight(m.stored, NPAGES));
	EXPECT_EQ(64u, nsw_bits_weight(m.d0, NPAGES));
	EXPECT_EQ(0u, nsw_bits_weight(m.d1, NPAGES));
	EXPECT_TRUE(bit(m.lost, 64) && bit(m.lost, 69) && !bit(m.lost, 63));
}

TEST(absent_page_on_one_replica)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 30, 2, NSW_W_OK, NSW_W_OK, 3, &o);
	EXPECT_EQ(0u, nsw_bits_replica_miss(&m.b, 0, 30, 1));
	EXPECT_TRUE(bit(m.d0, 30));
	EXPECT_TRUE(bit(m.stored, 30));
	EXPECT_EQ(1u, nsw_bits_replica_miss(&m.b, 1, 30, 2));
	EXPECT_TRUE(bit(m.lost, 30));
	EXPECT_FALSE(bit(m.d0, 30) || bit(m.d1, 30));
	/* Page 31 is still held by replica 0. */
	EXPECT_TRUE(bit(m.stored, 31) && bit(m.d1, 31) && !bit(m.d0, 31));
	/* A page not stored is nobody's to miss. */
	EXPECT_EQ(0u, nsw_bits_replica_miss(&m.b, 0, 100, 1));
	EXPECT_FALSE(bit(m.d0, 100));
}

TEST(next_copy_finds_runs_the_source_holds)
{
	struct nsw_wout o;
	struct maps m;
	u64 at = 0;

	maps_init(&m);
	written(&m, 3, 5, NSW_W_OK, NSW_W_FAIL, 3, &o);		/* 3..7 dirty on 1 */
	written(&m, 70, 40, NSW_W_OK, NSW_W_NONE, 1, &o);	/* 70..109 */
	written(&m, 150, 1, NSW_W_NONE, NSW_W_OK, 2, &o);	/* dirty on 0 */
	EXPECT_EQ(5u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	EXPECT_EQ(3u, at);
	at += 5;
	EXPECT_EQ(16u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	EXPECT_EQ(70u, at);
	at = 102;
	EXPECT_EQ(8u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	at = 110;
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	/* The other way: page 150, held by replica 1 only. */
	at = 0;
	EXPECT_EQ(1u, nsw_bits_next_copy(&m.b, 0, 1, &at, 16, WORDS));
	EXPECT_EQ(150u, at);
	/* The last page of the device, at a word's end or not. */
	written(&m, NPAGES - 1, 1, NSW_W_OK, NSW_W_NONE, 1, &o);
	at = 151;
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 0, 1, &at, 16, WORDS));
	at = 110;
	EXPECT_EQ(1u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	EXPECT_EQ((u64)NPAGES - 1, at);
}

TEST(copy_runs_stop_where_the_source_misses_a_page)
{
	struct nsw_wout o;
	struct maps m;
	u64 at = 0;

	maps_init(&m);
	written(&m, 0, 10, NSW_W_OK, NSW_W_OK, 3, &o);
	lost_all(&m, 1);
	nsw_bits_replica_miss(&m.b, 0, 4, 1);	/* now lost */
	EXPECT_EQ(4u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	at = 4;
	EXPECT_EQ(5u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, WORDS));
	EXPECT_EQ(5u, at);
}

TEST(weight_counts_only_the_device_pages)
{
	unsigned long map[WORDS];

	memset(map, 0xff, sizeof(map));
	EXPECT_EQ((u64)NPAGES, nsw_bits_weight(map, NPAGES));
	EXPECT_EQ(1u, nsw_bits_weight(map, 1));
	EXPECT_TRUE(nsw_bits_any(map, 64, 64));
	memset(map, 0, sizeof(map));
	EXPECT_FALSE(nsw_bits_any(map, 0, NPAGES));
}

TEST(mirror_state)
{
	struct nsw_rsum r[2] = {
		{ .present = true, .in = true, .up = true },
		{ .present = true, .in = true, .up = true },
	};

	EXPECT_EQ((int)NETSWAP_MIRROR_HEALTHY, (int)nsw_mirror_state(r, 2));
	r[1].dirty = 12;
	EXPECT_EQ((int)NETSWAP_MIRROR_RESYNCING, (int)nsw_mirror_state(r, 2));
	r[0].up = false;
	EXPECT_EQ((int)NETSWAP_MIRROR_DEGRADED, (int)nsw_mirror_state(r, 2));
	r[0].up = true;
	r[1].in = false;
	EXPECT_EQ((int)NETSWAP_MIRROR_DEGRADED, (int)nsw_mirror_state(r, 2));
	EXPECT_EQ((int)NETSWAP_MIRROR_NONE, (int)nsw_mirror_state(r, 1));
}

TEST(resync_rate_bound)
{
	/* No bound. */
	EXPECT_EQ(0u, nsw_rate_wait_us(1000000, 0, 0));
	/* 100 pages a second: the 50th page is due at 0.5 s. */
	EXPECT_EQ(400000u, nsw_rate_wait_us(50, 100000, 100));
	EXPECT_EQ(0u, nsw_rate_wait_us(50, 600000, 100));
	/* Large counts do not overflow. */
	EXPECT_EQ(1000000000000ULL - 1, nsw_rate_wait_us(10000000000000ULL, 1, 10000000));
}

TEST(failover_goes_only_to_a_ready_replica)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .ready = true, .clean = true, .lat_us = 900 },
		{ .present = true, .up = true, .ready = true, .clean = true, .lat_us = 300 },
	};

	/* Slow on 0: to 1, the only other. */
	EXPECT_EQ(1, nsw_pick_failover(v, 2, 1u << 0));
	/* Down, lost, out, or holding: not ready, no failover (nsw_pick would take it). */
	v[1].ready = false;
	v[1].up = false;
	EXPECT_EQ(-1, nsw_pick_failover(v, 2, 1u << 0));
	EXPECT_EQ(1, nsw_pick(v, 2, 1u << 0));
	/* Ready but missing a page of the read: no failover either. */
	v[1].ready = true;
	v[1].clean = false;
	EXPECT_EQ(-1, nsw_pick_failover(v, 2, 1u << 0));
	/* Nor to one being swept or replaced. */
	v[1].clean = true;
	v[1].present = false;
	EXPECT_EQ(-1, nsw_pick_failover(v, 2, 1u << 0));
	/* Without skip: the fastest of the ready ones. */
	v[1].present = true;
	EXPECT_EQ(1, nsw_pick_failover(v, 2, 0));
	EXPECT_EQ(0, nsw_pick_failover(v, 2, 1u << 1));
}

TEST(retry_goes_to_a_server_that_answers)
{
	struct nsw_rview v[2] = {
		{ .present = true, .up = true, .clean = true },
		{ .present = true, .up = true, .clean = true },
	};

	/* Failed on 0 (its deadline passed): to 1 first, then 0 again. */
	EXPECT_EQ(1, nsw_pick_retry(v, 2, 1u << 0, false));
	EXPECT_EQ(0, nsw_pick_retry(v, 2, 1u << 1, true));
	/* Both failed it, both answer: again, to the first. */
	EXPECT_EQ(0, nsw_pick_retry(v, 2, 3, false));
	/* A channel that is down gets nothing: the error comes within its bound. */
	v[1].up = false;
	EXPECT_EQ(0, nsw_pick_retry(v, 2, 1u << 0, false));
	v[0].up = false;
	EXPECT_EQ(-1, nsw_pick_retry(v, 2, 0, false));
	/* A read goes only where its pages are; a write goes anyway. */
	v[0].up = true;
	v[0].clean = false;
	EXPECT_EQ(-1, nsw_pick_retry(v, 2, 0, true));
	EXPECT_EQ(0, nsw_pick_retry(v, 2, 0, false));
	/* Nor to one being swept or replaced. */
	v[0].present = false;
	EXPECT_EQ(-1, nsw_pick_retry(v, 2, 0, false));
}

TEST(result_of_an_earlier_generation_counts_as_not_sent)
{
	struct nsw_wout o;
	struct maps m;
	u8 res[2];

	EXPECT_EQ(NSW_W_OK, nsw_wres_now(NSW_W_OK, 7, 7));
	EXPECT_EQ(NSW_W_NONE, nsw_wres_now(NSW_W_OK, 7, 8));
	EXPECT_EQ(NSW_W_NONE, nsw_wres_now(NSW_W_FAIL, 7, 8));
	EXPECT_EQ(NSW_W_FAIL, nsw_wres_now(NSW_W_FAIL, 7, 7));

	/*
	 * Held by replica 0's old session (lost since) and failed on 1: no
	 * replica holds it, the write fails, and 1 is not given up on for it.
	 */
	maps_init(&m);
	written(&m, 10, 2, NSW_W_OK, NSW_W_OK, 3, &o);
	res[0] = nsw_wres_now(NSW_W_OK, 1, 2);
	res[1] = nsw_wres_now(NSW_W_FAIL, 4, 4);
	nsw_write_outcome(res, 2, 3, &o);
	EXPECT_EQ(-EIO, o.status);
	EXPECT_EQ(0, o.out);
	nsw_bits_write_done(&m.b, &o, 10, 2);
	EXPECT_TRUE(bit(m.lost, 10) && bit(m.lost, 11));

	/* Held by 1 and by 0's old session: held by 1 only, missing on 0. */
	maps_init(&m);
	res[0] = nsw_wres_now(NSW_W_OK, 1, 2);
	res[1] = nsw_wres_now(NSW_W_OK, 4, 4);
	nsw_write_outcome(res, 2, 3, &o);
	EXPECT_EQ(0, o.status);
	EXPECT_EQ(0, o.out);
	nsw_bits_write_done(&m.b, &o, 10, 2);
	EXPECT_TRUE(bit(m.d0, 10) && bit(m.d0, 11));
	EXPECT_FALSE(nsw_bits_any(m.d1, 0, NPAGES));
	EXPECT_TRUE(counted(&m));
}

TEST(counts_follow_the_bitmaps)
{
	struct nsw_wout o;
	struct maps m;

	maps_init(&m);
	written(&m, 0, 70, NSW_W_OK, NSW_W_FAIL, 3, &o);
	EXPECT_EQ(70u, m.b.ndirty[1]);
	written(&m, 60, 20, NSW_W_NONE, NSW_W_OK, 2, &o);
	EXPECT_TRUE(counted(&m));
	EXPECT_EQ(20u, m.b.ndirty[0]);
	EXPECT_EQ(60u, m.b.ndirty[1]);
	nsw_bits_discard_done(&m.b, 50, 15);
	EXPECT_TRUE(counted(&m));
	nsw_bits_copied(&m.b, 1, 0, 10);
	EXPECT_TRUE(counted(&m));
	EXPECT_EQ(40u, m.b.ndirty[1]);
	/* Copying a page twice, or one not dirty, counts once. */
	nsw_bits_copied(&m.b, 1, 5, 10);
	EXPECT_TRUE(counted(&m));
	nsw_bits_replica_miss(&m.b, 0, 0, 200);
	EXPECT_TRUE(counted(&m));
	written(&m, 100, 4, NSW_W_FAIL, NSW_W_FAIL, 3, &o);
	EXPECT_TRUE(counted(&m));
	lost_all(&m, 1);
	EXPECT_TRUE(counted(&m));
	EXPECT_EQ(0u, m.b.ndirty[0] + m.b.ndirty[1]);
}

TEST(loss_swept_in_chunks_is_the_loss_swept_at_once)
{
	struct maps a, b;
	struct nsw_wout o;
	u64 w = 0, la, lb = 0;
	int calls = 0;

	maps_init(&a);
	written(&a, 0, 130, NSW_W_OK, NSW_W_OK, 3, &o);
	written(&a, 20, 5, NSW_W_OK, NSW_W_FAIL, 3, &o);	/* 0 only */
	written(&a, 140, 50, NSW_W_FAIL, NSW_W_OK, 3, &o);	/* 1 only */
	written(&a, NPAGES - 1, 1, NSW_W_OK, NSW_W_NONE, 1, &o);
	b = a;
	b.b.stored = b.stored;
	b.b.lost = b.lost;
	b.b.dirty[0] = b.d0;
	b.b.dirty[1] = b.d1;

	la = lost_all(&a, 0);
	while (w < WORDS) {
		lb += nsw_bits_replica_lost(&b.b, 0, &w, 1);
		calls++;
	}
	EXPECT_EQ((int)WORDS, calls);
	EXPECT_EQ(6u, la);
	EXPECT_EQ(la, lb);
	EXPECT_EQ(0, memcmp(a.stored, b.stored, sizeof(a.stored)));
	EXPECT_EQ(0, memcmp(a.lost, b.lost, sizeof(a.lost)));
	EXPECT_EQ(0, memcmp(a.d0, b.d0, sizeof(a.d0)));
	EXPECT_EQ(0, memcmp(a.d1, b.d1, sizeof(a.d1)));
	EXPECT_TRUE(counted(&a) && counted(&b));
	/* Past the end: nothing to do. */
	EXPECT_EQ(0u, nsw_bits_replica_lost(&b.b, 0, &w, 10));
	EXPECT_EQ((u64)WORDS, w);
}

TEST(next_copy_within_a_budget_resumes_where_it_stopped)
{
	struct nsw_wout o;
	struct maps m;
	u64 at = 0;

	maps_init(&m);
	written(&m, 150, 3, NSW_W_OK, NSW_W_FAIL, 3, &o);
	/* One word a call: words 0, 1 have nothing; the third finds 150. */
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 1));
	EXPECT_EQ(64u, at);
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 1));
	EXPECT_EQ(128u, at);
	EXPECT_EQ(3u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 1));
	EXPECT_EQ(150u, at);
	at += 3;
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 1));
	EXPECT_EQ(192u, at);
	/* The pass is over: at is npages or more. */
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 1));
	EXPECT_LE((u64)NPAGES, at);
	/* A zero budget looks at nothing. */
	at = 0;
	EXPECT_EQ(0u, nsw_bits_next_copy(&m.b, 1, 0, &at, 16, 0));
	EXPECT_EQ(0u, at);
}

TEST(copy_size_fits_both_channels)
{
	EXPECT_EQ((u32)NSW_COPY_PAGES, nsw_copy_pages(32, 32));
	EXPECT_EQ(8u, nsw_copy_pages(8, 32));
	EXPECT_EQ(4u, nsw_copy_pages(32, 4));
	EXPECT_EQ(1u, nsw_copy_pages(1, 1));
	/* Never 0, which would copy nothing forever. */
	EXPECT_EQ(1u, nsw_copy_pages(0, 16));
}

/*
 * A read of pages that neither replica holds all of (each misses one the
 * other holds) is read a run at a time, each run from a replica that holds
 * it whole: never refused while every page is on some server.
 */
TEST(read_split_between_the_replicas_goes_a_run_at_a_time)
{
	struct nsw_wout o;
	struct maps m;
	u64 at = 60;
	u32 n, left = 8;
	int runs = 0;

	maps_init(&m);
	written(&m, 60, 8, NSW_W_OK, NSW_W_OK, 3, &o);
	written(&m, 61, 1, NSW_W_FAIL, NSW_W_OK, 3, &o);	/* 61 on 1 only */
	written(&m, 65, 1, NSW_W_OK, NSW_W_FAIL, 3, &o);	/* 65 on 0 only */
	/* Whole on one replica: one run. */
	EXPECT_EQ(3u, nsw_bits_read_run(&m.b, 3, 62, 3));
	/* Split: 60 (either; 1 holds 60..64), then 65..67 from 0. */
	while (left) {
		n = nsw_bits_read_run(&m.b, 3, at, left);
		ASSERT_GT(n, 0u);
		ASSERT_LE(n, left);
		EXPECT_TRUE(!nsw_bits_any(m.d0, at, n) || !nsw_bits_any(m.d1, at, n));
		at += n;
		left -= n;
		runs++;
	}
	EXPECT_EQ(2, runs);
	EXPECT_EQ(5u, nsw_bits_read_run(&m.b, 3, 60, 8));
	/* Only replica 0 asked: its run ends at the page it misses. */
	EXPECT_EQ(1u, nsw_bits_read_run(&m.b, 1, 60, 8));
	/*
	 * Replica 1 answers the run 60..64 with page 62 absent (its server
	 * lost it; replica 0 holds it): the runs are taken anew, 60..61
	 * from 1 (0 misses 61), then 62..67 from 0.
	 */
	EXPECT_EQ(0u, nsw_bits_replica_miss(&m.b, 1, 62, 1));
	EXPECT_EQ(2u, nsw_bits_read_run(&m.b, 3, 60, 8));
	EXPECT_EQ(2u, nsw_bits_read_run(&m.b, 2, 60, 8));
	EXPECT_EQ(6u, nsw_bits_read_run(&m.b, 3, 62, 6));
	/* None asked, or only one that misses the first page: none. */
	EXPECT_EQ(0u, nsw_bits_read_run(&m.b, 0, 60, 8));
	EXPECT_EQ(0u, nsw_bits_read_run(&m.b, 2, 65, 3));
	EXPECT_EQ(0u, nsw_bits_read_run(&m.b, 1, 61, 1));
}

TEST_HARNESS_MAIN

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where HEXO's modules meet kernel API differences. HEXO
 * targets Linux 6.1 as Debian 12 packages it; anything that changed shape in
 * later kernels is wrapped here so the rest of the code reads the same.
 */
#ifndef _HEXO_COMPAT_H
#define _HEXO_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "HEXO needs Linux 6.1 or later"
#endif

#include <linux/blk-mq.h>

/* blk_mq_alloc_disk() takes queue limits from 6.9 on. */
static inline struct gendisk *hexo_alloc_disk(struct blk_mq_tag_set *set, void *data)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return blk_mq_alloc_disk(set, NULL, data);
#else
	return blk_mq_alloc_disk(set, data);
#endif
}

#include <linux/mm.h>

/* pin_user_pages_remote() lost its vmas argument in 6.5. mmap_lock held. */
static inline long hexo_pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
					      unsigned long nr, unsigned int gup_flags,
					      struct page **pages)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL);
#else
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL, NULL);
#endif
}

#include <linux/netdevice.h>

/*
 * Whether frames sent on dev pass through egress hooks of its own (a tc
 * clsact filter, a netfilter egress chain) that dev_queue_xmit() runs and a
 * driver's ndo_start_xmit() does not. tc's egress moved to tcx_egress in 6.8.
 */
static inline bool hexo_dev_egress_hooked(const struct net_device *dev)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	if (IS_ENABLED(CONFIG_NET_XGRESS) && rcu_access_pointer(dev->tcx_egress))
		return true;
#elif IS_ENABLED(CONFIG_NET_CLS_ACT)
	if (rcu_access_pointer(dev->miniq_egress))
		return true;
#endif
#if IS_ENABLED(CONFIG_NETFILTER_EGRESS)
	if (rcu_access_pointer(dev->nf_hooks_egress))
		return true;
#endif
	return false;
}

#include <net/sch_generic.h>

/*
 * The runner of a queueing discipline: whoever holds the role sends its
 * frames, and nobody else may (qdisc_run_begin()). These take the role
 * only where nobody runs q, for a caller that sends otherwise through
 * dev_queue_xmit(); hexo_qdisc_locked_begin() only where q holds nothing
 * either (a lockless one's caller checks that as its runner), and where q
 * is being taken down (deactivated), not at all. Spelt out, as 6.1 keeps the role, so that
 * sparse sees each lock taken and let go: qdisc_run_begin() takes one for a
 * lockless discipline (TCQ_F_NOLOCK) and none for the others.
 *
 * Letting go, the runner counts what it sent (packets, bytes) in q's
 * statistics, as if q had passed it on.
 *
 * A lockless discipline's role is its seqlock; on letting go, what others
 * queued meanwhile (they found the role taken: MISSED) is run.
 */
static inline bool hexo_qdisc_nolock_begin(struct Qdisc *q)
	__cond_acquires(&q->seqlock)
{
	return spin_trylock(&q->seqlock);
}

static inline void hexo_qdisc_nolock_end(struct Qdisc *q, u32 packets, u64 bytes)
	__releases(&q->seqlock)
{
	if (qdisc_is_percpu_stats(q))
		_bstats_update(this_cpu_ptr(q->cpu_bstats), bytes, packets);
	else
		_bstats_update(&q->bstats, bytes, packets);
	spin_unlock(&q->seqlock);
	/* Store-load ordering of the unlock and the bit, as qdisc_run_end(). */
	smp_mb();
	if (unlikely(test_bit(__QDISC_STATE_MISSED, &q->state)))
		__netif_schedule(q);
}

/*
 * Another's role is a bit, taken and let go under the root lock; what
 * others queued meanwhile (the role was taken: they only queued) is run
 * from the transmit softirq.
 */
static inline bool hexo_qdisc_locked_begin(struct Qdisc *q)
{
	spinlock_t *root = qdisc_lock(q);
	bool ok;

	spin_lock(root);
	ok = !test_bit(__QDISC_STATE_DEACTIVATED, &q->state) && !qdisc_qlen(q) &&
	     !__test_and_set_bit(__QDISC_STATE2_RUNNING, &q->state2);
	spin_unlock(root);
	return ok;
}

static inline void hexo_qdisc_locked_end(struct Qdisc *q, u32 packets, u64 bytes)
{
	spinlock_t *root = qdisc_lock(q);

	spin_lock(root);
	_bstats_update(&q->bstats, bytes, packets);
	__clear_bit(__QDISC_STATE2_RUNNING, &q->state2);
	if (qdisc_qlen(q))
		__netif_schedule(q);
	spin_unlock(root);
}

#endif /* _HEXO_COMPAT_H */

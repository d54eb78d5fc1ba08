// SPDX-License-Identifier: GPL-2.0
/*
 * Resync: a mirrored device's background copy of the pages one replica
 * misses, from the replica that holds them, while I/O goes on. One thread
 * per mirrored device:
 *
 * - a replica that was given up on comes back in (is written to again) once
 *   its server answers and some time has passed, so that a server that is
 *   merely slow is not taken back at once;
 * - the pages a replica that is in misses (its dirty bitmap) are copied,
 *   NSW_COPY_PAGES at a time through preallocated pages: a READ from the
 *   other replica, then a WRITE to it. No write or discard of those pages
 *   is in flight meanwhile (mirror.c makes them wait): a write issued
 *   after the copy is ordered after it by the channel's write order, so
 *   the copy never overwrites newer data with older;
 * - the copy is bounded to the device's resync rate (pages a second);
 * - when no page is left missing (the bitmaps keep a count), the replica
 *   is in sync, and the device healthy if the other is too;
 * - a replica whose server lost every page it held (a new session, a new
 *   server) has its bitmaps swept here first, NSW_SCAN_WORDS words at a
 *   time, rather than at once where that happened (in softirq, with bottom
 *   halves off): meanwhile it is out, then in again with every stored page
 *   to copy. Searches for the next copy look at as many words at a time.
 *
 * A copy whose replica changed meanwhile (another server took its place, or
 * its server lost its session: its generation moved on) is dropped: its
 * pages stay dirty and are copied again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/wait_bit.h>

#include "dev.h"

/* An out replica is taken back no sooner than this after it was given up on. */
#define NSW_REJOIN_MS		2000
/* Nor while its server has been silent longer than this. */
#define NSW_REJOIN_IDLE_MS	1500

void nsw_resync_kick(struct nsw_dev *dev)
{
	WRITE_ONCE(dev->resync.kick, true);
	wake_up(&dev->resync.wait);
}

static void nsw_resync_done(struct hxl_req *req, int status)
{
	struct nsw_resync *rs = container_of(req, struct nsw_resync, req);

	rs->status = status;
	complete(&rs->done);
}

/* How often a copy in flight looks whether it is to stop. */
#define NSW_RESYNC_POLL		(HZ / 10)

/*
 * Sends the copy's request to chan, rep's channel taken by the caller (this
 * puts it), and waits for its end: at most the failover bound, since no
 * write of its pages goes out meanwhile (a channel alone may take up to
 * max(timeout, hold), minutes), then it is cancelled. So is a copy whose
 * thread is to stop. Returns the request's status, or -ESHUTDOWN if it was
 * not sent (stopping, or the replica's channel is being replaced).
 */
static int nsw_resync_io(struct nsw_dev *dev, struct nsw_replica *rep, struct hxl_chan *chan,
			 u8 op)
{
	struct nsw_resync *rs = &dev->resync;
	unsigned long until;
	long left;

	rs->req.op = op;
	rs->req.index = rs->index;
	rs->req.count = rs->count;
	rs->req.pages = rs->pages;
	rs->req.done = nsw_resync_done;
	reinit_completion(&rs->done);
	/*
	 * Under the lock with the stop flag and the replica's channel: either
	 * nsw_resync_cancel() sees the request's channel, or this sees it is
	 * to stop, or that the channel is leaving.
	 */
	spin_lock_bh(&dev->lock);
	if (rs->stop || rep->chan != chan) {
		spin_unlock_bh(&dev->lock);
		nsw_rep_put(rep);
		return -ESHUTDOWN;
	}
	rs->chan = chan;
	rs->rep = rep;
	spin_unlock_bh(&dev->lock);

	/*
	 * Ahead of the swap I/O queued on the channel: behind it, under
	 * swap load, a copy waited past the failover bound, was cancelled,
	 * and the resync made next to no progress while the other replica
	 * was the only one to hold what it copies.
	 */
	hxl_chan_submit_urgent(chan, &rs->req, false);
	until = jiffies + msecs_to_jiffies(READ_ONCE(dev->cfg.failover_ms));
	for (;;) {
		left = (long)(until - jiffies);
		if (wait_for_completion_timeout(&rs->done,
						clamp_t(long, left, 1, NSW_RESYNC_POLL)))
			break;
		if (kthread_should_stop() || READ_ONCE(rs->stop) || time_after_eq(jiffies, until)) {
			/* done() is called once either way: by this, or it was already. */
			hxl_chan_cancel(chan, &rs->req);
			wait_for_completion(&rs->done);
			break;
		}
	}

	spin_lock_bh(&dev->lock);
	rs->chan = NULL;
	rs->rep = NULL;
	spin_unlock_bh(&dev->lock);
	nsw_rep_put(rep);
	return rs->status;
}

void nsw_resync_cancel(struct nsw_dev *dev, struct hxl_chan *chan)
{
	struct nsw_resync *rs = &dev->resync;
	struct nsw_replica *rep = NULL;
	struct hxl_chan *on;

	spin_lock_bh(&dev->lock);
	on = rs->chan;
	if (on && (!chan || on == chan)) {
		/* Kept until the cancel is done, whatever the thread does meanwhile. */
		rep = rs->rep;
		atomic_inc(&rep->busy);
	}
	spin_unlock_bh(&dev->lock);
	if (!rep)
		return;
	hxl_chan_cancel(on, &rs->req);
	nsw_rep_put(rep);
}

/*
 * Sweeps the bitmaps of replicas that lost every page they held, a chunk
 * at a time with the lock dropped in between. Returns whether one is left.
 */
static bool nsw_resync_sweep(struct nsw_dev *dev)
{
	struct nsw_replica *rep;
	bool done, other, left = false;
	unsigned int r;
	u64 lost;

	for (r = 0; r < dev->nrep; r++) {
		rep = &dev->rep[r];
		spin_lock_bh(&dev->lock);
		if (!rep->sweeping) {
			spin_unlock_bh(&dev->lock);
			continue;
		}
		rep->sweep_lost += nsw_bits_replica_lost(&dev->bits, r, &rep->sweep_at,
							 NSW_SCAN_WORDS);
		done = rep->sweep_at >= nsw_bits_words(dev->npages);
		lost = rep->sweep_lost;
		if (done) {
			rep->sweeping = false;
			/*
			 * Its server answers: written to again, its pages
			 * copied. And as ever, the last replica in stays in,
			 * answering or not: writes fail there (bounded errors)
			 * rather than wait for a replica forever.
			 */
			other = nsw_mirror_other_in(dev, r);
			rep->in = rep->chan && (!other || (rep->up && !rep->unfit));
			nsw_mirror_want_disk(dev);
		}
		spin_unlock_bh(&dev->lock);
		if (!done) {
			left = true;
			continue;
		}
		if (lost)
			pr_warn("%s: server %pM lost its pages, and the other did not hold %llu of them: lost\n",
				dev->name, rep->server, lost);
		nsw_mirror_tell(dev, rep);
	}
	return left;
}

/* Takes back replicas that were given up on and answer again. */
static void nsw_resync_rejoin(struct nsw_dev *dev)
{
	struct hxl_chan_info *ci = &dev->resync.ci;
	struct nsw_replica *rep;
	struct hxl_chan *chan;
	unsigned int r;
	bool back;

	for (r = 0; r < dev->nrep; r++) {
		rep = &dev->rep[r];
		spin_lock_bh(&dev->lock);
		chan = rep->in || rep->sweeping ? NULL : nsw_rep_get(rep);
		spin_unlock_bh(&dev->lock);
		if (!chan)
			continue;
		hxl_chan_get_info(chan, ci);
		nsw_rep_put(rep);
		back = ci->state == HXL_CHAN_UP && !ci->holding && ci->idle_ms < NSW_REJOIN_IDLE_MS;
		spin_lock_bh(&dev->lock);
		if (back && rep->chan == chan && !rep->in && !rep->sweeping &&
		    (nsw_rep_fits(dev, ci) || !nsw_mirror_other_in(dev, r)) &&
		    time_after_eq(jiffies, rep->out_at + msecs_to_jiffies(NSW_REJOIN_MS))) {
			/* Every page written meanwhile is in its dirty bitmap. */
			rep->in = true;
			rep->up = true;
			rep->max_pages = ci->max_pages;
			rep->granted = ci->size;
			rep->unfit = !nsw_rep_fits(dev, ci);
			/* A boot-time device whose first answer was missed gets its disk. */
			nsw_mirror_want_disk(dev);
		} else {
			back = false;
		}
		spin_unlock_bh(&dev->lock);
		if (back) {
			pr_info("%s: server %pM answers again: written to again, its missing pages copied\n",
				dev->name, rep->server);
			nsw_mirror_tell(dev, rep);
		}
	}
}

/*
 * One copy. Returns the pages copied, 0 when there is nothing to copy now,
 * -EINPROGRESS to look on at once (a chunk of the bitmaps looked at), or
 * -EAGAIN to look again shortly (a copy that met a write or failed).
 * *moved: the pages read from the source, copied or not (the rate bound
 * counts them: a copy that fails still loads both servers and the link).
 */
static int nsw_resync_step(struct nsw_dev *dev, u32 *moved)
{
	struct nsw_resync *rs = &dev->resync;
	struct nsw_replica *dst = NULL, *src = NULL;
	u32 gen_dst, gen_src, n, k;
	struct hxl_chan *chan;
	unsigned int r;
	int ret;
	bool ok;

	*moved = 0;
	spin_lock_bh(&dev->lock);
	/*
	 * The replica that misses the fewest pages first: the sooner one holds
	 * every page, the sooner a slow server may be given up on without
	 * leaving pages on one server only (nsw_mirror_other_whole()).
	 */
	for (r = 0; r < dev->nrep; r++) {
		if (dev->rep[r].in && dev->rep[r].chan &&
		    (!dev->rep[r].synced || dev->bits.ndirty[r]) &&
		    (!dst || dev->bits.ndirty[r] < dev->bits.ndirty[dst->index])) {
			dst = &dev->rep[r];
			src = &dev->rep[r ^ 1];
		}
	}
	if (!dst || !src->chan || !src->up || src->sweeping) {
		spin_unlock_bh(&dev->lock);
		return 0;
	}
	if (!dev->bits.ndirty[dst->index]) {
		/* Every page copied, and none missed since: in sync. */
		dst->synced = true;
		rs->cursor = 0;
		spin_unlock_bh(&dev->lock);
		pr_info("%s: server %pM holds every stored page\n", dev->name, dst->server);
		nsw_mirror_tell(dev, dst);
		/* The other may have pages to copy: look at once. */
		return -EINPROGRESS;
	}
	/* As many pages as both channels take in a request (window, MTU). */
	n = nsw_bits_next_copy(&dev->bits, dst->index, src->index, &rs->cursor,
			       nsw_copy_pages(src->max_pages, dst->max_pages), NSW_SCAN_WORDS);
	if (!n) {
		/* A chunk looked at: on at once. A pass done: what is left came behind it. */
		ret = rs->cursor < dev->npages ? -EINPROGRESS : -EAGAIN;
		if (ret == -EAGAIN)
			rs->cursor = 0;
		spin_unlock_bh(&dev->lock);
		return ret;
	}
	if (nsw_mirror_busy(dev, rs->cursor, n, false)) {
		/* Written to now: its copy comes on the next pass. */
		rs->cursor += n;
		spin_unlock_bh(&dev->lock);
		return -EAGAIN;
	}
	chan = nsw_rep_get(src);
	rs->active = true;
	rs->index = rs->cursor;
	rs->count = n;
	/* What each holds now: a copy across a change of either is dropped. */
	gen_dst = dst->gen;
	gen_src = src->gen;
	spin_unlock_bh(&dev->lock);

	ret = nsw_resync_io(dev, src, chan, HEXO_OP_READ);
	*moved = n;

	spin_lock_bh(&dev->lock);
	ok = !ret && gen_src == src->gen && gen_dst == dst->gen && dst->in;
	if (ok && rs->req.absent) {
		/* The source lost pages it was believed to hold. */
		for (k = 0; k < n; k++)
			if (rs->req.absent & BIT_ULL(k))
				nsw_bits_replica_miss(&dev->bits, src->index, rs->index + k, 1);
		src->synced = false;
		ok = false;
	}
	chan = ok ? nsw_rep_get(dst) : NULL;
	spin_unlock_bh(&dev->lock);

	if (chan)
		ret = nsw_resync_io(dev, dst, chan, HEXO_OP_WRITE);

	spin_lock_bh(&dev->lock);
	/*
	 * Held by dst only if written in the generation the copy began in: a
	 * WRITE acknowledged by a session dst's server lost since is not.
	 */
	ok = chan && !ret && gen_dst == dst->gen;
	if (ok) {
		nsw_bits_copied(&dev->bits, dst->index, rs->index, n);
		dst->copied += n;
	}
	rs->active = false;
	rs->cursor = rs->index + n;
	if (dev->waiting) {
		dev->waiting = false;
		if (dev->disk_added)
			blk_mq_run_hw_queues(dev->disk->queue, true);
	}
	spin_unlock_bh(&dev->lock);
	return ok ? n : -EAGAIN;
}

static int nsw_resync_thread(void *arg)
{
	struct nsw_dev *dev = arg;
	struct nsw_resync *rs = &dev->resync;
	u64 copied = 0, start = 0, wait_us;
	long timeout;
	u32 moved;
	int ret;

	while (!kthread_should_stop()) {
		if (nsw_resync_sweep(dev)) {
			cond_resched();
			continue;
		}
		nsw_resync_rejoin(dev);
		ret = nsw_resync_step(dev, &moved);
		if (moved) {
			/* Within the rate since the run of copies began. */
			if (!copied)
				start = ktime_get_ns();
			copied += moved;
			wait_us = nsw_rate_wait_us(copied, div_u64(ktime_get_ns() - start, 1000),
						   READ_ONCE(dev->cfg.resync_rate));
			/* A kick (a replica that lost its pages to sweep) ends it early. */
			if (wait_us)
				wait_event_interruptible_timeout(rs->wait,
								 READ_ONCE(rs->kick) ||
								 kthread_should_stop(),
								 usecs_to_jiffies(wait_us));
			WRITE_ONCE(rs->kick, false);
		}
		if (ret > 0 || ret == -EINPROGRESS) {
			cond_resched();
			continue;
		}
		/*
		 * The run of copies ends: a pause (a copy that met a write or
		 * failed, a pass done, nothing to copy) is no credit that a
		 * burst past the rate could spend later.
		 */
		copied = 0;
		if (ret == -EAGAIN) {
			/* Not in a busy loop. */
			schedule_timeout_interruptible(1);
			continue;
		}
		timeout = wait_event_interruptible_timeout(rs->wait,
							   READ_ONCE(rs->kick) || kthread_should_stop(),
							   HZ / 2);
		WRITE_ONCE(rs->kick, false);
		if (timeout < 0)
			flush_signals(current);
	}
	return 0;
}

int nsw_resync_init(struct nsw_dev *dev)
{
	struct nsw_resync *rs = &dev->resync;
	unsigned int i;

	for (i = 0; i < NSW_COPY_PAGES; i++) {
		rs->pages[i] = alloc_page(GFP_KERNEL);
		if (!rs->pages[i])
			goto err;
	}
	rs->thread = kthread_run(nsw_resync_thread, dev, "%s-resync", dev->name);
	if (IS_ERR(rs->thread))
		goto err;
	return 0;

err:
	rs->thread = NULL;
	nsw_resync_uninit(dev);
	return -ENOMEM;
}

/* Stops the copy (dev->dying is set); its channels still exist. */
void nsw_resync_uninit(struct nsw_dev *dev)
{
	struct nsw_resync *rs = &dev->resync;
	unsigned int i;

	if (rs->thread) {
		/* No copy is sent from now on; one in flight ends now. */
		spin_lock_bh(&dev->lock);
		rs->stop = true;
		spin_unlock_bh(&dev->lock);
		nsw_resync_cancel(dev, NULL);
		kthread_stop(rs->thread);
		rs->thread = NULL;
	}
	for (i = 0; i < NSW_COPY_PAGES; i++) {
		if (rs->pages[i])
			__free_page(rs->pages[i]);
		rs->pages[i] = NULL;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O of mirrored devices: each page on two servers, through a channel
 * to each (a replica). Writes and discards go to every replica that is in
 * and complete when all have answered, or when one holds the data and the
 * other has not answered within the failover bound with its server silent
 * as long: that one is then given up on (out, the device degraded) and its
 * request cancelled. Reads go to
 * the replica that answers faster among those that hold every page asked
 * for, and are sent to the other when it fails or reports a page absent,
 * or when it does not answer within the bound and the other is ready (in,
 * up, its server answering). An error reaches the block layer only when no
 * replica can serve the request.
 *
 * Every page a replica misses (a write it did not get, a session it lost) is
 * set in its dirty bitmap, allocated at attach: resync.c copies those pages
 * from the other replica. While a page is being copied, no write or discard
 * of it is in flight, and the reverse: a write that would overlap one waits
 * (blk-mq sends it again), so the copy and the write never race, and the
 * write order of each channel (the seq the server compares) puts a later
 * write after the copy.
 *
 * Locking: dev->lock guards the bitmaps and the replicas' state; hexo_link
 * is never called with it held (done() and the channel events take it, and
 * the channel calls session_lost under its own lock).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>

#include "dev.h"

/* The failover timer's ticks a failover bound: it runs every bound / this. */
#define NSW_FAILOVER_TICKS	4

static unsigned long nsw_failover_period(struct nsw_dev *dev)
{
	return max(msecs_to_jiffies(dev->cfg.failover_ms) / NSW_FAILOVER_TICKS, 1UL);
}

/*
 * Arms the failover timer unless it is armed, or its tick runs and will arm
 * it again (dev->lock held). The due time is kept here, not read from the
 * timer: while the tick runs the timer is not pending, and an arm from
 * elsewhere would rewrite its expiry under the tick's feet.
 */
static void nsw_failover_arm(struct nsw_dev *dev, unsigned long now)
{
	lockdep_assert_held(&dev->lock);
	if (dev->failover_armed)
		return;
	dev->failover_armed = true;
	dev->failover_due = now + nsw_failover_period(dev);
	mod_timer(&dev->failover, dev->failover_due);
}

struct hxl_chan *nsw_rep_get(struct nsw_replica *rep)
{
	lockdep_assert_held(&rep->dev->lock);
	if (!rep->chan)
		return NULL;
	atomic_inc(&rep->busy);
	return rep->chan;
}

void nsw_rep_put(struct nsw_replica *rep)
{
	if (atomic_dec_and_test(&rep->busy))
		wake_up_var(&rep->busy);
}

/* Each replica's channel, held (nsw_rep_put() each that is not NULL). */
static void nsw_mirror_get_chans(struct nsw_dev *dev, struct hxl_chan **chan)
{
	unsigned int r;

	spin_lock_bh(&dev->lock);
	for (r = 0; r < dev->nrep; r++)
		chan[r] = nsw_rep_get(&dev->rep[r]);
	spin_unlock_bh(&dev->lock);
}

void nsw_rep_lost_all(struct nsw_replica *rep)
{
	lockdep_assert_held(&rep->dev->lock);
	/*
	 * Marking a large device's pages takes milliseconds: not here, with
	 * bottom halves off (maybe in softirq, under the channel's lock), but
	 * in the resync thread, a chunk at a time. Until it is done the
	 * replica's dirty bits are not to be trusted: it is not read from, not
	 * written to, not copied from or to.
	 */
	/* What was in flight to it, or answered by it and not yet ended, is not held. */
	rep->gen++;
	rep->sweeping = true;
	rep->sweep_at = 0;
	rep->sweep_lost = 0;
	rep->in = false;
	rep->synced = false;
}

bool nsw_mirror_busy(struct nsw_dev *dev, u64 index, u32 count, bool resync)
{
	struct nsw_cmd *cmd;

	lockdep_assert_held(&dev->lock);
	if (resync && dev->resync.active && index < dev->resync.index + dev->resync.count &&
	    dev->resync.index < index + count)
		return true;
	list_for_each_entry(cmd, &dev->active, node)
		if ((cmd->op == HEXO_OP_WRITE || cmd->op == HEXO_OP_DISCARD) &&
		    index < cmd->index + cmd->count && cmd->index < index + count)
			return true;
	return false;
}

/*
 * What a read's choice knows of each replica (dev->lock held); ready, a bit
 * per replica whose channel is up with its server heard from, or NULL.
 */
static void nsw_mirror_view(struct nsw_dev *dev, struct nsw_cmd *cmd, unsigned int ready,
			    struct nsw_rview *v)
{
	struct nsw_replica *rep;
	unsigned int r;

	for (r = 0; r < dev->nrep; r++) {
		rep = &dev->rep[r];
		v[r].present = rep->chan && !rep->sweeping;
		v[r].up = rep->up;
		v[r].ready = rep->in && rep->up && (ready & BIT(r));
		v[r].clean = !nsw_bits_any(dev->bits.dirty[r], cmd->part, cmd->part_n);
		v[r].lat_us = rep->lat_us;
	}
}

/*
 * The run of pages from index on, at most count, that a read asks of one
 * replica (dev->lock held): one that replicas up hold whole if there is
 * one, else one that replicas present do; count if none holds page index
 * (nsw_mirror_pick() then finds none).
 */
static u32 nsw_mirror_read_run(struct nsw_dev *dev, u64 index, u32 count)
{
	unsigned int r, up = 0, present = 0;
	u32 n;

	for (r = 0; r < dev->nrep; r++) {
		if (!dev->rep[r].chan || dev->rep[r].sweeping)
			continue;
		present |= BIT(r);
		if (dev->rep[r].up)
			up |= BIT(r);
	}
	n = nsw_bits_read_run(&dev->bits, up, index, count);
	if (!n)
		n = nsw_bits_read_run(&dev->bits, present, index, count);
	return n ?: count;
}

/* The replica a read goes to, or -1 (dev->lock held). */
static int nsw_mirror_pick(struct nsw_dev *dev, struct nsw_cmd *cmd, unsigned int tried)
{
	struct nsw_rview v[NSW_MAX_REPLICAS];

	nsw_mirror_view(dev, cmd, 0, v);
	return nsw_pick(v, dev->nrep, tried);
}

bool nsw_mirror_other_in(struct nsw_dev *dev, unsigned int r)
{
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nrep; i++)
		if (i != r && dev->rep[i].in && dev->rep[i].up && dev->rep[i].chan)
			return true;
	return false;
}

/*
 * Whether a replica other than r takes writes and holds every stored page
 * (dev->lock held): only then is r given up on for being slow. Were the
 * other still missing pages (its resync under way), r would hold their
 * only copy, and what is written after r went out the other alone: the
 * death of either server would then lose pages. A slow r is waited for
 * instead, until it answers or its channel fails the request.
 */
static bool nsw_mirror_other_whole(struct nsw_dev *dev, unsigned int r)
{
	struct nsw_replica *o;
	unsigned int i;

	lockdep_assert_held(&dev->lock);
	for (i = 0; i < dev->nrep; i++) {
		o = &dev->rep[i];
		if (i != r && o->in && o->up && o->chan && !o->sweeping && o->synced &&
		    !dev->bits.ndirty[i])
			return true;
	}
	return false;
}

/* nsw_pick_retry() within the request's sends (dev->lock held). */
static int nsw_mirror_retry(struct nsw_dev *dev, struct nsw_cmd *cmd)
{
	struct nsw_rview v[NSW_MAX_REPLICAS];

	if (cmd->sends >= NSW_MAX_SENDS)
		return -1;
	nsw_mirror_view(dev, cmd, 0, v);
	return nsw_pick_retry(v, dev->nrep, cmd->tried, cmd->op == HEXO_OP_READ);
}

/*
 * Whether a write that replica r failed is sent to r again rather than r
 * given up on (dev->lock held): its server still answers (its channel up,
 * its pages known), no other replica holds every page, and the request has
 * sends left. The channel itself is asked too: one declared lost fails its
 * requests before its DOWN event clears rep->up, and a write sent there
 * again would fail at once, again and again, until its sends ran out
 * without the other replica tried.
 */
static bool nsw_mirror_keep(struct nsw_dev *dev, struct nsw_cmd *cmd, unsigned int r)
{
	struct nsw_replica *rep = &dev->rep[r];

	return cmd->sends < NSW_MAX_SENDS && rep->chan && rep->up && !rep->sweeping &&
	       hxl_chan_up(rep->chan) && !nsw_mirror_other_whole(dev, r);
}

/* Gives up on a replica (dev->lock held); the caller tells listeners. */
static void nsw_mirror_out(struct nsw_dev *dev, struct nsw_replica *rep)
{
	if (!rep->in)
		return;
	rep->in = false;
	rep->out_at = jiffies;
	rep->failovers++;
}

/* Readies sub r of cmd for chan (dev->lock held); nsw_sub_send() sends it. */
static void nsw_sub_prepare(struct nsw_cmd *cmd, unsigned int r)
{
	struct nsw_sub *sub = &cmd->sub[r];

	sub->cmd = cmd;
	sub->rep = r;
	sub->res = NSW_W_NONE;
	sub->pending = true;
	sub->gen = cmd->dev->rep[r].gen;
	sub->sent = jiffies;
	sub->sent_ns = ktime_get_ns();
	cmd->sends++;
}

static void nsw_sub_done(struct hxl_req *req, int status);

static void nsw_sub_send(struct nsw_cmd *cmd, unsigned int r, struct hxl_chan *chan, bool more)
{
	struct hxl_req *req = &cmd->sub[r].req;

	req->op = cmd->op;
	req->index = cmd->part;
	req->count = cmd->part_n;
	req->pages = cmd->pages + (cmd->part - cmd->index);
	req->done = nsw_sub_done;
	hxl_chan_submit(chan, req, more);
}

/* The request's end, once no replica holds any part of it. */
static void nsw_cmd_end(struct nsw_cmd *cmd)
{
	struct request *rq = blk_mq_rq_from_pdu(cmd);
	struct nsw_dev *dev = cmd->dev;
	struct nsw_replica *told = NULL;
	u8 res[NSW_MAX_REPLICAS];
	struct nsw_wout o;
	bool wake = false, drained;
	int status = 0;
	unsigned int r;
	void *kaddr;
	u64 i;

	spin_lock_bh(&dev->lock);
	list_del(&cmd->node);
	/*
	 * What each replica holds now: an OK from a server that another took
	 * the place of since, or from a session its server lost since, is
	 * none (the replica's generation moved on), and so is a failure there.
	 */
	for (r = 0; r < dev->nrep; r++)
		res[r] = cmd->in & BIT(r) ?
			 nsw_wres_now(cmd->sub[r].res, cmd->sub[r].gen, dev->rep[r].gen) :
			 NSW_W_NONE;
	if (cmd->op == HEXO_OP_READ) {
		if (cmd->read_rep < 0)
			status = -EIO;
		for (i = 0; !status && i < cmd->count; i++) {
			if (test_bit(cmd->index + i, dev->lost)) {
				status = -EIO;
			} else if (!test_bit(cmd->index + i, dev->stored)) {
				/* Never written, or discarded: zeros, whatever a server said. */
				kaddr = kmap_local_page(cmd->pages[i]);
				memset(kaddr, 0, HEXO_PAGE_SIZE);
				kunmap_local(kaddr);
			}
		}
	} else {
		nsw_write_outcome(res, dev->nrep, cmd->in, &o);
		status = o.status;
		if (cmd->op == HEXO_OP_WRITE)
			nsw_bits_write_done(&dev->bits, &o, cmd->index, cmd->count);
		else if (cmd->op == HEXO_OP_DISCARD && !o.status)
			nsw_bits_discard_done(&dev->bits, cmd->index, cmd->count);
		for (r = 0; r < dev->nrep; r++) {
			if (cmd->op == HEXO_OP_WRITE && (o.dirty & BIT(r)))
				dev->rep[r].synced = false;
			/*
			 * cmd->in says who was written to when it was sent; an
			 * earlier write may have given up on the other since.
			 * The last replica in is never given up on.
			 */
			if ((o.out & BIT(r)) && dev->rep[r].in && nsw_mirror_other_in(dev, r)) {
				nsw_mirror_out(dev, &dev->rep[r]);
				told = &dev->rep[r];
			}
		}
		if (dev->waiting) {
			dev->waiting = false;
			wake = true;
		}
	}
	drained = dev->replacing && cmd->op != HEXO_OP_READ;
	spin_unlock_bh(&dev->lock);

	if (drained)
		wake_up(&dev->drained);

	if (told) {
		pr_warn("%s: server %pM did not hold a write the other did: given up on, degraded\n",
			dev->name, told->server);
		nsw_mirror_tell(dev, told);
		nsw_resync_kick(dev);
	}
	if (wake)
		blk_mq_run_hw_queues(rq->q, true);
	blk_mq_end_request(rq, errno_to_blk_status(status));
}

static void nsw_cmd_put(struct nsw_cmd *cmd)
{
	if (refcount_dec_and_test(&cmd->refs))
		nsw_cmd_end(cmd);
}

/*
 * A read answered by replica r with pages it reported absent: those it was
 * believed to hold are missing on it (dev->lock held). Returns whether any
 * such page was asked for.
 */
static bool nsw_read_absent(struct nsw_dev *dev, struct nsw_cmd *cmd, unsigned int r, u64 absent)
{
	bool missing = false;
	u32 i;

	for (i = 0; i < cmd->part_n; i++) {
		if (!(absent & BIT_ULL(i)) || !test_bit(cmd->part + i, dev->stored))
			continue;
		missing = true;
		nsw_bits_replica_miss(&dev->bits, r, cmd->part + i, 1);
		dev->rep[r].synced = false;
	}
	return missing;
}

/* Whether a sub of cmd is in flight on some replica (dev->lock held). */
static bool nsw_cmd_pending(const struct nsw_cmd *cmd)
{
	unsigned int r;

	for (r = 0; r < cmd->dev->nrep; r++)
		if (cmd->sub[r].pending)
			return true;
	return false;
}

static void nsw_sub_done(struct hxl_req *req, int status)
{
	struct nsw_sub *sub = container_of(req, struct nsw_sub, req);
	struct nsw_cmd *cmd = sub->cmd;
	struct nsw_dev *dev = cmd->dev;
	struct nsw_replica *rep = &dev->rep[sub->rep];
	struct hxl_chan *chan = NULL;
	bool stale, missing = false;
	int next = -1;

	spin_lock_bh(&dev->lock);
	sub->pending = false;
	/*
	 * Another server took the replica's place since, or its server lost
	 * the session: not an answer about what it holds now.
	 */
	stale = sub->gen != rep->gen;
	if (!status && !stale)
		nsw_lat_sample(&rep->lat_us, div_u64(ktime_get_ns() - sub->sent_ns, 1000));

	if (cmd->op == HEXO_OP_READ) {
		if (!status && !stale && req->absent)
			missing = nsw_read_absent(dev, cmd, sub->rep, req->absent);
		if (!status && !stale && !missing) {
			cmd->read_rep = sub->rep;
			rep->reads++;
			if (cmd->part + cmd->part_n < cmd->index + cmd->count) {
				/* The next run, from whichever replica holds it. */
				cmd->read_rep = -1;
				cmd->part += cmd->part_n;
				cmd->part_n = nsw_mirror_read_run(dev, cmd->part, cmd->index +
								  cmd->count - cmd->part);
				cmd->tried = 0;
				cmd->left = 0;
				cmd->sends = 0;
				next = nsw_mirror_pick(dev, cmd, 0);
				if (next >= 0)
					chan = nsw_rep_get(&dev->rep[next]);
				if (chan) {
					nsw_sub_prepare(cmd, next);
					refcount_inc(&cmd->refs);
				}
			}
		} else if (status == -ECANCELED) {
			/*
			 * Taken from a slow replica for a ready one (the
			 * failover timer): not failed there, so not tried. To
			 * the other first; back to this one if that fails.
			 */
			cmd->left |= BIT(sub->rep);
			next = nsw_mirror_pick(dev, cmd, cmd->tried | BIT(sub->rep));
			if (next < 0)
				next = nsw_mirror_pick(dev, cmd, cmd->tried);
			if (next >= 0)
				chan = nsw_rep_get(&dev->rep[next]);
			if (chan) {
				nsw_sub_prepare(cmd, next);
				refcount_inc(&cmd->refs);
			}
		} else {
			/*
			 * Pages found absent may leave the run whole on no
			 * replica: the run that is whole on one now.
			 */
			if (missing)
				cmd->part_n = nsw_mirror_read_run(dev, cmd->part, cmd->index +
								  cmd->count - cmd->part);
			cmd->tried |= BIT(sub->rep);
			next = nsw_mirror_pick(dev, cmd, cmd->tried);
			if (next < 0)
				next = nsw_mirror_retry(dev, cmd);
			if (next >= 0)
				chan = nsw_rep_get(&dev->rep[next]);
			if (chan) {
				nsw_sub_prepare(cmd, next);
				refcount_inc(&cmd->refs);
			}
		}
	} else {
		if (stale) {
			/* Written to a server that is gone: the new one misses it. */
			sub->res = NSW_W_NONE;
			cmd->in &= ~BIT(sub->rep);
		} else {
			sub->res = status ? NSW_W_FAIL : NSW_W_OK;
			if (!status && !cmd->ok) {
				cmd->ok = true;
				cmd->ok_at = jiffies;
			}
		}
		if (!stale && status && status != -ECANCELED &&
		    nsw_mirror_keep(dev, cmd, sub->rep)) {
			/*
			 * Failed on a server that still answers, while the
			 * other misses pages (or is gone): not given up on, as
			 * it may hold their only copy; sent there again.
			 */
			next = sub->rep;
		} else if ((stale || status) && !cmd->ok && !nsw_cmd_pending(cmd)) {
			/*
			 * Failed everywhere it went, with a server still
			 * answering: sent there again. Only when nothing else
			 * of it is in flight: one sub a replica, and one that
			 * holds it ends the wait.
			 */
			cmd->tried |= BIT(sub->rep);
			next = nsw_mirror_retry(dev, cmd);
		}
		if (next >= 0)
			chan = nsw_rep_get(&dev->rep[next]);
		if (chan) {
			nsw_sub_prepare(cmd, next);
			cmd->in |= BIT(next);
			refcount_inc(&cmd->refs);
		}
	}
	spin_unlock_bh(&dev->lock);

	if (missing)
		pr_warn_ratelimited("%s: server %pM lost pages it held; read from the other\n",
				    dev->name, rep->server);
	if (chan) {
		nsw_sub_send(cmd, next, chan, false);
		nsw_rep_put(&dev->rep[next]);
	}
	nsw_cmd_put(cmd);
}

blk_status_t nsw_mirror_queue_rq(struct nsw_dev *dev, const struct blk_mq_queue_data *bd)
{
	struct request *rq = bd->rq;
	struct nsw_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct hxl_chan *chan[NSW_MAX_REPLICAS] = {};
	unsigned int r, n = 0;
	struct bio *bio;
	int pick;

	/* No other user of the PDU now: the failover timer looks at pending. */
	for (r = 0; r < NSW_MAX_REPLICAS; r++)
		cmd->sub[r].pending = false;
	cmd->dev = dev;
	cmd->index = blk_rq_pos(rq) / NSW_SECTORS_PER_PAGE;
	cmd->count = blk_rq_sectors(rq) / NSW_SECTORS_PER_PAGE;
	cmd->part = cmd->index;
	cmd->part_n = cmd->count;
	cmd->in = 0;
	cmd->tried = 0;
	cmd->left = 0;
	cmd->sends = 0;
	cmd->read_rep = -1;
	cmd->ok = false;
	switch (req_op(rq)) {
	case REQ_OP_READ:
		cmd->op = HEXO_OP_READ;
		break;
	case REQ_OP_WRITE:
		cmd->op = HEXO_OP_WRITE;
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		cmd->op = HEXO_OP_DISCARD;
		break;
	case REQ_OP_FLUSH:
		cmd->op = HEXO_OP_FLUSH;
		cmd->index = 0;
		cmd->count = 0;
		cmd->part = 0;
		cmd->part_n = 0;
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	if ((cmd->op == HEXO_OP_READ || cmd->op == HEXO_OP_WRITE) &&
	    !nsw_map(rq, cmd, cmd->count))
		return BLK_STS_IOERR;

	spin_lock_bh(&dev->lock);
	if (cmd->op == HEXO_OP_READ) {
		if (nsw_bits_any(dev->lost, cmd->index, cmd->count)) {
			spin_unlock_bh(&dev->lock);
			return BLK_STS_IOERR;
		}
		if (!nsw_bits_any(dev->stored, cmd->index, cmd->count)) {
			spin_unlock_bh(&dev->lock);
			blk_mq_start_request(rq);
			__rq_for_each_bio(bio, rq)
				zero_fill_bio(bio);
			atomic64_add(cmd->count, &dev->local_reads);
			blk_mq_end_request(rq, BLK_STS_OK);
			return BLK_STS_OK;
		}
		cmd->part_n = nsw_mirror_read_run(dev, cmd->index, cmd->count);
		pick = nsw_mirror_pick(dev, cmd, 0);
		if (pick >= 0)
			chan[pick] = nsw_rep_get(&dev->rep[pick]);
		if (pick < 0 || !chan[pick]) {
			spin_unlock_bh(&dev->lock);
			return BLK_STS_IOERR;
		}
		nsw_sub_prepare(cmd, pick);
		n = 1;
	} else {
		if (cmd->op != HEXO_OP_FLUSH && dev->replacing) {
			/* A replace swaps a channel: sent again once it is done. */
			dev->waiting = true;
			spin_unlock_bh(&dev->lock);
			return BLK_STS_RESOURCE;
		}
		if (cmd->op != HEXO_OP_FLUSH && nsw_mirror_busy(dev, cmd->index, cmd->count, true)) {
			/* blk-mq sends it again once the copy or write in the way ends. */
			dev->waiting = true;
			spin_unlock_bh(&dev->lock);
			return BLK_STS_RESOURCE;
		}
		for (r = 0; r < dev->nrep; r++) {
			if (!dev->rep[r].in)
				continue;
			chan[r] = nsw_rep_get(&dev->rep[r]);
			if (!chan[r])
				continue;
			nsw_sub_prepare(cmd, r);
			cmd->in |= BIT(r);
			n++;
		}
		if (!n) {
			/*
			 * Only while a replace swaps the one replica in, or
			 * while the one in has its bitmaps swept (moments).
			 */
			dev->waiting = true;
			spin_unlock_bh(&dev->lock);
			return BLK_STS_RESOURCE;
		}
	}
	refcount_set(&cmd->refs, n + 1);
	list_add_tail(&cmd->node, &dev->active);
	nsw_failover_arm(dev, jiffies);
	spin_unlock_bh(&dev->lock);

	blk_mq_start_request(rq);
	for (r = 0; r < dev->nrep; r++) {
		if (!chan[r])
			continue;
		nsw_sub_send(cmd, r, chan[r], true);
		nsw_rep_put(&dev->rep[r]);
	}
	/* The caller kicks the channels at the batch's end (bd->last). */
	nsw_cmd_put(cmd);
	return BLK_STS_OK;
}

void nsw_mirror_kick(struct nsw_dev *dev)
{
	struct hxl_chan *chan[NSW_MAX_REPLICAS];
	unsigned int r;

	nsw_mirror_get_chans(dev, chan);
	for (r = 0; r < dev->nrep; r++) {
		if (!chan[r])
			continue;
		hxl_chan_kick(chan[r]);
		nsw_rep_put(&dev->rep[r]);
	}
}

/* Whether a write or discard is in flight (dev->lock held). */
static bool nsw_mirror_writing(struct nsw_dev *dev)
{
	struct nsw_cmd *cmd;

	list_for_each_entry(cmd, &dev->active, node)
		if (cmd->op == HEXO_OP_WRITE || cmd->op == HEXO_OP_DISCARD)
			return true;
	return false;
}

static bool nsw_mirror_drained(struct nsw_dev *dev)
{
	bool writing;

	spin_lock_bh(&dev->lock);
	writing = nsw_mirror_writing(dev);
	spin_unlock_bh(&dev->lock);
	return !writing;
}

int nsw_mirror_hold_writes(struct nsw_dev *dev, unsigned long timeout)
{
	long left;

	spin_lock_bh(&dev->lock);
	dev->replacing = true;
	spin_unlock_bh(&dev->lock);
	left = wait_event_interruptible_timeout(dev->drained, nsw_mirror_drained(dev), timeout);
	if (left < 0)
		return -EINTR;
	return left ? 0 : -ETIMEDOUT;
}

void nsw_mirror_release_writes(struct nsw_dev *dev)
{
	bool wake;

	spin_lock_bh(&dev->lock);
	dev->replacing = false;
	wake = dev->waiting && dev->disk_added;
	dev->waiting = false;
	spin_unlock_bh(&dev->lock);
	if (wake)
		blk_mq_run_hw_queues(dev->disk->queue, true);
}

/* What the failover timer gives up on. */
struct nsw_giveup {
	struct nsw_cmd *cmd;
	struct hxl_chan *chan;
	u8 rep;
};

#define NSW_GIVEUP_BATCH	16

/*
 * The replicas whose channel is up and whose server is heard from (not
 * holding requests for a silent one): a bit each; in *silent, those whose
 * server has sent nothing for the failover bound although asked: a PING
 * unanswered for a quarter of it (a tick). A server silent for half the
 * bound while requests wait on it is pinged here: one whose answers were
 * lost (a board that did not run while they came, a burst of loss), their
 * requests not yet sent again, then answers within a round trip. idle[r]
 * is the silence of replica r's server, in ms. Takes the channels' locks,
 * so not under dev->lock.
 */
static unsigned int nsw_mirror_ready(struct nsw_dev *dev, unsigned int *silent, u64 *idle)
{
	struct hxl_chan_info *ci = &dev->failover_ci;
	u32 bound = READ_ONCE(dev->cfg.failover_ms);
	struct hxl_chan *chan[NSW_MAX_REPLICAS];
	unsigned int r, ready = 0;

	nsw_mirror_get_chans(dev, chan);
	for (r = 0; r < dev->nrep; r++) {
		idle[r] = 0;
		if (!chan[r])
			continue;
		hxl_chan_get_info(chan[r], ci);
		idle[r] = ci->idle_ms;
		if (ci->state == HXL_CHAN_UP && !ci->holding)
			ready |= BIT(r);
		if (ci->idle_ms >= bound && ci->ping_ms >= bound / NSW_FAILOVER_TICKS)
			*silent |= BIT(r);
		if (ci->state == HXL_CHAN_UP && ci->idle_ms >= bound / 2 && !ci->ping_ms &&
		    (ci->inflight || ci->queued))
			hxl_chan_probe(chan[r]);
		nsw_rep_put(&dev->rep[r]);
	}
	return ready;
}

/*
 * Requests in flight, every quarter of the failover bound: a replica that
 * lags that long behind the other on a write while its server has been
 * silent as long, or has not answered a read that a ready replica (in, up,
 * answering) could serve, is given up on for that request. A read is
 * never moved to a replica that would fail it at once (down, lost) or hold
 * it (its server silent). A write is never given up on for a silence that
 * the board caused by not running (below).
 */
static void nsw_failover_tick(struct timer_list *t)
{
	struct nsw_dev *dev = from_timer(dev, t, failover);
	unsigned long now = jiffies, bound = msecs_to_jiffies(dev->cfg.failover_ms);
	struct nsw_rview v[NSW_MAX_REPLICAS];
	struct nsw_giveup g[NSW_GIVEUP_BATCH];
	struct nsw_replica *rep;
	unsigned int r, n = 0, i, silent = 0;
	u64 idle[NSW_MAX_REPLICAS];
	unsigned int ready = nsw_mirror_ready(dev, &silent, idle);
	struct nsw_cmd *cmd;
	bool calm;

	spin_lock_bh(&dev->lock);
	/*
	 * A tick later than its due time by a tick and HXL_STALL_MS means
	 * that this board did not run meanwhile: a host that descheduled it,
	 * softirqs held off. The servers' silence was the board's own: their
	 * answers may still wait unread in the NIC's ring, or were dropped
	 * behind it (its host's buffers are small) and come only once their
	 * requests are sent again. So no write is given up on for a whole
	 * bound of ticks on time from then: each server gets the failover
	 * bound of the board's own running time to answer. One really gone is
	 * given up on a bound after the board runs again.
	 */
	if (time_after(now, dev->failover_due + max(nsw_failover_period(dev),
						       msecs_to_jiffies(HXL_STALL_MS))))
		dev->failover_calm = NSW_FAILOVER_TICKS;
	else if (dev->failover_calm)
		dev->failover_calm--;
	calm = !dev->failover_calm;

	list_for_each_entry(cmd, &dev->active, node) {
		for (r = 0; r < dev->nrep && n < NSW_GIVEUP_BATCH; r++) {
			struct nsw_sub *sub = &cmd->sub[r];

			rep = &dev->rep[r];
			if (!sub->pending)
				continue;
			if (cmd->op == HEXO_OP_READ) {
				if (time_before(now, sub->sent + bound))
					continue;
				/* Each replica is left once: no read bounces between two slow ones. */
				nsw_mirror_view(dev, cmd, ready, v);
				if (nsw_pick_failover(v, dev->nrep, cmd->tried | cmd->left | BIT(r)) < 0)
					continue;
				/* Slow: the next reads go to the other first. */
				rep->lat_us = max(rep->lat_us, dev->cfg.failover_ms * 1000);
			} else if (!calm || !cmd->ok || time_before(now, cmd->ok_at + bound) ||
				   !(silent & BIT(r)) || !nsw_mirror_other_whole(dev, r)) {
				/*
				 * A write's age on a replica counts the time it
				 * queued on this board too: a server that
				 * answers, however slowly, paces the writes; one
				 * silent for the bound is given up on.
				 */
				continue;
			}
			g[n].chan = nsw_rep_get(rep);
			if (!g[n].chan)
				continue;
			g[n].cmd = cmd;
			g[n].rep = r;
			refcount_inc(&cmd->refs);
			n++;
		}
	}
	/* Armed again while anything is in flight; else by the next request. */
	dev->failover_armed = false;
	if (!list_empty(&dev->active))
		nsw_failover_arm(dev, now);
	spin_unlock_bh(&dev->lock);

	for (i = 0; i < n; i++) {
		rep = &dev->rep[g[i].rep];
		if (hxl_chan_cancel(g[i].chan, &g[i].cmd->sub[g[i].rep].req))
			net_info_ratelimited("%s: server %pM gave no answer in %u ms (silent %llu ms): %s the other\n",
					     dev->name, rep->server, dev->cfg.failover_ms,
					     idle[g[i].rep],
					     g[i].cmd->op == HEXO_OP_READ ? "read from" :
					     "going on with");
		nsw_rep_put(rep);
		nsw_cmd_put(g[i].cmd);
	}
}

/* Takes the mirror state anew; returns whether it changed (*state: the new one). */
static bool nsw_mirror_update(struct nsw_dev *dev, enum netswap_mirror *state)
{
	struct nsw_rsum s[NSW_MAX_REPLICAS];
	bool changed;
	unsigned int r;

	spin_lock_bh(&dev->lock);
	for (r = 0; r < dev->nrep; r++) {
		s[r].present = true;
		s[r].in = dev->rep[r].in && dev->rep[r].chan;
		s[r].up = dev->rep[r].up;
		s[r].dirty = !dev->rep[r].synced;
	}
	*state = nsw_mirror_state(s, dev->nrep);
	changed = *state != dev->mstate;
	dev->mstate = *state;
	spin_unlock_bh(&dev->lock);
	return changed && *state != NETSWAP_MIRROR_NONE;
}

/* Tells listeners of a new mirror state, naming the replica that made it. */
static void nsw_mirror_announce(struct nsw_dev *dev, struct nsw_replica *rep,
				enum netswap_mirror state)
{
	static const u8 ev[] = {
		[NETSWAP_MIRROR_HEALTHY]	= NETSWAP_EV_HEALTHY,
		[NETSWAP_MIRROR_DEGRADED]	= NETSWAP_EV_DEGRADED,
		[NETSWAP_MIRROR_RESYNCING]	= NETSWAP_EV_RESYNCING,
	};
	static const char *const what[] = {
		[NETSWAP_MIRROR_HEALTHY]	= "healthy: both servers hold every page",
		[NETSWAP_MIRROR_DEGRADED]	= "degraded: one copy of the pages",
		[NETSWAP_MIRROR_RESYNCING]	= "resyncing: filling",
	};
	bool resync = state == NETSWAP_MIRROR_RESYNCING;

	pr_info("%s: %s%s%pM%s\n", dev->name, what[state], resync ? " " : " (server ",
		rep->server, resync ? "" : ")");
	nsw_genl_event(READ_ONCE(dev->cfg.net), dev->index, ev[state], rep->server, 0, state);
}

void nsw_mirror_tell(struct nsw_dev *dev, struct nsw_replica *rep)
{
	enum netswap_mirror state;

	if (nsw_mirror_update(dev, &state))
		nsw_mirror_announce(dev, rep, state);
}

bool nsw_rep_fits(struct nsw_dev *dev, const struct hxl_chan_info *ci)
{
	lockdep_assert_held(&dev->lock);
	return !dev->disk_pages || (ci->max_pages >= dev->disk_pages && ci->size >= dev->disk_size);
}

static void nsw_rep_unfit_warn(struct nsw_dev *dev, struct nsw_replica *rep,
			       const struct hxl_chan_info *ci)
{
	pr_warn("%s: server %pM agreed %u pages per request and %llu bytes, less than the disk's %u and %llu: not written to while the other is; replace it\n",
		dev->name, rep->server, ci->max_pages, ci->size, dev->disk_pages, dev->disk_size);
}

/*
 * What a replica's channel says of it now (dev->lock held): up or not and,
 * up, the terms ci it agreed. Back up, it is written to again (what it
 * missed is in its dirty bitmap, once swept if it lost its pages: see
 * resync.c), unless its terms are less than the disk's and the other is
 * in; down, it is given up on if the other is in. Returns whether it is up
 * and unfit.
 */
static bool nsw_rep_take(struct nsw_dev *dev, struct nsw_replica *rep, bool up,
			 const struct hxl_chan_info *ci)
{
	bool other = nsw_mirror_other_in(dev, rep->index);

	rep->up = up;
	if (up) {
		rep->max_pages = ci->max_pages;
		rep->granted = ci->size;
		rep->unfit = !nsw_rep_fits(dev, ci);
	}
	if (up && !rep->sweeping && (!rep->unfit || !other))
		rep->in = true;
	else if (other)
		nsw_mirror_out(dev, rep);
	nsw_mirror_want_disk(dev);
	return up && rep->unfit;
}

void nsw_mirror_want_disk(struct nsw_dev *dev)
{
	unsigned int r;

	lockdep_assert_held(&dev->lock);
	/* Not before attach is done: its failure frees the device. */
	if (!dev->async || !dev->attached || dev->disk_added || dev->dying)
		return;
	for (r = 0; r < dev->nrep; r++)
		if (dev->rep[r].up && dev->rep[r].chan)
			schedule_work(&dev->up_work);
}

void nsw_rep_catch_up(struct nsw_replica *rep)
{
	struct nsw_dev *dev = rep->dev;
	struct hxl_chan_info ci;
	struct hxl_chan *chan;
	bool took, unfit = false;
	u32 seen;

	spin_lock_bh(&dev->lock);
	chan = nsw_rep_get(rep);
	seen = rep->events;
	spin_unlock_bh(&dev->lock);
	if (!chan)
		return;
	hxl_chan_get_info(chan, &ci);
	spin_lock_bh(&dev->lock);
	/* An event since the look above says as much, or more: it stands. */
	took = rep->chan == chan && rep->events == seen;
	if (took)
		unfit = nsw_rep_take(dev, rep, ci.state == HXL_CHAN_UP, &ci);
	spin_unlock_bh(&dev->lock);
	nsw_rep_put(rep);
	if (unfit)
		nsw_rep_unfit_warn(dev, rep, &ci);
	if (took) {
		nsw_mirror_tell(dev, rep);
		nsw_resync_kick(dev);
	}
}

void nsw_mirror_limits(struct nsw_dev *dev, u64 *size, u32 *pages, u32 *window)
{
	struct hxl_chan *chan[NSW_MAX_REPLICAS];
	struct hxl_chan_info ci;
	bool any = false;
	unsigned int r;

	*size = dev->cfg.size;
	*pages = HXL_MAX_PAGES;
	*window = dev->cfg.window;
	nsw_mirror_get_chans(dev, chan);
	for (r = 0; r < dev->nrep; r++) {
		if (!chan[r])
			continue;
		hxl_chan_get_info(chan[r], &ci);
		nsw_rep_put(&dev->rep[r]);
		/* Never answered: its terms are what was asked, not what it agreed. */
		if (ci.state != HXL_CHAN_UP && ci.state != HXL_CHAN_LOST)
			continue;
		if (any && ci.size != *size)
			pr_info("%s: the servers granted %llu and %llu bytes: the disk has the less\n",
				dev->name, *size, ci.size);
		*size = any ? min(*size, ci.size) : ci.size;
		*pages = any ? min(*pages, ci.max_pages) : ci.max_pages;
		*window = any ? min(*window, ci.window) : ci.window;
		any = true;
	}
}

void nsw_mirror_set_limits(struct nsw_dev *dev, u64 size, u32 pages)
{
	struct hxl_chan *chan;
	struct hxl_chan_info ci;
	struct nsw_replica *rep;
	bool unfit;
	unsigned int r;

	spin_lock_bh(&dev->lock);
	dev->disk_size = size;
	dev->disk_pages = pages;
	spin_unlock_bh(&dev->lock);
	/* One that answered after nsw_mirror_limits() looked is judged now. */
	for (r = 0; r < dev->nrep; r++) {
		rep = &dev->rep[r];
		spin_lock_bh(&dev->lock);
		chan = nsw_rep_get(rep);
		spin_unlock_bh(&dev->lock);
		if (!chan)
			continue;
		hxl_chan_get_info(chan, &ci);
		spin_lock_bh(&dev->lock);
		unfit = rep->chan == chan && ci.state == HXL_CHAN_UP && !nsw_rep_fits(dev, &ci);
		if (unfit) {
			rep->unfit = true;
			if (rep->in && nsw_mirror_other_in(dev, r))
				nsw_mirror_out(dev, rep);
		}
		spin_unlock_bh(&dev->lock);
		nsw_rep_put(rep);
		if (unfit) {
			nsw_rep_unfit_warn(dev, rep, &ci);
			nsw_mirror_tell(dev, rep);
		}
	}
}

static void nsw_rep_event(struct hxl_chan *chan, enum hxl_event ev, void *priv)
{
	static const char *const what[] = {
		[HXL_EV_UP]		= "answered",
		[HXL_EV_DOWN]		= "lost",
		[HXL_EV_BACK]		= "back, same session",
		[HXL_EV_RESTARTED]	= "back with a new session: its pages are to be copied again",
		[HXL_EV_GONE]		= "unreachable: the interface is gone",
	};
	struct nsw_replica *rep = priv;
	struct nsw_dev *dev = rep->dev;
	enum netswap_mirror state;
	struct hxl_chan_info ci;
	bool ours, changed, unfit = false;
	unsigned int tries;

	/*
	 * The terms the channel agreed (it takes the channel's lock: not under
	 * ours), taken again if the channel went up or down meanwhile: the
	 * handler of that change's event may have taken our lock first, and
	 * an older snapshot must not undo what it applied.
	 */
	for (tries = 0;; tries++) {
		hxl_chan_get_info(chan, &ci);
		spin_lock_bh(&dev->lock);
		if (hxl_chan_up(chan) == (ci.state == HXL_CHAN_UP) || tries == 3)
			break;
		spin_unlock_bh(&dev->lock);
	}
	/* A replace's new channel is heard from once it is in place. */
	/*
	 * Events before it was installed (attach, replace) are not heard:
	 * nsw_rep_catch_up() takes the channel's state once it is.
	 */
	ours = chan == rep->chan;
	if (ours) {
		rep->events++;
		/*
		 * Up or not as the channel is now, not as the event says:
		 * events of one channel may come out of order (a DOWN its
		 * timer delivers late, after the BACK of the answer to its
		 * HELLO); a change after this look brings an event whose
		 * handler takes our lock after us.
		 */
		unfit = nsw_rep_take(dev, rep, hxl_chan_up(chan), &ci);
	}
	spin_unlock_bh(&dev->lock);
	if (!ours)
		return;

	pr_info("%s: server %pM %s\n", dev->name, rep->server, what[ev]);
	if (unfit)
		nsw_rep_unfit_warn(dev, rep, &ci);
	/* The event carries the mirror state it leads to; then its change, if any. */
	changed = nsw_mirror_update(dev, &state);
	nsw_genl_event(READ_ONCE(dev->cfg.net), dev->index, nsw_event_of(ev), rep->server, ci.session,
		       state);
	if (changed)
		nsw_mirror_announce(dev, rep, state);
	nsw_resync_kick(dev);
}

/*
 * Under the channel's lock: nothing of the new session is in flight yet,
 * and none is sent to the replica until the resync has swept its bitmaps.
 */
static void nsw_rep_session_lost(struct hxl_chan *chan, void *priv)
{
	struct nsw_replica *rep = priv;
	struct nsw_dev *dev = rep->dev;
	bool ours;

	spin_lock_bh(&dev->lock);
	ours = chan == rep->chan;
	if (ours)
		nsw_rep_lost_all(rep);
	spin_unlock_bh(&dev->lock);
	if (ours)
		nsw_resync_kick(dev);
}

const struct hxl_chan_ops nsw_mirror_chan_ops = {
	.event		= nsw_rep_event,
	.session_lost	= nsw_rep_session_lost,
};

int nsw_mirror_init(struct nsw_dev *dev)
{
	unsigned int r;

	INIT_LIST_HEAD(&dev->active);
	init_waitqueue_head(&dev->drained);
	timer_setup(&dev->failover, nsw_failover_tick, 0);
	/*
	 * Before any channel exists: its first event kicks the resync, whose
	 * thread starts only once the channels are connected.
	 */
	init_waitqueue_head(&dev->resync.wait);
	init_completion(&dev->resync.done);
	dev->bits.stored = dev->stored;
	dev->bits.lost = dev->lost;
	dev->bits.n = NSW_MAX_REPLICAS;
	dev->bits.npages = dev->npages;
	for (r = 0; r < NSW_MAX_REPLICAS; r++) {
		struct nsw_replica *rep = &dev->rep[r];

		rep->dev = dev;
		rep->index = r;
		rep->synced = true;
		atomic_set(&rep->busy, 0);
		dev->bits.dirty[r] = kvcalloc(BITS_TO_LONGS(dev->npages), sizeof(long), GFP_KERNEL);
		if (!dev->bits.dirty[r]) {
			while (r--) {
				kvfree(dev->bits.dirty[r]);
				dev->bits.dirty[r] = NULL;
			}
			return -ENOMEM;
		}
	}
	ether_addr_copy(dev->rep[0].server, dev->cfg.server);
	ether_addr_copy(dev->rep[1].server, dev->cfg.mirror);
	dev->mstate = NETSWAP_MIRROR_DEGRADED;
	/* Given up on long ago: taken back as soon as it answers. */
	dev->rep[0].out_at = jiffies - msecs_to_jiffies(NETSWAP_MAX_FAILOVER_MS);
	dev->rep[1].out_at = dev->rep[0].out_at;
	/* Mirrored from here: nsw_dev_free() undoes the above. */
	dev->nrep = NSW_MAX_REPLICAS;
	return 0;
}

/* Everything in flight ended: the channels are destroyed. */
void nsw_mirror_uninit(struct nsw_dev *dev)
{
	unsigned int r;

	del_timer_sync(&dev->failover);
	for (r = 0; r < dev->nrep; r++) {
		kvfree(dev->bits.dirty[r]);
		dev->bits.dirty[r] = NULL;
	}
}

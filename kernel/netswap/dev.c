// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/netswapN: blk-mq block devices whose pages live in a server's RAM,
 * reached through a hexo_link channel. One blk-mq request is one protocol
 * request (max_hw_sectors is the channel's pages per request); the request's
 * PDU holds all the protocol state, so the I/O path allocates nothing but
 * frames (see hexo_link.h).
 *
 * Two bitmaps say what each page is: "stored" pages were written and
 * acknowledged in the current session; "lost" pages were stored once but a
 * server restart, a failed write or the server's own report took them.
 * Pages in neither state were never written, or discarded: they read as
 * zeros without asking the server. Reading a lost page fails with EIO until
 * it is written again, so no stale or foreign data is ever returned as valid.
 *
 * Not QUEUE_FLAG_SYNCHRONOUS: that flag (zram's) makes swap skip the swap
 * cache and readahead, which is right for a RAM disk answering in
 * microseconds and wrong for a device a network round trip away; swap
 * readahead (vm.page-cluster) then batches faults into multi-page requests.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/blkdev.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "dev.h"

static_assert(PAGE_SIZE == HEXO_PAGE_SIZE, "netswap moves 4 KiB pages: 4K-page kernels only");

/* Writes in flight a replace waits for, at least (see nsw_mirror_hold_writes()). */
#define NSW_REPLACE_DRAIN_MS	1000

static int nsw_major;
static DEFINE_XARRAY_ALLOC(nsw_devs);
static DEFINE_MUTEX(nsw_devs_lock);

static bool nsw_any(const unsigned long *map, u64 index, u32 count)
{
	return find_next_bit(map, index + count, index) < index + count;
}

/*
 * Whether one-page reads time their stages (NETSWAP_STAT_TIMED_*): three
 * clock reads a read more, so off unless a measurement asks for it.
 */
static bool time_reads;
module_param(time_reads, bool, 0644);
MODULE_PARM_DESC(time_reads, "time each one-page read's stages (NETSWAP_STAT_TIMED_*)");

/* A timed read ended: its stages, up to now, the moment it was ended. */
static void nsw_timed(struct nsw_dev *dev, u64 queued, u64 sent, u64 answered)
{
	u64 now = ktime_get_ns();

	/* A frame sent before it was queued, or answered before it was sent: no sample. */
	if (sent < queued || answered < sent || now < answered)
		return;
	atomic64_inc(&dev->timed[NSW_TIMED_READS]);
	atomic64_add(sent - queued, &dev->timed[NSW_TIMED_QUEUE_NS]);
	atomic64_add(answered - sent, &dev->timed[NSW_TIMED_WIRE_NS]);
	atomic64_add(now - answered, &dev->timed[NSW_TIMED_END_NS]);
}

static void nsw_req_done(struct hxl_req *req, int status)
{
	struct nsw_cmd *cmd = container_of(req, struct nsw_cmd, req);
	struct request *rq = blk_mq_rq_from_pdu(cmd);
	struct nsw_dev *dev = cmd->dev;
	u64 queued = cmd->queued_ns, sent = req->first_tx_ns, answered = 0;
	u64 i, idx;
	void *kaddr;

	if (queued)
		answered = ktime_get_ns();

	switch (req->op) {
	case HEXO_OP_READ:
		for (i = 0; !status && i < req->count; i++) {
			idx = req->index + i;
			if (test_bit(idx, dev->lost)) {
				status = -EIO;
			} else if (!test_bit(idx, dev->stored)) {
				/* Not ours on the server (never written, or discarded). */
				kaddr = kmap_local_page(cmd->pages[i]);
				memset(kaddr, 0, HEXO_PAGE_SIZE);
				kunmap_local(kaddr);
			} else if (req->absent & BIT_ULL(i)) {
				/* The server no longer holds a page it acknowledged. */
				set_bit(idx, dev->lost);
				clear_bit(idx, dev->stored);
				status = -EIO;
			}
		}
		break;
	case HEXO_OP_WRITE:
		for (i = 0; i < req->count; i++) {
			idx = req->index + i;
			if (!status) {
				clear_bit(idx, dev->lost);
				set_bit(idx, dev->stored);
			} else if (test_and_clear_bit(idx, dev->stored)) {
				/* The server may hold the old data or the new. */
				set_bit(idx, dev->lost);
			}
		}
		break;
	case HEXO_OP_DISCARD:
		for (i = 0; !status && i < req->count; i++) {
			clear_bit(req->index + i, dev->stored);
			clear_bit(req->index + i, dev->lost);
		}
		break;
	}
	/* cmd is blk-mq's again once the request ends: what it holds is read above. */
	blk_mq_end_request(rq, errno_to_blk_status(status));
	if (queued && !status)
		nsw_timed(dev, queued, sent, answered);
}

/* The request's pages: one whole page per 4 KiB block (see the limits). */
bool nsw_map(struct request *rq, struct nsw_cmd *cmd, u32 count)
{
	struct req_iterator iter;
	struct bio_vec bv;
	u32 n = 0;

	rq_for_each_segment(bv, rq, iter) {
		if (bv.bv_offset || bv.bv_len != HEXO_PAGE_SIZE || n >= HXL_MAX_PAGES)
			return false;
		cmd->pages[n++] = bv.bv_page;
	}
	return n == count;
}

/* A request ended here; the last of a batch still sends what the batch held. */
static blk_status_t nsw_local_end(struct nsw_dev *dev, const struct blk_mq_queue_data *bd,
				  blk_status_t status)
{
	if (bd->last)
		hxl_chan_kick(dev->chan);
	return status;
}

static blk_status_t nsw_queue_rq(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd)
{
	struct nsw_dev *dev = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct nsw_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct hxl_req *req = &cmd->req;
	struct bio *bio;
	blk_status_t st;

	if (dev->nrep > 1) {
		st = nsw_mirror_queue_rq(dev, bd);
		/*
		 * The last of a batch sends what the batch held, however it
		 * ended: sent, failed, sent back, or zeros served here.
		 */
		if (bd->last)
			nsw_mirror_kick(dev);
		return st;
	}
	cmd->queued_ns = 0;
	if (READ_ONCE(time_reads) && req_op(rq) == REQ_OP_READ &&
	    blk_rq_sectors(rq) == NSW_SECTORS_PER_PAGE)
		cmd->queued_ns = ktime_get_ns();
	blk_mq_start_request(rq);
	cmd->dev = dev;
	req->index = blk_rq_pos(rq) / NSW_SECTORS_PER_PAGE;
	req->count = blk_rq_sectors(rq) / NSW_SECTORS_PER_PAGE;
	req->pages = cmd->pages;
	req->done = nsw_req_done;

	switch (req_op(rq)) {
	case REQ_OP_READ:
		if (nsw_any(dev->lost, req->index, req->count))
			return nsw_local_end(dev, bd, BLK_STS_IOERR);
		if (!nsw_any(dev->stored, req->index, req->count)) {
			__rq_for_each_bio(bio, rq)
				zero_fill_bio(bio);
			atomic64_add(req->count, &dev->local_reads);
			blk_mq_end_request(rq, BLK_STS_OK);
			return nsw_local_end(dev, bd, BLK_STS_OK);
		}
		if (!nsw_map(rq, cmd, req->count))
			return nsw_local_end(dev, bd, BLK_STS_IOERR);
		req->op = HEXO_OP_READ;
		break;
	case REQ_OP_WRITE:
		if (!nsw_map(rq, cmd, req->count))
			return nsw_local_end(dev, bd, BLK_STS_IOERR);
		req->op = HEXO_OP_WRITE;
		break;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		/* Both leave pages reading as zeros: see nsw_req_done(). */
		req->op = HEXO_OP_DISCARD;
		break;
	case REQ_OP_FLUSH:
		/* Succeeds while the session that acknowledged our writes lives. */
		req->op = HEXO_OP_FLUSH;
		req->index = 0;
		req->count = 0;
		break;
	default:
		return nsw_local_end(dev, bd, BLK_STS_NOTSUPP);
	}
	hxl_chan_submit(dev->chan, req, !bd->last);
	return BLK_STS_OK;
}

/* blk-mq ended a batch early (requests it promised never came). */
static void nsw_commit_rqs(struct blk_mq_hw_ctx *hctx)
{
	struct nsw_dev *dev = hctx->queue->queuedata;

	if (dev->nrep > 1)
		nsw_mirror_kick(dev);
	else
		hxl_chan_kick(dev->chan);
}

static const struct blk_mq_ops nsw_mq_ops = {
	.queue_rq	= nsw_queue_rq,
	.commit_rqs	= nsw_commit_rqs,
};

static const struct block_device_operations nsw_fops = {
	.owner		= THIS_MODULE,
};

static int nsw_dev_add_disk(struct nsw_dev *dev)
{
	struct blk_mq_tag_set *set = &dev->tag_set;
	struct hxl_chan_info ci;
	struct request_queue *q;
	struct gendisk *disk;
	u32 pages, window;
	u64 size;
	int ret;

	if (dev->nrep > 1) {
		/* Every request goes to both: the terms both take. */
		nsw_mirror_limits(dev, &size, &pages, &window);
	} else {
		hxl_chan_get_info(dev->chan, &ci);
		size = ci.size;
		pages = ci.max_pages;
		window = ci.window;
	}
	/*
	 * Requests that an MTU of 1500 still carries, so that the disk keeps
	 * working if the link's MTU drops and the session is agreed anew.
	 */
	pages = min_t(u32, pages, HXL_PAGES_AT_1500);
	if (dev->nrep > 1)
		nsw_mirror_set_limits(dev, size, pages);
	memset(set, 0, sizeof(*set));
	set->ops = &nsw_mq_ops;
	set->nr_hw_queues = 1;
	set->queue_depth = window;
	set->numa_node = NUMA_NO_NODE;
	set->cmd_size = dev->nrep > 1 ? sizeof(struct nsw_cmd) : NSW_CMD_PLAIN_SIZE;
	/*
	 * No I/O scheduler by default: reordering buys nothing on a device
	 * with no seek, and would add its queueing to every network round trip.
	 */
	set->flags = BLK_MQ_F_SHOULD_MERGE | BLK_MQ_F_NO_SCHED_BY_DEFAULT;
	set->driver_data = dev;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	disk = hexo_alloc_disk(set, dev);
	if (IS_ERR(disk)) {
		blk_mq_free_tag_set(set);
		return PTR_ERR(disk);
	}
	q = disk->queue;
	/* A block is a page: whole pages move, with one checksum each. */
	blk_queue_logical_block_size(q, HEXO_PAGE_SIZE);
	blk_queue_physical_block_size(q, HEXO_PAGE_SIZE);
	blk_queue_io_min(q, HEXO_PAGE_SIZE);
	blk_queue_dma_alignment(q, HEXO_PAGE_SIZE - 1);
	blk_queue_max_hw_sectors(q, pages * NSW_SECTORS_PER_PAGE);
	blk_queue_max_segments(q, pages);
	blk_queue_max_discard_sectors(q, HEXO_MAX_DISCARD_PAGES * NSW_SECTORS_PER_PAGE);
	blk_queue_max_write_zeroes_sectors(q, HEXO_MAX_DISCARD_PAGES * NSW_SECTORS_PER_PAGE);
	q->limits.discard_granularity = HEXO_PAGE_SIZE;
	blk_queue_write_cache(q, true, false);
	blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	/*
	 * Pages stay as they were while being written: a retransmission
	 * reads the page again, and its checksum was taken at the first send.
	 */
	blk_queue_flag_set(QUEUE_FLAG_STABLE_WRITES, q);
	blk_queue_flag_clear(QUEUE_FLAG_ADD_RANDOM, q);

	disk->major = nsw_major;
	disk->first_minor = dev->index;
	disk->minors = 1;
	disk->flags |= GENHD_FL_NO_PART;
	disk->fops = &nsw_fops;
	disk->private_data = dev;
	strscpy(disk->disk_name, dev->name, sizeof(disk->disk_name));
	set_capacity(disk, size >> SECTOR_SHIFT);

	ret = add_disk(disk);
	if (ret) {
		put_disk(disk);
		blk_mq_free_tag_set(set);
		return ret;
	}
	dev->disk = disk;
	spin_lock_bh(&dev->lock);
	dev->disk_added = true;
	spin_unlock_bh(&dev->lock);
	return 0;
}

static void nsw_dev_up_work(struct work_struct *work)
{
	struct nsw_dev *dev = container_of(work, struct nsw_dev, up_work);
	bool done;
	int ret;

	/*
	 * Queued again while it ran (a second replica's answer, or a channel
	 * that went down and up meanwhile): the disk exists by now. A work
	 * item does not run beside itself, so this check is enough.
	 */
	spin_lock_bh(&dev->lock);
	done = dev->disk_added || dev->dying;
	spin_unlock_bh(&dev->lock);
	if (done)
		return;
	ret = nsw_dev_add_disk(dev);
	if (ret)
		pr_err("%s: cannot create the disk: %d\n", dev->name, ret);
	else
		pr_info("%s: server %pM on %s answered; disk ready\n", dev->name,
			dev->cfg.server, dev->ifname);
}

static void nsw_chan_event(struct hxl_chan *chan, enum hxl_event ev, void *priv)
{
	static const char *const what[] = {
		[HXL_EV_UP]		= "server answered",
		[HXL_EV_DOWN]		= "server lost: I/O fails until it answers again",
		[HXL_EV_BACK]		= "server back, same session",
		[HXL_EV_RESTARTED]	= "server back with a new session: stored pages lost",
		[HXL_EV_GONE]		= "interface gone: detach this device",
	};
	struct nsw_dev *dev = priv;
	struct hxl_chan_info ci;

	spin_lock_bh(&dev->lock);
	if (ev == HXL_EV_UP && dev->async && !dev->disk_added && !dev->dying)
		schedule_work(&dev->up_work);
	spin_unlock_bh(&dev->lock);

	if (ev != HXL_EV_UP)
		pr_info("%s: %s\n", dev->name, what[ev]);
	hxl_chan_get_info(chan, &ci);
	nsw_genl_event(READ_ONCE(dev->cfg.net), dev->index, nsw_event_of(ev), dev->cfg.server,
		       ci.session, NETSWAP_MIRROR_NONE);
}

static void nsw_chan_session_lost(struct hxl_chan *chan, void *priv)
{
	struct nsw_dev *dev = priv;
	unsigned long i;

	for_each_set_bit(i, dev->stored, dev->npages) {
		set_bit(i, dev->lost);
		clear_bit(i, dev->stored);
	}
}

static const struct hxl_chan_ops nsw_chan_ops = {
	.event		= nsw_chan_event,
	.session_lost	= nsw_chan_session_lost,
};

static void nsw_dev_free(struct nsw_dev *dev)
{
	if (dev->nrep > 1)
		nsw_mirror_uninit(dev);
	kvfree(dev->stored);
	kvfree(dev->lost);
	/* A mirrored device keeps its key for a replace's new channel. */
	kfree_sensitive(dev);
}

/* Nothing is in flight on the disk any more, if it has one. */
static void nsw_dev_destroy_chans(struct nsw_dev *dev)
{
	struct hxl_chan *chan[NSW_MAX_REPLICAS];
	unsigned int r;

	if (dev->nrep < 2) {
		if (dev->chan)
			hxl_chan_destroy(dev->chan);
		return;
	}
	del_timer_sync(&dev->failover);
	/* No new user of either (a read failing on one may turn to the other). */
	spin_lock_bh(&dev->lock);
	for (r = 0; r < dev->nrep; r++) {
		chan[r] = dev->rep[r].chan;
		dev->rep[r].chan = NULL;
	}
	spin_unlock_bh(&dev->lock);
	for (r = 0; r < dev->nrep; r++) {
		wait_var_event(&dev->rep[r].busy, !atomic_read(&dev->rep[r].busy));
		if (chan[r])
			hxl_chan_destroy(chan[r]);
	}
}

static bool nsw_dev_replacing(struct nsw_dev *dev);

/* Tears a device down. It is out of the table already. */
static void nsw_dev_destroy(struct nsw_dev *dev)
{
	bool added;

	/* A replace under way ends first (it finds the device gone). */
	wait_var_event(&dev->replace_pending, !nsw_dev_replacing(dev));
	spin_lock_bh(&dev->lock);
	dev->dying = true;
	spin_unlock_bh(&dev->lock);
	cancel_work_sync(&dev->up_work);
	spin_lock_bh(&dev->lock);
	added = dev->disk_added;
	spin_unlock_bh(&dev->lock);

	if (dev->nrep > 1)
		nsw_resync_uninit(dev);
	/* In-flight I/O ends within the channel's timeout. */
	if (added)
		del_gendisk(dev->disk);
	nsw_dev_destroy_chans(dev);
	if (added) {
		put_disk(dev->disk);
		blk_mq_free_tag_set(&dev->tag_set);
	}
	nsw_dev_free(dev);
}

static void nsw_dev_fill(struct nsw_dev *dev, struct nsw_dev_info *info)
{
	static const enum netswap_state state[] = {
		[HXL_CHAN_CONNECTING]	= NETSWAP_STATE_CONNECTING,
		[HXL_CHAN_UP]		= NETSWAP_STATE_UP,
		[HXL_CHAN_LOST]		= NETSWAP_STATE_LOST,
		[HXL_CHAN_CLOSED]	= NETSWAP_STATE_GONE,
	};

	struct nsw_rep_info *ri;
	unsigned int r;

	memset(info, 0, sizeof(*info));
	info->net = dev->cfg.net;
	info->index = dev->index;
	strscpy(info->name, dev->name, sizeof(info->name));
	strscpy(info->ifname, dev->ifname, sizeof(info->ifname));
	hxl_chan_get_info(dev->chan, &info->chan);
	info->state = state[info->chan.state];
	info->pages_stored = bitmap_weight(dev->stored, dev->npages);
	info->pages_lost = bitmap_weight(dev->lost, dev->npages);
	info->local_reads = atomic64_read(&dev->local_reads);
	for (r = 0; r < NSW_TIMED_NR; r++)
		info->timed[r] = atomic64_read(&dev->timed[r]);
	info->nrep = dev->nrep;
	info->mirror = NETSWAP_MIRROR_NONE;
	if (dev->nrep < 2)
		return;
	/* Replace, which swaps channels, holds nsw_devs_lock as the callers do. */
	for (r = 0; r < dev->nrep; r++) {
		ri = &info->rep[r];
		hxl_chan_get_info(dev->rep[r].chan, &ri->chan);
		if (ri->chan.state == HXL_CHAN_UP)
			info->state = NETSWAP_STATE_UP;
		spin_lock_bh(&dev->lock);
		ether_addr_copy(ri->server, dev->rep[r].server);
		ri->in = dev->rep[r].in;
		ri->lat_us = dev->rep[r].lat_us;
		ri->copied = dev->rep[r].copied;
		ri->failovers = dev->rep[r].failovers;
		ri->reads = dev->rep[r].reads;
		ri->pages_missing = dev->bits.ndirty[r];
		spin_unlock_bh(&dev->lock);
	}
	info->mirror = READ_ONCE(dev->mstate);
	info->failover_ms = dev->cfg.failover_ms;
	info->resync_rate = READ_ONCE(dev->cfg.resync_rate);
}

/* Why a server did not take the attach, for extack. */
static void nsw_connect_err(struct netlink_ext_ack *extack, int ret, bool keyed)
{
	switch (ret) {
	case -ETIMEDOUT:
		if (keyed)
			NL_SET_ERR_MSG(extack,
				       "no answer from the server: is it serving netswap on that link, with the same key?");
		else
			NL_SET_ERR_MSG(extack,
				       "no answer from the server: is it serving netswap on that link (hexoctl netswap serve)?");
		break;
	case -ENOSPC:
		NL_SET_ERR_MSG(extack, "the server refused this size: it has less room");
		break;
	case -ECONNREFUSED:
		NL_SET_ERR_MSG(extack, "the server does not serve netswap on that link");
		break;
	case -EPROTONOSUPPORT:
		NL_SET_ERR_MSG(extack,
			       "the server speaks another wire version: run the same HEXO release on both ends");
		break;
	case -EUSERS:
		NL_SET_ERR_MSG(extack, "the server serves as many boards as it takes (its max-boards)");
		break;
	case -EPROTO:
		NL_SET_ERR_MSG(extack, "the server granted a size that was not asked for: refused");
		break;
	case -EACCES:
		NL_SET_ERR_MSG(extack,
			       "the server serves keyed boards only: attach with its key (key FILE)");
		break;
	case -ENOKEY:
		NL_SET_ERR_MSG(extack,
			       "the server serves without a key: a keyed attach takes no unkeyed server");
		break;
	}
}

/* Waits for chan's server; says why it failed. */
static int nsw_dev_wait(struct nsw_dev *dev, struct hxl_chan *chan, const u8 *server, u32 ms,
			struct netlink_ext_ack *extack)
{
	u64 max_size = 0;
	int ret;

	ret = hxl_chan_wait_up(chan, ms, &max_size);
	if (ret)
		nsw_connect_err(extack, ret, dev->cfg.keyed);
	if (ret == -ENOSPC)
		pr_info("%s: server %pM can grant at most %llu bytes\n", dev->name, server,
			max_size);
	return ret;
}

static void nsw_chan_cfg(const struct nsw_attach *a, const u8 *server, struct hxl_chan_cfg *cfg)
{
	*cfg = (struct hxl_chan_cfg){
		.ifindex = a->ifindex,
		.service = HEXO_SVC_NETSWAP,
		.size = a->size,
		.dead_ms = a->timeout_ms,
		.hold_ms = a->hold_ms,
		.window = a->window,
		.max_pages = HXL_MAX_PAGES,
		.key = a->keyed ? a->key : NULL,
	};
	ether_addr_copy(cfg->peer, server);
}

/* A mirrored device's channels; with connect_ms, waits for at least one. */
static int nsw_dev_mirror_connect(struct nsw_dev *dev, const struct nsw_attach *a,
				  struct netlink_ext_ack *extack)
{
	unsigned long until = jiffies + msecs_to_jiffies(a->connect_ms);
	struct hxl_chan *chan;
	struct hxl_chan_cfg cfg;
	int ret, first = 0;
	unsigned int r;
	bool any;
	u32 left;

	for (r = 0; r < dev->nrep; r++) {
		nsw_chan_cfg(a, dev->rep[r].server, &cfg);
		chan = hxl_chan_create(a->net, &cfg, &nsw_mirror_chan_ops, &dev->rep[r], extack);
		if (IS_ERR(chan))
			return PTR_ERR(chan);
		spin_lock_bh(&dev->lock);
		dev->rep[r].chan = chan;
		if (!r)
			dev->chan = chan;
		spin_unlock_bh(&dev->lock);
		/* It may have answered before it was installed: events ignored then. */
		nsw_rep_catch_up(&dev->rep[r]);
	}
	if (dev->async)
		return 0;
	/* Either will do: the other is filled once it answers. */
	for (r = 0; r < dev->nrep; r++) {
		left = time_before(jiffies, until) ? jiffies_to_msecs(until - jiffies) : 0;
		ret = hxl_chan_wait_up(dev->rep[r].chan, max_t(u32, left, NETSWAP_MIN_CONNECT_MS),
				       NULL);
		/*
		 * Its events set in and up; this only takes the state they may
		 * have missed (never overwriting one that came since).
		 */
		nsw_rep_catch_up(&dev->rep[r]);
		if (ret) {
			pr_warn("%s: server %pM did not answer the attach (%d): degraded until it does\n",
				dev->name, dev->rep[r].server, ret);
			if (!first)
				first = ret;
		}
	}
	spin_lock_bh(&dev->lock);
	any = dev->rep[0].in || dev->rep[1].in;
	spin_unlock_bh(&dev->lock);
	if (any)
		return 0;
	return nsw_dev_wait(dev, dev->rep[0].chan, dev->rep[0].server, NETSWAP_MIN_CONNECT_MS,
			    extack) ?: first;
}

int nsw_dev_attach(const struct nsw_attach *a, struct nsw_dev_info *info,
		   struct netlink_ext_ack *extack)
{
	struct hxl_chan_cfg cfg;
	struct net_device *ndev;
	struct nsw_dev *dev;
	u32 index;
	int ret;

	if (!a->size || a->size % HEXO_PAGE_SIZE) {
		NL_SET_ERR_MSG(extack, "size must be a multiple of 4096 bytes");
		return -EINVAL;
	}
	if (a->mirrored && ether_addr_equal(a->server, a->mirror)) {
		NL_SET_ERR_MSG(extack, "the mirror must be another server than the server");
		return -EINVAL;
	}
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		return -ENOMEM;
	dev->cfg = *a;
	dev->async = !a->connect_ms;
	/* Mirrored once nsw_mirror_init() has allocated what that takes. */
	dev->nrep = 1;
	spin_lock_init(&dev->lock);
	INIT_WORK(&dev->up_work, nsw_dev_up_work);
	atomic64_set(&dev->local_reads, 0);
	dev->npages = a->size / HEXO_PAGE_SIZE;
	dev->stored = kvcalloc(BITS_TO_LONGS(dev->npages), sizeof(long), GFP_KERNEL);
	dev->lost = kvcalloc(BITS_TO_LONGS(dev->npages), sizeof(long), GFP_KERNEL);
	if (!dev->stored || !dev->lost) {
		nsw_dev_free(dev);
		return -ENOMEM;
	}
	if (a->mirrored) {
		ret = nsw_mirror_init(dev);
		if (ret) {
			nsw_dev_free(dev);
			return ret;
		}
	}
	ndev = dev_get_by_index(a->net, a->ifindex);
	if (ndev) {
		strscpy(dev->ifname, ndev->name, sizeof(dev->ifname));
		dev_put(ndev);
	}

	/* Reserve the index first: the disk is named after it. */
	mutex_lock(&nsw_devs_lock);
	ret = xa_alloc(&nsw_devs, &index, NULL, XA_LIMIT(0, NETSWAP_MAX_DEVS - 1),
		       GFP_KERNEL);
	mutex_unlock(&nsw_devs_lock);
	if (ret) {
		NL_SET_ERR_MSG(extack, "too many netswap devices; detach one first");
		memzero_explicit(dev->cfg.key, sizeof(dev->cfg.key));
		nsw_dev_free(dev);
		return ret == -EBUSY ? -ENOSPC : ret;
	}
	dev->index = index;
	snprintf(dev->name, sizeof(dev->name), "netswap%u", index);

	if (a->mirrored) {
		ret = nsw_dev_mirror_connect(dev, a, extack);
		if (ret)
			goto err_chan;
		ret = nsw_resync_init(dev);
		if (ret)
			goto err_chan;
		nsw_mirror_tell(dev, &dev->rep[dev->rep[0].in ? 1 : 0]);
	} else {
		nsw_chan_cfg(a, a->server, &cfg);
		dev->chan = hxl_chan_create(a->net, &cfg, &nsw_chan_ops, dev, extack);
		if (IS_ERR(dev->chan)) {
			ret = PTR_ERR(dev->chan);
			dev->chan = NULL;
			goto err_chan;
		}
		if (!dev->async) {
			ret = nsw_dev_wait(dev, dev->chan, a->server, a->connect_ms, extack);
			if (ret)
				goto err_chan;
		}
	}
	/*
	 * The channels hold the key (a replace's new one takes it from here):
	 * an unmirrored device keeps none.
	 */
	if (!a->mirrored)
		memzero_explicit(dev->cfg.key, sizeof(dev->cfg.key));
	if (!dev->async) {
		ret = nsw_dev_add_disk(dev);
		if (ret)
			goto err_resync;
	}

	mutex_lock(&nsw_devs_lock);
	xa_store(&nsw_devs, index, dev, GFP_KERNEL);
	nsw_dev_fill(dev, info);
	/*
	 * From now on up_work may create a boot-time disk (an error above
	 * frees the device); a replica that answered meanwhile is due one now.
	 * Under nsw_devs_lock: once it is dropped, a detach may free dev.
	 */
	spin_lock_bh(&dev->lock);
	dev->attached = true;
	if (dev->nrep > 1)
		nsw_mirror_want_disk(dev);
	spin_unlock_bh(&dev->lock);
	mutex_unlock(&nsw_devs_lock);
	return 0;

err_resync:
	if (a->mirrored)
		nsw_resync_uninit(dev);
err_chan:
	nsw_dev_destroy_chans(dev);
	mutex_lock(&nsw_devs_lock);
	xa_erase(&nsw_devs, index);
	mutex_unlock(&nsw_devs_lock);
	memzero_explicit(dev->cfg.key, sizeof(dev->cfg.key));
	nsw_dev_free(dev);
	return ret;
}

/*
 * Looks at a replica's channel (not under dev->lock: that takes the
 * channel's); returns the channel looked at, NULL if it has none.
 */
static struct hxl_chan *nsw_replace_look(struct nsw_dev *dev, struct nsw_replica *rep,
					 struct hxl_chan_info *ci)
{
	struct hxl_chan *chan;

	spin_lock_bh(&dev->lock);
	chan = nsw_rep_get(rep);
	spin_unlock_bh(&dev->lock);
	if (chan) {
		hxl_chan_get_info(chan, ci);
		nsw_rep_put(rep);
	}
	return chan;
}

/*
 * Whether the other replica can hold the only copy while a replica is
 * replaced (dev->lock held): in (written to), up, its channel (the one
 * looked at: ci) up with its server heard from, and holding every stored
 * page. Says why not.
 */
static int nsw_replace_check(struct nsw_dev *dev, struct nsw_replica *other,
			     struct hxl_chan *looked, const struct hxl_chan_info *ci,
			     struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&dev->lock);
	if (!looked || other->chan != looked || !other->in || !other->up || other->sweeping ||
	    ci->state != HXL_CHAN_UP || ci->holding) {
		NL_SET_ERR_MSG(extack,
			       "the other replica is not answering (lost, given up on, or its server silent): replacing this one would lose the only copy");
		return -EBUSY;
	}
	if (dev->bits.ndirty[other->index] || other->unfit) {
		NL_SET_ERR_MSG(extack,
			       "the other replica misses pages this one holds (it is being filled): replacing it would lose them");
		return -EBUSY;
	}
	return 0;
}

static bool nsw_dev_replacing(struct nsw_dev *dev)
{
	bool pending;

	spin_lock_bh(&dev->lock);
	pending = dev->replace_pending;
	spin_unlock_bh(&dev->lock);
	return pending;
}

/* The replace is over; dev may be freed from here on (a destroy waits for it). */
static void nsw_replace_end(struct nsw_dev *dev)
{
	spin_lock_bh(&dev->lock);
	dev->replace_pending = false;
	spin_unlock_bh(&dev->lock);
	wake_up_var(&dev->replace_pending);
}

int nsw_dev_replace(u32 index, const u8 *old, const u8 *new, u32 connect_ms, bool set_rate,
		    u32 rate, struct nsw_dev_info *info, struct netlink_ext_ack *extack)
{
	struct nsw_replica *rep = NULL, *other;
	struct hxl_chan *chan = NULL, *gone, *looked;
	struct hxl_chan_info *ci;
	struct hxl_chan_cfg cfg;
	struct nsw_dev *dev;
	unsigned int r;
	int ret;

	ci = kmalloc(sizeof(*ci), GFP_KERNEL);
	if (!ci)
		return -ENOMEM;
	mutex_lock(&nsw_devs_lock);
	dev = xa_load(&nsw_devs, index);
	ret = -ENODEV;
	if (!dev || dev->cfg.net != info->net) {
		NL_SET_ERR_MSG(extack, "no netswap device with this index");
		goto out;
	}
	ret = -EOPNOTSUPP;
	if (dev->nrep < 2) {
		NL_SET_ERR_MSG(extack, "the device is not mirrored: attach it with a mirror");
		goto out;
	}
	for (r = 0; r < dev->nrep; r++)
		if (ether_addr_equal(dev->rep[r].server, old))
			rep = &dev->rep[r];
	ret = -ENOENT;
	if (!rep) {
		NL_SET_ERR_MSG(extack, "no replica of the device has that server");
		goto out;
	}
	other = &dev->rep[rep->index ^ 1];
	ret = -EEXIST;
	if (ether_addr_equal(other->server, new)) {
		NL_SET_ERR_MSG(extack, "the new server is the device's other replica already");
		goto out;
	}
	looked = nsw_replace_look(dev, other, ci);
	spin_lock_bh(&dev->lock);
	/*
	 * Not before the disk exists: up_work, which creates it, reads the
	 * replicas' channels without nsw_devs_lock.
	 */
	ret = -EBUSY;
	if (!dev->disk_added)
		NL_SET_ERR_MSG(extack,
			       "no server has answered yet (the device has no disk): replace once one has");
	else if (dev->replace_pending)
		NL_SET_ERR_MSG(extack, "another replace of the device is under way");
	else
		ret = nsw_replace_check(dev, other, looked, ci, extack);
	if (!ret)
		dev->replace_pending = true;
	spin_unlock_bh(&dev->lock);
	if (ret) {
		pr_info("%s: server %pM cannot hold the only copy now: %pM stays\n", dev->name,
			other->server, old);
		goto out;
	}
	/*
	 * Without nsw_devs_lock while the new server is sought (up to
	 * connect_ms): a detach is refused meanwhile, and a device taken out
	 * of the table by its namespace's exit waits for the end of this
	 * (nsw_dev_destroy()).
	 */
	mutex_unlock(&nsw_devs_lock);

	nsw_chan_cfg(&dev->cfg, new, &cfg);
	chan = hxl_chan_create(dev->cfg.net, &cfg, &nsw_mirror_chan_ops, rep, extack);
	if (IS_ERR(chan)) {
		ret = PTR_ERR(chan);
		chan = NULL;
		goto err_chan;
	}
	ret = nsw_dev_wait(dev, chan, new, connect_ms, extack);
	if (ret)
		goto err_chan;
	hxl_chan_get_info(chan, ci);
	/* Every request of the disk goes to it: it must take them all. */
	spin_lock_bh(&dev->lock);
	ret = 0;
	if (ci->size < dev->disk_size)
		ret = -ENOSPC;
	else if (!nsw_rep_fits(dev, ci))
		ret = -EPROTO;
	spin_unlock_bh(&dev->lock);
	if (ret == -ENOSPC)
		NL_SET_ERR_MSG(extack, "the new server granted less than the device's size");
	else if (ret)
		NL_SET_ERR_MSG(extack,
			       "the new server takes fewer pages per request than the device's requests (its window or MTU)");
	if (ret) {
		pr_info("%s: server %pM agreed %llu bytes and %u pages per request; the disk has %llu and %u\n",
			dev->name, new, ci->size, ci->max_pages, dev->disk_size, dev->disk_pages);
		goto err_chan;
	}

	/*
	 * New writes and discards wait, and those in flight end first (the
	 * other holds them, or the failover gives up on the old server's
	 * copy): none ends with an answer of the old server after the swap.
	 * Should one take longer, the generation below makes such an answer
	 * count for nothing.
	 */
	ret = nsw_mirror_hold_writes(dev, msecs_to_jiffies(max(2 * dev->cfg.failover_ms,
								 NSW_REPLACE_DRAIN_MS)));
	if (ret == -EINTR)
		goto err_hold;
	if (ret)
		pr_info("%s: writes still in flight after the drain; replacing anyway\n", dev->name);

	mutex_lock(&nsw_devs_lock);
	ret = -ENODEV;
	if (xa_load(&nsw_devs, index) != dev) {
		/* Its namespace went meanwhile: its destroy waits for this. */
		NL_SET_ERR_MSG(extack, "the device was detached meanwhile");
		goto err_locked;
	}
	/* The other may have been lost, or missed a write, meanwhile. */
	looked = nsw_replace_look(dev, other, ci);
	spin_lock_bh(&dev->lock);
	ret = nsw_replace_check(dev, other, looked, ci, extack);
	if (ret) {
		spin_unlock_bh(&dev->lock);
		goto err_locked;
	}
	/* No new user of the old channel; those it has end, or fail, first. */
	gone = rep->chan;
	rep->chan = NULL;
	rep->in = false;
	rep->up = false;
	rep->gen++;
	spin_unlock_bh(&dev->lock);
	/* A copy to or from the old server ends now, not at its bound. */
	nsw_resync_cancel(dev, gone);
	wait_var_event(&rep->busy, !atomic_read(&rep->busy));
	hxl_chan_destroy(gone);

	spin_lock_bh(&dev->lock);
	/* The new server holds nothing: every stored page is to be copied. */
	nsw_rep_lost_all(rep);
	rep->chan = chan;
	ether_addr_copy(rep->server, new);
	rep->unfit = false;
	rep->lat_us = 0;
	rep->copied = 0;
	rep->reads = 0;
	if (rep->index == 0)
		dev->chan = chan;
	if (set_rate)
		WRITE_ONCE(dev->cfg.resync_rate, rate);
	spin_unlock_bh(&dev->lock);
	/* Up or not as its channel is now, whatever it said before it was ours. */
	nsw_rep_catch_up(rep);
	nsw_mirror_release_writes(dev);
	pr_info("%s: server %pM replaces %pM; copying its pages\n", dev->name, new, old);
	nsw_mirror_tell(dev, rep);
	nsw_resync_kick(dev);
	nsw_dev_fill(dev, info);
	nsw_replace_end(dev);
	ret = 0;
	goto out;

err_locked:
	mutex_unlock(&nsw_devs_lock);
err_hold:
	nsw_mirror_release_writes(dev);
err_chan:
	if (chan)
		hxl_chan_destroy(chan);
	nsw_replace_end(dev);
	kfree(ci);
	return ret;
out:
	mutex_unlock(&nsw_devs_lock);
	kfree(ci);
	return ret;
}

int nsw_dev_detach(u32 index, const void *owner, struct netlink_ext_ack *extack)
{
	struct nsw_dev *dev;

	mutex_lock(&nsw_devs_lock);
	dev = xa_load(&nsw_devs, index);
	if (!dev || (owner && dev->cfg.owner != owner)) {
		mutex_unlock(&nsw_devs_lock);
		NL_SET_ERR_MSG(extack, "no netswap device with this index");
		return -ENODEV;
	}
	if (dev->disk_added && disk_openers(dev->disk)) {
		mutex_unlock(&nsw_devs_lock);
		NL_SET_ERR_MSG(extack, "the device is in use: swapoff (or close) it first");
		return -EBUSY;
	}
	if (nsw_dev_replacing(dev)) {
		mutex_unlock(&nsw_devs_lock);
		NL_SET_ERR_MSG(extack, "a replace of the device is under way: detach it once done");
		return -EBUSY;
	}
	xa_erase(&nsw_devs, index);
	mutex_unlock(&nsw_devs_lock);
	nsw_dev_destroy(dev);
	return 0;
}

int nsw_dev_get(u32 index, struct nsw_dev_info *info)
{
	struct nsw_dev *dev;
	int ret = -ENODEV;

	mutex_lock(&nsw_devs_lock);
	dev = xa_load(&nsw_devs, index);
	if (dev) {
		nsw_dev_fill(dev, info);
		ret = 0;
	}
	mutex_unlock(&nsw_devs_lock);
	return ret;
}

int nsw_dev_next(u32 *index, struct nsw_dev_info *info)
{
	unsigned long i = *index;
	struct nsw_dev *dev;
	int ret = -ENODEV;

	mutex_lock(&nsw_devs_lock);
	dev = xa_find(&nsw_devs, &i, NETSWAP_MAX_DEVS - 1, XA_PRESENT);
	if (dev) {
		nsw_dev_fill(dev, info);
		*index = dev->index + 1;
		ret = 0;
	}
	mutex_unlock(&nsw_devs_lock);
	return ret;
}

u32 nsw_dev_count(struct net *net)
{
	struct nsw_dev *dev;
	unsigned long i;
	u32 n = 0;

	mutex_lock(&nsw_devs_lock);
	xa_for_each(&nsw_devs, i, dev)
		n += dev->cfg.net == net;
	mutex_unlock(&nsw_devs_lock);
	return n;
}

void nsw_dev_net_exit(struct net *net)
{
	struct nsw_dev *dev;
	unsigned long i;

	mutex_lock(&nsw_devs_lock);
	xa_for_each(&nsw_devs, i, dev) {
		if (dev->cfg.net != net)
			continue;
		if (dev->disk_added && disk_openers(dev->disk)) {
			pr_info("%s: its namespace is gone, but it is open: detach it once closed\n",
				dev->name);
			WRITE_ONCE(dev->cfg.net, &init_net);
			continue;
		}
		xa_erase(&nsw_devs, i);
		mutex_unlock(&nsw_devs_lock);
		pr_info("%s: its namespace is gone: detached\n", dev->name);
		nsw_dev_destroy(dev);
		mutex_lock(&nsw_devs_lock);
	}
	mutex_unlock(&nsw_devs_lock);
}

int nsw_dev_init(void)
{
	nsw_major = register_blkdev(0, "netswap");
	return nsw_major < 0 ? nsw_major : 0;
}

void nsw_dev_uninit(void)
{
	struct nsw_dev *dev;
	unsigned long i;

	/* Nothing is open (an opener holds the module), so all can go. */
	mutex_lock(&nsw_devs_lock);
	xa_for_each(&nsw_devs, i, dev) {
		xa_erase(&nsw_devs, i);
		mutex_unlock(&nsw_devs_lock);
		nsw_dev_destroy(dev);
		mutex_lock(&nsw_devs_lock);
	}
	mutex_unlock(&nsw_devs_lock);
	xa_destroy(&nsw_devs);
	unregister_blkdev(nsw_major, "netswap");
}

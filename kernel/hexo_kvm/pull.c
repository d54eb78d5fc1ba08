// SPDX-License-Identifier: GPL-2.0
/*
 * Offloads, target side (pull.h). An OFFER from a source's hexo_kvm waits
 * in a small table until the caller (the target's VMM) pulls the guest
 * memory it needs, straight into its own pinned memory over a hexo_link
 * session with the source, and answers: ACCEPT returns only once the source
 * confirmed that it lets go of the VM, so the VM never runs in two places.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <hexo/hexo_kvm.h>

#include "link/hexo_link.h"
#include "netlink.h"
#include "pull.h"
#include "service.h"
#include "vm.h"

/* Wire indexes are guest frame numbers, and the dirty map moves in pages. */
static_assert(PAGE_SIZE == HEXO_PAGE_SIZE, "hexo_kvm moves 4 KiB pages: 4K-page kernels only");

/* Pages pinned and in flight per step of a pull. */
#define HKVM_PULL_CHUNK		256
/*
 * Pages per hexo_link request. The channel's window of pages in flight
 * (64) is what keeps the link busy, and a request is its grain: a window
 * halved by a loss to 32 pages holds one request of 21 pages (the most one
 * carries at MTU 1500), the link idle for a round trip between its
 * replies, but four of 8. Smaller requests cost nothing on the wire (a
 * page's reply frames are the same whatever request asked for it) but a
 * 16-byte READV entry each.
 */
#define HKVM_PULL_REQ_PAGES	8
/* A source that stays silent this long fails the pull. */
#define HKVM_PULL_DEAD_MS	5000

struct hkvm_offer {
	struct hkvm_offer_info info;	/* info.id 0: a free slot */
	unsigned long at;		/* jiffies: when it came */
	struct hxl_chan *chan;		/* to the source; set under hkvm_pull_mutex */
	bool taken;			/* post-copy: TAKE confirmed, pulls go on */
	bool withdrawn;			/* the source's WITHDRAW came: drop it */
	bool answering;			/* an answer is on its way: one at a time */
	/* Pages pulled after TAKE, for RELEASE to report. */
	atomic64_t demand, background;
	/* Pulls hold it for reading while they use chan; a drop for writing. */
	struct rw_semaphore use;
};

/* Slots and their info under hkvm_offers_lock (taken in softirq too). */
static DEFINE_SPINLOCK(hkvm_offers_lock);
static struct hkvm_offer hkvm_offers[HEXO_KVM_MAX_OFFERS];
static u32 hkvm_offer_next;
/*
 * Offers coming and going, and their channels. Held for bookkeeping only:
 * pulls, connects and answers run without it (an offer's use rwsem keeps
 * its channel while they do).
 */
static DEFINE_MUTEX(hkvm_pull_mutex);

/* An offer came or changed: told to the events group, out of softirq. */
static void hkvm_offer_event_fn(struct work_struct *work)
{
	hkvm_genl_offers_event();
}

static DECLARE_WORK(hkvm_offer_event, hkvm_offer_event_fn);

static void hkvm_offer_drop(struct hkvm_offer *o, u32 id);

/*
 * Offers that nobody takes any more go, with their channels to the source:
 * those the source withdrew, and those unused (no pull, no answer, no new
 * offer) for longer than any source waits (its taker died, and its
 * WITHDRAW was lost, or a post-copy taker died before its RELEASE). While
 * offers exist, every HKVM_OFFERS_GC_MS.
 */
#define HKVM_OFFERS_GC_MS	10000

static void hkvm_offers_gc_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(hkvm_offers_gc, hkvm_offers_gc_fn);

static void hkvm_offers_gc_fn(struct work_struct *work)
{
	unsigned long idle = msecs_to_jiffies(HEXO_KVM_TIMEOUT_MAX_MS);
	bool left = false, gone = false, stale;
	const char *why;
	struct hkvm_offer *o;
	u8 peer[ETH_ALEN];
	u32 id;
	int i;

	mutex_lock(&hkvm_pull_mutex);
	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++) {
		o = &hkvm_offers[i];
		spin_lock_bh(&hkvm_offers_lock);
		/*
		 * Taken, it goes once its taker has been silent that long too:
		 * a live post-copy guest pulls on until it RELEASEs.
		 */
		stale = o->info.id && ((o->withdrawn && !o->taken) ||
				       time_after(jiffies, READ_ONCE(o->at) + idle));
		/*
		 * A pull under way (none starts while we hold the mutex) is use:
		 * its offer goes after it, not while we wait on it here.
		 */
		if (stale && rwsem_is_locked(&o->use))
			stale = false;
		left |= o->info.id && !stale;
		id = o->info.id;
		ether_addr_copy(peer, o->info.peer);
		why = o->withdrawn && !o->taken ? "withdrawn by its source" :
		      o->taken ? "taken, its taker silent too long" : "unused too long";
		spin_unlock_bh(&hkvm_offers_lock);
		if (!stale)
			continue;
		pr_info("offer %u from %pM: %s; dropped\n", id, peer, why);
		hkvm_offer_drop(o, id);
		gone = true;
	}
	mutex_unlock(&hkvm_pull_mutex);
	if (gone)
		hkvm_genl_offers_event();
	if (left)
		mod_delayed_work(system_wq, &hkvm_offers_gc, msecs_to_jiffies(HKVM_OFFERS_GC_MS));
}

bool hkvm_pull_withdrawn(const u8 *peer, const struct hexo_kvm_msg *msg)
{
	u16 export = be16_to_cpu(msg->export);
	u64 token = be64_to_cpu(msg->token);
	struct hkvm_offer *o;
	bool found = false;
	int i;

	spin_lock(&hkvm_offers_lock);
	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++) {
		o = &hkvm_offers[i];
		if (o->info.id && o->info.export == export && o->info.token == token &&
		    ether_addr_equal(o->info.peer, peer)) {
			o->withdrawn = true;
			found = true;
		}
	}
	spin_unlock(&hkvm_offers_lock);
	if (found)
		mod_delayed_work(system_wq, &hkvm_offers_gc, 0);
	return found;
}

static struct hkvm_offer *hkvm_offer_find(u32 id);

/*
 * An OFFER or PRECOPY from peer: a new offer, a retransmission of one, or a
 * pre-copy's final offer. Its answer: HEXO_ST_OK, HEXO_ST_INVAL, or
 * HEXO_ST_NOSPC when every slot holds an offer that is not stale yet (the
 * source ends its offload with ENOSPC at once, not at its timeout).
 */
int hkvm_pull_offered(const u8 *peer, int ifindex, const struct hexo_kvm_msg *msg)
{
	u64 mem = be64_to_cpu(msg->mem_size), token = be64_to_cpu(msg->token);
	bool precopy = be16_to_cpu(msg->type) == HEXO_KVM_MSG_PRECOPY, news = false;
	int st = HEXO_ST_OK;
	u16 export = be16_to_cpu(msg->export);
	struct hkvm_offer *o, *slot = NULL;
	int i;

	if (!export || export > HEXO_KVM_MAX_EXPORTS || !mem || mem % HEXO_PAGE_SIZE ||
	    mem >> PAGE_SHIFT > HEXO_KVM_MAP_GFN || !memchr(msg->app, 0, sizeof(msg->app)))
		return HEXO_ST_INVAL;
	spin_lock(&hkvm_offers_lock);
	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++) {
		o = &hkvm_offers[i];
		if (o->info.id && o->info.export == export && o->info.token == token &&
		    ether_addr_equal(o->info.peer, peer)) {
			/* A retransmission, or the final offer of a pre-copy. */
			if (!precopy && o->info.precopy) {
				if (mem != o->info.mem_size) {
					st = HEXO_ST_INVAL;
					goto out;
				}
				o->info.heap_top = be64_to_cpu(msg->heap_top);
				o->info.point = be32_to_cpu(msg->point);
				o->info.layout = be32_to_cpu(msg->layout);
				o->info.precopy = false;
				o->info.precopied = true;
				o->at = jiffies;
				news = true;
				pr_info_ratelimited("offer %u from %pM: pre-copied, stopped at migration point %u\n",
						    o->info.id, peer, o->info.point);
			}
			goto out;
		}
		if (!o->info.id && !slot)
			slot = o;
	}
	/* Full: the oldest unanswered offer's source gave up on it long ago. */
	for (i = 0; !slot && i < HEXO_KVM_MAX_OFFERS; i++) {
		o = &hkvm_offers[i];
		if (!o->chan && time_after(jiffies, o->at +
					   msecs_to_jiffies(HEXO_KVM_TIMEOUT_MAX_MS)))
			slot = o;
	}
	if (!slot) {
		pr_info_ratelimited("offer from %pM refused: %u offers held, none stale\n", peer,
				    HEXO_KVM_MAX_OFFERS);
		st = HEXO_ST_NOSPC;
		goto out;
	}
	memset(&slot->info, 0, sizeof(slot->info));
	slot->withdrawn = false;
	slot->answering = false;
	/* An id wraps after 2^32 offers: never onto one still held. */
	do {
		if (!++hkvm_offer_next)
			++hkvm_offer_next;
	} while (hkvm_offer_find(hkvm_offer_next));
	slot->info.id = hkvm_offer_next;
	ether_addr_copy(slot->info.peer, peer);
	slot->info.ifindex = ifindex;
	slot->info.isa = be32_to_cpu(msg->isa);
	slot->info.mem_size = mem;
	slot->info.heap_top = be64_to_cpu(msg->heap_top);
	slot->info.layout = be32_to_cpu(msg->layout);
	slot->info.point = be32_to_cpu(msg->point);
	hkvm_vm_str(slot->info.app, msg->app, sizeof(slot->info.app));	/* logged, shown */
	slot->info.precopy = precopy;
	/* How long the caller waits for the final offer: bounded here, whatever came. */
	slot->info.timeout_ms = be32_to_cpu(msg->timeout_ms);
	if (!precopy)
		slot->info.timeout_ms = 0;
	else if (slot->info.timeout_ms < HEXO_KVM_TIMEOUT_MIN_MS ||
		 slot->info.timeout_ms > HEXO_KVM_TIMEOUT_MAX_MS)
		slot->info.timeout_ms = HEXO_KVM_TIMEOUT_DEFAULT_MS;
	slot->info.export = export;
	slot->info.token = token;
	slot->at = jiffies;
	news = true;
	if (precopy)
		pr_info_ratelimited("offer %u from %pM: %s, %llu MiB, pre-copy\n", slot->info.id,
				    peer, slot->info.app, mem >> 20);
	else
		pr_info_ratelimited("offer %u from %pM: %s, %llu MiB, at migration point %u\n",
				    slot->info.id, peer, slot->info.app, mem >> 20,
				    slot->info.point);
out:
	spin_unlock(&hkvm_offers_lock);
	if (news) {
		schedule_work(&hkvm_offer_event);
		/* Not sooner than it was due: a new offer does not hasten the next look. */
		schedule_delayed_work(&hkvm_offers_gc, msecs_to_jiffies(HKVM_OFFERS_GC_MS));
	}
	return st;
}

static struct hkvm_offer *hkvm_offer_find(u32 id)
{
	int i;

	for (i = 0; id && i < HEXO_KVM_MAX_OFFERS; i++)
		if (hkvm_offers[i].info.id == id)
			return &hkvm_offers[i];
	return NULL;
}

/*
 * Under hkvm_pull_mutex: the offer of an id, marked in use (not stale for
 * HEXO_KVM_TIMEOUT_MAX_MS) before the caller connects or pulls, so that a
 * new offer in softirq, which reuses a stale slot when all are held, never
 * takes it meanwhile.
 */
static struct hkvm_offer *hkvm_offer_use(u32 id)
{
	struct hkvm_offer *o;

	spin_lock_bh(&hkvm_offers_lock);
	o = hkvm_offer_find(id);
	if (o)
		o->at = jiffies;
	spin_unlock_bh(&hkvm_offers_lock);
	return o;
}

int hkvm_pull_get(u32 id, struct hkvm_offer_info *info)
{
	struct hkvm_offer *o;
	int ret = -ENOENT;

	spin_lock_bh(&hkvm_offers_lock);
	o = hkvm_offer_find(id);
	if (o) {
		*info = o->info;
		ret = 0;
	}
	spin_unlock_bh(&hkvm_offers_lock);
	return ret;
}

int hkvm_pull_next(u32 *id, struct hkvm_offer_info *info)
{
	struct hkvm_offer *best = NULL, *o;
	int i, ret = -ENOENT;

	spin_lock_bh(&hkvm_offers_lock);
	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++) {
		o = &hkvm_offers[i];
		/* A post-copy TAKE answered it: its taker pulls on, nobody else takes it. */
		if (o->info.id && !READ_ONCE(o->taken) && o->info.id >= *id &&
		    (!best || o->info.id < best->info.id))
			best = o;
	}
	if (best) {
		*info = best->info;
		*id = best->info.id + 1;
		ret = 0;
	}
	spin_unlock_bh(&hkvm_offers_lock);
	return ret;
}

/*
 * Called and returns with hkvm_pull_mutex held: the channel to the source
 * of offer *op (id), connected. The connect (up to HKVM_PULL_DEAD_MS to a
 * silent source) runs without the mutex, so that it holds up no other
 * offer's pulls; the offer is looked up again after it (*op).
 */
static int hkvm_pull_chan(struct net *net, u32 id, struct hkvm_offer **op,
			  struct netlink_ext_ack *extack)
{
	struct hkvm_offer *o = *op;
	struct hxl_chan_cfg cfg = {
		.ifindex = o->info.ifindex,
		.service = HEXO_SVC_KVM,
		.size = HEXO_KVM_SPACE,
		.dead_ms = HKVM_PULL_DEAD_MS,
		.window = 64,
		.max_pages = HXL_PAGES_AT_1500,
	};
	struct hxl_chan *chan;
	int ret;

	if (o->chan)
		return 0;
	memcpy(cfg.peer, o->info.peer, ETH_ALEN);
	mutex_unlock(&hkvm_pull_mutex);
	chan = hxl_chan_create(net, &cfg, &hkvm_chan_ops, NULL, extack);
	if (!IS_ERR(chan)) {
		ret = hxl_chan_wait_up(chan, HKVM_PULL_DEAD_MS, NULL);
		if (ret) {
			NL_SET_ERR_MSG(extack, "the offer's source does not answer");
			hxl_chan_destroy(chan);
			chan = ERR_PTR(-EIO);
		}
	}
	mutex_lock(&hkvm_pull_mutex);
	o = hkvm_offer_use(id);
	*op = o;
	if (IS_ERR(chan))
		return PTR_ERR(chan);
	if (!o || o->chan) {
		/* Dropped meanwhile, or another caller connected first. */
		hxl_chan_destroy(chan);
		if (o)
			return 0;
		NL_SET_ERR_MSG(extack, "the offer went while its source was connected to");
		return -ENOENT;
	}
	spin_lock_bh(&hkvm_offers_lock);
	o->chan = chan;
	spin_unlock_bh(&hkvm_offers_lock);
	return 0;
}

struct hkvm_pull_step;

struct hkvm_pull_req {
	struct hxl_req req;
	struct hkvm_pull_step *st;
	int status;
};

/* Runs of guest pages, HKVM_PULL_CHUNK in all at most, and where they go. */
struct hkvm_pull_seg {
	u64 gfn;			/* of the export: a guest page or the map's */
	unsigned long n;
	u64 addr;			/* the caller's; 0: into pages[] as given */
};

struct hkvm_pull_step {
	bool urgent;			/* a guest waits: ahead of background pulls */
	atomic_t pending;
	struct completion done;
	struct page *pages[HKVM_PULL_CHUNK];
	struct hkvm_pull_seg segs[HKVM_PULL_CHUNK];
	struct hkvm_pull_req reqs[HKVM_PULL_CHUNK];
};

static void hkvm_pull_req_done(struct hxl_req *req, int status)
{
	struct hkvm_pull_req *pr = container_of(req, struct hkvm_pull_req, req);
	struct hkvm_pull_step *st = pr->st;

	pr->status = status;
	if (atomic_dec_and_test(&st->pending))
		complete(&st->done);
}

/*
 * Reads nsegs segments of the export into st->pages, in requests of
 * max_pages at most, and waits for them all; pages that came ABSENT are
 * zeroed.
 */
static int hkvm_pull_xfer(struct hkvm_offer *o, struct hkvm_pull_step *st, unsigned int nsegs,
			  u32 max_pages)
{
	unsigned long off = 0, i, k, nreq = 0, c;
	unsigned int s;
	int ret = 0;

	for (s = 0; s < nsegs; s++) {
		for (i = 0; i < st->segs[s].n; i += c, nreq++) {
			struct hkvm_pull_req *pr = &st->reqs[nreq];

			c = min_t(unsigned long, max_pages, st->segs[s].n - i);
			memset(pr, 0, sizeof(*pr));
			pr->st = st;
			pr->req.op = HEXO_OP_READ;
			pr->req.index = o->info.export * HEXO_KVM_SPAN + 1 + st->segs[s].gfn + i;
			pr->req.count = c;
			pr->req.pages = st->pages + off + i;
			pr->req.done = hkvm_pull_req_done;
		}
		off += st->segs[s].n;
	}
	if (!nreq)
		return 0;
	atomic_set(&st->pending, nreq);
	reinit_completion(&st->done);
	for (k = 0; k < nreq; k++) {
		if (st->urgent)
			hxl_chan_submit_urgent(o->chan, &st->reqs[k].req, k + 1 < nreq);
		else
			hxl_chan_submit(o->chan, &st->reqs[k].req, k + 1 < nreq);
	}
	/* hexo_link ends every request within the channel's dead_ms. */
	wait_for_completion(&st->done);
	for (k = 0; k < nreq; k++) {
		struct hxl_req *req = &st->reqs[k].req;

		if (st->reqs[k].status) {
			ret = -EIO;
			continue;
		}
		for (i = 0; i < req->count; i++)
			if (req->absent & BIT_ULL(i))
				clear_highpage(req->pages[i]);
	}
	return ret;
}

/* One step: st->segs[0, nsegs) into the caller's memory at their addr. */
static int hkvm_pull_step(struct hkvm_offer *o, struct hkvm_pull_step *st, unsigned int nsegs,
			  u32 max_pages)
{
	unsigned long off = 0;
	unsigned int s;
	int got, ret;

	for (s = 0; s < nsegs; s++) {
		got = pin_user_pages_fast(st->segs[s].addr, st->segs[s].n, FOLL_WRITE,
					  st->pages + off);
		if (got > 0)
			off += got;
		if (got < 0 || (unsigned long)got != st->segs[s].n) {
			unpin_user_pages(st->pages, off);
			return -EFAULT;
		}
	}
	ret = hkvm_pull_xfer(o, st, nsegs, max_pages);
	unpin_user_pages_dirty_lock(st->pages, off, true);
	return ret;
}

/* [gfn, gfn + n) to addr, a step at a time. */
static int hkvm_pull_range(struct hkvm_offer *o, struct hkvm_pull_step *st, u64 gfn, u64 n,
			   u64 addr, u32 max_pages)
{
	u64 done, c;
	int ret = 0;

	for (done = 0; done < n && !ret; done += c) {
		c = min_t(u64, HKVM_PULL_CHUNK, n - done);
		st->segs[0] = (struct hkvm_pull_seg){ gfn + done, c, addr + (done << PAGE_SHIFT) };
		ret = hkvm_pull_step(o, st, 1, max_pages);
	}
	return ret;
}

/*
 * The pages of [gfn, gfn + n) that the source's dirty map names, to addr:
 * the map a page at a time, then its runs, HKVM_PULL_CHUNK pages a step.
 */
static int hkvm_pull_dirty(struct hkvm_offer *o, struct hkvm_pull_step *st, u64 gfn, u64 n,
			   u64 addr, u32 max_pages, u64 *pulled)
{
	const u64 bits = PAGE_SIZE * 8;
	unsigned long nseg = 0, npages = 0, b, e, take;
	struct page *mpage;
	u64 k, lo, hi;
	void *map;
	int ret = 0;

	mpage = alloc_page(GFP_KERNEL);
	map = mpage ? kmalloc(PAGE_SIZE, GFP_KERNEL) : NULL;
	if (!map) {
		if (mpage)
			__free_page(mpage);
		return -ENOMEM;
	}
	for (k = gfn / bits; k <= (gfn + n - 1) / bits && !ret; k++) {
		/* The runs of the map page before go first: the map takes slot 0. */
		if (nseg) {
			ret = hkvm_pull_step(o, st, nseg, max_pages);
			*pulled += npages;
			nseg = npages = 0;
			if (ret)
				break;
		}
		st->segs[0] = (struct hkvm_pull_seg){ HEXO_KVM_MAP_GFN + k, 1, 0 };
		st->pages[0] = mpage;
		ret = hkvm_pull_xfer(o, st, 1, max_pages);
		if (ret)
			break;
		memcpy_from_page(map, mpage, 0, PAGE_SIZE);
		lo = max(gfn, k * bits) - k * bits;
		hi = min(gfn + n, (k + 1) * bits) - k * bits;
		for (b = find_next_bit_le(map, hi, lo); b < hi && !ret;
		     b = find_next_bit_le(map, hi, e)) {
			e = find_next_zero_bit_le(map, hi, b);
			while (b < e && !ret) {
				take = min_t(unsigned long, e - b, HKVM_PULL_CHUNK - npages);
				st->segs[nseg++] = (struct hkvm_pull_seg){
					k * bits + b, take, addr + ((k * bits + b - gfn) << PAGE_SHIFT)
				};
				npages += take;
				b += take;
				if (npages == HKVM_PULL_CHUNK) {
					ret = hkvm_pull_step(o, st, nseg, max_pages);
					*pulled += npages;
					nseg = npages = 0;
				}
			}
		}
	}
	if (!ret && nseg) {
		ret = hkvm_pull_step(o, st, nseg, max_pages);
		*pulled += npages;
	}
	kfree(map);
	__free_page(mpage);
	return ret;
}

int hkvm_pull(struct net *net, u32 id, u64 gpa, u64 len, u64 addr, bool background,
	      bool dirty, u64 *pulled, struct netlink_ext_ack *extack)
{
	struct hkvm_pull_step *st = NULL;
	struct hxl_chan_info ci;
	struct hkvm_offer *o;
	u32 mp;
	int ret;

	*pulled = 0;
	if (!len || (gpa | len | addr) % HEXO_PAGE_SIZE) {
		NL_SET_ERR_MSG(extack, "address, length and guest address must be page-aligned");
		return -EINVAL;
	}
	mutex_lock(&hkvm_pull_mutex);
	o = hkvm_offer_use(id);
	if (!o) {
		NL_SET_ERR_MSG(extack, "no such offer");
		mutex_unlock(&hkvm_pull_mutex);
		return -ENOENT;
	}
	if (gpa >= o->info.mem_size || len > o->info.mem_size - gpa) {
		NL_SET_ERR_MSG(extack, "outside the offered guest's memory");
		mutex_unlock(&hkvm_pull_mutex);
		return -EINVAL;
	}
	if (dirty && !o->info.precopied) {
		NL_SET_ERR_MSG(extack, "changed pages are known after a pre-copy round only");
		mutex_unlock(&hkvm_pull_mutex);
		return -EINVAL;
	}
	ret = hkvm_pull_chan(net, id, &o, extack);
	if (!ret)
		down_read(&o->use);
	mutex_unlock(&hkvm_pull_mutex);
	if (ret)
		return ret;
	hxl_chan_get_info(o->chan, &ci);
	mp = clamp_t(u32, ci.max_pages, 1, HKVM_PULL_REQ_PAGES);
	st = kvzalloc(sizeof(*st), GFP_KERNEL);
	if (!st) {
		ret = -ENOMEM;
		goto out;
	}
	init_completion(&st->done);
	/*
	 * Everything but the post-copy background pull has a guest waiting
	 * on it (a fault, or the hand-off): its requests go ahead of the
	 * background's on the channel, so a fault waits for the window in
	 * flight (64 pages at most), never behind the background's queue.
	 */
	st->urgent = !background;
	if (dirty) {
		ret = hkvm_pull_dirty(o, st, gpa >> PAGE_SHIFT, len >> PAGE_SHIFT, addr, mp, pulled);
	} else {
		ret = hkvm_pull_range(o, st, gpa >> PAGE_SHIFT, len >> PAGE_SHIFT, addr, mp);
		if (!ret)
			*pulled = len >> PAGE_SHIFT;
	}
	if (!ret && o->taken)
		atomic64_add(*pulled, background ? &o->background : &o->demand);
	if (ret == -EIO)
		NL_SET_ERR_MSG(extack, "the source did not deliver the pages (gone, or no such export)");
	else if (ret == -EFAULT)
		NL_SET_ERR_MSG(extack, "the address range is not the caller's writable memory");
out:
	WRITE_ONCE(o->at, jiffies);	/* its taker was here until now */
	up_read(&o->use);
	kvfree(st);
	return ret;
}

/*
 * Under hkvm_pull_mutex: frees o's slot and its channel, once no pull uses
 * it, if it still holds offer id (softirq reuses a stale slot that has no
 * channel, when all are held).
 */
static void hkvm_offer_drop(struct hkvm_offer *o, u32 id)
{
	struct hxl_chan *chan;

	down_write(&o->use);
	spin_lock_bh(&hkvm_offers_lock);
	if (o->info.id != id) {
		spin_unlock_bh(&hkvm_offers_lock);
		up_write(&o->use);
		return;
	}
	chan = o->chan;
	o->chan = NULL;
	o->info.id = 0;
	o->taken = false;
	o->answering = false;
	spin_unlock_bh(&hkvm_offers_lock);
	if (chan)
		hxl_chan_destroy(chan);
	up_write(&o->use);
}

int hkvm_pull_answer(struct net *net, u32 id, int type, struct netlink_ext_ack *extack)
{
	bool accept = type == HEXO_KVM_MSG_DONE || type == HEXO_KVM_MSG_TAKE;
	struct hexo_kvm_msg msg = {};
	struct hkvm_offer *o;
	int ret;

	mutex_lock(&hkvm_pull_mutex);
	o = hkvm_offer_use(id);
	if (!o) {
		NL_SET_ERR_MSG(extack, "no such offer");
		ret = -ENOENT;
		goto out;
	}
	if (accept && o->info.precopy) {
		NL_SET_ERR_MSG(extack, "the guest runs at its source: end the pre-copy round first");
		ret = -EINVAL;
		goto out;
	}
	if (type == HEXO_KVM_MSG_COPIED && !o->info.precopy) {
		NL_SET_ERR_MSG(extack, "this offer is not in a pre-copy round");
		ret = -EINVAL;
		goto out;
	}
	if ((type == HEXO_KVM_MSG_RELEASE) != o->taken) {
		if (o->taken)
			NL_SET_ERR_MSG(extack, "the VM was taken: release the offer instead");
		else
			NL_SET_ERR_MSG(extack, "release follows a post-copy accept only");
		ret = -EINVAL;
		goto out;
	}
	if (o->answering) {
		/* Two takers answering one offer: the first one's answer stands. */
		NL_SET_ERR_MSG(extack, "another taker is answering this offer");
		ret = -EBUSY;
		goto out;
	}
	o->answering = true;
	msg.magic = cpu_to_be32(HEXO_KVM_MSG_MAGIC);
	msg.type = cpu_to_be16(type);
	msg.export = cpu_to_be16(o->info.export);
	msg.token = cpu_to_be64(o->info.token);
	if (type == HEXO_KVM_MSG_RELEASE) {
		msg.demand = cpu_to_be64(atomic64_read(&o->demand));
		msg.background = cpu_to_be64(atomic64_read(&o->background));
	}
	ret = hkvm_pull_chan(net, id, &o, extack);
	if (!ret) {
		/* Sent without the mutex: a lost source's bound holds up nobody else. */
		down_read(&o->use);
		mutex_unlock(&hkvm_pull_mutex);
		ret = hkvm_chan_send(o->chan, &msg);
		up_read(&o->use);
		mutex_lock(&hkvm_pull_mutex);
		o = hkvm_offer_use(id);	/* NULL: withdrawn and dropped meanwhile */
	}
	if (o)
		o->answering = false;
	if (ret && accept) {
		/* Not confirmed: the source runs the VM on after its deadline. */
		NL_SET_ERR_MSG(extack, "the source did not confirm: do not run the VM");
		ret = -EIO;
	}
	if (!o)
		goto out;
	if (!ret && type == HEXO_KVM_MSG_TAKE) {
		atomic64_set(&o->demand, 0);
		atomic64_set(&o->background, 0);
		o->taken = true;	/* pulls go on until RELEASE */
	} else if (type == HEXO_KVM_MSG_COPIED) {
		/* The source's final offer follows; the caller rejects it if not. */
	} else {
		hkvm_offer_drop(o, id);
	}
out:
	mutex_unlock(&hkvm_pull_mutex);
	return ret;
}

void hkvm_pull_init(void)
{
	int i;

	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++)
		init_rwsem(&hkvm_offers[i].use);
}

void hkvm_pull_uninit(void)
{
	int i;

	cancel_delayed_work_sync(&hkvm_offers_gc);
	cancel_work_sync(&hkvm_offer_event);
	mutex_lock(&hkvm_pull_mutex);
	for (i = 0; i < HEXO_KVM_MAX_OFFERS; i++)
		if (hkvm_offers[i].info.id)
			hkvm_offer_drop(&hkvm_offers[i], hkvm_offers[i].info.id);
	mutex_unlock(&hkvm_pull_mutex);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Client channels: a session with one server. Requests go out as the
 * congestion window allows; replies are matched by tag; whatever is not
 * answered within the retransmission timeout (RTT-based, RFC 6298), or
 * overtaken by the answer to a later request (hxl_chan_early()), is sent
 * again, and fails once the channel's bound has passed. A silent server is
 * pinged, declared lost after the bound, and sought again with HELLO; the
 * user hears whether it came back with the same session or a new one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/highmem.h>
#include <linux/moduleparam.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/utsname.h>

#include "chan.h"
#include "frag.h"
#include "link.h"
#include "port.h"

#define HXL_CTL_SLOT		0xffff
#define HXL_RTO_INITIAL_US	200000
#define HXL_RTO_MIN_US		10000
#define HXL_RTO_MAX_US		2000000
#define HXL_HELLO_MAX_MS	1000
#define HXL_PING_MS		250
#define HXL_KEEPALIVE_MS	1000
#define HXL_IDLE_TICK_MS	100
/* Early retransmission's pause after frames were seen out of order. */
#define HXL_EARLY_OFF_MS	10000
/*
 * A request handed in this long ago and still in the hand-in list when the
 * timer runs was left there: every holder of chan->lock takes the list
 * before it lets go (hxl_chan_unlock()), and a submitter goes from handing
 * in to trying the lock with softirqs off (only a hypervisor that stops
 * its vCPU that long in between makes the count wrong). The timer takes it
 * then, and counts it in stats.stranded.
 */
#define HXL_STRANDED_MS		50
/* Silence after which a channel with a hold stops counting deadlines. */
#define HXL_HOLD_SILENT_MS	(HXL_KEEPALIVE_MS + 2 * HXL_PING_MS)
/*
 * A channel with a hold fails a request whose deadline passed only once
 * the server proved alive after it: it answered a PING at its first
 * sending. Until then the request waits, and the channel pings the server
 * at once; a PING that needed sending again says the server was away, and
 * every request gets its whole dead_ms from its answer (see
 * hxl_chan_deadline()).
 */

/*
 * Debugging the write order: where a new channel's sequence starts and by
 * how much each write or discard advances it, so that a test reaches orders
 * a real session takes billions of requests to reach. Bounded so that no
 * session can come near the end of 64 bits.
 */
static unsigned long long seq_start;
module_param(seq_start, ullong, 0644);
MODULE_PARM_DESC(seq_start, "debug: first write order of new channels (at most 2^48)");
static uint seq_stride = 1;
module_param(seq_stride, uint, 0644);
MODULE_PARM_DESC(seq_stride, "debug: write order step of new channels (1..2^31)");
/*
 * Debugging HELLO answers: every control exchange's tag (0: random), so that
 * two channels to one server draw the same one.
 */
static ushort ctl_tag;
module_param(ctl_tag, ushort, 0644);
MODULE_PARM_DESC(ctl_tag, "debug: the tag of every HELLO and PING (0: random)");

/* Debugging tag reuse: the tag generation new channels start at. */
static ushort tag_gen_start;
module_param(tag_gen_start, ushort, 0644);
MODULE_PARM_DESC(tag_gen_start, "debug: tag generation of new channels (tags wrap after 65535)");

static_assert(HXP_MAX_FRAGS / ((HEXO_PAGE_SIZE + ((1500 - HEXO_HDR_LEN - HEXO_AUTH_LEN) & ~7) - 1) /
			      ((1500 - HEXO_HDR_LEN - HEXO_AUTH_LEN) & ~7)) == HXL_PAGES_AT_1500);

/* The protocol's states are what the channel's user sees. */
static_assert((int)HXL_CHAN_CONNECTING == (int)HXP_CONNECTING);
static_assert((int)HXL_CHAN_UP == (int)HXP_UP);
static_assert((int)HXL_CHAN_LOST == (int)HXP_LOST);
static_assert((int)HXL_CHAN_CLOSED == (int)HXP_CLOSED);

enum hxl_req_state {
	HXL_REQ_NEW,
	HXL_REQ_QUEUED,
	HXL_REQ_INFLIGHT,
	HXL_REQ_DONE,
};

/* What a locked section leaves to do once the lock is dropped. */
struct hxl_chan_out {
	struct sk_buff_head tx;
	struct list_head done;
	unsigned long events;
};

static void hxl_chan_out_init(struct hxl_chan_out *o)
{
	__skb_queue_head_init(&o->tx);
	INIT_LIST_HEAD(&o->done);
	o->events = 0;
}

/*
 * Frames leave in the order they were built under chan->lock, from
 * whichever context: each holder of the lock moves what it built to
 * chan->txq before letting go (hxl_chan_unlock()), and one context at a
 * time sends from there. Early retransmission (hxl_chan_early()) judges a
 * request lost by the order its frames were sent in; when each context
 * sent its own after dropping the lock, a submitter's frames went out
 * behind those a receive softirq on another CPU built after them.
 */
static void hxl_chan_txq_add(struct hxl_chan *chan, struct sk_buff_head *q)
{
	if (skb_queue_empty(q))
		return;
	spin_lock(&chan->txq.lock);
	skb_queue_splice_tail_init(q, &chan->txq);
	spin_unlock(&chan->txq.lock);
}

static void hxl_chan_xmit(struct hxl_chan *chan)
{
	struct sk_buff *skb;

	/*
	 * Ordered both ways against a queuer's splice, then its own try:
	 * either the sender that lets go sees the frames, or the queuer
	 * finds the bit clear and sends them itself.
	 */
	smp_mb();
	while (!skb_queue_empty_lockless(&chan->txq) && !test_and_set_bit(0, &chan->tx_busy)) {
		while ((skb = skb_dequeue(&chan->txq))) {
			if (chan->keyed) {
				if (((struct hexo_hdr *)skb->data)->op == HEXO_OP_HELLO)
					hxl_auth_hello_seal(chan->hello_key, skb);
				else
					hxl_auth_seal_next(&chan->auth, skb);
			}
			hxl_port_xmit(chan->port, chan->peer, skb);
		}
		clear_bit_unlock(0, &chan->tx_busy);
		/* Then look again: pairs with a queuer's smp_mb() above. */
		smp_mb__after_atomic();
	}
}

static void hxl_chan_out_flush(struct hxl_chan *chan, struct hxl_chan_out *o)
{
	struct hxl_req *req, *tmp;
	int ev;

	/* Built outside the lock (BYE): no order to keep with anything. */
	if (!skb_queue_empty(&o->tx)) {
		spin_lock_bh(&chan->txq.lock);
		skb_queue_splice_tail_init(&o->tx, &chan->txq);
		spin_unlock_bh(&chan->txq.lock);
	}
	hxl_chan_xmit(chan);
	list_for_each_entry_safe(req, tmp, &o->done, node) {
		list_del_init(&req->node);
		req->done(req, req->status);
	}
	for_each_set_bit(ev, &o->events, BITS_PER_LONG)
		if (chan->ops->event)
			chan->ops->event(chan, ev, chan->priv);
}

/* Window cost of a request, in pages. */
static u32 hxl_req_cost(const struct hxl_req *req)
{
	if (req->op == HEXO_OP_READ || req->op == HEXO_OP_WRITE)
		return req->count;
	return 1;
}

/*
 * Transmissions a request gets at least before its deadline: the backoff
 * never grows past a third of the channel's timeout. After a stall, the
 * RTO sits near its 2 s ceiling; doubled once, it would leave a request of
 * a 5 s timeout a single retransmission, and a frame lost twice (a busy
 * server's receive ring overflows) would fail a request that a live server
 * would have answered.
 */
#define HXL_MIN_TRIES		3

static unsigned long hxl_chan_rto(struct hxl_chan *chan, unsigned int attempts)
{
	u32 us = hxp_rto_us(&chan->rtt, HXL_RTO_INITIAL_US, HXL_RTO_MIN_US, HXL_RTO_MAX_US);
	unsigned long j = usecs_to_jiffies(us);
	unsigned long most = usecs_to_jiffies(HXL_RTO_MAX_US * 2);

	if (chan->dead_ms)
		most = min(most, msecs_to_jiffies(chan->dead_ms) / HXL_MIN_TRIES);
	/* Exponential backoff, within the largest timeout. */
	j <<= min(attempts, 4u);
	return clamp(j, 2UL, max(most, 2UL));
}

static struct sk_buff *hxl_chan_frame(struct hxl_chan *chan, u8 op, u32 tag, u32 data_len)
{
	struct sk_buff *skb = hxl_port_alloc_skb(chan->port, data_len);
	struct hexo_hdr *h;

	if (!skb)
		return NULL;
	h = (struct hexo_hdr *)skb->data;
	hxp_hdr_init(h, chan->service, op, op == HEXO_OP_HELLO ? 0 : chan->session, tag);
	h->data_len = cpu_to_be16(data_len);
	chan->stats.tx_frames++;
	return skb;
}

/* A frame of a write's data (hxl_frag_send()). */
struct hxl_chan_wr {
	struct hxl_chan *chan;
	struct hxl_req *req;
};

static struct sk_buff *hxl_chan_write_frame(void *arg, u32 len)
{
	struct hxl_chan_wr *w = arg;
	struct sk_buff *skb = hxl_chan_frame(w->chan, HEXO_OP_WRITE, w->req->tag, len);
	struct hexo_hdr *h;

	if (!skb)
		return NULL;
	h = (struct hexo_hdr *)skb->data;
	h->index = cpu_to_be64(w->req->index);
	h->count = cpu_to_be32(w->req->count);
	h->seq = cpu_to_be64(w->req->seq);
	if (w->req->attempts)
		h->flags |= HEXO_F_RETRY;
	return skb;
}

/* A transmission of req, its mark and time (hxl_chan_early()): nothing heard yet. */
static void hxl_req_sent(struct hxl_req *req, u64 mark, u64 ns)
{
	req->heard = false;
	req->busy = false;
	req->early = false;
	req->tx_mark = mark;
	req->tx_ns = ns;
}

/* Sends req, or what of it is still missing. Under chan->lock. */
static void hxl_chan_send_req(struct hxl_chan *chan, struct hxl_req *req,
			      struct hxl_chan_out *o)
{
	struct hxl_chan_wr w = { chan, req };
	struct hexo_hdr *h;
	struct sk_buff *skb;
	u32 first, last, i;
	void *kaddr;

	req->rto_at = jiffies + hxl_chan_rto(chan, req->backoff);
	hxl_req_sent(req, ++chan->tx_mark, ktime_get_ns());

	switch (req->op) {
	case HEXO_OP_READ:
		/* Ask again only for the span of pages still missing. */
		first = 0;
		last = req->count - 1;
		while (first < req->count && (req->pages_ok & BIT_ULL(first)))
			first++;
		while (last > first && (req->pages_ok & BIT_ULL(last)))
			last--;
		skb = hxl_chan_frame(chan, HEXO_OP_READ, req->tag, 0);
		if (!skb)
			return;
		h = (struct hexo_hdr *)skb->data;
		h->index = cpu_to_be64(req->index + first);
		h->count = cpu_to_be32(last - first + 1);
		break;

	case HEXO_OP_WRITE:
		for (i = 0; i < req->count; i++) {
			kaddr = kmap_local_page(req->pages[i]);
			hxl_frag_send(kaddr, i, chan->frag, req->crc[i], hxl_chan_write_frame, &w,
				      &o->tx);
			kunmap_local(kaddr);
		}
		return;

	default:	/* DISCARD, FLUSH */
		skb = hxl_chan_frame(chan, req->op, req->tag, 0);
		if (!skb)
			return;
		h = (struct hexo_hdr *)skb->data;
		h->index = cpu_to_be64(req->index);
		h->count = cpu_to_be32(req->count);
		h->seq = cpu_to_be64(req->seq);
		break;
	}
	if (req->attempts)
		h->flags |= HEXO_F_RETRY;
	__skb_queue_tail(&o->tx, skb);
}

/* Ends req with status; the caller hears of it once the lock is dropped. */
static void hxl_chan_finish(struct hxl_chan *chan, struct hxl_req *req, int status,
			    struct hxl_chan_out *o)
{
	int k = hxl_op_index(req->op);

	if (req->state == HXL_REQ_INFLIGHT) {
		chan->slots[req->slot] = NULL;
		clear_bit(req->slot, chan->busy_slots);
		chan->inflight -= hxl_req_cost(req);
	} else if (req->state == HXL_REQ_QUEUED) {
		list_del(&req->node);
		chan->npending--;
	}
	req->state = HXL_REQ_DONE;
	req->status = status;
	if (status) {
		chan->stats.errors++;
	} else {
		u64 now = ktime_get_ns();
		/* A round trip that spans a stall of this host is no sample. */
		bool sample = req->first_tx_ns >= chan->stall_ns;

		chan->stats.reqs[k]++;
		chan->stats.pages[k] += req->count;
		if (!req->attempts) {
			if (sample)
				hxp_rtt_sample(&chan->rtt, div_u64(now - req->first_tx_ns, 1000),
					      div_u64(now, 1000));
		} else if (req->late) {
			/*
			 * The first transmission's answer, late: nothing was
			 * lost, and its round trip is known for sure: the
			 * timeout now stays above it (the estimate's peak).
			 */
			chan->stats.spurious++;
			hxp_cwnd_undo(&chan->cwnd);
			/* Sent again early, answered in time: frames were reordered. */
			if (req->early)
				chan->early_off = jiffies + msecs_to_jiffies(HXL_EARLY_OFF_MS);
			if (sample)
				hxp_rtt_sample(&chan->rtt, div_u64(now - req->first_tx_ns, 1000),
					      div_u64(now, 1000));
		}
		hxp_cwnd_ack(&chan->cwnd, hxl_req_cost(req));
	}
	list_add_tail(&req->node, &o->done);
}

/* The end-to-end checksum of each page of a write, taken once. */
static void hxl_req_checksum(struct hxl_req *req)
{
	void *kaddr;
	u32 i;

	for (i = 0; i < req->count; i++) {
		kaddr = kmap_local_page(req->pages[i]);
		req->crc[i] = hxp_data_crc(req->index + i, kaddr, HEXO_PAGE_SIZE);
		kunmap_local(kaddr);
	}
}

/*
 * First transmissions of reads, gathered by hxl_chan_pump() into READV
 * frames: a request frame per batch instead of per read. Until the batch
 * is sent, its reads' tx_mark is HXL_MARK_BATCHED.
 */
#define HXL_MARK_BATCHED	U64_MAX

struct hxl_readv {
	struct sk_buff *skb;
	u32 n, most;
};

static void hxl_readv_flush(struct hxl_chan *chan, struct hxl_readv *rv, struct hxl_chan_out *o)
{
	struct hxl_req *req;
	struct hexo_hdr *h;
	u64 now;
	u32 slot;

	if (!rv->skb)
		return;
	/*
	 * The batch's reads are sent now, after whatever went out while it
	 * filled: their transmission is counted now (hxl_chan_early()).
	 */
	chan->tx_mark++;
	now = ktime_get_ns();
	for_each_set_bit(slot, chan->busy_slots, chan->nslots) {
		req = chan->slots[slot];
		if (req->tx_mark == HXL_MARK_BATCHED) {
			req->tx_mark = chan->tx_mark;
			req->tx_ns = now;
		}
	}
	h = (struct hexo_hdr *)rv->skb->data;
	h->count = cpu_to_be32(rv->n);
	h->data_len = cpu_to_be16(rv->n * sizeof(struct hexo_readv));
	/* The header's checksum does not cover the entries: this does. */
	h->data_crc = cpu_to_be32(hxp_data_crc(0, h + 1, rv->n * sizeof(struct hexo_readv)));
	__skb_queue_tail(&o->tx, rv->skb);
	rv->skb = NULL;
	rv->n = 0;
}

/* Adds a read's first transmission to the batch; false if it must go alone. */
static bool hxl_readv_add(struct hxl_chan *chan, struct hxl_readv *rv, struct hxl_req *req,
			  struct hxl_chan_out *o)
{
	struct hexo_readv *e;

	if (!rv->skb) {
		rv->most = min_t(u32, chan->frag / sizeof(*e), 255);
		/* Room for the most entries; the frame ends where they do. */
		rv->skb = hxl_chan_frame(chan, HEXO_OP_READV, 0,
					 rv->most * sizeof(struct hexo_readv));
		if (!rv->skb)
			return false;
	}
	e = skb_put(rv->skb, sizeof(*e));
	e->tag = cpu_to_be32(req->tag);
	e->count = cpu_to_be32(req->count);
	e->index = cpu_to_be64(req->index);
	req->rto_at = jiffies + hxl_chan_rto(chan, 0);
	hxl_req_sent(req, HXL_MARK_BATCHED, 0);
	if (++rv->n == rv->most)
		hxl_readv_flush(chan, rv, o);
	return true;
}

/* Sends what the window allows. Under chan->lock. */
static void hxl_chan_pump(struct hxl_chan *chan, struct hxl_chan_out *o)
{
	struct hxl_readv rv = {};
	struct hxl_req *req;
	u32 slot;

	while (chan->state == HXP_UP && !list_empty(&chan->pending) && !chan->held) {
		req = list_first_entry(&chan->pending, struct hxl_req, node);
		if ((req->op == HEXO_OP_READ || req->op == HEXO_OP_WRITE) &&
		    req->count > chan->max_pages) {
			/* Only if the server shrank the request size on reconnection. */
			hxl_chan_finish(chan, req, -EIO, o);
			continue;
		}
		if (chan->inflight && chan->inflight + hxl_req_cost(req) > chan->cwnd.cwnd)
			break;
		slot = find_first_zero_bit(chan->busy_slots, chan->nslots);
		if (slot >= chan->nslots)
			break;
		list_del(&req->node);
		chan->npending--;
		set_bit(slot, chan->busy_slots);
		chan->slots[slot] = req;
		req->slot = slot;
		req->tag = (u32)(++chan->gen) << 16 | slot;
		if (req->op == HEXO_OP_WRITE || req->op == HEXO_OP_DISCARD) {
			chan->seq += chan->seq_stride;
			req->seq = chan->seq;
		}
		if (req->op == HEXO_OP_WRITE)
			hxl_req_checksum(req);
		req->state = HXL_REQ_INFLIGHT;
		req->first_tx_ns = ktime_get_ns();
		chan->inflight += hxl_req_cost(req);
		if (req->op != HEXO_OP_READ || !(chan->caps & HEXO_CAP_READV) ||
		    !hxl_readv_add(chan, &rv, req, o))
			hxl_chan_send_req(chan, req, o);
	}
	hxl_readv_flush(chan, &rv, o);
}

/* Fails everything in flight or queued, on input in. Under chan->lock. */
static void hxl_chan_fail_all(struct hxl_chan *chan, enum hxp_input in,
			      struct hxl_chan_out *o)
{
	struct hxl_req *req, *tmp;
	u32 slot;

	for_each_set_bit(slot, chan->busy_slots, chan->nslots)
		hxl_chan_finish(chan, chan->slots[slot], -EIO, o);
	list_for_each_entry_safe(req, tmp, &chan->pending, node)
		hxl_chan_finish(chan, req, -EIO, o);
	chan->state = hxp_next_state(chan->state, in);
}

/* Queues a request handed in by hxl_chan_queue(). Under chan->lock. */
static void hxl_chan_enqueue(struct hxl_chan *chan, struct hxl_req *req, struct hxl_chan_out *o)
{
	struct hxl_req *r;
	int err = req->status;

	if (!err && (chan->state == HXP_LOST || chan->state == HXP_CLOSED))
		err = -EIO;
	chan->held = req->more;
	if (err) {
		hxl_chan_finish(chan, req, err, o);
		return;
	}
	req->dead_at = jiffies + msecs_to_jiffies(chan->dead_ms);
	req->state = HXL_REQ_QUEUED;
	if (req->urgent) {
		/* Behind the urgent ones already queued (few), before the rest. */
		list_for_each_entry(r, &chan->pending, node)
			if (!r->urgent)
				break;
		list_add_tail(&req->node, &r->node);
	} else {
		list_add_tail(&req->node, &chan->pending);
	}
	chan->npending++;
}

/*
 * Queues what was handed in while the lock was held, in the order it came,
 * then a kick handed in with it (hxl_chan_kick()), and sends what the
 * window allows. Under chan->lock.
 */
static void hxl_chan_take_submitted(struct hxl_chan *chan, struct hxl_chan_out *o)
{
	/* Fully ordered: sees every request handed in before a kick. */
	bool kicked = atomic_xchg(&chan->kicked, 0);
	struct llist_node *first = llist_del_all(&chan->submitted);
	struct hxl_req *req, *tmp;

	llist_for_each_entry_safe(req, tmp, llist_reverse_order(first), submitted) {
		hxl_chan_enqueue(chan, req, o);
		/* A batch's end goes out now, as at its submitter's own call. */
		if (!req->more)
			hxl_chan_pump(chan, o);
	}
	if (kicked) {
		chan->held = false;
		hxl_chan_pump(chan, o);
	}
}

/*
 * Lets go of chan->lock taken with spin_lock() (or the spin_lock_bh()
 * of hxl_chan_unlock_bh()). A submitter that finds the lock held leaves its
 * request in chan->submitted and goes (hxl_chan_queue()): the holder queues
 * it first, and looks again once the lock is dropped, so that a request
 * handed in at that moment is not left behind. What to send and to
 * complete goes into o, for the caller to flush.
 */
static void hxl_chan_unlock(struct hxl_chan *chan, struct hxl_chan_out *o)
	__releases(&chan->lock)
{
	for (;;) {
		hxl_chan_take_submitted(chan, o);
		hxl_chan_txq_add(chan, &o->tx);
		spin_unlock(&chan->lock);
		/*
		 * Pairs with the full barrier between a submitter's
		 * llist_add() (or a kick's flag) and its trylock: of the two,
		 * the later sees the other.
		 */
		smp_mb();
		if ((llist_empty(&chan->submitted) && !atomic_read(&chan->kicked)) ||
		    !spin_trylock(&chan->lock))
			return;
	}
}

static void hxl_chan_unlock_bh(struct hxl_chan *chan, struct hxl_chan_out *o)
	__releases(&chan->lock)
{
	hxl_chan_unlock(chan, o);
	local_bh_enable();
}

static void hxl_chan_start_ctl(struct hxl_chan *chan, u8 op, u32 rto_ms)
{
	/*
	 * A nonce per HELLO exchange (its retransmissions keep it): a replay
	 * of an earlier exchange's reply matches nothing.
	 */
	if (op == HEXO_OP_HELLO) {
		WRITE_ONCE(chan->nonce, get_random_u64());
		/*
		 * Numbered, so that the server tells this exchange from a late
		 * copy of an earlier one; offering one MTU throughout, so that
		 * both ends compute the terms from the same offers.
		 */
		chan->hello_seq++;
		chan->hello_mtu = min_t(u32, hxl_port_mtu(chan->port), U16_MAX);
	}
	chan->ctl_op = op;
	chan->ctl_tag = (u32)(READ_ONCE(ctl_tag) ?: get_random_u16()) << 16 | HXL_CTL_SLOT;
	chan->ctl_at = jiffies;
	chan->ctl_start = jiffies;
	chan->ctl_tx = 0;
	chan->ctl_rto_ms = rto_ms;
}

/* The server is gone for now: fail what is pending, look for it again. */
static void hxl_chan_lose(struct hxl_chan *chan, enum hxp_input in, struct hxl_chan_out *o)
{
	hxl_chan_fail_all(chan, in, o);
	hxp_cwnd_init(&chan->cwnd, min(16U, chan->window), chan->window);
	hxl_chan_start_ctl(chan, HEXO_OP_HELLO, 200);
	set_bit(HXL_EV_DOWN, &o->events);
}

static void hxl_chan_send_ctl(struct hxl_chan *chan, struct hxl_chan_out *o)
{
	struct hexo_hello *hello;
	struct hexo_hdr *h;
	struct sk_buff *skb;

	if (chan->ctl_op == HEXO_OP_PING) {
		skb = hxl_chan_frame(chan, HEXO_OP_PING, chan->ctl_tag, 0);
		if (skb)
			__skb_queue_tail(&o->tx, skb);
		return;
	}

	skb = hxl_chan_frame(chan, HEXO_OP_HELLO, chan->ctl_tag, sizeof(*hello));
	if (!skb)
		return;
	h = (struct hexo_hdr *)skb->data;
	hello = skb_put_zero(skb, sizeof(*hello));
	hello->nonce = cpu_to_be64(chan->nonce);
	hello->boot = cpu_to_be64(hxl_boot_id);
	hello->size = cpu_to_be64(chan->want_size);
	hello->prev_session = cpu_to_be32(chan->ever_up ? chan->session : 0);
	hello->caps = cpu_to_be32(HXP_CAPS | (chan->keyed ? HEXO_CAP_KEYED : 0));
	h->seq = cpu_to_be64(chan->hello_seq);
	hello->mtu = cpu_to_be16(chan->hello_mtu);
	hello->window = cpu_to_be16(chan->want_window);
	hello->max_pages = cpu_to_be16(chan->want_max_pages);
	strscpy(hello->name, chan->name, sizeof(hello->name));
	h->data_crc = cpu_to_be32(hxp_data_crc(0, hello, sizeof(*hello)));
	__skb_queue_tail(&o->tx, skb);
}

/* Sends the control exchange under way (again), and times its next sending. */
static void hxl_chan_ctl_tx(struct hxl_chan *chan, unsigned long now, struct hxl_chan_out *o)
{
	chan->ctl_tx++;
	hxl_chan_send_ctl(chan, o);
	chan->ctl_at = now + msecs_to_jiffies(chan->ctl_rto_ms);
	if (chan->ctl_op == HEXO_OP_HELLO)
		chan->ctl_rto_ms = min(chan->ctl_rto_ms * 2, (u32)HXL_HELLO_MAX_MS);
}

/* Silence past which the server is declared lost. */
static unsigned long hxl_chan_silence_bound(struct hxl_chan *chan)
{
	return msecs_to_jiffies(max(chan->dead_ms, chan->hold_ms));
}

/* Whether the server is silent and the channel holds its requests for it. */
static bool hxl_chan_holding(struct hxl_chan *chan, unsigned long now)
{
	return chan->hold_ms && chan->state == HXP_UP &&
	       time_after_eq(now, chan->last_rx + msecs_to_jiffies(HXL_HOLD_SILENT_MS));
}

/*
 * Whether a request whose deadline passed fails now. Without a hold, yes.
 * With one, only if the server answered a PING at its first sending after
 * the deadline: alive, and yet it did not answer the request. Otherwise the
 * server may be away (a link outage whose first second or so the keepalive
 * has not seen yet): the request waits and the caller pings the server.
 * Under chan->lock.
 */
static bool hxl_chan_deadline(struct hxl_chan *chan, struct hxl_req *req)
{
	return !chan->hold_ms || time_after_eq(chan->alive_at, req->dead_at);
}

/*
 * The server is silent, within the hold: no request reaches its deadline
 * meanwhile, so each gets its whole dead_ms once the server answers again.
 * Under chan->lock.
 */
static void hxl_chan_hold(struct hxl_chan *chan, unsigned long now)
{
	unsigned long until = now + msecs_to_jiffies(chan->dead_ms);
	struct hxl_req *req;
	u32 slot;

	for_each_set_bit(slot, chan->busy_slots, chan->nslots)
		if (time_before(chan->slots[slot]->dead_at, until))
			chan->slots[slot]->dead_at = until;
	list_for_each_entry(req, &chan->pending, node)
		if (time_before(req->dead_at, until))
			req->dead_at = until;
}

/*
 * This host did not run for d jiffies up to now (a hypervisor descheduled
 * it, its softirqs were held off): the server's answers may have come and
 * been dropped meanwhile, and its silence was ours. Each request's
 * deadline, and the silence that loses the server, move by as long, so
 * that both are measured in this host's running time; and no round trip
 * measured across the stall is taken (the timeout would grow by the
 * stall, and requests lost to it would wait as long to be sent again).
 * Under chan->lock.
 */
static void hxl_chan_stalled(struct hxl_chan *chan, unsigned long now, unsigned long d)
{
	struct hxl_req *req;
	u32 slot;

	chan->stall_ns = ktime_get_ns();
	chan->last_rx = time_after(chan->last_rx + d, now) ? now : chan->last_rx + d;
	for_each_set_bit(slot, chan->busy_slots, chan->nslots)
		chan->slots[slot]->dead_at += d;
	list_for_each_entry(req, &chan->pending, node)
		req->dead_at += d;
	net_info_ratelimited("%pM: this host did not run for %u ms: deadlines moved as much\n",
			     chan->peer, jiffies_to_msecs(d));
}

/*
 * A loss: the window is halved, at most once a round trip, and once for a
 * silence: a server heard from since the last halving. A stalled server's
 * timeouts, one a round trip, would otherwise take the window to 1, and a
 * stall is no congestion. Under chan->lock.
 */
static void hxl_chan_loss(struct hxl_chan *chan, unsigned long now)
{
	if (time_after(now, chan->last_loss + usecs_to_jiffies(chan->rtt.srtt_us)) &&
	    time_after(chan->last_rx, chan->last_loss)) {
		hxp_cwnd_loss(&chan->cwnd);
		chan->last_loss = now;
	}
}

/*
 * Early retransmission (RACK, RFC 8985). A server answers a session's
 * requests in the order they reach it, every frame of one answer before the
 * next; one Ethernet segment does not reorder frames, and this end sends
 * them in the order their marks were drawn (hxl_chan_xmit()). So the first
 * frame of an answer to a request sent at mark and tx_ns says that a read or
 * write sent before it, by RACK's reordering window at least (a quarter of
 * the least round trip), and still unanswered, lost frames (its own, or
 * some of its answer's: a read asks again for the pages still missing): it
 * goes again now instead of a timeout later (10 ms at least, and the
 * timer's granularity on top). Not one the server said BUSY to: it waits.
 * Should an early retransmission prove late (answered by its first
 * transmission), frames were reordered after all (a bond, several queues),
 * and there is none for HXL_EARLY_OFF_MS. Only with a server that says
 * which transmission it answers (HEXO_CAP_RETRY_ECHO), which is how that is
 * known. Under chan->lock.
 */
static void hxl_chan_early(struct hxl_chan *chan, u64 mark, u64 tx_ns, struct hxl_chan_out *o)
{
	u64 reo = (u64)chan->rtt.min_us * NSEC_PER_USEC / 4;
	unsigned long now = jiffies;
	struct hxl_req *req;
	bool loss = false;
	u32 slot;

	if (!(chan->caps & HEXO_CAP_RETRY_ECHO) || time_before(now, chan->early_off))
		return;
	for_each_set_bit(slot, chan->busy_slots, chan->nslots) {
		req = chan->slots[slot];
		if (req->busy || req->tx_mark >= mark || req->tx_ns + reo > tx_ns ||
		    (req->op != HEXO_OP_READ && req->op != HEXO_OP_WRITE))
			continue;
		req->timed_out = true;
		req->attempts++;
		chan->stats.retransmits++;
		chan->stats.early++;
		loss = true;
		hxl_chan_send_req(chan, req, o);
		req->early = true;
	}
	if (loss)
		hxl_chan_loss(chan, now);
}

static void hxl_chan_tick(struct timer_list *t)
{
	struct hxl_chan *chan = from_timer(chan, t, timer);
	unsigned long now = jiffies, next, rto;
	struct hxl_chan_out o;
	struct hxl_req *req, *tmp;
	bool loss = false, probe = false, stalled;
	u32 slot;

	hxl_chan_out_init(&o);
	spin_lock(&chan->lock);
	/* Only this tick arms the timer (and init): its due time is stable. */
	stalled = time_after(now, t->expires + msecs_to_jiffies(HXL_STALL_MS));
	/*
	 * Nodes leave the list only under the lock: its snapshot is stable.
	 * After a stall, what was handed in before it is old, not stranded:
	 * this tick's unlock takes it.
	 */
	llist_for_each_entry(req, READ_ONCE(chan->submitted.first), submitted)
		if (!stalled && time_after(now, req->handed_at + msecs_to_jiffies(HXL_STRANDED_MS)))
			chan->stats.stranded++;
	if (chan->state == HXP_CLOSED) {
		hxl_chan_unlock(chan, &o);
		hxl_chan_out_flush(chan, &o);
		return;
	}
	if (stalled)
		hxl_chan_stalled(chan, now, now - t->expires);

	if (chan->state == HXP_UP) {
		if (time_after_eq(now, chan->last_rx + hxl_chan_silence_bound(chan))) {
			hxl_chan_lose(chan, HXP_IN_SILENT, &o);
			goto ctl;
		}
		if (hxl_chan_holding(chan, now))
			hxl_chan_hold(chan, now);
		for_each_set_bit(slot, chan->busy_slots, chan->nslots) {
			req = chan->slots[slot];
			if (time_after_eq(now, req->dead_at)) {
				if (hxl_chan_deadline(chan, req)) {
					net_warn_ratelimited("%pM: request for pages %llu+%u unanswered for %u ms\n",
							     chan->peer, req->index, req->count,
							     chan->dead_ms);
					hxl_chan_finish(chan, req, -EIO, &o);
					continue;
				}
				/* Held: is the server there? Sent again meanwhile. */
				probe = true;
			}
			if (time_after_eq(now, req->rto_at)) {
				req->timed_out = true;
				req->attempts++;
				if (req->backoff < 4)
					req->backoff++;
				chan->stats.retransmits++;
				chan->stats.timeouts++;
				loss = true;
				hxl_chan_send_req(chan, req, &o);
			}
		}
		if (loss)
			hxl_chan_loss(chan, now);
		if (!chan->ctl_op &&
		    time_after_eq(now, chan->last_rx + msecs_to_jiffies(HXL_KEEPALIVE_MS)))
			hxl_chan_start_ctl(chan, HEXO_OP_PING, HXL_PING_MS);
	}
	/* Requests that waited for a connection, or the window, past their bound. */
	list_for_each_entry_safe(req, tmp, &chan->pending, node) {
		if (!time_after_eq(now, req->dead_at))
			continue;
		if (chan->state != HXP_UP || hxl_chan_deadline(chan, req))
			hxl_chan_finish(chan, req, -EIO, &o);
		else
			probe = true;
	}
	/* A deadline passed within a hold: ask the server now whether it is there. */
	if (probe && chan->state == HXP_UP && !chan->ctl_op)
		hxl_chan_start_ctl(chan, HEXO_OP_PING, HXL_PING_MS);

ctl:
	/* A batch whose end never came is sent anyway. */
	chan->held = false;
	if (chan->ctl_op && time_after_eq(now, chan->ctl_at))
		hxl_chan_ctl_tx(chan, now, &o);
	hxl_chan_pump(chan, &o);

	/*
	 * Half an RTO, but at least every idle tick: the RTO can stay near
	 * its peak for seconds, and the requests' dead_at must not wait on it.
	 */
	rto = min(hxl_chan_rto(chan, 0), msecs_to_jiffies(2 * HXL_IDLE_TICK_MS));
	next = now + (chan->inflight ? max(rto / 2, 1UL) : msecs_to_jiffies(HXL_IDLE_TICK_MS));
	mod_timer(&chan->timer, next);
	hxl_chan_unlock(chan, &o);
	hxl_chan_out_flush(chan, &o);
}

static void hxl_chan_rx_hello(struct hxl_chan *chan, struct sk_buff *skb, size_t data_at,
			      struct hxl_chan_out *o)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 session = be32_to_cpu(h->session);
	struct hxp_terms mine, theirs;
	struct hexo_hello hello;
	struct hxp_agreed terms;
	enum hxl_event ev;
	u64 epoch, size;

	if (chan->ctl_op != HEXO_OP_HELLO || be16_to_cpu(h->data_len) < sizeof(hello) ||
	    skb_copy_bits(skb, data_at, &hello, sizeof(hello)) ||
	    be32_to_cpu(h->data_crc) != hxp_data_crc(0, &hello, sizeof(hello)) ||
	    be64_to_cpu(hello.nonce) != chan->nonce) {
		chan->stats.dups++;
		return;
	}
	size = be64_to_cpu(hello.size);

	switch (h->status) {
	case HEXO_ST_OK:
		break;
	case HEXO_ST_NOSPC:
		chan->connect_err = -ENOSPC;
		chan->refused_max = be64_to_cpu(hello.size);
		complete_all(&chan->answered);
		return;
	case HEXO_ST_VERSION:
		chan->connect_err = -EPROTONOSUPPORT;
		complete_all(&chan->answered);
		return;
	case HEXO_ST_FULL:
		chan->connect_err = -EUSERS;
		complete_all(&chan->answered);
		return;
	case HEXO_ST_KEY:
		chan->connect_err = -EACCES;
		complete_all(&chan->answered);
		return;
	default:
		chan->connect_err = -ECONNREFUSED;
		complete_all(&chan->answered);
		return;
	}

	/*
	 * The user sized its state (a disk's page bitmaps) for what it asked:
	 * a grant of more, or of part of a page, is a broken or forged server.
	 * So is one that changes the size of a session we had.
	 */
	if (!size || size > chan->want_size || size % HEXO_PAGE_SIZE ||
	    (chan->ever_up && session == chan->session &&
	     be64_to_cpu(hello.epoch) == chan->epoch && size != chan->size)) {
		net_warn_ratelimited("%pM granted %llu bytes for %llu asked: refused\n",
				     chan->peer, size, chan->want_size);
		chan->stats.dups++;
		if (!chan->ever_up) {
			chan->connect_err = -EPROTO;
			complete_all(&chan->answered);
		}
		return;
	}
	epoch = be64_to_cpu(hello.epoch);
	mine = (struct hxp_terms){ chan->hello_mtu, chan->want_window,
				   chan->want_max_pages,
				   HXP_CAPS | (chan->keyed ? HEXO_CAP_KEYED : 0) };
	theirs = (struct hxp_terms){ be16_to_cpu(hello.mtu), be16_to_cpu(hello.window),
				     be16_to_cpu(hello.max_pages), be32_to_cpu(hello.caps) };
	if (!hxp_agree(&mine, &theirs, &terms)) {
		chan->stats.dups++;
		return;
	}
	if (chan->keyed && !(terms.caps & HEXO_CAP_KEYED)) {
		/* Sealed with our key, yet unkeyed: never take that. */
		chan->stats.dups++;
		return;
	}
	switch (hxp_hello_outcome(chan->ever_up, chan->session, chan->epoch, session, epoch)) {
	case HXP_HELLO_FIRST:
		ev = HXL_EV_UP;
		break;
	case HXP_HELLO_SAME:
		ev = HXL_EV_BACK;
		break;
	default:
		ev = HXL_EV_RESTARTED;
		if (chan->ops->session_lost)
			chan->ops->session_lost(chan, chan->priv);
		break;
	}
	/* A new session, new keys; the same one keeps its keys and numbers. */
	if (chan->keyed && ev != HXL_EV_BACK)
		hxl_auth_derive(&chan->auth, chan->psk, true, chan->nonce,
				be64_to_cpu(hello.snonce), session);
	if (chan->ever_up)
		chan->stats.reconnects++;

	chan->frag = terms.frag;
	chan->fpp = terms.fpp;
	chan->window = min(terms.window, chan->want_window);
	chan->max_pages = terms.max_pages;
	chan->caps = terms.caps;
	chan->session = session;
	chan->epoch = epoch;
	chan->size = size;
	chan->state = hxp_next_state(chan->state, HXP_IN_HELLO_OK);
	chan->ever_up = true;
	chan->ctl_op = 0;
	chan->last_rx = jiffies;
	chan->alive_at = jiffies;
	hxp_cwnd_init(&chan->cwnd, min(16U, chan->window), chan->window);
	/*
	 * No loss yet: long enough ago for the next to count. Left at 0, it
	 * was "after" every jiffies value for the first 5 minutes of uptime
	 * (jiffies starts at -300 s), and no loss halved the window then.
	 */
	chan->last_loss = chan->last_rx - HZ;
	chan->connect_err = 0;
	complete_all(&chan->answered);
	set_bit(ev, &o->events);
}

static void hxl_chan_rx_read(struct hxl_chan *chan, struct hxl_req *req,
			     struct sk_buff *skb, size_t data_at, struct hxl_chan_out *o)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 len = be16_to_cpu(h->data_len), off = be32_to_cpu(h->data_off);
	u64 pidx = be64_to_cpu(h->index) + off / HEXO_PAGE_SIZE;
	u32 p, poff = off % HEXO_PAGE_SIZE;
	void *kaddr;

	if (pidx < req->index || pidx >= req->index + req->count)
		goto dup;
	p = pidx - req->index;
	if (req->pages_ok & BIT_ULL(p))
		goto dup;

	kaddr = kmap_local_page(req->pages[p]);
	if (h->flags & HEXO_F_ABSENT) {
		if (len || poff) {
			kunmap_local(kaddr);
			goto dup;
		}
		memset(kaddr, 0, HEXO_PAGE_SIZE);
		req->absent |= BIT_ULL(p);
		req->pages_ok |= BIT_ULL(p);
	} else {
		switch (hxl_frag_recv(&req->frags, chan->fpp, chan->frag, p, poff, len, skb,
				      data_at, kaddr, pidx, be32_to_cpu(h->data_crc))) {
		case HXL_FRAG_DUP:
			kunmap_local(kaddr);
			goto dup;
		case HXL_FRAG_MORE:
			break;
		case HXL_FRAG_PAGE:
			req->pages_ok |= BIT_ULL(p);
			break;
		case HXL_FRAG_BAD:
			/* Never hand out bad data: fetch the page again. */
			chan->stats.csum_errors++;
			req->attempts++;
			chan->stats.retransmits++;
			hxl_chan_send_req(chan, req, o);
			break;
		}
		/*
		 * The answer is streaming in: it is late, not lost. If it
		 * answers a retransmission (RETRY), the server is there and
		 * the loss was real: the next timeout is one RTO after its
		 * last frame, not backed off. Under loss a multi-page answer
		 * takes several requests, and backing off after each (up to
		 * 16 RTOs) took reads of 4096 pages through 20% loss past
		 * 600 s (faults.sh 20). The first transmission's answer,
		 * late, keeps the backoff: the RTO was short, not the link
		 * lossy (post-copy pulls on a saturated CPU took 2.5 times
		 * as long when it reset too).
		 */
		if (h->flags & HEXO_F_RETRY)
			req->backoff = 0;
		req->rto_at = jiffies + hxl_chan_rto(chan, req->backoff);
	}
	kunmap_local(kaddr);
	if (req->pages_ok == GENMASK_ULL(req->count - 1, 0))
		hxl_chan_finish(chan, req, 0, o);
	return;
dup:
	chan->stats.dups++;
}

static void hxl_chan_rx_status(struct hxl_chan *chan, struct hxl_req *req, u8 status,
			       struct hxl_chan_out *o)
{
	switch (status) {
	case HEXO_ST_CSUM:
		/* The server received a damaged page: send it again now. */
		chan->stats.csum_errors++;
		req->attempts++;
		chan->stats.retransmits++;
		hxl_chan_send_req(chan, req, o);
		break;
	case HEXO_ST_BUSY:
		chan->stats.busy++;
		req->busy = true;
		req->rto_at = jiffies + hxl_chan_rto(chan, req->attempts);
		break;
	case HEXO_ST_SESSION:
		/* The server does not know us (restarted, or expired us). */
		hxl_chan_lose(chan, HXP_IN_UNKNOWN, o);
		break;
	case HEXO_ST_NOSPC:
		hxl_chan_finish(chan, req, -ENOSPC, o);
		break;
	case HEXO_ST_INVAL:
		hxl_chan_finish(chan, req, -EINVAL, o);
		break;
	default:
		net_warn_ratelimited("%pM: request for pages %llu+%u refused: status %u\n",
				     chan->peer, req->index, req->count, status);
		hxl_chan_finish(chan, req, -EIO, o);
		break;
	}
}

/* What hxl_auth_check() said of a received session frame. */
struct hxl_chan_seal {
	bool ok;			/* its MAC verified */
	u64 pn;
	u32 key_gen;
};

/*
 * Whether a frame for a keyed channel is sealed by its server and fresh.
 * A server that answers our first HELLO unkeyed serves without a key: the
 * attach is told so (it is no proof of anything, so only before the first
 * session). Under chan->lock.
 */
static bool hxl_chan_authentic(struct hxl_chan *chan, struct sk_buff *skb, size_t data_at,
			       const struct hxl_chan_seal *seal)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hexo_hello hello;

	if (h->op != HEXO_OP_HELLO && !chan->ever_up) {
		/* No session yet: no key to check anything with. */
	} else if (h->op == HEXO_OP_HELLO) {
		if (hxl_auth_hello_check(chan->hello_key, skb, data_at))
			return true;
		if (!chan->ever_up && chan->ctl_op == HEXO_OP_HELLO && h->status == HEXO_ST_OK &&
		    be16_to_cpu(h->data_len) >= sizeof(hello) &&
		    !skb_copy_bits(skb, data_at, &hello, sizeof(hello)) &&
		    be64_to_cpu(hello.nonce) == chan->nonce &&
		    !(be32_to_cpu(hello.caps) & HEXO_CAP_KEYED)) {
			chan->connect_err = -ENOKEY;
			complete_all(&chan->answered);
		}
	} else if (seal->ok) {
		if (hxl_auth_fresh(&chan->auth, seal->pn, seal->key_gen))
			return true;
		hxl_port_count(chan->port, HXL_PC_RX_REPLAY, 1);
		return false;
	}
	hxl_port_count(chan->port, HXL_PC_RX_BAD_AUTH, 1);
	return false;
}

static void hxl_chan_rx_frame(struct hxl_chan *chan, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 tag = be32_to_cpu(h->tag);
	struct hxl_chan_out o;
	struct hxl_chan_seal seal = {};
	struct hxl_req *req;
	u32 slot = tag & 0xffff;
	u64 mark, tx_ns;
	bool first;

	/* The MAC outside the lock: the submitters wait for nothing it costs. */
	if (chan->keyed && h->op != HEXO_OP_HELLO)
		seal.ok = hxl_auth_check(&chan->auth, skb, data_at, &seal.pn, &seal.key_gen);
	hxl_chan_out_init(&o);
	spin_lock(&chan->lock);
	if (chan->state == HXP_CLOSED)
		goto out;
	if (chan->keyed && !hxl_chan_authentic(chan, skb, data_at, &seal))
		goto out;
	chan->stats.rx_frames++;

	if (tag == chan->ctl_tag && (h->op == HEXO_OP_HELLO || h->op == HEXO_OP_PING)) {
		if (h->op == HEXO_OP_HELLO) {
			hxl_chan_rx_hello(chan, skb, data_at, &o);
		} else if (chan->ctl_op == HEXO_OP_PING) {
			chan->ctl_op = 0;
			chan->last_rx = jiffies;
			if (h->status == HEXO_ST_SESSION)
				hxl_chan_lose(chan, HXP_IN_UNKNOWN, &o);
			else if (chan->hold_ms && chan->ctl_tx <= 1)
				/* At once: alive (requests past their deadline fail). */
				chan->alive_at = jiffies;
			else if (chan->hold_ms)
				/* Only once sent again: it was away; each request gets its dead_ms. */
				hxl_chan_hold(chan, jiffies);
		}
		goto pump;
	}
	if (chan->state != HXP_UP || h->op == HEXO_OP_BYE) {
		chan->stats.dups++;
		goto out;
	}

	chan->last_rx = jiffies;
	req = slot < chan->nslots ? chan->slots[slot] : NULL;
	if (!req || req->tag != tag || req->op != h->op) {
		chan->stats.dups++;
		goto out;
	}
	/*
	 * A request that timed out, answered by a frame without RETRY: it was
	 * late, not lost. (Re-requests after a checksum error set RETRY too,
	 * but say nothing about the round trip.)
	 */
	req->late = req->timed_out && (chan->caps & HEXO_CAP_RETRY_ECHO) &&
		    !(h->flags & HEXO_F_RETRY);
	/*
	 * Tags repeat after 65536 requests: an answer to a write or discard
	 * also names its order, index and count, so a straggler never ends a
	 * newer request of the same tag.
	 */
	if ((req->op == HEXO_OP_WRITE || req->op == HEXO_OP_DISCARD) &&
	    (be64_to_cpu(h->seq) != req->seq || be64_to_cpu(h->index) != req->index ||
	     be32_to_cpu(h->count) != req->count)) {
		chan->stats.dups++;
		goto out;
	}
	/* The first frame answering a request's only transmission. */
	first = !req->heard && !req->attempts;
	req->heard = true;
	mark = req->tx_mark;
	tx_ns = req->tx_ns;
	if (h->status != HEXO_ST_OK)
		hxl_chan_rx_status(chan, req, h->status, &o);
	else if (h->op == HEXO_OP_READ)
		hxl_chan_rx_read(chan, req, skb, data_at, &o);
	else
		hxl_chan_finish(chan, req, 0, &o);
	if (first)
		hxl_chan_early(chan, mark, tx_ns, &o);
pump:
	hxl_chan_pump(chan, &o);
out:
	hxl_chan_unlock(chan, &o);
	consume_skb(skb);
	hxl_chan_out_flush(chan, &o);
}

void hxl_chan_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	const u8 *src = eth_hdr(skb)->h_source;
	struct hxl_chan *chan;

	__be64 nonce = 0;

	/*
	 * HELLO answers go by tag and nonce: two channels to one server may
	 * draw the same control tag, never the same 64-bit nonce.
	 */
	if (h->op == HEXO_OP_HELLO &&
	    skb_copy_bits(skb, data_at, &nonce, sizeof(nonce)))
		goto none;
	list_for_each_entry_rcu(chan, &port->chans, port_node) {
		if (chan->service != h->service || !ether_addr_equal(chan->peer, src))
			continue;
		if (h->op == HEXO_OP_HELLO ?
		    be32_to_cpu(h->tag) == READ_ONCE(chan->ctl_tag) &&
		    be64_to_cpu(nonce) == READ_ONCE(chan->nonce) :
		    be32_to_cpu(h->session) == READ_ONCE(chan->session)) {
			hxl_chan_rx_frame(chan, skb, data_at);
			return;
		}
	}
none:
	hxl_port_count(port, HXL_PC_RX_NO_CHAN, 1);
	kfree_skb(skb);
}

void hxl_chan_port_gone(struct hxl_port *port)
{
	struct hxl_chan_out o;
	struct hxl_chan *chan;

	rcu_read_lock();
	list_for_each_entry_rcu(chan, &port->chans, port_node) {
		hxl_chan_out_init(&o);
		spin_lock_bh(&chan->lock);
		if (chan->state != HXP_CLOSED) {
			hxl_chan_fail_all(chan, HXP_IN_GONE, &o);
			set_bit(HXL_EV_GONE, &o.events);
			chan->connect_err = -ENODEV;
			complete_all(&chan->answered);
		}
		hxl_chan_unlock_bh(chan, &o);
		hxl_chan_out_flush(chan, &o);
	}
	rcu_read_unlock();
}

/*
 * Hands req in. The lock is taken only if free: a submitter never spins on
 * the receive path's hold of it (a copy and a checksum per fragment); the
 * holder queues the request instead (hxl_chan_unlock()).
 */
static void hxl_chan_queue(struct hxl_chan *chan, struct hxl_req *req, bool more, bool urgent)
{
	struct hxl_chan_out o;

	req->urgent = urgent;
	req->more = more;
	req->state = HXL_REQ_NEW;
	req->attempts = 0;
	req->backoff = 0;
	req->timed_out = false;
	req->late = false;
	req->frags = 0;
	req->pages_ok = 0;
	req->absent = 0;
	req->status = 0;
	if (((req->op == HEXO_OP_READ || req->op == HEXO_OP_WRITE) &&
	     (!req->count || req->count > HXL_MAX_PAGES)) ||
	    (req->op != HEXO_OP_READ && req->op != HEXO_OP_WRITE &&
	     req->op != HEXO_OP_DISCARD && req->op != HEXO_OP_FLUSH))
		req->status = -EINVAL;

	/* No softirq or preemption between handing in and trying the lock. */
	local_bh_disable();
	req->handed_at = jiffies;
	llist_add(&req->submitted, &chan->submitted);
	if (!spin_trylock(&chan->lock)) {
		local_bh_enable();
		return;
	}
	hxl_chan_out_init(&o);
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
}

void hxl_chan_submit(struct hxl_chan *chan, struct hxl_req *req, bool more)
{
	hxl_chan_queue(chan, req, more, false);
}
EXPORT_SYMBOL_GPL(hxl_chan_submit);

void hxl_chan_submit_urgent(struct hxl_chan *chan, struct hxl_req *req, bool more)
{
	hxl_chan_queue(chan, req, more, true);
}
EXPORT_SYMBOL_GPL(hxl_chan_submit_urgent);

void hxl_chan_kick(struct hxl_chan *chan)
{
	struct hxl_chan_out o;

	/* Handed in like a request: after the caller's own, never spun for. */
	atomic_set(&chan->kicked, 1);
	smp_mb();	/* pairs with hxl_chan_unlock()'s */
	if (!spin_trylock_bh(&chan->lock))
		return;
	hxl_chan_out_init(&o);
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
}
EXPORT_SYMBOL_GPL(hxl_chan_kick);

bool hxl_chan_cancel(struct hxl_chan *chan, struct hxl_req *req)
{
	struct hxl_chan_out o;
	struct hxl_req *q;
	bool ours = false;
	u16 slot;

	hxl_chan_out_init(&o);
	spin_lock_bh(&chan->lock);
	/* req may still be waiting in the hand-in list: queue it first. */
	hxl_chan_take_submitted(chan, &o);
	/*
	 * The caller may race with done(), or have handed req to another
	 * channel since: only this channel's own tables say whether it is ours.
	 */
	slot = READ_ONCE(req->slot);
	if (req->state == HXL_REQ_INFLIGHT && slot < chan->nslots && chan->slots[slot] == req) {
		ours = true;
	} else if (req->state == HXL_REQ_QUEUED) {
		list_for_each_entry(q, &chan->pending, node) {
			if (q == req) {
				ours = true;
				break;
			}
		}
	}
	if (ours) {
		hxl_chan_finish(chan, req, -ECANCELED, &o);
		/* Not a failure of the channel's: do not count it as one. */
		chan->stats.errors--;
		hxl_chan_pump(chan, &o);
	}
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
	return ours;
}
EXPORT_SYMBOL_GPL(hxl_chan_cancel);

struct hxl_chan *hxl_chan_create(struct net *net, const struct hxl_chan_cfg *cfg,
				 const struct hxl_chan_ops *ops, void *priv,
				 struct netlink_ext_ack *extack)
{
	struct hxl_chan *chan;
	struct hxl_port *port;
	int ret;

	if (!is_valid_ether_addr(cfg->peer)) {
		NL_SET_ERR_MSG(extack, "the server's MAC address is not a unicast address");
		return ERR_PTR(-EINVAL);
	}
	chan = kzalloc(sizeof(*chan), GFP_KERNEL);
	if (!chan)
		return ERR_PTR(-ENOMEM);
	chan->early_off = jiffies;
	skb_queue_head_init(&chan->txq);
	chan->nslots = clamp_t(u32, cfg->window, 1, HXL_MAX_WINDOW);
	chan->slots = kcalloc(chan->nslots, sizeof(*chan->slots), GFP_KERNEL);
	chan->busy_slots = bitmap_zalloc(chan->nslots, GFP_KERNEL);
	if (!chan->slots || !chan->busy_slots) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = hxl_reserve_get();
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot arm the receive reserves");
		goto err_free;
	}
	port = hxl_port_get(net, cfg->ifindex, extack);
	if (IS_ERR(port)) {
		ret = PTR_ERR(port);
		goto err_reserve;
	}
	chan->port = port;
	chan->ops = ops;
	chan->priv = priv;
	ether_addr_copy(chan->peer, cfg->peer);
	chan->service = cfg->service;
	if (cfg->key) {
		chan->keyed = true;
		memcpy(chan->psk, cfg->key, HEXO_KEY_LEN);
		hxl_auth_hello_key(chan->psk, chan->hello_key);
	}
	strscpy(chan->name, cfg->name ?: utsname()->nodename, sizeof(chan->name));
	spin_lock_init(&chan->lock);
	hxl_auth_init(&chan->auth);
	chan->state = HXP_CONNECTING;
	chan->want_size = cfg->size;
	chan->want_window = chan->nslots;
	chan->want_max_pages = clamp_t(u32, cfg->max_pages, 1, HXL_MAX_PAGES);
	chan->window = chan->nslots;
	chan->max_pages = chan->want_max_pages;
	chan->dead_ms = cfg->dead_ms;
	chan->hold_ms = cfg->hold_ms;
	chan->alive_at = jiffies;
	chan->seq = min_t(u64, READ_ONCE(seq_start), 1ULL << 48);
	chan->seq_stride = clamp_t(u32, READ_ONCE(seq_stride), 1, 1U << 31);
	chan->gen = READ_ONCE(tag_gen_start);
	INIT_LIST_HEAD(&chan->pending);
	init_llist_head(&chan->submitted);
	init_completion(&chan->answered);
	chan->connect_err = -ETIMEDOUT;
	hxp_cwnd_init(&chan->cwnd, 1, 1);
	timer_setup(&chan->timer, hxl_chan_tick, 0);
	hxl_chan_start_ctl(chan, HEXO_OP_HELLO, 100);

	__module_get(THIS_MODULE);
	hxl_port_add_chan(port, &chan->port_node);
	mod_timer(&chan->timer, jiffies);
	return chan;

err_reserve:
	hxl_reserve_put();
err_free:
	kfree(chan->slots);
	bitmap_free(chan->busy_slots);
	kfree_sensitive(chan);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(hxl_chan_create);

int hxl_chan_wait_up(struct hxl_chan *chan, unsigned int timeout_ms, u64 *max_size)
{
	long left = wait_for_completion_interruptible_timeout(&chan->answered,
							      msecs_to_jiffies(timeout_ms));
	struct hxl_chan_out o;
	int err;

	if (left < 0)
		return left;
	hxl_chan_out_init(&o);
	spin_lock_bh(&chan->lock);
	err = left ? chan->connect_err : -ETIMEDOUT;
	if (chan->state == HXP_UP)
		err = 0;
	if (max_size)
		*max_size = chan->refused_max;
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
	return err;
}
EXPORT_SYMBOL_GPL(hxl_chan_wait_up);

void hxl_chan_destroy(struct hxl_chan *chan)
{
	struct hxl_chan_out o;
	struct sk_buff *skb;
	bool was_up;
	int i;

	hxl_chan_out_init(&o);
	spin_lock_bh(&chan->lock);
	was_up = chan->state == HXP_UP;
	hxl_chan_fail_all(chan, HXP_IN_CLOSE, &o);
	/* Tell the server it may free the session now, not at expiry. */
	for (i = 0; was_up && i < 2; i++) {
		skb = hxl_chan_frame(chan, HEXO_OP_BYE, HXL_CTL_SLOT, 0);
		if (skb)
			__skb_queue_tail(&o.tx, skb);
	}
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);

	del_timer_sync(&chan->timer);
	hxl_port_del_chan(chan->port, &chan->port_node);
	hxl_port_put(chan->port);
	hxl_reserve_put();
	skb_queue_purge(&chan->txq);
	kfree(chan->slots);
	bitmap_free(chan->busy_slots);
	kfree_sensitive(chan);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(hxl_chan_destroy);

bool hxl_chan_up(struct hxl_chan *chan)
{
	return READ_ONCE(chan->state) == HXP_UP;
}
EXPORT_SYMBOL_GPL(hxl_chan_up);

void hxl_chan_get_info(struct hxl_chan *chan, struct hxl_chan_info *info)
{
	struct hxl_chan_out o;

	hxl_chan_out_init(&o);
	memset(info, 0, sizeof(*info));
	spin_lock_bh(&chan->lock);
	info->state = (enum hxl_chan_state)chan->state;
	ether_addr_copy(info->peer, chan->peer);
	info->ifindex = chan->port->ifindex;
	info->session = chan->session;
	info->epoch = chan->epoch;
	info->size = chan->ever_up ? chan->size : chan->want_size;
	info->frag = chan->frag;
	info->window = chan->window;
	info->max_pages = chan->max_pages;
	info->keyed = chan->keyed;
	info->cwnd = chan->cwnd.cwnd;
	info->inflight = chan->inflight;
	info->queued = chan->npending;
	info->srtt_us = chan->rtt.srtt_us;
	info->rttvar_us = chan->rtt.rttvar_us;
	info->min_rtt_us = chan->rtt.min_us;
	info->rto_us = jiffies_to_usecs(hxl_chan_rto(chan, 0));
	info->dead_ms = chan->dead_ms;
	info->hold_ms = chan->hold_ms;
	info->holding = hxl_chan_holding(chan, jiffies);
	info->idle_ms = chan->ever_up ? jiffies_to_msecs(jiffies - chan->last_rx) : 0;
	info->ping_ms = chan->state == HXP_UP && chan->ctl_op == HEXO_OP_PING ?
			jiffies_to_msecs(jiffies - chan->ctl_start) : 0;
	info->stats = chan->stats;
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
}
EXPORT_SYMBOL_GPL(hxl_chan_get_info);

void hxl_chan_probe(struct hxl_chan *chan)
{
	struct hxl_chan_out o;

	hxl_chan_out_init(&o);
	spin_lock_bh(&chan->lock);
	if (chan->state == HXP_UP && !chan->ctl_op) {
		hxl_chan_start_ctl(chan, HEXO_OP_PING, HXL_PING_MS);
		hxl_chan_ctl_tx(chan, jiffies, &o);
	}
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
}
EXPORT_SYMBOL_GPL(hxl_chan_probe);

void hxl_chan_set_dead_ms(struct hxl_chan *chan, u32 dead_ms)
{
	struct hxl_chan_out o;

	hxl_chan_out_init(&o);
	spin_lock_bh(&chan->lock);
	chan->dead_ms = dead_ms;
	hxl_chan_unlock_bh(chan, &o);
	hxl_chan_out_flush(chan, &o);
}
EXPORT_SYMBOL_GPL(hxl_chan_set_dead_ms);

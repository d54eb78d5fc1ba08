// SPDX-License-Identifier: GPL-2.0
/*
 * ECHO (HEXO_SVC_LINK): the link's round trip, measured in the kernel at
 * both ends, as the floor a swap-in's latency is judged against. The
 * requester (hxl_echo_run(), for HEXO_LINK_CMD_ECHO) sends one request at a
 * time and timestamps its answer where it arrives, in softirq; the peer's
 * hexo_link answers in softirq too, on ports whose echo is on. A page
 * answer is sent and reassembled by the code of READ replies (frag.c), so
 * that it costs what the frames of a swap-in cost.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "echo.h"
#include "frag.h"

/* The page of every page answer: byte i is i % 256 (wire.h), and its data_crc. */
static u8 hxl_echo_page[HEXO_PAGE_SIZE];
static u32 hxl_echo_page_crc;

/*
 * Page answers a port sends in a second, at most: a page answers a frame of
 * a header, so a forged request with another host's MAC as its source is a
 * reflection of 70 times its size. Far above what one echo at a time asks.
 */
#define HXL_ECHO_PAGES_PER_S	10000

/* Echoes in progress (HEXO_LINK_CMD_ECHO calls), for the receive path. */
static LIST_HEAD(hxl_echos);
static DEFINE_SPINLOCK(hxl_echos_lock);

struct hxl_echo {
	struct list_head node;		/* in hxl_echos, RCU */
	struct hxl_port *port;
	u8 peer[ETH_ALEN];
	bool page;			/* page answers, else the data sent */
	u32 size;			/* data bytes a request carries (!page) */
	u32 frag;			/* data bytes per answer frame (page) */
	u32 fpp;			/* answer frames per page (page) */
	u8 *sent;			/* the data sent (!page) */

	spinlock_t lock;		/* what follows, against the receive path */
	u32 tag;			/* of the request in flight */
	u64 index;			/* of the request in flight, from 1 */
	u32 crc;			/* the data_crc its answer must have */
	bool waiting;			/* no answer to it yet */
	bool failed;			/* its answer was an error, or damaged */
	u64 frags;			/* its answer's fragments taken (page) */
	u64 t_done;			/* when its answer was whole, ns; 0: none */
	struct completion done;
	u8 buf[HEXO_PAGE_SIZE];		/* the answer, reassembled */
};

/* A page answer's frames (hxl_frag_send()). */
struct hxl_echo_out {
	struct hxl_port *port;
	const struct hexo_hdr *req;
};

static struct sk_buff *hxl_echo_frame(void *arg, u32 len)
{
	struct hxl_echo_out *o = arg;
	/* Never from the reserves: they are for the swap path. */
	struct sk_buff *skb = hxl_port_alloc_skb_gfp(o->port, len, GFP_ATOMIC | __GFP_NOWARN);
	struct hexo_hdr *h;

	if (!skb)
		return NULL;
	h = (struct hexo_hdr *)skb->data;
	hxp_hdr_init(h, HEXO_SVC_LINK, HEXO_OP_ECHO, 0, be32_to_cpu(o->req->tag));
	h->flags = HEXO_F_REPLY;
	h->index = o->req->index;
	h->count = o->req->count;
	h->data_len = cpu_to_be16(len);
	return skb;
}

/* Whether port may send one more page answer this second. Softirq. */
static bool hxl_echo_page_allowed(struct hxl_port *port)
{
	unsigned long now = jiffies;
	bool ok;

	spin_lock(&port->lock);
	if (time_after_eq(now, port->echo_since + HZ)) {
		port->echo_since = now;
		port->echo_pages = 0;
	}
	ok = port->echo_pages < HXL_ECHO_PAGES_PER_S;
	if (ok)
		port->echo_pages++;
	spin_unlock(&port->lock);
	return ok;
}

/*
 * Answers the ECHO request skb on port; false when it is not answered (the
 * caller counts it as for no service). Softirq.
 */
static bool hxl_echo_reply(struct hxl_port *port, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *req = (const struct hexo_hdr *)skb->data;
	struct hxl_echo_out o = { .port = port, .req = req };
	u32 len = be16_to_cpu(req->data_len), room = hxp_frag_size(hxl_port_mtu(port));
	u8 peer[ETH_ALEN];
	struct sk_buff_head q;
	struct sk_buff *r;
	u64 frag;

	ether_addr_copy(peer, eth_hdr(skb)->h_source);
	/* Answers go to one host, never to a group; nothing from the reserves. */
	if (!is_valid_ether_addr(peer) || skb_pfmemalloc(skb))
		return false;
	__skb_queue_head_init(&q);
	frag = be64_to_cpu(req->seq);
	if (req->count == cpu_to_be32(1) && !len && frag && !(frag % 8) && frag <= room &&
	    hxp_nfrags(HEXO_PAGE_SIZE, frag) <= HXP_MAX_FRAGS) {
		if (!hxl_echo_page_allowed(port))
			return false;
		hxl_frag_send(hxl_echo_page, 0, frag, hxl_echo_page_crc, hxl_echo_frame, &o, &q);
	} else if (!req->count && len <= room) {
		r = hxl_echo_frame(&o, len);
		if (!r)
			return true;
		((struct hexo_hdr *)r->data)->data_crc = req->data_crc;
		if (skb_copy_bits(skb, data_at, skb_put(r, len), len)) {
			kfree_skb(r);
			return true;
		}
		__skb_queue_tail(&q, r);
	} else {
		r = hxl_echo_frame(&o, 0);
		if (!r)
			return true;
		((struct hexo_hdr *)r->data)->status = HEXO_ST_INVAL;
		__skb_queue_tail(&q, r);
	}
	while ((r = __skb_dequeue(&q)))
		hxl_port_xmit(port, peer, r);
	return true;
}

/*
 * Takes an answer frame of echo e's request in flight (under e->lock); true
 * when the answer is whole, or failed (e->failed).
 */
static bool hxl_echo_take(struct hxl_echo *e, const struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 len = be16_to_cpu(h->data_len);
	u32 crc = be32_to_cpu(h->data_crc);

	if (h->status != HEXO_ST_OK) {
		e->failed = true;
		return true;
	}
	/* Checked as a swap-in is, by data_crc, against what was sent. */
	if (!e->page) {
		if (len != e->size || crc != e->crc ||
		    skb_copy_bits(skb, data_at, e->buf, len) ||
		    hxp_data_crc(e->index, e->buf, len) != crc)
			e->failed = true;
		return true;
	}
	switch (hxl_frag_recv(&e->frags, e->fpp, e->frag, 0, be32_to_cpu(h->data_off), len,
			      skb, data_at, e->buf, 0, crc)) {
	case HXL_FRAG_PAGE:
		if (crc != e->crc)
			e->failed = true;
		return true;
	case HXL_FRAG_BAD:
		e->failed = true;
		return true;
	default:
		return false;
	}
}

void hxl_echo_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	const u8 *src = eth_hdr(skb)->h_source;
	u64 now = ktime_get_ns();
	struct hxl_echo *e;

	if (h->op != HEXO_OP_ECHO)
		goto none;
	if (!(h->flags & HEXO_F_REPLY)) {
		if (!READ_ONCE(port->echo) || !hxl_echo_reply(port, skb, data_at))
			goto none;
		consume_skb(skb);
		return;
	}
	list_for_each_entry_rcu(e, &hxl_echos, node) {
		bool mine;

		if (e->port != port || !ether_addr_equal(e->peer, src))
			continue;
		spin_lock(&e->lock);
		mine = be32_to_cpu(h->tag) == e->tag && be64_to_cpu(h->index) == e->index;
		if (mine && e->waiting && hxl_echo_take(e, skb, data_at)) {
			e->waiting = false;
			e->t_done = now;
			complete(&e->done);
		}
		spin_unlock(&e->lock);
		if (mine) {
			/* Taken, or late (its request timed out): done with. */
			consume_skb(skb);
			return;
		}
	}
	hxl_port_count(port, HXL_PC_RX_NO_CHAN, 1);
	kfree_skb(skb);
	return;
none:
	hxl_port_count(port, HXL_PC_RX_NO_SERVICE, 1);
	kfree_skb(skb);
}

/*
 * Sends echo e's request number index; *t0 is when it was handed to the
 * interface. Process context.
 */
static int hxl_echo_send(struct hxl_echo *e, u64 index, u64 *t0)
{
	struct sk_buff *skb = hxl_port_alloc_skb_gfp(e->port, e->page ? 0 : e->size, GFP_KERNEL);
	u32 tag = get_random_u32(), crc = hxl_echo_page_crc;
	struct hexo_hdr *h;

	if (!skb)
		return -ENOMEM;
	h = (struct hexo_hdr *)skb->data;
	hxp_hdr_init(h, HEXO_SVC_LINK, HEXO_OP_ECHO, 0, tag);
	h->index = cpu_to_be64(index);
	if (e->page) {
		h->count = cpu_to_be32(1);
		h->seq = cpu_to_be64(e->frag);
	} else {
		/* The data changes with every request: an old answer never passes. */
		memset(e->sent, (u8)index, e->size);
		crc = hxp_data_crc(index, e->sent, e->size);
		h->data_len = cpu_to_be16(e->size);
		h->data_crc = cpu_to_be32(crc);
		skb_put_data(skb, e->sent, e->size);
	}

	spin_lock_bh(&e->lock);
	e->tag = tag;
	e->index = index;
	e->crc = crc;
	e->frags = 0;
	e->failed = false;
	e->t_done = 0;
	e->waiting = true;
	reinit_completion(&e->done);
	spin_unlock_bh(&e->lock);
	*t0 = ktime_get_ns();
	hxl_port_xmit(e->port, e->peer, skb);
	return 0;
}

static int hxl_echo_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

int hxl_echo_run(struct hxl_port *port, const u8 *peer, const struct hxl_echo_cfg *cfg,
		 struct hxl_echo_result *res, struct netlink_ext_ack *extack)
{
	u64 deadline = ktime_get_ns() + (u64)HEXO_LINK_ECHO_MAX_MS * NSEC_PER_MSEC;
	u32 room = hxp_frag_size(hxl_port_mtu(port));
	u8 mac[ETH_ALEN];
	struct hxl_echo *e;
	u64 *rtt, t0, now;
	long left;
	u32 i;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (!cfg->page && cfg->size > room) {
		NL_SET_ERR_MSG(extack, "the echo's size is more than a frame of this interface carries");
		return -EINVAL;
	}
	if (cfg->page && hxp_nfrags(HEXO_PAGE_SIZE, room) > HXP_MAX_FRAGS) {
		NL_SET_ERR_MSG(extack, "this interface's MTU is too small to carry a page");
		return -EINVAL;
	}
	e = kzalloc(sizeof(*e), GFP_KERNEL);
	rtt = kvmalloc_array(cfg->count, sizeof(*rtt), GFP_KERNEL);
	if (!e || !rtt) {
		ret = -ENOMEM;
		goto out_free;
	}
	if (!cfg->page) {
		e->sent = kmalloc(max(cfg->size, 1u), GFP_KERNEL);
		if (!e->sent) {
			ret = -ENOMEM;
			goto out_free;
		}
	}
	e->port = port;
	ether_addr_copy(e->peer, peer);
	e->page = cfg->page;
	e->size = cfg->size;
	e->frag = room;
	e->fpp = hxp_nfrags(HEXO_PAGE_SIZE, room);
	spin_lock_init(&e->lock);
	init_completion(&e->done);
	res->frag = cfg->page ? room : cfg->size;

	spin_lock_bh(&hxl_echos_lock);
	list_add_rcu(&e->node, &hxl_echos);
	spin_unlock_bh(&hxl_echos_lock);

	for (i = 0; i < cfg->count; i++) {
		now = ktime_get_ns();
		if (now >= deadline)
			break;
		if (!hxl_port_mac(port, mac)) {
			NL_SET_ERR_MSG(extack, "the interface went away");
			ret = -ENODEV;
			break;
		}
		ret = hxl_echo_send(e, i + 1, &t0);
		if (ret)
			break;
		res->sent++;
		/* The whole call ends by the deadline, this wait included. */
		left = wait_for_completion_killable_timeout(&e->done,
			nsecs_to_jiffies(min_t(u64, (u64)cfg->timeout_ms * NSEC_PER_MSEC,
					       deadline - now)) + 1);
		spin_lock_bh(&e->lock);
		/* A failed answer counts even if late; a good one only in time. */
		if (e->t_done && e->failed)
			res->bad++;
		else if (e->t_done && left > 0)
			rtt[res->answered++] = e->t_done - t0;
		e->waiting = false;
		spin_unlock_bh(&e->lock);
		if (left < 0) {
			ret = left;
			break;
		}
	}

	spin_lock_bh(&hxl_echos_lock);
	list_del_rcu(&e->node);
	spin_unlock_bh(&hxl_echos_lock);
	synchronize_rcu();

	if (res->answered) {
		sort(rtt, res->answered, sizeof(*rtt), hxl_echo_cmp, NULL);
		res->rtt_min = rtt[0];
		res->rtt_median = rtt[res->answered / 2];
		res->rtt_p99 = rtt[min(res->answered - 1, res->answered * 99 / 100)];
		res->rtt_max = rtt[res->answered - 1];
	}
out_free:
	if (e)
		kfree(e->sent);
	kfree(e);
	kvfree(rtt);
	return ret;
}

void __init hxl_echo_init(void)
{
	int i;

	for (i = 0; i < HEXO_PAGE_SIZE; i++)
		hxl_echo_page[i] = i;
	hxl_echo_page_crc = hxp_data_crc(0, hxl_echo_page, HEXO_PAGE_SIZE);
}

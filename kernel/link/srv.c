// SPDX-License-Identifier: GPL-2.0
/*
 * Servers: a service served on a port. HELLO creates a session (in a worker:
 * it allocates); the data path answers READ, READV, WRITE, DISCARD, FLUSH
 * and PING in softirq context through the service's backend. Writes are reassembled
 * per tag slot and handed to the backend page by page, each checked against
 * its end-to-end checksum. Sessions whose client falls silent past the expiry
 * are closed, as are those of a client that restarted.
 */
#include <linux/etherdevice.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "port.h"
#include "srv.h"

#define HXL_HELLO_QUEUE		64

/* Frames a locked section leaves to send. */
struct hxl_srv_out {
	struct sk_buff_head tx;
	const u8 *peer;
};

static void hxl_srv_out_flush(struct hxl_srv *srv, struct hxl_srv_out *o)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&o->tx)))
		hxl_port_xmit(srv->port, o->peer, skb);
}

/* A reply frame to req with data_len bytes of room. */
static struct sk_buff *hxl_srv_frame(struct hxl_srv *srv, const struct hexo_hdr *req,
				     u8 status, u32 data_len)
{
	struct sk_buff *skb = hxl_port_alloc_skb(srv->port, data_len);
	struct hexo_hdr *h;

	if (!skb)
		return NULL;
	h = (struct hexo_hdr *)skb->data;
	hxp_hdr_init(h, req->service, req->op, be32_to_cpu(req->session),
		     be32_to_cpu(req->tag));
	/* Echo RETRY: the client tells a late answer from one to its retry. */
	h->flags = HEXO_F_REPLY | (req->flags & HEXO_F_RETRY);
	h->status = status;
	h->index = req->index;
	h->count = req->count;
	h->data_len = cpu_to_be16(data_len);
	return skb;
}

static void hxl_srv_reply(struct hxl_srv *srv, const struct hexo_hdr *req, u8 status,
			  struct hxl_srv_out *o)
{
	struct sk_buff *skb = hxl_srv_frame(srv, req, status, 0);

	if (skb)
		__skb_queue_tail(&o->tx, skb);
}

/* ------------------------------------------------------------ data path */

struct hxl_srv_emit {
	struct hxl_srv *srv;
	struct hxl_sess *sess;
	const struct hexo_hdr *req;
	struct hxl_srv_out *o;
	u32 page;			/* position in the request */
};

/* The backend's page (or its absence) into frames. */
static void hxl_srv_emit_page(void *arg, const void *data, u32 crc)
{
	struct hxl_srv_emit *e = arg;
	u32 frag = e->sess->frag, f, len;
	struct hexo_hdr *h;
	struct sk_buff *skb;

	if (!data) {
		skb = hxl_srv_frame(e->srv, e->req, HEXO_ST_OK, 0);
		if (!skb)
			return;
		h = (struct hexo_hdr *)skb->data;
		h->flags |= HEXO_F_ABSENT;
		h->data_off = cpu_to_be32(e->page * HEXO_PAGE_SIZE);
		__skb_queue_tail(&e->o->tx, skb);
		return;
	}
	for (f = 0; f < HEXO_PAGE_SIZE; f += frag) {
		len = min_t(u32, frag, HEXO_PAGE_SIZE - f);
		skb = hxl_srv_frame(e->srv, e->req, HEXO_ST_OK, len);
		if (!skb)
			return;		/* the client asks again */
		h = (struct hexo_hdr *)skb->data;
		h->data_off = cpu_to_be32(e->page * HEXO_PAGE_SIZE + f);
		h->data_crc = cpu_to_be32(crc);
		skb_put_data(skb, data + f, len);
		__skb_queue_tail(&e->o->tx, skb);
	}
}

/* A request's page range, checked against the session's grant. */
static bool hxl_srv_range_ok(struct hxl_sess *sess, u64 index, u32 count, u32 most)
{
	return count && count <= most && index < sess->npages && count <= sess->npages - index;
}

static void hxl_srv_read(struct hxl_srv *srv, struct hxl_sess *sess,
			 const struct hexo_hdr *h, struct hxl_srv_out *o)
{
	u64 index = be64_to_cpu(h->index);
	u32 count = be32_to_cpu(h->count), i;
	struct hxl_srv_emit e = { .srv = srv, .sess = sess, .req = h, .o = o };
	int st;

	if (!hxl_srv_range_ok(sess, index, count, sess->max_pages)) {
		hxl_srv_reply(srv, h, HEXO_ST_INVAL, o);
		return;
	}
	for (i = 0; i < count; i++) {
		e.page = i;
		st = srv->ops->read(sess, index + i, hxl_srv_emit_page, &e);
		if (st != HEXO_ST_OK) {
			hxl_srv_reply(srv, h, st, o);
			return;
		}
	}
	sess->reqs[0]++;
}

/*
 * Each entry of a READV, answered as the READ it stands for. A client never
 * has more than its window in flight, so neither may one READV ask for more:
 * at most nslots entries and window + max_pages pages (a client may send one
 * request past a full window when nothing else is in flight). Past that, one
 * small frame would make the server build megabytes of replies in softirq.
 */
static void hxl_srv_readv(struct hxl_srv *srv, struct hxl_sess *sess,
			  struct sk_buff *skb, size_t data_at, struct hxl_srv_out *o)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 n = be32_to_cpu(h->count), len = n * sizeof(struct hexo_readv), i;
	const struct hexo_readv *e;
	struct hexo_hdr rd;
	u64 pages = 0;

	if (!n || n > sess->nslots || be16_to_cpu(h->data_len) != len ||
	    !pskb_may_pull(skb, data_at + len)) {
		hxl_srv_reply(srv, h, HEXO_ST_INVAL, o);
		return;
	}
	h = (const struct hexo_hdr *)skb->data;	/* the pull may move it */
	e = (const struct hexo_readv *)(skb->data + data_at);
	/* Damaged entries would name pages nobody asked for: drop them all. */
	if (hxp_data_crc(0, e, len) != be32_to_cpu(h->data_crc)) {
		sess->csum_errors++;
		return;
	}
	for (i = 0; i < n; i++)
		pages += be32_to_cpu(e[i].count);
	if (pages > sess->window + sess->max_pages) {
		hxl_srv_reply(srv, h, HEXO_ST_INVAL, o);
		return;
	}
	rd = *h;
	rd.op = HEXO_OP_READ;
	for (i = 0; i < n; i++) {
		rd.tag = e[i].tag;
		rd.count = e[i].count;
		rd.index = e[i].index;
		hxl_srv_read(srv, sess, &rd, o);
	}
}

static void hxl_srv_write(struct hxl_srv *srv, struct hxl_sess *sess,
			  struct sk_buff *skb, size_t data_at, struct hxl_srv_out *o)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 tag = be32_to_cpu(h->tag), slot = tag & 0xffff;
	u64 index = be64_to_cpu(h->index), page_bits;
	u32 count = be32_to_cpu(h->count), seq = be32_to_cpu(h->seq);
	u32 off = be32_to_cpu(h->data_off), len = be16_to_cpu(h->data_len);
	u32 p = off / HEXO_PAGE_SIZE, poff = off % HEXO_PAGE_SIZE, bit;
	struct hxl_stage *st;
	void *data;
	int fi, ret;

	fi = hxp_frag_index(HEXO_PAGE_SIZE, sess->frag, poff, len);
	if (slot >= sess->nslots || fi < 0 || p >= count ||
	    !hxl_srv_range_ok(sess, index, count, sess->max_pages)) {
		hxl_srv_reply(srv, h, HEXO_ST_INVAL, o);
		return;
	}
	bit = p * sess->fpp + fi;
	page_bits = hxp_page_frags(sess->fpp, p);

	spin_lock(&sess->lock);
	st = &sess->stage[slot];
	if (st->tag != tag) {
		/* A new write in this slot: whatever was there is abandoned. */
		st->tag = tag;
		st->index = index;
		st->count = count;
		st->seq = seq;
		st->frags = 0;
		st->pages_done = 0;
		st->acked = false;
	} else if (st->index != index || st->count != count || st->seq != seq) {
		goto unlock;	/* not the write this tag stands for: ignore */
	}
	if (st->acked) {
		/* Our acknowledgement was lost: say it again. */
		hxl_srv_reply(srv, h, HEXO_ST_OK, o);
		goto unlock;
	}
	if ((st->pages_done & BIT_ULL(p)) || (st->frags & BIT_ULL(bit)))
		goto unlock;

	data = page_address(st->pages[p]);
	if (skb_copy_bits(skb, data_at, data + poff, len))
		goto unlock;
	st->frags |= BIT_ULL(bit);
	st->crc[p] = be32_to_cpu(h->data_crc);
	if ((st->frags & page_bits) != page_bits)
		goto unlock;

	if (hxp_data_crc(index + p, data, HEXO_PAGE_SIZE) != st->crc[p]) {
		st->frags &= ~page_bits;
		sess->csum_errors++;
		hxl_srv_reply(srv, h, HEXO_ST_CSUM, o);
		goto unlock;
	}
	ret = srv->ops->write(sess, index + p, seq, st->crc[p], data);
	if (ret != HEXO_ST_OK) {
		st->frags &= ~page_bits;
		if (ret == HEXO_ST_BUSY)
			sess->busy++;
		hxl_srv_reply(srv, h, ret, o);
		goto unlock;
	}
	st->pages_done |= BIT_ULL(p);
	if (st->pages_done == GENMASK_ULL(count - 1, 0)) {
		st->acked = true;
		sess->reqs[1]++;
		hxl_srv_reply(srv, h, HEXO_ST_OK, o);
	}
unlock:
	spin_unlock(&sess->lock);
}

static void hxl_srv_unhash(struct hxl_srv *srv, struct hxl_sess *sess, struct list_head *to)
{
	if (!hlist_unhashed(&sess->hnode))
		hash_del_rcu(&sess->hnode);
	list_move(&sess->node, to);
}

static void hxl_srv_free_sess(struct hxl_sess *sess)
{
	u32 i, j;

	if (sess->stage) {
		for (i = 0; i < sess->nslots; i++)
			for (j = 0; j < HXL_MAX_PAGES; j++)
				if (sess->stage[i].pages[j])
					__free_page(sess->stage[i].pages[j]);
		kvfree(sess->stage);
	}
	kfree(sess);
}

/* Closes unhashed sessions: waits out readers, tells the backend, frees. */
static void hxl_srv_close_list(struct hxl_srv *srv, struct list_head *list)
{
	struct hxl_sess *sess, *tmp;

	if (list_empty(list))
		return;
	synchronize_rcu();
	list_for_each_entry_safe(sess, tmp, list, node) {
		list_del(&sess->node);
		if (sess->priv)
			srv->ops->close(sess);
		hxl_srv_free_sess(sess);
	}
}

static struct hxl_sess *hxl_srv_lookup(struct hxl_srv *srv, u32 id)
{
	struct hxl_sess *sess;

	hash_for_each_possible_rcu(srv->hash, sess, hnode, id)
		if (sess->id == id)
			return sess;
	return NULL;
}

void hxl_srv_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hxl_srv_out o = { .peer = eth_hdr(skb)->h_source };
	struct hxl_sess *sess;
	struct hxl_srv *srv;
	int st;

	__skb_queue_head_init(&o.tx);
	srv = rcu_dereference(port->srv[h->service]);
	if (!srv || READ_ONCE(srv->dying)) {
		hxl_port_count(port, HXL_PC_RX_NO_SERVICE, 1);
		/* Say so to a HELLO, so that an attach fails fast and clearly. */
		if (h->op == HEXO_OP_HELLO && (srv || h->service != HEXO_SVC_LINK)) {
			struct sk_buff *r = hxl_port_alloc_skb(port, 0);

			if (r) {
				struct hexo_hdr *rh = (struct hexo_hdr *)r->data;

				hxp_hdr_init(rh, h->service, h->op, 0, be32_to_cpu(h->tag));
				rh->flags = HEXO_F_REPLY;
				rh->status = HEXO_ST_NOSVC;
				hxl_port_xmit(port, o.peer, r);
			}
		}
		kfree_skb(skb);
		return;
	}

	if (h->op == HEXO_OP_HELLO) {
		if (skb_queue_len(&srv->hello_q) >= HXL_HELLO_QUEUE) {
			kfree_skb(skb);
			return;
		}
		skb_queue_tail(&srv->hello_q, skb);
		schedule_work(&srv->hello_work);
		return;
	}

	sess = hxl_srv_lookup(srv, be32_to_cpu(h->session));
	/* Only the client a session belongs to may use it. */
	if (!sess || !ether_addr_equal(sess->peer, o.peer)) {
		hxl_srv_reply(srv, h, HEXO_ST_SESSION, &o);
		goto out;
	}
	WRITE_ONCE(sess->last_rx, jiffies);

	switch (h->op) {
	case HEXO_OP_READ:
		hxl_srv_read(srv, sess, h, &o);
		break;
	case HEXO_OP_READV:
		hxl_srv_readv(srv, sess, skb, data_at, &o);
		break;
	case HEXO_OP_WRITE:
		hxl_srv_write(srv, sess, skb, data_at, &o);
		break;
	case HEXO_OP_DISCARD:
		st = HEXO_ST_INVAL;
		if (hxl_srv_range_ok(sess, be64_to_cpu(h->index), be32_to_cpu(h->count), U32_MAX))
			st = srv->ops->discard(sess, be64_to_cpu(h->index), be32_to_cpu(h->count),
					       be32_to_cpu(h->seq));
		if (st == HEXO_ST_OK)
			sess->reqs[hxl_op_index(h->op)]++;
		hxl_srv_reply(srv, h, st, &o);
		break;
	case HEXO_OP_FLUSH:
		sess->reqs[3]++;
		fallthrough;
	case HEXO_OP_PING:
		hxl_srv_reply(srv, h, HEXO_ST_OK, &o);
		break;
	case HEXO_OP_BYE:
		/* The expiry worker closes it; it is unreachable from now. */
		spin_lock(&srv->lock);
		if (!hlist_unhashed(&sess->hnode)) {
			hash_del_rcu(&sess->hnode);
			sess->last_rx = jiffies - msecs_to_jiffies(srv->expire_ms) - 1;
		}
		spin_unlock(&srv->lock);
		mod_delayed_work(system_wq, &srv->expire_work, 0);
		break;
	default:
		hxl_srv_reply(srv, h, HEXO_ST_INVAL, &o);
		break;
	}
out:
	consume_skb(skb);
	hxl_srv_out_flush(srv, &o);
}

/* ------------------------------------------------------------ sessions */

static struct hxl_sess *hxl_srv_alloc_sess(struct hxl_srv *srv, const struct hexo_hello *req,
					   const u8 *peer, struct hexo_hello *reply)
{
	struct hxp_terms mine, theirs;
	struct hxp_agreed terms;
	struct hxl_sess *sess;
	u32 i, j;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return NULL;
	sess->srv = srv;
	INIT_HLIST_NODE(&sess->hnode);
	INIT_LIST_HEAD(&sess->node);
	spin_lock_init(&sess->lock);
	ether_addr_copy(sess->peer, peer);
	sess->nonce = be64_to_cpu(req->nonce);
	sess->boot = be64_to_cpu(req->boot);
	memcpy(sess->name, req->name, sizeof(sess->name));
	sess->name[sizeof(sess->name) - 1] = '\0';
	mine = (struct hxp_terms){ hxl_port_mtu(srv->port), srv->window, srv->max_pages };
	theirs = (struct hxp_terms){ be16_to_cpu(req->mtu), be16_to_cpu(req->window),
				     be16_to_cpu(req->max_pages) };
	hxp_agree(&mine, &theirs, &terms);	/* the request was checked sane */
	sess->frag = terms.frag;
	sess->fpp = terms.fpp;
	sess->window = terms.window;
	sess->max_pages = terms.max_pages;
	sess->last_rx = jiffies;

	/* A client's tag slots stay below its window. */
	sess->nslots = sess->window;
	sess->stage = kvcalloc(sess->nslots, sizeof(*sess->stage), GFP_KERNEL);
	if (!sess->stage)
		goto err;
	for (i = 0; i < sess->nslots; i++)
		for (j = 0; j < sess->max_pages; j++) {
			sess->stage[i].pages[j] = alloc_page(GFP_KERNEL);
			if (!sess->stage[i].pages[j])
				goto err;
		}

	reply->window = cpu_to_be16(sess->window);
	reply->max_pages = cpu_to_be16(sess->max_pages);
	return sess;
err:
	hxl_srv_free_sess(sess);
	return NULL;
}

/*
 * Whether a HELLO request is well formed: a size in whole pages, an MTU that
 * carries data, a window, NUL-padded name and zero reserved bits. Random
 * bytes that happen to carry a valid checksum do not open (or, through
 * their boot value, close) sessions.
 */
static bool hxl_srv_hello_sane(const struct hexo_hello *req)
{
	u64 size = be64_to_cpu(req->size);

	return size && !(size % HEXO_PAGE_SIZE) && !req->epoch && !req->reserved &&
	       hxp_frag_size(be16_to_cpu(req->mtu)) && be16_to_cpu(req->window) &&
	       be16_to_cpu(req->max_pages) && memchr(req->name, 0, sizeof(req->name));
}

static void hxl_srv_hello(struct hxl_srv *srv, struct sk_buff *skb)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hxl_srv_out o = { .peer = eth_hdr(skb)->h_source };
	struct hxl_sess *sess = NULL, *s, *tmp;
	struct hexo_hello req, reply = {};
	struct hexo_hdr *rh;
	struct sk_buff *r;
	LIST_HEAD(gone);
	size_t data_at = h->hdr_len;
	u32 prev;
	int st;

	__skb_queue_head_init(&o.tx);
	if (be16_to_cpu(h->data_len) < sizeof(req) ||
	    skb_copy_bits(skb, data_at, &req, sizeof(req)) ||
	    be32_to_cpu(h->data_crc) != hxp_data_crc(0, &req, sizeof(req)) ||
	    !hxl_srv_hello_sane(&req))
		return;
	prev = be32_to_cpu(req.prev_session);
	reply.nonce = req.nonce;
	reply.epoch = cpu_to_be64(srv->epoch);
	reply.mtu = cpu_to_be16(min_t(u32, hxl_port_mtu(srv->port), U16_MAX));

	mutex_lock(&srv->sess_lock);
	spin_lock_bh(&srv->lock);
	list_for_each_entry(s, &srv->sessions, node) {
		/* A resent HELLO, or a reattach after a loss. */
		if (ether_addr_equal(s->peer, o.peer) && !hlist_unhashed(&s->hnode) &&
		    s->boot == be64_to_cpu(req.boot) &&
		    (s->nonce == be64_to_cpu(req.nonce) || (prev && s->id == prev))) {
			sess = s;
			break;
		}
	}
	spin_unlock_bh(&srv->lock);

	if (sess) {
		sess->nonce = be64_to_cpu(req.nonce);
		WRITE_ONCE(sess->last_rx, jiffies);
		reply.size = cpu_to_be64(sess->size);
		reply.window = cpu_to_be16(sess->window);
		reply.max_pages = cpu_to_be16(sess->max_pages);
		st = HEXO_ST_OK;
		goto send;
	}

	sess = hxl_srv_alloc_sess(srv, &req, o.peer, &reply);
	if (!sess) {
		st = HEXO_ST_BUSY;
		goto send;
	}
	st = srv->ops->hello(sess, &req, &reply);
	if (st != HEXO_ST_OK) {
		hxl_srv_free_sess(sess);
		sess = NULL;
		goto send;
	}
	sess->size = be64_to_cpu(reply.size);
	sess->npages = sess->size / HEXO_PAGE_SIZE;
	spin_lock_bh(&srv->lock);
	do {
		sess->id = get_random_u32();
	} while (!sess->id || hxl_srv_lookup(srv, sess->id));
	hash_add_rcu(srv->hash, &sess->hnode, sess->id);
	list_add_tail(&sess->node, &srv->sessions);
	/*
	 * Granted to a client that restarted (a new boot value from its
	 * MAC): its older sessions will never be used again.
	 */
	list_for_each_entry_safe(s, tmp, &srv->sessions, node)
		if (s != sess && ether_addr_equal(s->peer, o.peer) &&
		    !hlist_unhashed(&s->hnode) && s->boot != sess->boot)
			hxl_srv_unhash(srv, s, &gone);
	spin_unlock_bh(&srv->lock);
	hxl_srv_close_list(srv, &gone);
	if (srv->ops->opened)
		srv->ops->opened(sess);

send:
	r = hxl_srv_frame(srv, h, st, sizeof(reply));
	if (r) {
		rh = (struct hexo_hdr *)r->data;
		rh->session = cpu_to_be32(sess ? sess->id : 0);
		rh->index = 0;
		rh->count = 0;
		skb_put_data(r, &reply, sizeof(reply));
		rh->data_crc = cpu_to_be32(hxp_data_crc(0, &reply, sizeof(reply)));
		__skb_queue_tail(&o.tx, r);
	}
	mutex_unlock(&srv->sess_lock);
	hxl_srv_out_flush(srv, &o);
}

static void hxl_srv_hello_work(struct work_struct *work)
{
	struct hxl_srv *srv = container_of(work, struct hxl_srv, hello_work);
	struct sk_buff *skb;

	while ((skb = skb_dequeue(&srv->hello_q))) {
		if (!READ_ONCE(srv->dying))
			hxl_srv_hello(srv, skb);
		kfree_skb(skb);
	}
}

/* Closes the sessions silent for longer than limit (jiffies), or all. */
static void hxl_srv_close_idle(struct hxl_srv *srv, unsigned long limit, bool all)
{
	struct hxl_sess *s, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&srv->sess_lock);
	spin_lock_bh(&srv->lock);
	list_for_each_entry_safe(s, tmp, &srv->sessions, node)
		if (all || time_after(jiffies, READ_ONCE(s->last_rx) + limit))
			hxl_srv_unhash(srv, s, &gone);
	spin_unlock_bh(&srv->lock);
	hxl_srv_close_list(srv, &gone);
	mutex_unlock(&srv->sess_lock);
}

static void hxl_srv_expire_work(struct work_struct *work)
{
	struct hxl_srv *srv = container_of(to_delayed_work(work), struct hxl_srv, expire_work);

	hxl_srv_close_idle(srv, msecs_to_jiffies(srv->expire_ms), false);
	if (!READ_ONCE(srv->dying))
		schedule_delayed_work(&srv->expire_work, HZ);
}

struct hxl_srv *hxl_srv_create(struct net *net, const struct hxl_srv_cfg *cfg,
			       const struct hxl_srv_ops *ops, void *priv,
			       struct netlink_ext_ack *extack)
{
	struct hxl_port *port;
	struct hxl_srv *srv;
	int ret;

	if (cfg->service >= __HEXO_SVC_MAX || cfg->service == HEXO_SVC_LINK)
		return ERR_PTR(-EINVAL);
	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return ERR_PTR(-ENOMEM);
	port = hxl_port_get(net, cfg->ifindex, extack);
	if (IS_ERR(port)) {
		kfree(srv);
		return ERR_CAST(port);
	}
	srv->port = port;
	srv->service = cfg->service;
	srv->ops = ops;
	srv->priv = priv;
	srv->epoch = get_random_u64();
	srv->expire_ms = cfg->expire_ms;
	srv->window = clamp_t(u32, cfg->window, 1, HXL_MAX_WINDOW);
	srv->max_pages = clamp_t(u32, cfg->max_pages, 1, HXL_MAX_PAGES);
	mutex_init(&srv->sess_lock);
	spin_lock_init(&srv->lock);
	hash_init(srv->hash);
	INIT_LIST_HEAD(&srv->sessions);
	skb_queue_head_init(&srv->hello_q);
	INIT_WORK(&srv->hello_work, hxl_srv_hello_work);
	INIT_DELAYED_WORK(&srv->expire_work, hxl_srv_expire_work);

	ret = hxl_port_set_srv(port, cfg->service, srv, extack);
	if (ret) {
		hxl_port_put(port);
		kfree(srv);
		return ERR_PTR(ret);
	}
	__module_get(THIS_MODULE);
	schedule_delayed_work(&srv->expire_work, HZ);
	return srv;
}
EXPORT_SYMBOL_GPL(hxl_srv_create);

void hxl_srv_destroy(struct hxl_srv *srv)
{
	WRITE_ONCE(srv->dying, true);
	hxl_port_clear_srv(srv->port, srv->service);
	cancel_work_sync(&srv->hello_work);
	skb_queue_purge(&srv->hello_q);
	cancel_delayed_work_sync(&srv->expire_work);
	hxl_srv_close_idle(srv, 0, true);

	hxl_port_put(srv->port);
	kfree(srv);
	module_put(THIS_MODULE);
}
EXPORT_SYMBOL_GPL(hxl_srv_destroy);

void *hxl_srv_priv(struct hxl_srv *srv)
{
	return srv->priv;
}
EXPORT_SYMBOL_GPL(hxl_srv_priv);

int hxl_srv_ifindex(struct hxl_srv *srv)
{
	return srv->port->ifindex;
}
EXPORT_SYMBOL_GPL(hxl_srv_ifindex);

u64 hxl_srv_epoch(struct hxl_srv *srv)
{
	return srv->epoch;
}
EXPORT_SYMBOL_GPL(hxl_srv_epoch);

void hxl_srv_visit_sessions(struct hxl_srv *srv, hxl_sess_visit_t fn, void *arg)
{
	struct hxl_sess_info info;
	struct hxl_sess *s;

	mutex_lock(&srv->sess_lock);
	list_for_each_entry(s, &srv->sessions, node) {
		memset(&info, 0, sizeof(info));
		info.id = s->id;
		ether_addr_copy(info.peer, s->peer);
		memcpy(info.name, s->name, sizeof(info.name));
		info.size = s->size;
		info.window = s->window;
		info.max_pages = s->max_pages;
		info.idle_ms = jiffies_to_msecs(jiffies - READ_ONCE(s->last_rx));
		memcpy(info.reqs, s->reqs, sizeof(info.reqs));
		info.csum_errors = s->csum_errors;
		info.busy = s->busy;
		fn(s, &info, arg);
	}
	mutex_unlock(&srv->sess_lock);
}
EXPORT_SYMBOL_GPL(hxl_srv_visit_sessions);

void hxl_sess_set_priv(struct hxl_sess *sess, void *priv)
{
	sess->priv = priv;
}
EXPORT_SYMBOL_GPL(hxl_sess_set_priv);

void *hxl_sess_priv(struct hxl_sess *sess)
{
	return sess->priv;
}
EXPORT_SYMBOL_GPL(hxl_sess_priv);

struct hxl_srv *hxl_sess_srv(struct hxl_sess *sess)
{
	return sess->srv;
}
EXPORT_SYMBOL_GPL(hxl_sess_srv);

u32 hxl_sess_id(struct hxl_sess *sess)
{
	return sess->id;
}
EXPORT_SYMBOL_GPL(hxl_sess_id);

const u8 *hxl_sess_peer(struct hxl_sess *sess)
{
	return sess->peer;
}
EXPORT_SYMBOL_GPL(hxl_sess_peer);

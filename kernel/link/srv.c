// SPDX-License-Identifier: GPL-2.0
/*
 * Servers: a service served on a port. HELLO creates a session (in a worker:
 * it allocates); the data path answers READ, READV, WRITE, DISCARD, FLUSH
 * and PING in softirq context through the service's backend. Writes are reassembled
 * per tag slot and handed to the backend page by page, each checked against
 * its end-to-end checksum. Sessions whose client falls silent past the expiry
 * are closed, as are those of a client that restarted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "frag.h"
#include "port.h"
#include "srv.h"

#define HXL_HELLO_QUEUE		64
/*
 * A session its client never used after the HELLO is a forged or stale
 * HELLO's (real clients ping every second): it goes after this, not at the
 * serve's expiry, so that such HELLOs cannot fill the sessions.
 */
#define HXL_UNPROVEN_MS		5000
/*
 * A session of an earlier boot of the same MAC, silent this long while a
 * newer boot's session is in use, belongs to a client that restarted: it is
 * closed before its expiry. A live one (two boards with one MAC) is never
 * silent that long: clients ping every second.
 */
#define HXL_SUPERSEDED_MS	3000
/* A staging slot silent this long may give its pages to another write. */
#define HXL_STAGE_STALE_MS	1000

/* Frames a locked section leaves to send. */
struct hxl_srv_out {
	struct sk_buff_head tx;
	u8 peer[ETH_ALEN];		/* a copy: the request is freed first */
	struct hxl_sess *sess;		/* whose keys seal them (keyed) */
};

/*
 * Sends what o holds; on a keyed server, sealed: HELLO replies with the
 * hello key, the rest with the session's key. What belongs to no session
 * (an answer to an unknown session) cannot be sealed and is not sent: a
 * keyed client would take no unsealed word.
 */
static void hxl_srv_out_flush(struct hxl_srv *srv, struct hxl_srv_out *o)
{
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&o->tx))) {
		if (srv->keyed) {
			if (((struct hexo_hdr *)skb->data)->op == HEXO_OP_HELLO) {
				hxl_auth_hello_seal(srv->hello_key, skb);
			} else if (o->sess) {
				hxl_auth_seal_next(&o->sess->auth, skb);
			} else {
				kfree_skb(skb);
				continue;
			}
		}
		hxl_port_xmit(srv->port, o->peer, skb);
	}
}

/* Whether a frame for sess on a keyed server is sealed by its client and fresh. */
static bool hxl_srv_authentic(struct hxl_srv *srv, struct hxl_sess *sess,
			      struct sk_buff *skb, size_t data_at)
{
	u64 pn;
	u32 key_gen;

	if (!hxl_auth_check(&sess->auth, skb, data_at, &pn, &key_gen)) {
		hxl_port_count(srv->port, HXL_PC_RX_BAD_AUTH, 1);
		return false;
	}
	if (!hxl_auth_fresh(&sess->auth, pn, key_gen)) {
		hxl_port_count(srv->port, HXL_PC_RX_REPLAY, 1);
		return false;
	}
	return true;
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
	h->flags = HEXO_F_REPLY;
	h->status = status;
	h->index = req->index;
	h->seq = req->seq;
	h->count = req->count;
	h->data_len = cpu_to_be16(data_len);
	return skb;
}

/* Echo RETRY: the client tells a late answer from one to its retry. */
static void hxl_srv_echo_retry(struct hxl_sess *sess, const struct hexo_hdr *req,
			       struct sk_buff *skb)
{
	if (sess && (sess->caps & HEXO_CAP_RETRY_ECHO))
		((struct hexo_hdr *)skb->data)->flags |= req->flags & HEXO_F_RETRY;
}

static void hxl_srv_reply(struct hxl_srv *srv, struct hxl_sess *sess,
			  const struct hexo_hdr *req, u8 status, struct hxl_srv_out *o)
{
	struct sk_buff *skb = hxl_srv_frame(srv, req, status, 0);

	if (skb) {
		hxl_srv_echo_retry(sess, req, skb);
		__skb_queue_tail(&o->tx, skb);
	}
}

/* ------------------------------------------------------------ data path */

struct hxl_srv_emit {
	struct hxl_srv *srv;
	struct hxl_sess *sess;
	const struct hexo_hdr *req;
	struct hxl_srv_out *o;
	u32 page;			/* position in the request */
};

/* A frame of a read reply's data (hxl_frag_send()). */
static struct sk_buff *hxl_srv_read_frame(void *arg, u32 len)
{
	struct hxl_srv_emit *e = arg;
	struct sk_buff *skb = hxl_srv_frame(e->srv, e->req, HEXO_ST_OK, len);

	if (skb)
		hxl_srv_echo_retry(e->sess, e->req, skb);
	return skb;
}

/* The backend's page (or its absence) into frames. */
static void hxl_srv_emit_page(void *arg, const void *data, u32 crc)
{
	struct hxl_srv_emit *e = arg;
	struct hexo_hdr *h;
	struct sk_buff *skb;

	if (!data) {
		skb = hxl_srv_frame(e->srv, e->req, HEXO_ST_OK, 0);
		if (!skb)
			return;
		hxl_srv_echo_retry(e->sess, e->req, skb);
		h = (struct hexo_hdr *)skb->data;
		h->flags |= HEXO_F_ABSENT;
		h->data_off = cpu_to_be32(e->page * HEXO_PAGE_SIZE);
		__skb_queue_tail(&e->o->tx, skb);
		return;
	}
	/* A frame that cannot be allocated is not sent: the client asks again. */
	hxl_frag_send(data, e->page, READ_ONCE(e->sess->frag), crc, hxl_srv_read_frame, e,
		      &e->o->tx);
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
		hxl_srv_reply(srv, sess, h, HEXO_ST_INVAL, o);
		return;
	}
	for (i = 0; i < count; i++) {
		e.page = i;
		st = srv->ops->read(sess, index + i, hxl_srv_emit_page, &e);
		if (st != HEXO_ST_OK) {
			hxl_srv_reply(srv, sess, h, st, o);
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

	if (!(sess->caps & HEXO_CAP_READV) ||
	    !n || n > sess->nslots || be16_to_cpu(h->data_len) != len ||
	    !pskb_may_pull(skb, data_at + len)) {
		hxl_srv_reply(srv, sess, h, HEXO_ST_INVAL, o);
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
		hxl_srv_reply(srv, sess, h, HEXO_ST_INVAL, o);
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

/* Gives a slot's staging pages back to the pool. Under sess->lock. */
static void hxl_srv_stage_release(struct hxl_sess *sess, struct hxl_stage *st)
{
	u32 p;

	for (p = 0; p < HXL_MAX_PAGES; p++) {
		if (st->pages[p]) {
			sess->pool[sess->pool_free++] = st->pages[p];
			st->pages[p] = NULL;
		}
	}
}

/*
 * A staging page for page p of slot st, from the pool. The pool holds what a
 * client may have in flight (window + max_pages pages); a slot its client
 * gave up on (a write that failed, its tag reused by a read) keeps pages
 * until then, so an empty pool takes back the pages of a slot that has been
 * silent for a while: a write still alive is merely sent again. NULL when
 * there is none: the client is told BUSY and retries. Under sess->lock.
 */
static struct page *hxl_srv_stage_page(struct hxl_sess *sess, struct hxl_stage *st, u32 p)
{
	unsigned long stale = jiffies - msecs_to_jiffies(HXL_STAGE_STALE_MS);
	struct hxl_stage *o;
	u32 i;

	if (st->pages[p])
		return st->pages[p];
	for (i = 0; !sess->pool_free && i < sess->nslots; i++) {
		o = &sess->stage[i];
		if (o != st && time_before(o->last_rx, stale)) {
			o->frags = 0;
			o->used = o->used && o->acked;	/* an ack may still be repeated */
			hxl_srv_stage_release(sess, o);
		}
	}
	if (!sess->pool_free)
		return NULL;
	st->pages[p] = sess->pool[--sess->pool_free];
	return st->pages[p];
}

static void hxl_srv_write(struct hxl_srv *srv, struct hxl_sess *sess,
			  struct sk_buff *skb, size_t data_at, struct hxl_srv_out *o)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u32 tag = be32_to_cpu(h->tag), slot = tag & 0xffff;
	u64 index = be64_to_cpu(h->index), seq = be64_to_cpu(h->seq);
	u32 count = be32_to_cpu(h->count), frag, fpp;
	u32 off = be32_to_cpu(h->data_off), len = be16_to_cpu(h->data_len);
	u32 p = off / HEXO_PAGE_SIZE, poff = off % HEXO_PAGE_SIZE;
	u32 crc = be32_to_cpu(h->data_crc);
	struct hxl_stage *st;
	struct page *page;
	void *data;
	int ret;

	spin_lock(&sess->lock);
	/* The fragment geometry changes only under the lock (hxl_srv_renew()). */
	frag = sess->frag;
	fpp = sess->fpp;
	if (slot >= sess->nslots || hxp_frag_index(HEXO_PAGE_SIZE, frag, poff, len) < 0 ||
	    p >= count || !seq || !hxl_srv_range_ok(sess, index, count, sess->max_pages)) {
		hxl_srv_reply(srv, sess, h, HEXO_ST_INVAL, o);
		goto unlock;
	}

	st = &sess->stage[slot];
	if (!st->used || st->tag != tag || st->index != index || st->count != count ||
	    st->seq != seq) {
		/*
		 * Another write than the slot's. A newer one (the client
		 * reused the slot, or its tags wrapped onto an old one)
		 * takes the slot over; an older one is a late duplicate of a
		 * write done with already.
		 */
		if (st->used && seq <= st->seq)
			goto unlock;
		hxl_srv_stage_release(sess, st);
		st->used = true;
		st->tag = tag;
		st->index = index;
		st->count = count;
		st->seq = seq;
		st->frags = 0;
		st->pages_done = 0;
		st->acked = false;
	}
	st->last_rx = jiffies;
	if (st->acked) {
		/* Our acknowledgement was lost: say it again. */
		hxl_srv_reply(srv, sess, h, HEXO_ST_OK, o);
		goto unlock;
	}
	if (st->pages_done & BIT_ULL(p))
		goto unlock;

	page = hxl_srv_stage_page(sess, st, p);
	if (!page) {
		sess->busy++;
		hxl_srv_reply(srv, sess, h, HEXO_ST_BUSY, o);
		goto unlock;
	}
	data = page_address(page);
	switch (hxl_frag_recv(&st->frags, fpp, frag, p, poff, len, skb, data_at, data,
			      index + p, crc)) {
	case HXL_FRAG_DUP:
	case HXL_FRAG_MORE:
		goto unlock;
	case HXL_FRAG_BAD:
		sess->csum_errors++;
		hxl_srv_reply(srv, sess, h, HEXO_ST_CSUM, o);
		goto unlock;
	case HXL_FRAG_PAGE:
		break;
	}
	ret = srv->ops->write(sess, index + p, seq, crc, data);
	if (ret != HEXO_ST_OK) {
		st->frags &= ~hxp_page_frags(fpp, p);
		if (ret == HEXO_ST_BUSY)
			sess->busy++;
		hxl_srv_reply(srv, sess, h, ret, o);
		goto unlock;
	}
	st->pages_done |= BIT_ULL(p);
	sess->pool[sess->pool_free++] = page;
	st->pages[p] = NULL;
	if (st->pages_done == GENMASK_ULL(count - 1, 0)) {
		st->acked = true;
		sess->reqs[1]++;
		hxl_srv_reply(srv, sess, h, HEXO_ST_OK, o);
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
	u32 i;

	if (sess->stage) {
		for (i = 0; i < sess->nslots; i++)
			hxl_srv_stage_release(sess, &sess->stage[i]);
		kvfree(sess->stage);
	}
	for (i = 0; i < sess->pool_free; i++)
		__free_page(sess->pool[i]);
	kvfree(sess->pool);
	kfree_sensitive(sess);
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
		srv->nsessions--;
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

/*
 * NOSVC to a HELLO for a service nothing serves on the port. Like every
 * HELLO reply it echoes the request's nonce: a client takes no reply
 * without it (else anyone could refuse its connections for the server).
 */
static void hxl_srv_nosvc(struct hxl_port *port, const struct sk_buff *skb, size_t data_at,
			  const u8 *peer)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hexo_hello req, reply = {};
	struct hexo_hdr *rh;
	struct sk_buff *r;

	if (be16_to_cpu(h->data_len) < sizeof(req) ||
	    skb_copy_bits(skb, data_at, &req, sizeof(req)) ||
	    be32_to_cpu(h->data_crc) != hxp_data_crc(0, &req, sizeof(req)))
		return;
	r = hxl_port_alloc_skb(port, sizeof(reply));
	if (!r)
		return;
	rh = (struct hexo_hdr *)r->data;
	hxp_hdr_init(rh, h->service, h->op, 0, be32_to_cpu(h->tag));
	rh->flags = HEXO_F_REPLY;
	rh->status = HEXO_ST_NOSVC;
	rh->seq = h->seq;
	rh->data_len = cpu_to_be16(sizeof(reply));
	reply.nonce = req.nonce;
	skb_put_data(r, &reply, sizeof(reply));
	rh->data_crc = cpu_to_be32(hxp_data_crc(0, &reply, sizeof(reply)));
	hxl_port_xmit(port, peer, r);
}

void hxl_srv_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hxl_sess *sess = NULL;
	struct hxl_srv_out o = {};
	struct hxl_srv *srv;
	u32 count;
	int st;

	__skb_queue_head_init(&o.tx);
	ether_addr_copy(o.peer, eth_hdr(skb)->h_source);
	srv = rcu_dereference(port->srv[h->service]);
	if (!srv || READ_ONCE(srv->dying)) {
		hxl_port_count(port, HXL_PC_RX_NO_SERVICE, 1);
		/* Say so to a HELLO, so that an attach fails fast and clearly. */
		if (h->op == HEXO_OP_HELLO)
			hxl_srv_nosvc(port, skb, data_at, o.peer);
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
		hxl_srv_reply(srv, NULL, h, HEXO_ST_SESSION, &o);
		goto out;
	}
	/* A keyed session hears only what its client sealed, once. */
	if (srv->keyed && !hxl_srv_authentic(srv, sess, skb, data_at))
		goto out;
	o.sess = sess;
	WRITE_ONCE(sess->last_rx, jiffies);
	if (unlikely(!READ_ONCE(sess->proven))) {
		/* The expiry worker retires what this session supersedes. */
		WRITE_ONCE(sess->proven, true);
		mod_delayed_work(system_wq, &srv->expire_work, 0);
	}

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
		count = be32_to_cpu(h->count);
		if (hxl_srv_range_ok(sess, be64_to_cpu(h->index), count, HEXO_MAX_DISCARD_PAGES) &&
		    h->seq)
			st = srv->ops->discard(sess, be64_to_cpu(h->index), count,
					       be64_to_cpu(h->seq));
		if (st == HEXO_ST_OK)
			sess->reqs[hxl_op_index(h->op)]++;
		hxl_srv_reply(srv, sess, h, st, &o);
		break;
	case HEXO_OP_FLUSH:
		sess->reqs[3]++;
		fallthrough;
	case HEXO_OP_PING:
		hxl_srv_reply(srv, sess, h, HEXO_ST_OK, &o);
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
		hxl_srv_reply(srv, sess, h, HEXO_ST_INVAL, &o);
		break;
	}
out:
	consume_skb(skb);
	hxl_srv_out_flush(srv, &o);
}

/* ------------------------------------------------------------ sessions */

/* The terms of a session with the client that sent req, at the MTUs of now. */
static bool hxl_srv_terms(struct hxl_srv *srv, u32 mtu, const struct hexo_hello *req,
			  struct hxp_agreed *terms)
{
	struct hxp_terms mine, theirs;

	mine = (struct hxp_terms){ mtu, srv->window, srv->max_pages,
				   HXP_CAPS | (srv->keyed ? HEXO_CAP_KEYED : 0) };
	theirs = (struct hxp_terms){ be16_to_cpu(req->mtu), be16_to_cpu(req->window),
				     be16_to_cpu(req->max_pages), be32_to_cpu(req->caps) };
	return hxp_agree(&mine, &theirs, terms);
}

static struct hxl_sess *hxl_srv_new_sess(struct hxl_srv *srv, const struct hexo_hello *req,
					 const u8 *peer, const struct hxp_agreed *terms)
{
	struct hxl_sess *sess;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return NULL;
	sess->srv = srv;
	INIT_HLIST_NODE(&sess->hnode);
	INIT_LIST_HEAD(&sess->node);
	spin_lock_init(&sess->lock);
	hxl_auth_init(&sess->auth);
	ether_addr_copy(sess->peer, peer);
	sess->nonce = be64_to_cpu(req->nonce);
	sess->boot = be64_to_cpu(req->boot);
	memcpy(sess->name, req->name, sizeof(sess->name));
	sess->name[sizeof(sess->name) - 1] = '\0';
	sess->frag = terms->frag;
	sess->fpp = terms->fpp;
	sess->window = terms->window;
	sess->max_pages = terms->max_pages;
	sess->caps = terms->caps;
	sess->last_rx = jiffies;
	sess->created = jiffies;
	/* A client's tag slots stay below its window. */
	sess->nslots = sess->window;
	return sess;
}

/*
 * The staging of writes: a slot per tag, and a pool of what a client may
 * have in flight (see hxl_srv_stage_page()). After the backend granted the
 * session: a HELLO that cannot be served allocates nothing.
 */
static int hxl_srv_alloc_stage(struct hxl_sess *sess)
{
	u32 i;

	sess->stage = kvcalloc(sess->nslots, sizeof(*sess->stage), GFP_KERNEL);
	sess->pool_size = sess->window + sess->max_pages;
	sess->pool = kvcalloc(sess->pool_size, sizeof(*sess->pool), GFP_KERNEL);
	if (!sess->stage || !sess->pool)
		return -ENOMEM;
	for (i = 0; i < sess->pool_size; i++) {
		sess->pool[i] = alloc_page(GFP_KERNEL);
		if (!sess->pool[i])
			return -ENOMEM;
		sess->pool_free++;
	}
	return 0;
}

/*
 * A client that found its session again (a lost link, a resent HELLO):
 * fragments are agreed anew, at the MTUs of now; window and pages per
 * request stay the session's (its staging is sized for them). Writes being
 * reassembled in fragments of the old size are dropped: the client sends
 * them again. Under srv->sess_lock.
 */
static void hxl_srv_renew(struct hxl_sess *sess, const struct hxp_agreed *terms)
{
	u32 i;

	spin_lock_bh(&sess->lock);
	if (terms->frag != sess->frag) {
		for (i = 0; i < sess->nslots; i++) {
			sess->stage[i].frags = 0;
			sess->stage[i].used = sess->stage[i].used && sess->stage[i].acked;
			hxl_srv_stage_release(sess, &sess->stage[i]);
		}
		WRITE_ONCE(sess->frag, terms->frag);
		WRITE_ONCE(sess->fpp, terms->fpp);
	}
	spin_unlock_bh(&sess->lock);
}

/*
 * Whether a HELLO request is well formed: a size in whole pages, NUL-padded
 * name and zero reserved fields (its MTU, window and pages per request are
 * judged by hxp_agree()). Random bytes that happen to carry a valid checksum
 * do not open sessions.
 */
static bool hxl_srv_hello_sane(const struct hexo_hello *req)
{
	u64 size = be64_to_cpu(req->size);

	return size && !(size % HEXO_PAGE_SIZE) && !req->epoch && !req->snonce &&
	       !req->reserved && memchr(req->name, 0, sizeof(req->name));
}

/*
 * Makes room for a new session: closes those ended (BYE) but not yet
 * reaped, and those of the same MAC from another boot that have been silent
 * for HXL_SUPERSEDED_MS (a board that restarted: a live one pings every
 * second). Under srv->sess_lock.
 */
static void hxl_srv_reap(struct hxl_srv *srv, const u8 *peer, u64 boot)
{
	unsigned long superseded = msecs_to_jiffies(HXL_SUPERSEDED_MS);
	struct hxl_sess *s, *tmp;
	LIST_HEAD(gone);

	spin_lock_bh(&srv->lock);
	list_for_each_entry_safe(s, tmp, &srv->sessions, node)
		if (hlist_unhashed(&s->hnode) ||
		    (ether_addr_equal(s->peer, peer) && s->boot != boot &&
		     time_after(jiffies, READ_ONCE(s->last_rx) + superseded)))
			hxl_srv_unhash(srv, s, &gone);
	spin_unlock_bh(&srv->lock);
	hxl_srv_close_list(srv, &gone);
}

static void hxl_srv_hello(struct hxl_srv *srv, struct sk_buff *skb)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	struct hxl_sess *sess = NULL, *s;
	struct hexo_hello req, reply = {};
	u32 mtu = min_t(u32, hxl_port_mtu(srv->port), U16_MAX), prev;
	u64 hello_seq = be64_to_cpu(h->seq);
	struct hxp_agreed terms;
	struct hxl_srv_out o = {};
	struct hexo_hdr *rh;
	struct sk_buff *r;
	size_t data_at = h->hdr_len;
	int st;

	__skb_queue_head_init(&o.tx);
	ether_addr_copy(o.peer, eth_hdr(skb)->h_source);
	if (be16_to_cpu(h->data_len) < sizeof(req) ||
	    skb_copy_bits(skb, data_at, &req, sizeof(req)) ||
	    be32_to_cpu(h->data_crc) != hxp_data_crc(0, &req, sizeof(req)) ||
	    !hxl_srv_hello_sane(&req) || !hxl_srv_terms(srv, mtu, &req, &terms))
		return;
	if (srv->keyed && !(terms.caps & HEXO_CAP_KEYED)) {
		/* An unkeyed client: told so, unsealed (it has no key). */
		r = hxl_srv_frame(srv, h, HEXO_ST_KEY, sizeof(reply));
		if (r) {
			reply.nonce = req.nonce;
			skb_put_data(r, &reply, sizeof(reply));
			rh = (struct hexo_hdr *)r->data;
			rh->index = 0;
			rh->count = 0;
			rh->data_crc = cpu_to_be32(hxp_data_crc(0, &reply, sizeof(reply)));
			hxl_port_xmit(srv->port, o.peer, r);
		}
		return;
	}
	if (srv->keyed && !hxl_auth_hello_check(srv->hello_key, skb, data_at)) {
		hxl_port_count(srv->port, HXL_PC_RX_BAD_AUTH, 1);
		return;
	}
	prev = be32_to_cpu(req.prev_session);
	reply.nonce = req.nonce;
	reply.epoch = cpu_to_be64(srv->epoch);
	reply.mtu = cpu_to_be16(mtu);
	reply.caps = cpu_to_be32(HXP_CAPS | (srv->keyed ? HEXO_CAP_KEYED : 0));

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
		/*
		 * The client's exchanges count up: a later one takes new
		 * terms, a copy of the last one gets the same answer, a late
		 * copy (or replay) of an earlier one nothing, since the
		 * client no longer listens for it and would not take its
		 * terms.
		 */
		if (hello_seq < sess->hello_seq ||
		    (hello_seq == sess->hello_seq && sess->nonce != be64_to_cpu(req.nonce))) {
			mutex_unlock(&srv->sess_lock);
			return;
		}
		if (hello_seq > sess->hello_seq) {
			hxl_srv_renew(sess, &terms);
			sess->hello_seq = hello_seq;
			sess->nonce = be64_to_cpu(req.nonce);
		}
		WRITE_ONCE(sess->last_rx, jiffies);
		reply.size = cpu_to_be64(sess->size);
		reply.window = cpu_to_be16(sess->window);
		reply.max_pages = cpu_to_be16(sess->max_pages);
		reply.snonce = cpu_to_be64(sess->snonce);
		st = HEXO_ST_OK;
		goto send;
	}

	if (srv->nsessions >= srv->max_sessions)
		hxl_srv_reap(srv, o.peer, be64_to_cpu(req.boot));
	if (srv->nsessions >= srv->max_sessions) {
		st = HEXO_ST_FULL;
		goto send;
	}
	sess = hxl_srv_new_sess(srv, &req, o.peer, &terms);
	if (!sess) {
		st = HEXO_ST_BUSY;
		goto send;
	}
	sess->hello_seq = hello_seq;
	/* The backend checks the size first: a refusal allocates nothing. */
	st = srv->ops->hello(sess, &req, &reply);
	if (st != HEXO_ST_OK) {
		hxl_srv_free_sess(sess);
		sess = NULL;
		goto send;
	}
	if (hxl_srv_alloc_stage(sess)) {
		srv->ops->close(sess);
		hxl_srv_free_sess(sess);
		sess = NULL;
		st = HEXO_ST_BUSY;
		goto send;
	}
	reply.window = cpu_to_be16(sess->window);
	reply.max_pages = cpu_to_be16(sess->max_pages);
	sess->size = be64_to_cpu(reply.size);
	sess->npages = sess->size / HEXO_PAGE_SIZE;
	srv->nsessions++;
	spin_lock_bh(&srv->lock);
	do {
		sess->id = get_random_u32();
	} while (!sess->id || hxl_srv_lookup(srv, sess->id));
	if (srv->keyed) {
		sess->snonce = get_random_u64();
		reply.snonce = cpu_to_be64(sess->snonce);
		hxl_auth_derive(&sess->auth, srv->psk, false, sess->nonce, sess->snonce, sess->id);
	}
	hash_add_rcu(srv->hash, &sess->hnode, sess->id);
	list_add_tail(&sess->node, &srv->sessions);
	spin_unlock_bh(&srv->lock);
	/*
	 * Older sessions of the same MAC stay: a HELLO proves nothing (anyone
	 * can send one with any MAC and boot value). They go when they fall
	 * silent (hxl_srv_expire_work()).
	 */
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

/* Whether a newer boot of s's client uses a session of its own. */
static bool hxl_srv_superseded(struct hxl_srv *srv, struct hxl_sess *s)
{
	struct hxl_sess *n;

	list_for_each_entry(n, &srv->sessions, node)
		if (n != s && READ_ONCE(n->proven) && n->boot != s->boot &&
		    ether_addr_equal(n->peer, s->peer) && !hlist_unhashed(&n->hnode) &&
		    time_after(n->created, s->created))
			return true;
	return false;
}

/*
 * Closes the sessions silent for longer than limit (jiffies), the unproven
 * ones silent since their HELLO for HXL_UNPROVEN_MS, those of a client that
 * restarted (silent for HXL_SUPERSEDED_MS while its new boot's session is in
 * use); or all.
 */
static void hxl_srv_close_idle(struct hxl_srv *srv, unsigned long limit, bool all)
{
	unsigned long now = jiffies, unproven = msecs_to_jiffies(HXL_UNPROVEN_MS);
	unsigned long superseded = msecs_to_jiffies(HXL_SUPERSEDED_MS), idle;
	struct hxl_sess *s, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&srv->sess_lock);
	spin_lock_bh(&srv->lock);
	list_for_each_entry_safe(s, tmp, &srv->sessions, node) {
		/* A frame may have come since now was read, on another CPU. */
		idle = hxp_since(now, READ_ONCE(s->last_rx));
		if (all || idle > limit ||
		    (!READ_ONCE(s->proven) && idle > min(limit, unproven)) ||
		    (idle > superseded && hxl_srv_superseded(srv, s)))
			hxl_srv_unhash(srv, s, &gone);
	}
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

void hxl_srv_rx_version(struct hxl_port *port, struct sk_buff *skb)
{
	const struct hexo_hdr *h = (const struct hexo_hdr *)skb->data;
	u8 buf[HXP_V1_REFUSAL_LEN], peer[ETH_ALEN];
	struct hexo_hdr *rh;
	struct sk_buff *r;

	if (h->service >= __HEXO_SVC_MAX || !rcu_access_pointer(port->srv[h->service]))
		return;
	ether_addr_copy(peer, eth_hdr(skb)->h_source);
	if (h->version == 1) {
		/* Version 1's own format, which its clients check. */
		if (skb_linearize(skb) || !hxp_v1_refusal(skb->data, skb->len, buf))
			return;
		r = hxl_port_alloc_skb(port, HXP_V1_REFUSAL_LEN - HEXO_HDR_LEN);
		if (!r)
			return;
		memcpy(r->data, buf, HEXO_HDR_LEN);
		skb_put_data(r, buf + HEXO_HDR_LEN, HXP_V1_REFUSAL_LEN - HEXO_HDR_LEN);
		hxl_port_xmit_raw(port, peer, r);
		return;
	}
	/* A later version: told in ours, whose first 16 bytes it keeps. */
	if (h->version < HEXO_WIRE_VERSION || h->op != HEXO_OP_HELLO ||
	    (h->flags & HEXO_F_REPLY))
		return;
	r = hxl_port_alloc_skb(port, 0);
	if (!r)
		return;
	rh = (struct hexo_hdr *)r->data;
	hxp_hdr_init(rh, h->service, HEXO_OP_HELLO, 0, be32_to_cpu(h->tag));
	rh->flags = HEXO_F_REPLY;
	rh->status = HEXO_ST_VERSION;
	hxl_port_xmit(port, peer, r);
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
		ret = PTR_ERR(port);
		goto err_free;
	}
	srv->port = port;
	srv->service = cfg->service;
	srv->ops = ops;
	srv->priv = priv;
	srv->epoch = get_random_u64();
	if (cfg->key) {
		srv->keyed = true;
		memcpy(srv->psk, cfg->key, HEXO_KEY_LEN);
		hxl_auth_hello_key(srv->psk, srv->hello_key);
	}
	srv->expire_ms = cfg->expire_ms;
	srv->window = clamp_t(u32, cfg->window, 1, HXL_MAX_WINDOW);
	srv->max_pages = clamp_t(u32, cfg->max_pages, 1, HXL_MAX_PAGES);
	srv->max_sessions = max_t(u32, cfg->max_sessions, 1);
	mutex_init(&srv->sess_lock);
	spin_lock_init(&srv->lock);
	hash_init(srv->hash);
	INIT_LIST_HEAD(&srv->sessions);
	skb_queue_head_init(&srv->hello_q);
	INIT_WORK(&srv->hello_work, hxl_srv_hello_work);
	INIT_DELAYED_WORK(&srv->expire_work, hxl_srv_expire_work);

	ret = hxl_port_set_srv(port, cfg->service, srv, extack);
	if (ret)
		goto err_port;
	__module_get(THIS_MODULE);
	schedule_delayed_work(&srv->expire_work, HZ);
	return srv;

err_port:
	hxl_port_put(port);
err_free:
	kfree_sensitive(srv);
	return ERR_PTR(ret);
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
	kfree_sensitive(srv);
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
		info.keyed = srv->keyed;
		info.idle_ms = jiffies_to_msecs(hxp_since(jiffies, READ_ONCE(s->last_rx)));
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

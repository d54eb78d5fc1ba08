// SPDX-License-Identifier: GPL-2.0
/*
 * The server side of Netswap: RAM served to boards on an interface, and the
 * page store behind each board's session. Pages are kernel pages (never on
 * an LRU, so never swapped themselves), each carrying the sequence number
 * of the write that produced it (64 bits) and its end-to-end checksum, so a
 * late duplicate write or discard never undoes newer data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "proto.h"
#include "server.h"

static LIST_HEAD(nss_serves);
static DEFINE_MUTEX(nss_serves_lock);
static bool nss_closing;		/* the module goes: no new serve */

/*
 * A stored page's stamp, in the fields a page this module allocated and
 * keeps off every LRU and mapping leaves to its owner: the write's order in
 * page->private, its checksum in page->index (both unsigned long, 64 bits on
 * the 64-bit kernels Netswap builds for).
 */
static_assert(sizeof(unsigned long) == sizeof(u64), "netswap_server needs a 64-bit kernel");

static inline u64 nss_page_seq(struct page *page)
{
	return page_private(page);
}

static inline u32 nss_page_crc(struct page *page)
{
	return (u32)page->index;
}

static inline void nss_page_stamp(struct page *page, u32 crc, u64 seq)
{
	set_page_private(page, seq);
	page->index = crc;
}

static void nss_page_free(struct page *page)
{
	set_page_private(page, 0);
	page->index = 0;
	__free_page(page);
}

static int nss_hello(struct hxl_sess *sess, const struct hexo_hello *req,
		     struct hexo_hello *reply)
{
	struct nss_serve *serve = hxl_srv_priv(hxl_sess_srv(sess));
	u64 want = be64_to_cpu(req->size), room;
	struct nss_board *b;

	if (!want || want % HEXO_PAGE_SIZE)
		return HEXO_ST_INVAL;
	spin_lock_bh(&serve->lock);
	room = min(serve->board_size, serve->size - serve->reserved);
	if (want > room) {
		spin_unlock_bh(&serve->lock);
		reply->size = cpu_to_be64(room);
		return HEXO_ST_NOSPC;
	}
	serve->reserved += want;
	serve->nboards++;
	spin_unlock_bh(&serve->lock);

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b) {
		spin_lock_bh(&serve->lock);
		serve->reserved -= want;
		serve->nboards--;
		spin_unlock_bh(&serve->lock);
		return HEXO_ST_BUSY;
	}
	b->serve = serve;
	b->sess = sess;
	spin_lock_init(&b->lock);
	xa_init(&b->pages);
	b->npages = want / HEXO_PAGE_SIZE;
	hxl_sess_set_priv(sess, b);
	reply->size = cpu_to_be64(want);
	return HEXO_ST_OK;
}

static void nss_opened(struct hxl_sess *sess)
{
	struct nss_board *b = hxl_sess_priv(sess);

	nss_genl_event(NETSWAP_SRV_EV_BOARD_NEW, b->serve, sess, b->npages * HEXO_PAGE_SIZE);
}

static void nss_close(struct hxl_sess *sess)
{
	struct nss_board *b = hxl_sess_priv(sess);
	struct nss_serve *serve = b->serve;
	struct page *page;
	unsigned long i;
	u64 n = 0;

	nss_genl_event(NETSWAP_SRV_EV_BOARD_GONE, serve, sess, b->npages * HEXO_PAGE_SIZE);
	xa_for_each(&b->pages, i, page) {
		nss_page_free(page);
		n++;
		if (!(n % 4096))
			cond_resched();
	}
	xa_destroy(&b->pages);
	atomic64_sub(n, &serve->stored);
	spin_lock_bh(&serve->lock);
	serve->reserved -= b->npages * HEXO_PAGE_SIZE;
	serve->nboards--;
	spin_unlock_bh(&serve->lock);
	kfree(b);
}

static int nss_read(struct hxl_sess *sess, u64 index,
		    void (*emit)(void *arg, const void *data, u32 crc), void *arg)
{
	struct nss_board *b = hxl_sess_priv(sess);
	struct page *page;

	spin_lock(&b->lock);
	page = xa_load(&b->pages, index);
	if (page)
		emit(arg, page_address(page), nss_page_crc(page));
	else
		emit(arg, NULL, 0);
	spin_unlock(&b->lock);
	return HEXO_ST_OK;
}

static int nss_write(struct hxl_sess *sess, u64 index, u64 seq, u32 crc, const void *data)
{
	struct nss_board *b = hxl_sess_priv(sess);
	struct page *page;
	int ret = HEXO_ST_OK;

	spin_lock(&b->lock);
	page = xa_load(&b->pages, index);
	if (page) {
		switch (hxp_order(seq, nss_page_seq(page))) {
		case HXP_SAME:		/* this write, again: stored already */
			goto out;
		case HXP_OLDER:		/* a newer write replaced it */
			b->stale++;
			goto out;
		case HXP_NEWER:
			break;
		}
	} else {
		/* Softirq: no sleeping; the board retries after BUSY. */
		page = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
		if (!page) {
			ret = HEXO_ST_BUSY;
			goto out;
		}
		if (xa_err(xa_store(&b->pages, index, page, GFP_ATOMIC | __GFP_NOWARN))) {
			nss_page_free(page);
			ret = HEXO_ST_BUSY;
			goto out;
		}
		b->stored++;
		atomic64_inc(&b->serve->stored);
	}
	memcpy(page_address(page), data, HEXO_PAGE_SIZE);
	nss_page_stamp(page, crc, seq);
out:
	spin_unlock(&b->lock);
	return ret;
}

/* Pages freed per hold of the board's lock, and outside it. */
#define NSS_DISCARD_CHUNK	64

static int nss_discard(struct hxl_sess *sess, u64 index, u32 count, u64 seq)
{
	struct nss_board *b = hxl_sess_priv(sess);
	struct page *page, *batch[NSS_DISCARD_CHUNK];
	u64 i = index, end = index + count, stop;
	u32 n, k;

	/*
	 * At most HEXO_MAX_DISCARD_PAGES (hexo_link checked), in chunks: the
	 * lock is never held for more than a chunk's lookups, and the pages
	 * are freed once it is dropped.
	 */
	while (i < end) {
		n = 0;
		stop = min(end, i + NSS_DISCARD_CHUNK);
		spin_lock(&b->lock);
		for (; i < stop; i++) {
			page = xa_load(&b->pages, i);
			if (!page)
				continue;
			if (hxp_order(seq, nss_page_seq(page)) != HXP_NEWER) {
				b->stale++;
				continue;
			}
			xa_erase(&b->pages, i);
			batch[n++] = page;
		}
		b->stored -= n;
		spin_unlock(&b->lock);
		atomic64_sub(n, &b->serve->stored);
		for (k = 0; k < n; k++)
			nss_page_free(batch[k]);
	}
	return HEXO_ST_OK;
}

static const struct hxl_srv_ops nss_ops = {
	.hello		= nss_hello,
	.opened		= nss_opened,
	.close		= nss_close,
	.read		= nss_read,
	.write		= nss_write,
	.discard	= nss_discard,
};

static void nss_serve_fill(const struct nss_serve *s, struct nss_serve_info *info)
{
	memset(info, 0, sizeof(*info));
	info->ifindex = s->ifindex;
	strscpy(info->ifname, s->ifname, sizeof(info->ifname));
	info->size = s->size;
	info->board_size = s->board_size;
	info->expire_ms = s->expire_ms;
	info->max_boards = s->max_boards;
	info->keyed = s->keyed;
	info->reserved = s->reserved;
	info->nboards = s->nboards;
	info->stored = atomic64_read(&s->stored) * HEXO_PAGE_SIZE;
	info->epoch = hxl_srv_epoch(s->srv);
}

static struct nss_serve *nss_serve_find(struct net *net, int ifindex)
{
	struct nss_serve *s;

	list_for_each_entry(s, &nss_serves, node)
		if (s->net == net && s->ifindex == ifindex)
			return s;
	return NULL;
}

int nss_serve_add(struct net *net, int ifindex, u64 size, u64 board_size, u32 expire_ms,
		  u32 max_boards, const u8 *key, struct nss_serve_info *info,
		  struct netlink_ext_ack *extack)
{
	struct hxl_srv_cfg cfg = {
		.key = key,
		.ifindex = ifindex,
		.service = HEXO_SVC_NETSWAP,
		.expire_ms = expire_ms,
		.window = 64,
		.max_pages = HXL_MAX_PAGES,
		.max_sessions = max_boards,
	};
	struct net_device *dev;
	struct nss_serve *s;
	struct hxl_srv *srv;
	int ret = 0;

	if (size > (u64)totalram_pages() << PAGE_SHIFT) {
		NL_SET_ERR_MSG(extack, "size is more than this machine's RAM");
		return -EINVAL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->net = net;
	s->ifindex = ifindex;
	s->size = size;
	s->board_size = board_size;
	s->expire_ms = expire_ms;
	s->max_boards = max_boards;
	s->keyed = !!key;
	spin_lock_init(&s->lock);
	atomic64_set(&s->stored, 0);
	dev = dev_get_by_index(net, ifindex);
	if (dev) {
		strscpy(s->ifname, dev->name, sizeof(s->ifname));
		dev_put(dev);
	}

	mutex_lock(&nss_serves_lock);
	if (nss_closing) {
		NL_SET_ERR_MSG(extack, "netswap_server is unloading");
		ret = -ENODEV;
		goto out;
	}
	if (nss_serve_find(net, ifindex)) {
		NL_SET_ERR_MSG(extack, "netswap is served on this interface already");
		ret = -EBUSY;
		goto out;
	}
	srv = hxl_srv_create(net, &cfg, &nss_ops, s, extack);
	if (IS_ERR(srv)) {
		ret = PTR_ERR(srv);
		goto out;
	}
	s->srv = srv;
	list_add_tail(&s->node, &nss_serves);
	nss_serve_fill(s, info);
	s = NULL;
out:
	mutex_unlock(&nss_serves_lock);
	kfree(s);
	return ret;
}

static void nss_serve_free(struct nss_serve *s)
{
	/* Closes every session: their pages go back to the system. */
	hxl_srv_destroy(s->srv);
	WARN_ON(s->reserved || atomic64_read(&s->stored));
	kfree(s);
}

int nss_serve_del(struct net *net, int ifindex)
{
	struct nss_serve *s;

	mutex_lock(&nss_serves_lock);
	s = nss_serve_find(net, ifindex);
	if (s)
		list_del(&s->node);
	mutex_unlock(&nss_serves_lock);
	if (!s)
		return -ENOENT;
	nss_serve_free(s);
	return 0;
}

void nss_serve_del_all(void)
{
	struct nss_serve *s, *tmp;
	LIST_HEAD(all);

	/*
	 * Freed under the lock: a namespace going meanwhile waits in
	 * nss_serve_net_exit(), alive, while its serves' sessions close.
	 */
	mutex_lock(&nss_serves_lock);
	nss_closing = true;
	list_splice_init(&nss_serves, &all);
	list_for_each_entry_safe(s, tmp, &all, node)
		nss_serve_free(s);
	mutex_unlock(&nss_serves_lock);
}

void nss_serve_net_exit(struct net *net)
{
	struct nss_serve *s, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&nss_serves_lock);
	list_for_each_entry_safe(s, tmp, &nss_serves, node)
		if (s->net == net)
			list_move_tail(&s->node, &gone);
	list_for_each_entry_safe(s, tmp, &gone, node)
		nss_serve_free(s);
	mutex_unlock(&nss_serves_lock);
}

int nss_serve_get(struct net *net, int ifindex, struct nss_serve_info *info)
{
	struct nss_serve *s;
	int ret = -ENOENT;

	mutex_lock(&nss_serves_lock);
	s = nss_serve_find(net, ifindex);
	if (s) {
		spin_lock_bh(&s->lock);
		nss_serve_fill(s, info);
		spin_unlock_bh(&s->lock);
		ret = 0;
	}
	mutex_unlock(&nss_serves_lock);
	return ret;
}

int nss_serve_for_each(struct net *net, int (*fn)(const struct nss_serve_info *info, void *arg),
		       void *arg)
{
	struct nss_serve_info info;
	struct nss_serve *s;
	int ret = 0;

	mutex_lock(&nss_serves_lock);
	list_for_each_entry(s, &nss_serves, node) {
		if (s->net != net)
			continue;
		spin_lock_bh(&s->lock);
		nss_serve_fill(s, &info);
		spin_unlock_bh(&s->lock);
		ret = fn(&info, arg);
		if (ret)
			break;
	}
	mutex_unlock(&nss_serves_lock);
	return ret;
}

u32 nss_serve_count(struct net *net)
{
	struct nss_serve *s;
	u32 n = 0;

	mutex_lock(&nss_serves_lock);
	list_for_each_entry(s, &nss_serves, node)
		n += s->net == net;
	mutex_unlock(&nss_serves_lock);
	return n;
}

struct nss_board_walk {
	struct nss_serve *serve;
	int (*fn)(const struct nss_board_info *info, void *arg);
	void *arg;
	int ret;
};

static void nss_board_visit(struct hxl_sess *sess, const struct hxl_sess_info *si, void *arg)
{
	struct nss_board_walk *w = arg;
	struct nss_board *b = hxl_sess_priv(sess);
	struct nss_board_info info = {};

	if (w->ret || !b)
		return;
	info.ifindex = w->serve->ifindex;
	strscpy(info.ifname, w->serve->ifname, sizeof(info.ifname));
	info.sess = *si;
	spin_lock_bh(&b->lock);
	info.stored = b->stored * HEXO_PAGE_SIZE;
	info.stale = b->stale;
	spin_unlock_bh(&b->lock);
	w->ret = w->fn(&info, w->arg);
}

int nss_board_for_each(struct net *net, int ifindex,
		       int (*fn)(const struct nss_board_info *info, void *arg), void *arg)
{
	struct nss_board_walk w = { .fn = fn, .arg = arg };
	struct nss_serve *s;

	mutex_lock(&nss_serves_lock);
	list_for_each_entry(s, &nss_serves, node) {
		if (s->net != net || (ifindex && s->ifindex != ifindex))
			continue;
		w.serve = s;
		hxl_srv_visit_sessions(s->srv, nss_board_visit, &w);
		if (w.ret)
			break;
	}
	mutex_unlock(&nss_serves_lock);
	return w.ret;
}

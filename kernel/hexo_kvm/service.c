// SPDX-License-Identifier: GPL-2.0
/*
 * HEXO_SVC_KVM on hexo_link (service.h). A session reads the exports lent
 * to its client (offload.c) and writes messages to this node's inbox: an
 * OFFER, a PRECOPY or a WITHDRAW goes to the offers (pull.c); DONE, TAKE,
 * RELEASE, COPIED and ABORT to the export they answer; the report page is
 * report.c's. The same transport as Netswap, with its loss recovery,
 * checksums and keyed frames.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <hexo/hexo_kvm.h>
#include <hexo/wire.h>

#include "link/hexo_link.h"
#include "offload.h"
#include "pull.h"
#include "reclaim.h"
#include "report.h"
#include "service.h"

static_assert(sizeof(struct hexo_kvm_msg) == 96);

const struct hxl_chan_ops hkvm_chan_ops = {};

struct hkvm_serve {
	struct list_head node;
	struct net *net;		/* not held: a dying netns is unserved (pernet exit) */
	int ifindex;
	struct hxl_srv *srv;
};

static LIST_HEAD(hkvm_serves);
static DEFINE_MUTEX(hkvm_serves_lock);

static int hkvm_srv_hello(struct hxl_sess *sess, const struct hexo_hello *req,
			  struct hexo_hello *reply)
{
	u64 want = be64_to_cpu(req->size);

	if (!want || want % HEXO_PAGE_SIZE || want > HEXO_KVM_SPACE)
		return HEXO_ST_INVAL;
	reply->size = cpu_to_be64(want);
	return HEXO_ST_OK;
}

static void hkvm_srv_close(struct hxl_sess *sess)
{
}

static int hkvm_srv_read(struct hxl_sess *sess, u64 index,
			 void (*emit)(void *arg, const void *data, u32 crc), void *arg)
{
	u64 e = index / HEXO_KVM_SPAN, off = index % HEXO_KVM_SPAN;

	if (index == HEXO_KVM_REPORT_INDEX)
		return hkvm_report_read(hxl_sess_peer(sess), index, emit, arg);
	if (!e || !off || e > HEXO_KVM_MAX_EXPORTS ||
	    !hkvm_export_read(e, off - 1, hxl_sess_peer(sess), index, emit, arg))
		return HEXO_ST_INVAL;
	return HEXO_ST_OK;
}

static int hkvm_srv_write(struct hxl_sess *sess, u64 index, u64 seq, u32 crc, const void *data)
{
	struct hxl_srv *srv = hxl_sess_srv(sess);
	const struct hexo_kvm_msg *msg = data;
	struct hkvm_serve *s;

	if (index || be32_to_cpu(msg->magic) != HEXO_KVM_MSG_MAGIC)
		return HEXO_ST_INVAL;
	switch (be16_to_cpu(msg->type)) {
	case HEXO_KVM_MSG_OFFER:
	case HEXO_KVM_MSG_PRECOPY:
		return hkvm_pull_offered(hxl_sess_peer(sess), hxl_srv_ifindex(srv), msg);
	case HEXO_KVM_MSG_DONE:
	case HEXO_KVM_MSG_ABORT:
	case HEXO_KVM_MSG_TAKE:
	case HEXO_KVM_MSG_RELEASE:
	case HEXO_KVM_MSG_COPIED:
		return hkvm_export_answer(be16_to_cpu(msg->export), hxl_sess_peer(sess), msg) ?
		       HEXO_ST_OK : HEXO_ST_INVAL;
	case HEXO_KVM_MSG_WITHDRAW:
		/* Nothing to drop is no error: the offer may be answered already. */
		hkvm_pull_withdrawn(hxl_sess_peer(sess), msg);
		return HEXO_ST_OK;
	case HEXO_KVM_MSG_RECLAIM:
		s = hxl_srv_priv(srv);
		return hkvm_reclaim_asked(s->net, s->ifindex, hxl_sess_peer(sess), msg) ?
		       HEXO_ST_OK : HEXO_ST_INVAL;
	default:
		return HEXO_ST_INVAL;
	}
}

static int hkvm_srv_discard(struct hxl_sess *sess, u64 index, u32 count, u64 seq)
{
	return HEXO_ST_INVAL;
}

static const struct hxl_srv_ops hkvm_srv_ops = {
	.hello		= hkvm_srv_hello,
	.close		= hkvm_srv_close,
	.read		= hkvm_srv_read,
	.write		= hkvm_srv_write,
	.discard	= hkvm_srv_discard,
};

static struct hkvm_serve *hkvm_serve_find(struct net *net, int ifindex)
{
	struct hkvm_serve *s;

	list_for_each_entry(s, &hkvm_serves, node)
		if (net_eq(s->net, net) && s->ifindex == ifindex)
			return s;
	return NULL;
}

int hkvm_service_serve(struct net *net, int ifindex, struct netlink_ext_ack *extack)
{
	struct hxl_srv_cfg cfg = {
		.ifindex = ifindex,
		.service = HEXO_SVC_KVM,
		.expire_ms = 30000,
		.window = 64,
		.max_pages = HXL_MAX_PAGES,
		.max_sessions = 2 * HEXO_KVM_MAX_EXPORTS + HEXO_KVM_MAX_OFFERS,
	};
	struct hkvm_serve *s;
	int ret = 0;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&hkvm_serves_lock);
	if (hkvm_serve_find(net, ifindex)) {
		NL_SET_ERR_MSG(extack, "this interface is served already");
		ret = -EEXIST;
		goto out;
	}
	/* Set before the server hears its first frame (a RECLAIM reads them). */
	s->net = net;
	s->ifindex = ifindex;
	s->srv = hxl_srv_create(net, &cfg, &hkvm_srv_ops, s, extack);
	if (IS_ERR(s->srv)) {
		ret = PTR_ERR(s->srv);
		goto out;
	}
	list_add_tail(&s->node, &hkvm_serves);
	s = NULL;
out:
	mutex_unlock(&hkvm_serves_lock);
	kfree(s);
	return ret;
}

int hkvm_service_unserve(struct net *net, int ifindex)
{
	struct hkvm_serve *s;

	mutex_lock(&hkvm_serves_lock);
	s = hkvm_serve_find(net, ifindex);
	if (s)
		list_del(&s->node);
	mutex_unlock(&hkvm_serves_lock);
	if (!s)
		return -ENOENT;
	hxl_srv_destroy(s->srv);
	kfree(s);
	return 0;
}

bool hkvm_service_serves(struct net *net, int ifindex)
{
	bool ret;

	mutex_lock(&hkvm_serves_lock);
	ret = hkvm_serve_find(net, ifindex);
	mutex_unlock(&hkvm_serves_lock);
	return ret;
}

/* Unserves every interface of net, or of every namespace (net NULL). */
static void hkvm_service_unserve_all(struct net *net)
{
	struct hkvm_serve *s, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&hkvm_serves_lock);
	list_for_each_entry_safe(s, tmp, &hkvm_serves, node)
		if (!net || net_eq(s->net, net))
			list_move(&s->node, &gone);
	mutex_unlock(&hkvm_serves_lock);
	list_for_each_entry_safe(s, tmp, &gone, node) {
		hxl_srv_destroy(s->srv);
		kfree(s);
	}
}

static void __net_exit hkvm_service_net_exit(struct net *net)
{
	hkvm_service_unserve_all(net);
}

static struct pernet_operations hkvm_service_net_ops = {
	.exit = hkvm_service_net_exit,
};

int hkvm_service_init(void)
{
	return register_pernet_subsys(&hkvm_service_net_ops);
}

void hkvm_service_uninit(void)
{
	unregister_pernet_subsys(&hkvm_service_net_ops);
	hkvm_service_unserve_all(NULL);
}

struct hkvm_send {
	struct hxl_req req;
	struct completion done;
	int status;
};

static void hkvm_send_done(struct hxl_req *req, int status)
{
	struct hkvm_send *s = container_of(req, struct hkvm_send, req);

	s->status = status;
	complete(&s->done);
}

int hkvm_chan_page(struct hxl_chan *chan, u8 op, u64 index, struct page *page, bool *absent)
{
	struct hkvm_send *s;
	int ret;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	init_completion(&s->done);
	s->req.op = op;
	s->req.count = 1;
	s->req.index = index;
	s->req.pages = &page;
	s->req.done = hkvm_send_done;
	hxl_chan_submit(chan, &s->req, false);
	/* hexo_link ends every request within the channel's dead_ms. */
	wait_for_completion(&s->done);
	ret = s->status;
	if (absent)
		*absent = s->req.absent & 1;
	kfree(s);
	return ret;
}

int hkvm_chan_send(struct hxl_chan *chan, const struct hexo_kvm_msg *msg)
{
	struct page *page;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	memcpy(page_address(page), msg, sizeof(*msg));
	ret = hkvm_chan_page(chan, HEXO_OP_WRITE, 0, page, NULL);
	__free_page(page);
	return ret;
}

struct hxl_chan *hkvm_service_connect(struct net *net, int ifindex, const u8 *peer,
				      u64 size, u32 timeout_ms, struct netlink_ext_ack *extack)
{
	struct hxl_chan_cfg cfg = {
		.ifindex = ifindex,
		.service = HEXO_SVC_KVM,
		.size = size,
		.dead_ms = timeout_ms,
		.window = 1,
		.max_pages = 1,
	};
	struct hxl_chan *chan;
	int ret;

	memcpy(cfg.peer, peer, ETH_ALEN);
	chan = hxl_chan_create(net, &cfg, &hkvm_chan_ops, NULL, extack);
	if (IS_ERR(chan))
		return chan;
	ret = hxl_chan_wait_up(chan, timeout_ms, NULL);
	if (ret) {
		hxl_chan_destroy(chan);
		return ERR_PTR(ret);
	}
	return chan;
}

int hkvm_service_send(struct net *net, int ifindex, const u8 *peer,
		      const struct hexo_kvm_msg *msg, u32 timeout_ms)
{
	struct hxl_chan *chan;
	int ret;

	/* The inbox only. */
	chan = hkvm_service_connect(net, ifindex, peer, HEXO_PAGE_SIZE, timeout_ms, NULL);
	if (IS_ERR(chan))
		return PTR_ERR(chan);
	ret = hkvm_chan_send(chan, msg);
	hxl_chan_destroy(chan);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The "netswap_server" generic netlink family.
 * include/uapi/hexo/netswap_server.h is its contract and documentation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "genl_util.h"
#include "server.h"

static struct genl_family nss_genl_family;

static struct netlink_range_validation nss_size_range = {
	.min = NETSWAP_SRV_MIN_SIZE,
	.max = U64_MAX,
};

static struct netlink_range_validation nss_expire_range = {
	.min = NETSWAP_SRV_MIN_EXPIRE_MS,
	.max = NETSWAP_SRV_MAX_EXPIRE_MS,
};

static struct netlink_range_validation nss_max_boards_range = {
	.min = 1,
	.max = NETSWAP_SRV_MAX_MAX_BOARDS,
};

static const struct nla_policy nss_policy[NETSWAP_SRV_A_MAX + 1] = {
	[NETSWAP_SRV_A_IFINDEX]		= { .type = NLA_U32 },
	[NETSWAP_SRV_A_IFNAME]		= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[NETSWAP_SRV_A_SIZE]		= NLA_POLICY_FULL_RANGE(NLA_U64, &nss_size_range),
	[NETSWAP_SRV_A_BOARD_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &nss_size_range),
	[NETSWAP_SRV_A_EXPIRE_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nss_expire_range),
	[NETSWAP_SRV_A_MAX_BOARDS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nss_max_boards_range),
	[NETSWAP_SRV_A_KEY]		= NLA_POLICY_EXACT_LEN(HEXO_KEY_LEN),
};

/* Events carry session IDs: CAP_NET_ADMIN listeners only. */
static const struct genl_multicast_group nss_mcgrps[] = {
	{ .name = NETSWAP_SERVER_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static int nss_put_serve(struct sk_buff *skb, const struct nss_serve_info *s)
{
	if (nla_put_u32(skb, NETSWAP_SRV_A_IFINDEX, s->ifindex) ||
	    nla_put_string(skb, NETSWAP_SRV_A_IFNAME, s->ifname) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_SIZE, s->size, NETSWAP_SRV_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_BOARD_SIZE, s->board_size, NETSWAP_SRV_A_PAD) ||
	    nla_put_u32(skb, NETSWAP_SRV_A_EXPIRE_MS, s->expire_ms) ||
	    nla_put_u32(skb, NETSWAP_SRV_A_MAX_BOARDS, s->max_boards) ||
	    nla_put_u8(skb, NETSWAP_SRV_A_KEYED, s->keyed) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_RESERVED, s->reserved, NETSWAP_SRV_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_STORED, s->stored, NETSWAP_SRV_A_PAD) ||
	    nla_put_u32(skb, NETSWAP_SRV_A_NBOARDS, s->nboards) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_EPOCH, s->epoch, NETSWAP_SRV_A_PAD))
		return -EMSGSIZE;
	return 0;
}

/*
 * A session ID is what a request must carry to be served: only callers with
 * CAP_NET_ADMIN (in the namespace's user namespace) see it.
 */
static int nss_put_board(struct sk_buff *skb, const struct nss_board_info *b, bool admin)
{
	const struct hxl_sess_info *s = &b->sess;
	struct nlattr *nest;

	if (nla_put_u32(skb, NETSWAP_SRV_A_IFINDEX, b->ifindex) ||
	    nla_put_string(skb, NETSWAP_SRV_A_IFNAME, b->ifname) ||
	    (admin && nla_put_u32(skb, NETSWAP_SRV_A_SESSION, s->id)) ||
	    nla_put(skb, NETSWAP_SRV_A_MAC, ETH_ALEN, s->peer) ||
	    nla_put_string(skb, NETSWAP_SRV_A_NAME, s->name) ||
	    nla_put_u8(skb, NETSWAP_SRV_A_KEYED, s->keyed) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_SIZE, s->size, NETSWAP_SRV_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_STORED, b->stored, NETSWAP_SRV_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_A_IDLE_MS, s->idle_ms, NETSWAP_SRV_A_PAD))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, NETSWAP_SRV_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_READS, s->reqs[0], NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_WRITES, s->reqs[1], NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_DISCARDS, s->reqs[2], NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_FLUSHES, s->reqs[3], NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_CSUM_ERRORS, s->csum_errors,
			      NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_BUSY, s->busy, NETSWAP_SRV_STAT_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_SRV_STAT_STALE, b->stale, NETSWAP_SRV_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nss_reply_serve(struct genl_info *info, const struct nss_serve_info *s)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nss_genl_family, 0, NETSWAP_SRV_CMD_GET_SERVE);
	if (!hdr || nss_put_serve(msg, s)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nss_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nss_genl_family, 0, NETSWAP_SRV_CMD_GET_INFO);
	if (!hdr || nla_put_string(msg, NETSWAP_SRV_A_VERSION, HEXO_VERSION) ||
	    nla_put_u32(msg, NETSWAP_SRV_A_NSERVES, nss_serve_count(genl_info_net(info)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nss_cmd_serve(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *size_attr, **a = info->attrs;
	struct nss_serve_info s;
	u64 size, board_size;
	u32 expire_ms, max_boards;
	int ifindex, ret;

	ret = hexo_genl_ifindex(info, NETSWAP_SRV_A_IFINDEX, NETSWAP_SRV_A_IFNAME, &ifindex);
	if (ret)
		return ret;
	size_attr = HEXO_GENL_REQUIRE(info, NETSWAP_SRV_A_SIZE,
				      "missing NETSWAP_SRV_A_SIZE (bytes to serve)");
	if (!size_attr)
		return -EINVAL;
	size = nla_get_u64(size_attr);
	board_size = a[NETSWAP_SRV_A_BOARD_SIZE] ? nla_get_u64(a[NETSWAP_SRV_A_BOARD_SIZE]) : size;
	expire_ms = a[NETSWAP_SRV_A_EXPIRE_MS] ? nla_get_u32(a[NETSWAP_SRV_A_EXPIRE_MS]) :
						 NETSWAP_SRV_DEFAULT_EXPIRE_MS;
	max_boards = a[NETSWAP_SRV_A_MAX_BOARDS] ? nla_get_u32(a[NETSWAP_SRV_A_MAX_BOARDS]) :
						   NETSWAP_SRV_DEFAULT_MAX_BOARDS;
	if (size % HEXO_PAGE_SIZE || board_size % HEXO_PAGE_SIZE) {
		NL_SET_ERR_MSG(info->extack, "sizes must be multiples of 4096 bytes");
		return -EINVAL;
	}
	if (board_size > size) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[NETSWAP_SRV_A_BOARD_SIZE],
				    "a board's size cannot exceed the total size");
		return -EINVAL;
	}
	ret = nss_serve_add(genl_info_net(info), ifindex, size, board_size, expire_ms,
			    max_boards, a[NETSWAP_SRV_A_KEY] ? nla_data(a[NETSWAP_SRV_A_KEY]) : NULL,
			    &s, info->extack);
	if (ret)
		return ret;
	return nss_reply_serve(info, &s);
}

static int nss_cmd_unserve(struct sk_buff *skb, struct genl_info *info)
{
	int ifindex, ret;

	ret = hexo_genl_ifindex(info, NETSWAP_SRV_A_IFINDEX, NETSWAP_SRV_A_IFNAME, &ifindex);
	if (ret)
		return ret;
	ret = nss_serve_del(genl_info_net(info), ifindex);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "netswap is not served on this interface");
	return ret;
}

static int nss_cmd_get_serve(struct sk_buff *skb, struct genl_info *info)
{
	struct nss_serve_info s;
	int ifindex, ret;

	ret = hexo_genl_ifindex(info, NETSWAP_SRV_A_IFINDEX, NETSWAP_SRV_A_IFNAME, &ifindex);
	if (ret)
		return ret;
	if (nss_serve_get(genl_info_net(info), ifindex, &s)) {
		NL_SET_ERR_MSG(info->extack, "netswap is not served on this interface");
		return -ENOENT;
	}
	return nss_reply_serve(info, &s);
}

/* Dumps walk a list under its lock and resume by position. */
struct nss_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	long skip, n;
	u8 cmd;
	bool admin;
};

/* The next object's message, or NULL when an earlier dump sent it already. */
static void *nss_dump_put(struct nss_dump *d)
{
	if (d->n++ < d->skip)
		return NULL;
	return genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			   &nss_genl_family, NLM_F_MULTI, d->cmd) ?: ERR_PTR(-EMSGSIZE);
}

/* Ends hdr's message; a message that did not fit stops the walk, to resume there. */
static int nss_dump_end(struct nss_dump *d, void *hdr, int err)
{
	if (!hdr)
		return 0;
	if (IS_ERR(hdr) || err) {
		if (!IS_ERR(hdr))
			genlmsg_cancel(d->skb, hdr);
		d->n--;
		return 1;
	}
	genlmsg_end(d->skb, hdr);
	return 0;
}

static int nss_dump_serve_one(const struct nss_serve_info *s, void *arg)
{
	struct nss_dump *d = arg;
	void *hdr = nss_dump_put(d);

	return nss_dump_end(d, hdr, IS_ERR_OR_NULL(hdr) ? 0 : nss_put_serve(d->skb, s));
}

static int nss_dump_serve(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nss_dump d = { .skb = skb, .cb = cb, .skip = cb->args[0],
			      .cmd = NETSWAP_SRV_CMD_GET_SERVE };

	nss_serve_for_each(sock_net(cb->skb->sk), nss_dump_serve_one, &d);
	cb->args[0] = d.n;
	return skb->len;
}

static int nss_dump_board_one(const struct nss_board_info *b, void *arg)
{
	struct nss_dump *d = arg;
	void *hdr = nss_dump_put(d);

	return nss_dump_end(d, hdr, IS_ERR_OR_NULL(hdr) ? 0 : nss_put_board(d->skb, b, d->admin));
}

static int nss_dump_board(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *gi = genl_dumpit_info(cb);
	struct nss_dump d = { .skb = skb, .cb = cb, .skip = cb->args[0],
			      .cmd = NETSWAP_SRV_CMD_GET_BOARD,
			      .admin = netlink_net_capable(cb->skb, CAP_NET_ADMIN) };
	struct net *net = sock_net(cb->skb->sk);
	struct nlattr **a = gi->attrs;
	struct net_device *dev = NULL;
	int ifindex = 0;

	if (a[NETSWAP_SRV_A_IFINDEX])
		ifindex = nla_get_u32(a[NETSWAP_SRV_A_IFINDEX]);
	if (a[NETSWAP_SRV_A_IFNAME]) {
		dev = dev_get_by_name(net, nla_data(a[NETSWAP_SRV_A_IFNAME]));
		if (!dev)
			return -ENODEV;
		ifindex = dev->ifindex;
		dev_put(dev);
	}
	nss_board_for_each(net, ifindex, nss_dump_board_one, &d);
	cb->args[0] = d.n;
	return skb->len;
}

void nss_genl_event(enum netswap_srv_event ev, const struct nss_serve *serve,
		    struct hxl_sess *sess, u64 size)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &nss_genl_family, 0, NETSWAP_SRV_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, NETSWAP_SRV_A_EVENT, ev) ||
	    nla_put_u32(msg, NETSWAP_SRV_A_IFINDEX, serve->ifindex) ||
	    nla_put_string(msg, NETSWAP_SRV_A_IFNAME, serve->ifname) ||
	    nla_put_u32(msg, NETSWAP_SRV_A_SESSION, hxl_sess_id(sess)) ||
	    nla_put(msg, NETSWAP_SRV_A_MAC, ETH_ALEN, hxl_sess_peer(sess)) ||
	    nla_put_u64_64bit(msg, NETSWAP_SRV_A_SIZE, size, NETSWAP_SRV_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&nss_genl_family, serve->net, msg, 0, 0, GFP_KERNEL);
}

static const struct genl_ops nss_genl_ops[] = {
	{
		.cmd	= NETSWAP_SRV_CMD_GET_INFO,
		.doit	= nss_cmd_get_info,
	},
	{
		.cmd	= NETSWAP_SRV_CMD_SERVE,
		.doit	= nss_cmd_serve,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NETSWAP_SRV_CMD_UNSERVE,
		.doit	= nss_cmd_unserve,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NETSWAP_SRV_CMD_GET_SERVE,
		.doit	= nss_cmd_get_serve,
		.dumpit	= nss_dump_serve,
	},
	{
		.cmd	= NETSWAP_SRV_CMD_GET_BOARD,
		.dumpit	= nss_dump_board,
	},
};

static struct genl_family nss_genl_family __ro_after_init = {
	.name		= NETSWAP_SERVER_GENL_NAME,
	.version	= NETSWAP_SERVER_GENL_VERSION,
	.maxattr	= NETSWAP_SRV_A_MAX,
	.policy		= nss_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= nss_genl_ops,
	.n_ops		= ARRAY_SIZE(nss_genl_ops),
	.mcgrps		= nss_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nss_mcgrps),
	.resv_start_op	= 0,
};

int __init nss_genl_init(void)
{
	return genl_register_family(&nss_genl_family);
}

void nss_genl_uninit(void)
{
	genl_unregister_family(&nss_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(NETSWAP_SERVER_GENL_NAME);

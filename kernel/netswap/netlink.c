// SPDX-License-Identifier: GPL-2.0
/*
 * The "netswap" generic netlink family. include/uapi/hexo/netswap.h is its
 * contract and documentation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "dev.h"
#include "genl_util.h"

static struct genl_family nsw_genl_family;

static struct netlink_range_validation nsw_size_range = {
	.min = NETSWAP_MIN_SIZE,
	.max = NETSWAP_MAX_SIZE,
};

static struct netlink_range_validation nsw_timeout_range = {
	.min = NETSWAP_MIN_TIMEOUT_MS,
	.max = NETSWAP_MAX_TIMEOUT_MS,
};

static struct netlink_range_validation nsw_connect_range = {
	.min = NETSWAP_MIN_CONNECT_MS,
	.max = NETSWAP_MAX_CONNECT_MS,
};

static struct netlink_range_validation nsw_hold_range = {
	.max = NETSWAP_MAX_HOLD_MS,
};

static struct netlink_range_validation nsw_failover_range = {
	.min = NETSWAP_MIN_FAILOVER_MS,
	.max = NETSWAP_MAX_FAILOVER_MS,
};

static struct netlink_range_validation nsw_rate_range = {
	.max = NETSWAP_MAX_RESYNC_RATE,
};

static const struct nla_policy nsw_policy[NETSWAP_A_MAX + 1] = {
	[NETSWAP_A_DEV_INDEX]	= NLA_POLICY_MAX(NLA_U32, NETSWAP_MAX_DEVS - 1),
	[NETSWAP_A_IFINDEX]	= { .type = NLA_U32 },
	[NETSWAP_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[NETSWAP_A_SERVER_MAC]	= NLA_POLICY_ETH_ADDR,
	[NETSWAP_A_SIZE]	= NLA_POLICY_FULL_RANGE(NLA_U64, &nsw_size_range),
	[NETSWAP_A_TIMEOUT_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nsw_timeout_range),
	[NETSWAP_A_CONNECT_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nsw_connect_range),
	[NETSWAP_A_WINDOW]	= NLA_POLICY_RANGE(NLA_U32, 1, NETSWAP_MAX_WINDOW),
	[NETSWAP_A_KEY]		= NLA_POLICY_EXACT_LEN(HEXO_KEY_LEN),
	[NETSWAP_A_HOLD_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nsw_hold_range),
	[NETSWAP_A_MIRROR_MAC]	= NLA_POLICY_ETH_ADDR,
	[NETSWAP_A_FAILOVER_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nsw_failover_range),
	[NETSWAP_A_RESYNC_RATE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &nsw_rate_range),
	[NETSWAP_A_NEW_SERVER_MAC] = NLA_POLICY_ETH_ADDR,
};

/* Events carry session IDs: CAP_NET_ADMIN listeners only. */
static const struct genl_multicast_group nsw_mcgrps[] = {
	{ .name = NETSWAP_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static int nsw_put_stats(struct sk_buff *skb, const struct nsw_dev_info *d)
{
	const struct hxl_chan_stats *s = &d->chan.stats;
	const struct {
		int attr;
		u64 v;
	} c[] = {
		{ NETSWAP_STAT_READS, s->reqs[0] },
		{ NETSWAP_STAT_WRITES, s->reqs[1] },
		{ NETSWAP_STAT_DISCARDS, s->reqs[2] },
		{ NETSWAP_STAT_FLUSHES, s->reqs[3] },
		{ NETSWAP_STAT_READ_PAGES, s->pages[0] },
		{ NETSWAP_STAT_WRITE_PAGES, s->pages[1] },
		{ NETSWAP_STAT_DISCARD_PAGES, s->pages[2] },
		{ NETSWAP_STAT_LOCAL_READS, d->local_reads },
		{ NETSWAP_STAT_ERRORS, s->errors },
		{ NETSWAP_STAT_RETRANSMITS, s->retransmits },
		{ NETSWAP_STAT_TIMEOUTS, s->timeouts },
		{ NETSWAP_STAT_CSUM_ERRORS, s->csum_errors },
		{ NETSWAP_STAT_BUSY, s->busy },
		{ NETSWAP_STAT_DUPS, s->dups },
		{ NETSWAP_STAT_TX_FRAMES, s->tx_frames },
		{ NETSWAP_STAT_RX_FRAMES, s->rx_frames },
		{ NETSWAP_STAT_RECONNECTS, s->reconnects },
		{ NETSWAP_STAT_SPURIOUS, s->spurious },
		{ NETSWAP_STAT_STRANDED, s->stranded },
		{ NETSWAP_STAT_TIMED_READS, d->timed[NSW_TIMED_READS] },
		{ NETSWAP_STAT_TIMED_QUEUE_NS, d->timed[NSW_TIMED_QUEUE_NS] },
		{ NETSWAP_STAT_TIMED_WIRE_NS, d->timed[NSW_TIMED_WIRE_NS] },
		{ NETSWAP_STAT_TIMED_END_NS, d->timed[NSW_TIMED_END_NS] },
		{ NETSWAP_STAT_EARLY, s->early },
	};
	struct nlattr *nest = nla_nest_start(skb, NETSWAP_A_STATS);
	size_t i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(c); i++)
		if (nla_put_u64_64bit(skb, c[i].attr, c[i].v, NETSWAP_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nsw_put_replica(struct sk_buff *skb, const struct nsw_rep_info *r, bool admin)
{
	static const enum netswap_state state[] = {
		[HXL_CHAN_CONNECTING]	= NETSWAP_STATE_CONNECTING,
		[HXL_CHAN_UP]		= NETSWAP_STATE_UP,
		[HXL_CHAN_LOST]		= NETSWAP_STATE_LOST,
		[HXL_CHAN_CLOSED]	= NETSWAP_STATE_GONE,
	};
	const struct hxl_chan_info *c = &r->chan;
	struct nlattr *nest = nla_nest_start(skb, NETSWAP_A_REPLICA);

	if (!nest ||
	    nla_put(skb, NETSWAP_R_SERVER_MAC, ETH_ALEN, r->server) ||
	    nla_put_u32(skb, NETSWAP_R_STATE, state[c->state]) ||
	    nla_put_u8(skb, NETSWAP_R_IN, r->in) ||
	    (admin && nla_put_u32(skb, NETSWAP_R_SESSION, c->session)) ||
	    nla_put_u32(skb, NETSWAP_R_SRTT_US, c->srtt_us) ||
	    nla_put_u32(skb, NETSWAP_R_LAT_US, r->lat_us) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_IDLE_MS, c->idle_ms, NETSWAP_R_PAD) ||
	    nla_put_u8(skb, NETSWAP_R_HOLDING, c->holding) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_PAGES_MISSING, r->pages_missing, NETSWAP_R_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_PAGES_COPIED, r->copied, NETSWAP_R_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_FAILOVERS, r->failovers, NETSWAP_R_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_READS, r->reads, NETSWAP_R_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_ERRORS, c->stats.errors, NETSWAP_R_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_R_RETRANSMITS, c->stats.retransmits, NETSWAP_R_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int nsw_put_mirror(struct sk_buff *skb, const struct nsw_dev_info *d, bool admin)
{
	struct nlattr *nest;
	unsigned int r;

	if (nla_put_u32(skb, NETSWAP_A_MIRROR, d->mirror))
		return -EMSGSIZE;
	if (d->nrep < 2)
		return 0;
	if (nla_put_u32(skb, NETSWAP_A_FAILOVER_MS, d->failover_ms) ||
	    nla_put_u32(skb, NETSWAP_A_RESYNC_RATE, d->resync_rate))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, NETSWAP_A_REPLICAS);
	if (!nest)
		return -EMSGSIZE;
	for (r = 0; r < d->nrep; r++)
		if (nsw_put_replica(skb, &d->rep[r], admin))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* Session IDs (what a request must carry) only to CAP_NET_ADMIN callers. */
static int nsw_put_dev(struct sk_buff *skb, const struct nsw_dev_info *d, bool admin)
{
	const struct hxl_chan_info *c = &d->chan;

	if (nla_put_u32(skb, NETSWAP_A_DEV_INDEX, d->index) ||
	    nla_put_string(skb, NETSWAP_A_DEV_NAME, d->name) ||
	    nla_put_u32(skb, NETSWAP_A_IFINDEX, c->ifindex) ||
	    nla_put_string(skb, NETSWAP_A_IFNAME, d->ifname) ||
	    nla_put(skb, NETSWAP_A_SERVER_MAC, ETH_ALEN, c->peer) ||
	    nla_put_u64_64bit(skb, NETSWAP_A_SIZE, c->size, NETSWAP_A_PAD) ||
	    nla_put_u32(skb, NETSWAP_A_STATE, d->state) ||
	    (admin && nla_put_u32(skb, NETSWAP_A_SESSION, c->session)) ||
	    nla_put_u64_64bit(skb, NETSWAP_A_EPOCH, c->epoch, NETSWAP_A_PAD) ||
	    nla_put_u32(skb, NETSWAP_A_TIMEOUT_MS, c->dead_ms) ||
	    nla_put_u32(skb, NETSWAP_A_WINDOW, c->window) ||
	    nla_put_u32(skb, NETSWAP_A_MAX_PAGES, c->max_pages) ||
	    nla_put_u32(skb, NETSWAP_A_FRAG, c->frag) ||
	    nla_put_u8(skb, NETSWAP_A_KEYED, c->keyed) ||
	    nla_put_u32(skb, NETSWAP_A_CWND, c->cwnd) ||
	    nla_put_u32(skb, NETSWAP_A_INFLIGHT, c->inflight) ||
	    nla_put_u32(skb, NETSWAP_A_QUEUED, c->queued) ||
	    nla_put_u32(skb, NETSWAP_A_SRTT_US, c->srtt_us) ||
	    nla_put_u32(skb, NETSWAP_A_RTTVAR_US, c->rttvar_us) ||
	    nla_put_u32(skb, NETSWAP_A_MIN_RTT_US, c->min_rtt_us) ||
	    nla_put_u32(skb, NETSWAP_A_RTO_US, c->rto_us) ||
	    nla_put_u64_64bit(skb, NETSWAP_A_IDLE_MS, c->idle_ms, NETSWAP_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_A_PAGES_STORED, d->pages_stored, NETSWAP_A_PAD) ||
	    nla_put_u64_64bit(skb, NETSWAP_A_PAGES_LOST, d->pages_lost, NETSWAP_A_PAD) ||
	    nla_put_u32(skb, NETSWAP_A_HOLD_MS, c->hold_ms) ||
	    nla_put_u8(skb, NETSWAP_A_HOLDING, c->holding))
		return -EMSGSIZE;
	return nsw_put_stats(skb, d) ?: nsw_put_mirror(skb, d, admin);
}

static int nsw_reply_dev(struct genl_info *info, const struct nsw_dev_info *d, bool admin)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nsw_genl_family, 0, NETSWAP_CMD_GET_DEV);
	if (!hdr || nsw_put_dev(msg, d, admin)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nsw_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nsw_genl_family, 0, NETSWAP_CMD_GET_INFO);
	if (!hdr ||
	    nla_put_string(msg, NETSWAP_A_VERSION, HEXO_VERSION) ||
	    nla_put_u32(msg, NETSWAP_A_NDEVS, nsw_dev_count(genl_info_net(info))) ||
	    nla_put_u32(msg, NETSWAP_A_MAX_DEVS, NETSWAP_MAX_DEVS)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nsw_cmd_get_dev(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *index = HEXO_GENL_REQUIRE(info, NETSWAP_A_DEV_INDEX,
						 "missing NETSWAP_A_DEV_INDEX (N of /dev/netswapN)");
	struct nsw_dev_info *d;
	int ret;

	if (!index)
		return -EINVAL;
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	ret = nsw_dev_get(nla_get_u32(index), d);
	if (!ret && d->net != genl_info_net(info))
		ret = -ENODEV;	/* another namespace's */
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, index, "no netswap device with this index");
	else
		ret = nsw_reply_dev(info, d, netlink_net_capable(skb, CAP_NET_ADMIN));
	kfree(d);
	return ret;
}

static int nsw_dump_dev(struct sk_buff *skb, struct netlink_callback *cb)
{
	bool admin = netlink_net_capable(cb->skb, CAP_NET_ADMIN);
	struct net *net = sock_net(cb->skb->sk);
	u32 next = cb->args[0];
	struct nsw_dev_info *d;
	void *hdr;

	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	while (!nsw_dev_next(&next, d)) {
		if (d->net != net) {
			cb->args[0] = next;
			continue;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &nsw_genl_family, NLM_F_MULTI, NETSWAP_CMD_GET_DEV);
		if (!hdr)
			break;
		if (nsw_put_dev(skb, d, admin)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = next;
	}
	kfree(d);
	return skb->len;
}

static int nsw_cmd_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct nsw_attach a = {
		.net = genl_info_net(info),
		.timeout_ms = NETSWAP_DEFAULT_TIMEOUT_MS,
		.connect_ms = NETSWAP_DEFAULT_CONNECT_MS,
		.window = NETSWAP_DEFAULT_WINDOW,
		.failover_ms = NETSWAP_DEFAULT_FAILOVER_MS,
	};
	struct nlattr *mac, *size, **at = info->attrs;
	struct nsw_dev_info *d;
	int ret;

	ret = hexo_genl_ifindex(info, NETSWAP_A_IFINDEX, NETSWAP_A_IFNAME, &a.ifindex);
	if (ret)
		return ret;
	mac = HEXO_GENL_REQUIRE(info, NETSWAP_A_SERVER_MAC,
				"missing NETSWAP_A_SERVER_MAC (the server's MAC address)");
	if (!mac)
		return -EINVAL;
	size = HEXO_GENL_REQUIRE(info, NETSWAP_A_SIZE, "missing NETSWAP_A_SIZE (bytes of swap)");
	if (!size)
		return -EINVAL;
	memcpy(a.server, nla_data(mac), ETH_ALEN);
	a.size = nla_get_u64(size);
	if (a.size % HEXO_PAGE_SIZE) {
		NL_SET_ERR_MSG_ATTR(info->extack, size, "size must be a multiple of 4096 bytes");
		return -EINVAL;
	}
	if (at[NETSWAP_A_TIMEOUT_MS])
		a.timeout_ms = nla_get_u32(at[NETSWAP_A_TIMEOUT_MS]);
	if (at[NETSWAP_A_CONNECT_MS])
		a.connect_ms = nla_get_u32(at[NETSWAP_A_CONNECT_MS]);
	if (at[NETSWAP_A_WINDOW])
		a.window = nla_get_u32(at[NETSWAP_A_WINDOW]);
	if (at[NETSWAP_A_KEY]) {
		memcpy(a.key, nla_data(at[NETSWAP_A_KEY]), HEXO_KEY_LEN);
		a.keyed = true;
	}
	if (at[NETSWAP_A_HOLD_MS]) {
		a.hold_ms = nla_get_u32(at[NETSWAP_A_HOLD_MS]);
		/* The policy's range says 0..max: "0, or min..max" takes this. */
		if (a.hold_ms && a.hold_ms < NETSWAP_MIN_HOLD_MS) {
			NL_SET_ERR_MSG_ATTR(info->extack, at[NETSWAP_A_HOLD_MS],
					    "hold must be 0 (none) or at least 1000 ms");
			return -EINVAL;
		}
	}
	if (at[NETSWAP_A_MIRROR_MAC]) {
		memcpy(a.mirror, nla_data(at[NETSWAP_A_MIRROR_MAC]), ETH_ALEN);
		a.mirrored = true;
		if (ether_addr_equal(a.mirror, a.server)) {
			NL_SET_ERR_MSG_ATTR(info->extack, at[NETSWAP_A_MIRROR_MAC],
					    "the mirror must be another server than the server");
			return -EINVAL;
		}
	} else if (at[NETSWAP_A_FAILOVER_MS] || at[NETSWAP_A_RESYNC_RATE]) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    at[NETSWAP_A_FAILOVER_MS] ?: at[NETSWAP_A_RESYNC_RATE],
				    "failover and resync rate are for mirrored devices: add NETSWAP_A_MIRROR_MAC");
		return -EINVAL;
	}
	if (at[NETSWAP_A_FAILOVER_MS])
		a.failover_ms = nla_get_u32(at[NETSWAP_A_FAILOVER_MS]);
	if (at[NETSWAP_A_RESYNC_RATE])
		a.resync_rate = nla_get_u32(at[NETSWAP_A_RESYNC_RATE]);

	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	ret = nsw_dev_attach(&a, d, info->extack);
	memzero_explicit(a.key, sizeof(a.key));
	if (!ret)
		ret = nsw_reply_dev(info, d, true);	/* GENL_ADMIN_PERM */
	kfree(d);
	return ret;
}

static int nsw_cmd_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *index = HEXO_GENL_REQUIRE(info, NETSWAP_A_DEV_INDEX,
						 "missing NETSWAP_A_DEV_INDEX (N of /dev/netswapN)");
	struct nsw_dev_info *d;
	int ret;

	if (!index)
		return -EINVAL;
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	/* Only the namespace a device was attached from detaches it. */
	ret = nsw_dev_get(nla_get_u32(index), d);
	if (ret || d->net != genl_info_net(info)) {
		NL_SET_ERR_MSG_ATTR(info->extack, index, "no netswap device with this index");
		ret = -ENODEV;
	}
	kfree(d);
	return ret ?: nsw_dev_detach(nla_get_u32(index), NULL, info->extack);
}

static int nsw_cmd_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *index, *old, *new, **at = info->attrs;
	u32 connect_ms = NETSWAP_DEFAULT_CONNECT_MS;
	struct nsw_dev_info *d;
	int ret;

	index = HEXO_GENL_REQUIRE(info, NETSWAP_A_DEV_INDEX,
				  "missing NETSWAP_A_DEV_INDEX (N of /dev/netswapN)");
	old = HEXO_GENL_REQUIRE(info, NETSWAP_A_SERVER_MAC,
				"missing NETSWAP_A_SERVER_MAC (the server to replace)");
	new = HEXO_GENL_REQUIRE(info, NETSWAP_A_NEW_SERVER_MAC,
				"missing NETSWAP_A_NEW_SERVER_MAC (the server to put in its place)");
	if (!index || !old || !new)
		return -EINVAL;
	if (at[NETSWAP_A_CONNECT_MS])
		connect_ms = nla_get_u32(at[NETSWAP_A_CONNECT_MS]);
	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->net = genl_info_net(info);
	ret = nsw_dev_replace(nla_get_u32(index), nla_data(old), nla_data(new), connect_ms,
			      !!at[NETSWAP_A_RESYNC_RATE],
			      at[NETSWAP_A_RESYNC_RATE] ? nla_get_u32(at[NETSWAP_A_RESYNC_RATE]) : 0,
			      d, info->extack);
	if (!ret)
		ret = nsw_reply_dev(info, d, true);	/* GENL_ADMIN_PERM */
	kfree(d);
	return ret;
}

void nsw_genl_event(struct net *net, u32 index, enum netswap_event ev, const u8 *server,
		    u32 session, enum netswap_mirror mirror)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &nsw_genl_family, 0, NETSWAP_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, NETSWAP_A_EVENT, ev) ||
	    nla_put_u32(msg, NETSWAP_A_DEV_INDEX, index) ||
	    nla_put(msg, NETSWAP_A_SERVER_MAC, ETH_ALEN, server) ||
	    nla_put_u32(msg, NETSWAP_A_SESSION, session) ||
	    (mirror != NETSWAP_MIRROR_NONE && nla_put_u32(msg, NETSWAP_A_MIRROR, mirror))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&nsw_genl_family, net, msg, 0, 0, GFP_ATOMIC);
}

static const struct genl_ops nsw_genl_ops[] = {
	{
		.cmd	= NETSWAP_CMD_GET_INFO,
		.doit	= nsw_cmd_get_info,
	},
	{
		.cmd	= NETSWAP_CMD_GET_DEV,
		.doit	= nsw_cmd_get_dev,
		.dumpit	= nsw_dump_dev,
	},
	{
		.cmd	= NETSWAP_CMD_ATTACH,
		.doit	= nsw_cmd_attach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NETSWAP_CMD_DETACH,
		.doit	= nsw_cmd_detach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= NETSWAP_CMD_REPLACE,
		.doit	= nsw_cmd_replace,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family nsw_genl_family __ro_after_init = {
	.name		= NETSWAP_GENL_NAME,
	.version	= NETSWAP_GENL_VERSION,
	.maxattr	= NETSWAP_A_MAX,
	.policy		= nsw_policy,
	.netnsok	= true,
	.module		= THIS_MODULE,
	.ops		= nsw_genl_ops,
	.n_ops		= ARRAY_SIZE(nsw_genl_ops),
	.mcgrps		= nsw_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(nsw_mcgrps),
	.resv_start_op	= 0,
};

int __init nsw_genl_init(void)
{
	return genl_register_family(&nsw_genl_family);
}

void nsw_genl_uninit(void)
{
	genl_unregister_family(&nsw_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(NETSWAP_GENL_NAME);

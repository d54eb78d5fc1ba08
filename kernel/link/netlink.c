// SPDX-License-Identifier: GPL-2.0
/*
 * The "hexo_link" generic netlink family: the transport's ports, their
 * counters and their echo, and ECHO, the link's round trip measured in the
 * kernel. include/uapi/hexo/hexo_link.h is the contract.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <hexo/hexo_link.h>

#include "echo.h"
#include "link.h"
#include "port.h"

static struct genl_family hxl_genl_family;

static const struct nla_policy hxl_policy[HEXO_LINK_A_MAX + 1] = {
	[HEXO_LINK_A_PORT_IFINDEX] = { .type = NLA_U32 },
	[HEXO_LINK_A_PORT_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[HEXO_LINK_A_PORT_ECHO] = NLA_POLICY_MAX(NLA_U8, 1),
	[HEXO_LINK_A_ECHO_PEER] = NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[HEXO_LINK_A_ECHO_COUNT] = NLA_POLICY_RANGE(NLA_U32, 1, HEXO_LINK_ECHO_MAX_COUNT),
	[HEXO_LINK_A_ECHO_SIZE] = NLA_POLICY_MAX(NLA_U32, HEXO_PAGE_SIZE),
	[HEXO_LINK_A_ECHO_PAGE] = { .type = NLA_FLAG },
	[HEXO_LINK_A_ECHO_TIMEOUT_MS] = NLA_POLICY_RANGE(NLA_U32, 1, HEXO_LINK_ECHO_MAX_TIMEOUT_MS),
};

static void hxl_count_port(const struct hxl_port_info *info, void *arg)
{
	(*(u32 *)arg)++;
}

static int hxl_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u32 nports = 0;
	void *hdr;

	hxl_port_for_each(genl_info_net(info), hxl_count_port, &nports);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hxl_genl_family, 0, HEXO_LINK_CMD_GET_INFO);
	if (!hdr ||
	    nla_put_string(msg, HEXO_LINK_A_VERSION, HEXO_VERSION) ||
	    nla_put_u32(msg, HEXO_LINK_A_WIRE_VERSION, HEXO_WIRE_VERSION) ||
	    nla_put_u32(msg, HEXO_LINK_A_ETHERTYPE, HEXO_ETH_P) ||
	    nla_put_u32(msg, HEXO_LINK_A_NPORTS, nports) ||
	    nla_put_u32(msg, HEXO_LINK_A_RESERVES, hxl_reserve_armed())) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The ifindex of the interface HEXO_LINK_A_PORT_IFNAME names, or -errno. */
static int hxl_ifindex(struct genl_info *info)
{
	struct nlattr *a = info->attrs[HEXO_LINK_A_PORT_IFNAME];
	struct net_device *dev;
	int ifindex;

	if (GENL_REQ_ATTR_CHECK(info, HEXO_LINK_A_PORT_IFNAME))
		return -EINVAL;
	dev = dev_get_by_name(genl_info_net(info), nla_data(a));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such network interface");
		return -ENODEV;
	}
	ifindex = dev->ifindex;
	dev_put(dev);
	return ifindex;
}

static int hxl_cmd_set_port(struct sk_buff *skb, struct genl_info *info)
{
	int ifindex = hxl_ifindex(info);

	if (ifindex < 0)
		return ifindex;
	if (!info->attrs[HEXO_LINK_A_PORT_ECHO]) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: echo is the only setting");
		return -EINVAL;
	}
	return hxl_port_set_echo(genl_info_net(info), ifindex,
				 nla_get_u8(info->attrs[HEXO_LINK_A_PORT_ECHO]), info->extack);
}

static int hxl_cmd_echo(struct sk_buff *skb, struct genl_info *info)
{
	struct hxl_echo_cfg cfg = { .count = 1, .timeout_ms = HEXO_LINK_ECHO_TIMEOUT_MS };
	struct nlattr **a = info->attrs;
	struct hxl_echo_result res;
	struct hxl_port *port;
	struct sk_buff *msg;
	u8 peer[ETH_ALEN];
	int ifindex, ret;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, HEXO_LINK_A_ECHO_PEER))
		return -EINVAL;
	memcpy(peer, nla_data(a[HEXO_LINK_A_ECHO_PEER]), ETH_ALEN);
	if (!is_valid_ether_addr(peer)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HEXO_LINK_A_ECHO_PEER],
				    "the peer must be a unicast MAC address");
		return -EINVAL;
	}
	if (a[HEXO_LINK_A_ECHO_COUNT])
		cfg.count = nla_get_u32(a[HEXO_LINK_A_ECHO_COUNT]);
	if (a[HEXO_LINK_A_ECHO_TIMEOUT_MS])
		cfg.timeout_ms = nla_get_u32(a[HEXO_LINK_A_ECHO_TIMEOUT_MS]);
	if (a[HEXO_LINK_A_ECHO_SIZE])
		cfg.size = nla_get_u32(a[HEXO_LINK_A_ECHO_SIZE]);
	cfg.page = nla_get_flag(a[HEXO_LINK_A_ECHO_PAGE]);
	if (cfg.page && cfg.size) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[HEXO_LINK_A_ECHO_SIZE],
				    "a page echo's request carries no data: give a size or page, not both");
		return -EINVAL;
	}

	ifindex = hxl_ifindex(info);
	if (ifindex < 0)
		return ifindex;
	port = hxl_port_get(genl_info_net(info), ifindex, info->extack);
	if (IS_ERR(port))
		return PTR_ERR(port);
	ret = hxl_echo_run(port, peer, &cfg, &res, info->extack);
	hxl_port_put(port);
	if (ret)
		return ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hxl_genl_family, 0, HEXO_LINK_CMD_ECHO);
	if (!hdr ||
	    nla_put_u32(msg, HEXO_LINK_A_ECHO_SENT, res.sent) ||
	    nla_put_u32(msg, HEXO_LINK_A_ECHO_ANSWERED, res.answered) ||
	    nla_put_u32(msg, HEXO_LINK_A_ECHO_BAD, res.bad) ||
	    nla_put_u32(msg, HEXO_LINK_A_ECHO_FRAG, res.frag) ||
	    (res.answered &&
	     (nla_put_u64_64bit(msg, HEXO_LINK_A_ECHO_RTT_MIN, res.rtt_min, HEXO_LINK_A_PAD) ||
	      nla_put_u64_64bit(msg, HEXO_LINK_A_ECHO_RTT_MEDIAN, res.rtt_median,
				HEXO_LINK_A_PAD) ||
	      nla_put_u64_64bit(msg, HEXO_LINK_A_ECHO_RTT_P99, res.rtt_p99, HEXO_LINK_A_PAD) ||
	      nla_put_u64_64bit(msg, HEXO_LINK_A_ECHO_RTT_MAX, res.rtt_max, HEXO_LINK_A_PAD)))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

struct hxl_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	long skip, n;
	int err;
};

static int hxl_put_port(struct sk_buff *skb, const struct hxl_port_info *p)
{
	const struct hxl_port_stats *s = &p->stats;
	static const u8 drop_attr[__HXP_DROP_MAX] = {
		[HXP_DROP_RUNT]		= HEXO_LINK_STAT_RX_RUNT,
		[HXP_DROP_VERSION]	= HEXO_LINK_STAT_RX_BAD_VERSION,
		[HXP_DROP_HDR_LEN]	= HEXO_LINK_STAT_RX_BAD_HDR_LEN,
		[HXP_DROP_DATA_LEN]	= HEXO_LINK_STAT_RX_BAD_DATA_LEN,
		[HXP_DROP_HDR_CRC]	= HEXO_LINK_STAT_RX_BAD_HDR_CRC,
		[HXP_DROP_SERVICE]	= HEXO_LINK_STAT_RX_BAD_SERVICE,
	};
	struct nlattr *nest;
	int i;

	if (nla_put_u32(skb, HEXO_LINK_A_PORT_IFINDEX, p->ifindex) ||
	    nla_put_string(skb, HEXO_LINK_A_PORT_IFNAME, p->ifname) ||
	    nla_put_u32(skb, HEXO_LINK_A_PORT_MTU, p->mtu) ||
	    nla_put_u32(skb, HEXO_LINK_A_PORT_NCHANS, p->nchans) ||
	    nla_put_u32(skb, HEXO_LINK_A_PORT_NSRVS, p->nsrvs) ||
	    nla_put_u8(skb, HEXO_LINK_A_PORT_ECHO, p->echo))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, HEXO_LINK_A_PORT_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_FRAMES, s->rx_frames, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_BYTES, s->rx_bytes, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_TX_FRAMES, s->tx_frames, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_TX_BYTES, s->tx_bytes, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_TX_ERRORS, s->tx_errors, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_PFMEMALLOC, s->rx_pfmemalloc,
			      HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_NO_SERVICE, s->rx_no_service,
			      HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_NO_CHAN, s->rx_no_chan, HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_BAD_AUTH, s->rx_bad_auth,
			      HEXO_LINK_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_LINK_STAT_RX_REPLAY, s->rx_replay, HEXO_LINK_STAT_PAD))
		return -EMSGSIZE;
	for (i = HXP_DROP_RUNT; i < __HXP_DROP_MAX; i++)
		if (nla_put_u64_64bit(skb, drop_attr[i], s->rx_drops[i], HEXO_LINK_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static void hxl_dump_one(const struct hxl_port_info *p, void *arg)
{
	struct hxl_dump *d = arg;
	void *hdr;

	if (d->err || d->n++ < d->skip)
		return;
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid, d->cb->nlh->nlmsg_seq,
			  &hxl_genl_family, NLM_F_MULTI, HEXO_LINK_CMD_GET_PORT);
	if (!hdr || hxl_put_port(d->skb, p)) {
		if (hdr)
			genlmsg_cancel(d->skb, hdr);
		d->err = -EMSGSIZE;
		d->n--;
		return;
	}
	genlmsg_end(d->skb, hdr);
}

static int hxl_dump_port(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct hxl_dump d = { .skb = skb, .cb = cb, .skip = cb->args[0] };

	hxl_port_for_each(sock_net(cb->skb->sk), hxl_dump_one, &d);
	cb->args[0] = d.n;
	return skb->len;
}

static const struct genl_ops hxl_genl_ops[] = {
	{
		.cmd	= HEXO_LINK_CMD_GET_INFO,
		.doit	= hxl_cmd_get_info,
	},
	{
		.cmd	= HEXO_LINK_CMD_GET_PORT,
		.dumpit	= hxl_dump_port,
	},
	{
		.cmd	= HEXO_LINK_CMD_SET_PORT,
		.doit	= hxl_cmd_set_port,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_LINK_CMD_ECHO,
		.doit	= hxl_cmd_echo,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family hxl_genl_family __ro_after_init = {
	.name		= HEXO_LINK_GENL_NAME,
	.version	= HEXO_LINK_GENL_VERSION,
	.maxattr	= HEXO_LINK_A_MAX,
	.policy		= hxl_policy,
	.netnsok	= true,
	/* An ECHO sleeps for its answers: it must not hold genl_mutex meanwhile. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= hxl_genl_ops,
	.n_ops		= ARRAY_SIZE(hxl_genl_ops),
	.resv_start_op	= 0,
};

int __init hxl_genl_init(void)
{
	return genl_register_family(&hxl_genl_family);
}

void hxl_genl_uninit(void)
{
	genl_unregister_family(&hxl_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(HEXO_LINK_GENL_NAME);

// SPDX-License-Identifier: GPL-2.0
/*
 * The "netswap" generic netlink family. include/uapi/hexo/netswap.h is its
 * contract and documentation.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "dev.h"
#include "genl_util.h"
#include "netlink.h"

static struct genl_family nsw_genl_family;

static const struct nla_policy nsw_policy[NETSWAP_A_MAX + 1] = {
	[NETSWAP_A_DEV_INDEX]	= NLA_POLICY_MAX(NLA_U32, NETSWAP_MAX_DEVS - 1),
};

static int nsw_put_dev(struct sk_buff *skb, const struct nsw_dev_info *dev)
{
	if (nla_put_u32(skb, NETSWAP_A_DEV_INDEX, dev->index))
		return -EMSGSIZE;
	return 0;
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
	    nla_put_u32(msg, NETSWAP_A_NDEVS, nsw_dev_count()) ||
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
	struct nsw_dev_info dev;
	struct sk_buff *msg;
	void *hdr;

	if (!index)
		return -EINVAL;
	if (nsw_dev_get(nla_get_u32(index), &dev)) {
		NL_SET_ERR_MSG_ATTR(info->extack, index, "no netswap device with this index");
		return -ENODEV;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &nsw_genl_family, 0, NETSWAP_CMD_GET_DEV);
	if (!hdr || nsw_put_dev(msg, &dev)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int nsw_dump_dev(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 next = cb->args[0];
	struct nsw_dev_info dev;
	void *hdr;

	while (!nsw_dev_next(&next, &dev)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &nsw_genl_family, NLM_F_MULTI, NETSWAP_CMD_GET_DEV);
		if (!hdr)
			break;
		if (nsw_put_dev(skb, &dev)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = next;
	}
	return skb->len;
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
};

static struct genl_family nsw_genl_family __ro_after_init = {
	.name		= NETSWAP_GENL_NAME,
	.version	= NETSWAP_GENL_VERSION,
	.maxattr	= NETSWAP_A_MAX,
	.policy		= nsw_policy,
	.module		= THIS_MODULE,
	.ops		= nsw_genl_ops,
	.n_ops		= ARRAY_SIZE(nsw_genl_ops),
	.resv_start_op	= NETSWAP_CMD_MAX + 1,
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

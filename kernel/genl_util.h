/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small generic netlink helpers shared by HEXO's families.
 */
#ifndef _HEXO_GENL_UTIL_H
#define _HEXO_GENL_UTIL_H

#include <linux/netdevice.h>
#include <net/genetlink.h>

/*
 * Fetches a required attribute of a request. When it is missing, sets the
 * extack "missing attribute" report (type and message) and yields NULL.
 * msg must be a string literal naming the attribute and what it means.
 */
#define HEXO_GENL_REQUIRE(info, type, msg) ({				\
	struct genl_info *__i = (info);					\
	struct nlattr *__a = __i->attrs[(type)];			\
									\
	if (!__a) {							\
		GENL_REQ_ATTR_CHECK(__i, (type));			\
		GENL_SET_ERR_MSG(__i, msg);				\
	}								\
	__a;								\
})

/*
 * The interface a request names, by index or by name (exactly one of the two
 * attributes), in the requester's network namespace. 0 and *ifindex set, or
 * an error with the extack explanation.
 */
static inline int hexo_genl_ifindex(struct genl_info *info, int a_ifindex, int a_ifname,
				    int *ifindex)
{
	struct nlattr *idx = info->attrs[a_ifindex], *name = info->attrs[a_ifname];
	struct net_device *dev;

	if (!idx == !name) {
		NL_SET_ERR_MSG(info->extack,
			       "name the interface by index or by name (exactly one)");
		return -EINVAL;
	}
	if (idx)
		dev = dev_get_by_index(genl_info_net(info), nla_get_u32(idx));
	else
		dev = dev_get_by_name(genl_info_net(info), nla_data(name));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, idx ?: name, "no such network interface");
		return -ENODEV;
	}
	*ifindex = dev->ifindex;
	dev_put(dev);
	return 0;
}

#endif /* _HEXO_GENL_UTIL_H */

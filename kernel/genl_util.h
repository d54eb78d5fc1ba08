/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small generic netlink helpers shared by HEXO's families.
 */
#ifndef _HEXO_GENL_UTIL_H
#define _HEXO_GENL_UTIL_H

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

#endif /* _HEXO_GENL_UTIL_H */

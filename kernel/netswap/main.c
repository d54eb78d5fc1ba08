// SPDX-License-Identifier: GPL-2.0
/*
 * netswap: the board side of Netswap, block devices whose pages live in a
 * server's RAM.
 */
#include <linux/module.h>

#include "compat.h"
#include "dev.h"
#include "netlink.h"

static int __init nsw_init(void)
{
	int ret;

	ret = nsw_dev_init();
	if (ret)
		return ret;
	ret = nsw_genl_init();
	if (ret)
		goto err_dev;
	pr_info("netswap " HEXO_VERSION " loaded\n");
	return 0;

err_dev:
	nsw_dev_uninit();
	return ret;
}

static void __exit nsw_exit(void)
{
	nsw_genl_uninit();
	nsw_dev_uninit();
}

module_init(nsw_init);
module_exit(nsw_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The HEXO developers");
MODULE_DESCRIPTION("Netswap: swap to a server's RAM over raw Ethernet");
MODULE_VERSION(HEXO_VERSION);

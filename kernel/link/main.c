// SPDX-License-Identifier: GPL-2.0
/*
 * hexo_link: HEXO's reliable frame transport over raw Ethernet, used by
 * Netswap and hexo_kvm. See hexo_link.h and include/uapi/hexo/wire.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/random.h>

#include "compat.h"
#include "echo.h"
#include "link.h"
#include "port.h"

u64 hxl_boot_id;

static int __init hxl_init(void)
{
	int ret;

	hxl_boot_id = get_random_u64();
	ret = hxl_crc_init();
	if (ret)
		return ret;
	hxl_echo_init();
	ret = hxl_port_init();
	if (ret)
		return ret;
	ret = hxl_genl_init();
	if (ret)
		goto err_port;
	pr_info("version " HEXO_VERSION " loaded (EtherType 0x%04x, wire v%d)\n",
		HEXO_ETH_P, HEXO_WIRE_VERSION);
	return 0;

err_port:
	hxl_port_uninit();
	return ret;
}

static void __exit hxl_exit(void)
{
	hxl_genl_uninit();
	hxl_port_uninit();
}

module_init(hxl_init);
module_exit(hxl_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The HEXO developers");
MODULE_DESCRIPTION("HEXO: reliable frame transport over raw Ethernet");
MODULE_VERSION(HEXO_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * netswap_server: the server side of Netswap. Serves this machine's spare
 * RAM to boards' swap devices over raw Ethernet.
 *
 * Boot-time use: netswap_server.serve=IFNAME:SIZE[:BOARD_SIZE] (sizes with
 * K/M/G suffixes), on the kernel command line or in modprobe.d; the serve
 * starts as soon as the interface exists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "server.h"

static char *serve;
module_param(serve, charp, 0444);
MODULE_PARM_DESC(serve, "serve at load: IFNAME:SIZE[:BOARD_SIZE], e.g. eth0:2G:1G");

static char nss_param_ifname[IFNAMSIZ];
static u64 nss_param_size, nss_param_board_size;
static struct delayed_work nss_param_work;
static unsigned int nss_param_tries;

static void nss_param_serve(struct work_struct *work)
{
	struct nss_serve_info info;
	struct net_device *dev;
	int ret;

	dev = dev_get_by_name(&init_net, nss_param_ifname);
	if (!dev) {
		if (!(nss_param_tries++ % 60))
			pr_info("serve=%s: waiting for the interface\n", serve);
		schedule_delayed_work(&nss_param_work, HZ);
		return;
	}
	ret = nss_serve_add(&init_net, dev->ifindex, nss_param_size, nss_param_board_size,
			    NETSWAP_SRV_DEFAULT_EXPIRE_MS, NETSWAP_SRV_DEFAULT_MAX_BOARDS, NULL,
			    &info, NULL);
	dev_put(dev);
	if (ret)
		pr_err("serve=%s: cannot serve: %d\n", serve, ret);
	else
		pr_info("serving %llu bytes on %s\n", nss_param_size, nss_param_ifname);
}

static int __init nss_param_parse(void)
{
	char *p, *end;

	if (!serve || !*serve)
		return 0;
	p = strchr(serve, ':');
	if (!p || p - serve >= IFNAMSIZ || p == serve)
		goto bad;
	memcpy(nss_param_ifname, serve, p - serve);
	nss_param_size = memparse(p + 1, &end);
	nss_param_board_size = nss_param_size;
	if (*end == ':')
		nss_param_board_size = memparse(end + 1, &end);
	if (*end || !nss_param_size || nss_param_size % HEXO_PAGE_SIZE ||
	    nss_param_board_size % HEXO_PAGE_SIZE || nss_param_board_size > nss_param_size)
		goto bad;
	INIT_DELAYED_WORK(&nss_param_work, nss_param_serve);
	schedule_delayed_work(&nss_param_work, 0);
	return 0;
bad:
	pr_err("serve=%s: want IFNAME:SIZE[:BOARD_SIZE], sizes multiples of 4K\n", serve);
	return -EINVAL;
}

/*
 * A namespace goes: its serves go with it. As a pernet subsystem this runs
 * after the namespace's interfaces are gone and before generic netlink lets
 * go of it, so the sessions' board-gone events still reach its listeners.
 */
static void __net_exit nss_net_exit(struct net *net)
{
	nss_serve_net_exit(net);
}

static struct pernet_operations nss_net_ops = {
	.exit = nss_net_exit,
};

static int __init nss_init(void)
{
	int ret;

	ret = register_pernet_subsys(&nss_net_ops);
	if (ret)
		return ret;
	ret = nss_genl_init();
	if (ret)
		goto err_net;
	ret = nss_param_parse();
	if (ret)
		goto err_genl;
	pr_info("version " HEXO_VERSION " loaded\n");
	return 0;

err_genl:
	nss_genl_uninit();
err_net:
	unregister_pernet_subsys(&nss_net_ops);
	return ret;
}

static void __exit nss_exit(void)
{
	if (serve && *serve)
		cancel_delayed_work_sync(&nss_param_work);
	/*
	 * Serves first, refusing new ones: closing their sessions still tells
	 * the family's listeners (board-gone), and no SERVE request can add
	 * a serve behind us. Then the family, with nothing left to report.
	 */
	nss_serve_del_all();
	nss_genl_uninit();
	unregister_pernet_subsys(&nss_net_ops);
}

module_init(nss_init);
module_exit(nss_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The HEXO developers");
MODULE_DESCRIPTION("Netswap server: serve RAM to boards' swap over raw Ethernet");
MODULE_VERSION(HEXO_VERSION);

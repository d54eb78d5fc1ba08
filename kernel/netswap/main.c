// SPDX-License-Identifier: GPL-2.0
/*
 * netswap: the board side of Netswap, block devices whose pages live in a
 * server's RAM.
 *
 * Boot-time use: netswap.attach=IFNAME,SERVER_MAC,SIZE[,TIMEOUT_MS] (up to
 * four, separated by ';'), on the kernel command line or in modprobe.d, or a
 * "hexo,netswap" device-tree node (of.c). Such devices appear once the
 * interface exists and the server answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "dev.h"
#include "of.h"

#define NSW_PARAM_MAX	4

static char *attach;
module_param(attach, charp, 0444);
MODULE_PARM_DESC(attach, "attach at load: IFNAME,SERVER_MAC,SIZE[,TIMEOUT_MS][;...]");

struct nsw_param {
	char ifname[IFNAMSIZ];
	struct nsw_attach a;
	bool done;
};

static struct nsw_param nsw_params[NSW_PARAM_MAX];
static unsigned int nsw_nparams;
static struct delayed_work nsw_param_work;

/* Attaches what the parameter asks for as the interfaces appear. */
static void nsw_param_attach(struct work_struct *work)
{
	struct nsw_dev_info *info = kmalloc(sizeof(*info), GFP_KERNEL);
	struct net_device *dev;
	bool waiting = false;
	unsigned int i;
	int ret;

	for (i = 0; info && i < nsw_nparams; i++) {
		struct nsw_param *p = &nsw_params[i];

		if (p->done)
			continue;
		dev = dev_get_by_name(&init_net, p->ifname);
		if (!dev) {
			waiting = true;
			continue;
		}
		p->a.ifindex = dev->ifindex;
		dev_put(dev);
		ret = nsw_dev_attach(&p->a, info, NULL);
		if (ret)
			pr_err("attach=%s,%pM: %d\n", p->ifname, p->a.server, ret);
		else
			pr_info("%s: attaching to %pM on %s\n", info->name, p->a.server, p->ifname);
		p->done = true;
	}
	kfree(info);
	if (waiting)
		schedule_delayed_work(&nsw_param_work, HZ);
}

static int __init nsw_param_parse(void)
{
	char *buf, *item, *rest, *f[4];
	int n, ret = -EINVAL;

	if (!attach || !*attach)
		return 0;
	buf = kstrdup(attach, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	rest = buf;
	while ((item = strsep(&rest, ";")) && *item) {
		struct nsw_param *p = &nsw_params[nsw_nparams];
		char *end;

		if (nsw_nparams == NSW_PARAM_MAX)
			goto bad;
		for (n = 0; n < 4 && (f[n] = strsep(&item, ",")); n++)
			;
		if (n < 3 || strlen(f[0]) >= IFNAMSIZ || !mac_pton(f[1], p->a.server))
			goto bad;
		strscpy(p->ifname, f[0], sizeof(p->ifname));
		p->a.net = &init_net;
		p->a.size = memparse(f[2], &end);
		if (*end || !p->a.size || p->a.size % HEXO_PAGE_SIZE ||
		    p->a.size > NETSWAP_MAX_SIZE)
			goto bad;
		p->a.timeout_ms = NETSWAP_DEFAULT_TIMEOUT_MS;
		if (n == 4 && (kstrtou32(f[3], 0, &p->a.timeout_ms) || p->a.timeout_ms < 1000))
			goto bad;
		p->a.window = NETSWAP_DEFAULT_WINDOW;
		nsw_nparams++;
	}
	INIT_DELAYED_WORK(&nsw_param_work, nsw_param_attach);
	schedule_delayed_work(&nsw_param_work, 0);
	ret = 0;
bad:
	if (ret)
		pr_err("attach=%s: want IFNAME,SERVER_MAC,SIZE[,TIMEOUT_MS] (SIZE a multiple of 4K, at most 1T)\n",
		       attach);
	kfree(buf);
	return ret;
}

/* A namespace goes: its devices go with it (see nsw_dev_net_exit()). */
static void __net_exit nsw_net_exit(struct net *net)
{
	nsw_dev_net_exit(net);
}

static struct pernet_operations nsw_net_ops = {
	.exit = nsw_net_exit,
};

static int __init nsw_init(void)
{
	int ret;

	ret = nsw_dev_init();
	if (ret)
		return ret;
	ret = register_pernet_subsys(&nsw_net_ops);
	if (ret)
		goto err_dev;
	ret = nsw_genl_init();
	if (ret)
		goto err_net;
	ret = nsw_of_init();
	if (ret)
		goto err_genl;
	ret = nsw_param_parse();
	if (ret)
		goto err_of;
	pr_info("version " HEXO_VERSION " loaded\n");
	return 0;

err_of:
	nsw_of_uninit();
err_genl:
	nsw_genl_uninit();
err_net:
	unregister_pernet_subsys(&nsw_net_ops);
err_dev:
	nsw_dev_uninit();
	return ret;
}

static void __exit nsw_exit(void)
{
	if (nsw_nparams)
		cancel_delayed_work_sync(&nsw_param_work);
	nsw_of_uninit();
	nsw_genl_uninit();
	nsw_dev_uninit();
	/* Last: unregistering runs the exit for every namespace, none left. */
	unregister_pernet_subsys(&nsw_net_ops);
}

module_init(nsw_init);
module_exit(nsw_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The HEXO developers");
MODULE_DESCRIPTION("Netswap: swap to a server's RAM over raw Ethernet");
MODULE_VERSION(HEXO_VERSION);

// SPDX-License-Identifier: GPL-2.0
/*
 * Board bring-up from the device tree: a "hexo,netswap" node
 * (Documentation/devicetree/bindings/hexo,netswap.yaml) attaches a device to
 * the server it names, through the Ethernet controller it points to, as soon
 * as that controller's driver is up and the server answers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/of.h>
#include <linux/of_net.h>
#include <linux/platform_device.h>

#include "dev.h"
#include "of.h"

struct nsw_of {
	u32 index;
};

static int nsw_of_probe(struct platform_device *pdev)
{
	struct device_node *np = pdev->dev.of_node, *eth;
	struct nsw_attach a = {
		.timeout_ms = NETSWAP_DEFAULT_TIMEOUT_MS,
		.window = NETSWAP_DEFAULT_WINDOW,
		.failover_ms = NETSWAP_DEFAULT_FAILOVER_MS,
	};
	struct nsw_dev_info *info;
	struct net_device *ndev;
	struct nsw_of *priv;
	int ret;

	eth = of_parse_phandle(np, "hexo,ethernet", 0);
	if (!eth)
		return dev_err_probe(&pdev->dev, -EINVAL, "no hexo,ethernet phandle\n");
	ndev = of_find_net_device_by_node(eth);
	of_node_put(eth);
	if (!ndev)
		return dev_err_probe(&pdev->dev, -EPROBE_DEFER,
				     "waiting for the Ethernet controller's driver\n");
	a.net = dev_net(ndev);
	a.ifindex = ndev->ifindex;
	dev_put(ndev);

	if (of_property_read_u8_array(np, "hexo,server-mac", a.server, ETH_ALEN))
		return dev_err_probe(&pdev->dev, -EINVAL, "no 6-byte hexo,server-mac\n");
	if (of_property_read_u64(np, "hexo,size", &a.size) || !a.size ||
	    a.size % HEXO_PAGE_SIZE || a.size > NETSWAP_MAX_SIZE)
		return dev_err_probe(&pdev->dev, -EINVAL,
				     "hexo,size must be a 64-bit multiple of 4096, at most 1 TiB\n");
	of_property_read_u32(np, "hexo,timeout-ms", &a.timeout_ms);
	if (a.timeout_ms < 1000)
		return dev_err_probe(&pdev->dev, -EINVAL, "hexo,timeout-ms below 1000\n");
	of_property_read_u32(np, "hexo,hold-ms", &a.hold_ms);
	if (a.hold_ms && (a.hold_ms < NETSWAP_MIN_HOLD_MS || a.hold_ms > NETSWAP_MAX_HOLD_MS))
		return dev_err_probe(&pdev->dev, -EINVAL,
				     "hexo,hold-ms must be 0 (none) or 1000 to 600000\n");
	if (of_find_property(np, "hexo,mirror-mac", NULL)) {
		if (of_property_read_u8_array(np, "hexo,mirror-mac", a.mirror, ETH_ALEN) ||
		    ether_addr_equal(a.mirror, a.server))
			return dev_err_probe(&pdev->dev, -EINVAL,
					     "hexo,mirror-mac must be 6 bytes, another server than hexo,server-mac\n");
		a.mirrored = true;
		of_property_read_u32(np, "hexo,failover-ms", &a.failover_ms);
		if (a.failover_ms < NETSWAP_MIN_FAILOVER_MS || a.failover_ms > NETSWAP_MAX_FAILOVER_MS)
			return dev_err_probe(&pdev->dev, -EINVAL,
					     "hexo,failover-ms must be 50 to 10000\n");
	} else if (of_find_property(np, "hexo,failover-ms", NULL)) {
		/* As netlink refuses a failover without a mirror: not silently ignored. */
		return dev_err_probe(&pdev->dev, -EINVAL,
				     "hexo,failover-ms is for mirrored devices: add hexo,mirror-mac\n");
	}

	priv = devm_kzalloc(&pdev->dev, sizeof(*priv), GFP_KERNEL);
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!priv || !info) {
		kfree(info);
		return -ENOMEM;
	}
	a.owner = pdev;
	ret = nsw_dev_attach(&a, info, NULL);
	if (!ret) {
		priv->index = info->index;
		platform_set_drvdata(pdev, priv);
		if (a.mirrored)
			dev_info(&pdev->dev, "%s: attaching to %pM and its mirror %pM on %s\n",
				 info->name, a.server, a.mirror, info->ifname);
		else
			dev_info(&pdev->dev, "%s: attaching to %pM on %s\n", info->name, a.server,
				 info->ifname);
	}
	kfree(info);
	return ret;
}

static int nsw_of_remove(struct platform_device *pdev)
{
	struct nsw_of *priv = platform_get_drvdata(pdev);

	/* An open device stays; module unload waits for it to close anyway. */
	if (nsw_dev_detach(priv->index, pdev, NULL) == -EBUSY)
		dev_warn(&pdev->dev, "netswap%u is in use and stays\n", priv->index);
	return 0;
}

static const struct of_device_id nsw_of_match[] = {
	{ .compatible = "hexo,netswap" },
	{}
};
MODULE_DEVICE_TABLE(of, nsw_of_match);

static struct platform_driver nsw_of_driver = {
	.probe	= nsw_of_probe,
	.remove	= nsw_of_remove,
	.driver	= {
		.name		= "netswap",
		.of_match_table	= nsw_of_match,
	},
};

int __init nsw_of_init(void)
{
	return platform_driver_register(&nsw_of_driver);
}

void nsw_of_uninit(void)
{
	platform_driver_unregister(&nsw_of_driver);
}

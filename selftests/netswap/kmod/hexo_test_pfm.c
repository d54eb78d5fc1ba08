// SPDX-License-Identifier: GPL-2.0
/*
 * hexo_test_pfm: the receive path under memory pressure, made deterministic
 * for selftests/netswap/pfmemalloc.sh. Test-only; never load it elsewhere.
 *
 * Under pressure a NIC driver fills its receive ring from the memory
 * reserves, and while any socket is SOCK_MEMALLOC, net/core/dev.c hands such
 * "pfmemalloc" skbs only to ARP, IP, IPv6 and VLAN (skb_pfmemalloc_protocol())
 * and drops the rest after the ingress hooks. Whether a board ever sees such
 * a frame depends on timing. This module forces the worst case:
 *
 *  - it arms the rule: a kernel UDP socket marked SOCK_MEMALLOC, as NBD or
 *    NFS swap do;
 *  - it proves the rule is armed: it delivers control frames of another
 *    local-experimental EtherType (0x88B6), half of them marked pfmemalloc,
 *    to its own packet handler, which must see exactly the other half
 *    (parameters ctl_plain, ctl_reserve, ctl_seen);
 *  - it turns every HEXO frame arriving on the interface into a reserve
 *    frame: an ingress hook that runs before hexo_link's takes the frame,
 *    and delivers a copy marked pfmemalloc again (parameter hexo_marked).
 *
 * hexo_link then receives nothing but reserve frames, and counts them
 * (rx_pfmemalloc in "hexoctl link show"). The module holds a reference on
 * the interface until it is unloaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include <hexo/wire.h>

#define HTP_CTL_ETH_P	0x88B6
#define HTP_MARK	0x48585046	/* "HXPF": a copy this module made */

static char *ifname = "eth0";
module_param(ifname, charp, 0444);
MODULE_PARM_DESC(ifname, "the interface whose HEXO frames become reserve frames");

static unsigned int ctl_frames = 64;
module_param(ctl_frames, uint, 0444);
MODULE_PARM_DESC(ctl_frames, "control frames of each kind delivered at load");

static atomic_t htp_ctl_plain = ATOMIC_INIT(0);
static atomic_t htp_ctl_reserve = ATOMIC_INIT(0);
static atomic_t htp_ctl_seen = ATOMIC_INIT(0);
static atomic_t htp_hexo_marked = ATOMIC_INIT(0);
static atomic_t htp_hexo_nocopy = ATOMIC_INIT(0);

static int htp_get_counter(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops htp_counter_ops = {
	.get = htp_get_counter,
};

module_param_cb(ctl_plain, &htp_counter_ops, &htp_ctl_plain, 0444);
MODULE_PARM_DESC(ctl_plain, "control frames delivered from ordinary memory");
module_param_cb(ctl_reserve, &htp_counter_ops, &htp_ctl_reserve, 0444);
MODULE_PARM_DESC(ctl_reserve, "control frames delivered marked pfmemalloc");
module_param_cb(ctl_seen, &htp_counter_ops, &htp_ctl_seen, 0444);
MODULE_PARM_DESC(ctl_seen, "control frames that reached the packet handler");
module_param_cb(hexo_marked, &htp_counter_ops, &htp_hexo_marked, 0444);
MODULE_PARM_DESC(hexo_marked, "HEXO frames re-delivered marked pfmemalloc");
module_param_cb(hexo_nocopy, &htp_counter_ops, &htp_hexo_nocopy, 0444);
MODULE_PARM_DESC(hexo_nocopy, "HEXO frames passed on unmarked (no memory for a copy)");

static struct net_device *htp_dev;
static struct socket *htp_sock;

static int htp_ctl_rcv(struct sk_buff *skb, struct net_device *dev, struct packet_type *pt,
		       struct net_device *orig_dev)
{
	atomic_inc(&htp_ctl_seen);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type htp_ctl_pt = {
	.type = cpu_to_be16(HTP_CTL_ETH_P),
	.func = htp_ctl_rcv,
};

static unsigned int htp_hook(void *priv, struct sk_buff *skb, const struct nf_hook_state *state)
{
	struct sk_buff *copy;

	if (skb->protocol != htons(HEXO_ETH_P) || skb->mark == HTP_MARK)
		return NF_ACCEPT;
	copy = skb_copy(skb, GFP_ATOMIC);
	if (!copy) {
		atomic_inc(&htp_hexo_nocopy);
		return NF_ACCEPT;
	}
	copy->mark = HTP_MARK;
	copy->pfmemalloc = 1;
	atomic_inc(&htp_hexo_marked);
	netif_rx(copy);
	consume_skb(skb);
	return NF_STOLEN;
}

static struct nf_hook_ops htp_hook_ops = {
	.hook = htp_hook,
	.pf = NFPROTO_NETDEV,
	.hooknum = NF_NETDEV_INGRESS,
	.priority = INT_MIN,	/* before hexo_link's (INT_MIN + 1) */
};

/* One control frame, addressed to the interface, as its driver would pass it. */
static int htp_ctl_deliver(bool reserve)
{
	struct sk_buff *skb = netdev_alloc_skb(htp_dev, ETH_ZLEN);
	struct ethhdr *eth;

	if (!skb)
		return -ENOMEM;
	eth = skb_put_zero(skb, ETH_ZLEN);
	ether_addr_copy(eth->h_dest, htp_dev->dev_addr);
	ether_addr_copy(eth->h_source, htp_dev->dev_addr);
	eth->h_proto = htons(HTP_CTL_ETH_P);
	skb->protocol = eth_type_trans(skb, htp_dev);
	skb->pfmemalloc = reserve;
	atomic_inc(reserve ? &htp_ctl_reserve : &htp_ctl_plain);
	netif_rx(skb);
	return 0;
}

static int __init htp_init(void)
{
	unsigned int i;
	int ret;

	htp_dev = dev_get_by_name(&init_net, ifname);
	if (!htp_dev) {
		pr_err("no interface %s\n", ifname);
		return -ENODEV;
	}
	ret = sock_create_kern(&init_net, PF_INET, SOCK_DGRAM, IPPROTO_UDP, &htp_sock);
	if (ret)
		goto err_dev;
	sk_set_memalloc(htp_sock->sk);

	htp_ctl_pt.dev = htp_dev;
	dev_add_pack(&htp_ctl_pt);
	htp_hook_ops.dev = htp_dev;
	ret = nf_register_net_hook(&init_net, &htp_hook_ops);
	if (ret)
		goto err_pack;

	for (i = 0; i < 2 * ctl_frames; i++) {
		ret = htp_ctl_deliver(i & 1);
		if (ret)
			goto err_hook;
	}
	pr_info("%s: HEXO frames now arrive as reserve frames\n", ifname);
	return 0;

err_hook:
	nf_unregister_net_hook(&init_net, &htp_hook_ops);
err_pack:
	dev_remove_pack(&htp_ctl_pt);
	sk_clear_memalloc(htp_sock->sk);
	sock_release(htp_sock);
err_dev:
	dev_put(htp_dev);
	return ret;
}

static void __exit htp_exit(void)
{
	nf_unregister_net_hook(&init_net, &htp_hook_ops);
	dev_remove_pack(&htp_ctl_pt);
	sk_clear_memalloc(htp_sock->sk);
	sock_release(htp_sock);
	dev_put(htp_dev);
}

module_init(htp_init);
module_exit(htp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("HEXO selftest: deliver HEXO frames as memory-reserve frames");

// SPDX-License-Identifier: GPL-2.0
/*
 * Ports: HEXO on a network interface. Receives HEXO frames at the netdev
 * ingress hook, checks them, and hands replies to client channels and
 * requests to servers; sends frames.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <net/net_namespace.h>

#include "chan.h"
#include "echo.h"
#include "port.h"
#include "srv.h"

static LIST_HEAD(hxl_ports);
static DEFINE_MUTEX(hxl_ports_lock);

static void hxl_port_drop(struct hxl_port *port, struct sk_buff *skb, enum hxp_drop why)
{
	hxl_port_count(port, HXL_PC_RX_DROP + why, 1);
	kfree_skb(skb);
}

static unsigned int hxl_port_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct hxl_port *port = priv;
	const struct hexo_hdr *h;
	enum hxp_drop why;
	size_t data_at;

	if (skb->protocol != htons(HEXO_ETH_P))
		return NF_ACCEPT;
	/*
	 * A tagged frame is its VLAN interface's: once the core strips the
	 * tag, it reaches that interface's own hook (and its port), or is
	 * dropped when no VLAN interface has that tag. Taken here, it would
	 * be served on the parent and answered untagged.
	 */
	if (skb_vlan_tag_present(skb))
		return NF_ACCEPT;
	/* Frames for another host (promiscuous mode) are not ours to take. */
	if (skb->pkt_type != PACKET_HOST)
		return NF_ACCEPT;

	hxl_port_count(port, HXL_PC_RX_FRAMES, 1);
	hxl_port_count(port, HXL_PC_RX_BYTES, skb->len);
	if (skb_pfmemalloc(skb))
		hxl_port_count(port, HXL_PC_RX_PFMEMALLOC, 1);

	if (!pskb_may_pull(skb, HEXO_HDR_LEN)) {
		hxl_port_drop(port, skb, HXP_DROP_RUNT);
		return NF_STOLEN;
	}
	h = (const struct hexo_hdr *)skb->data;
	if (h->hdr_len > HEXO_HDR_LEN && !pskb_may_pull(skb, h->hdr_len)) {
		hxl_port_drop(port, skb, HXP_DROP_HDR_LEN);
		return NF_STOLEN;
	}
	h = (const struct hexo_hdr *)skb->data;
	why = hxp_hdr_check(h, skb->len, &data_at);
	if (why == HXP_DROP_VERSION && !(h->flags & HEXO_F_REPLY))
		hxl_srv_rx_version(port, skb);
	if (why != HXP_OK) {
		hxl_port_drop(port, skb, why);
		return NF_STOLEN;
	}

	if (h->service == HEXO_SVC_LINK)
		hxl_echo_rx(port, skb, data_at);
	else if (h->flags & HEXO_F_REPLY)
		hxl_chan_rx(port, skb, data_at);
	else
		hxl_srv_rx(port, skb, data_at);
	return NF_STOLEN;
}

struct sk_buff *hxl_port_alloc_skb(struct hxl_port *port, unsigned int len)
{
	return hxl_port_alloc_skb_gfp(port, len, GFP_ATOMIC | __GFP_MEMALLOC | __GFP_NOWARN);
}

struct sk_buff *hxl_port_alloc_skb_gfp(struct hxl_port *port, unsigned int len, gfp_t gfp)
{
	unsigned int head = ETH_HLEN + NET_IP_ALIGN, tail = 0;
	struct net_device *dev;
	struct sk_buff *skb;

	rcu_read_lock();
	dev = rcu_dereference(port->dev);
	if (dev) {
		head = LL_RESERVED_SPACE(dev);
		tail = dev->needed_tailroom;
	}
	rcu_read_unlock();

	/* Room for a keyed session's MAC (hxl_auth_seal()) too. */
	skb = alloc_skb(head + HEXO_HDR_LEN + len + HEXO_AUTH_LEN + tail, gfp);
	if (!skb) {
		hxl_port_count(port, HXL_PC_TX_ERRORS, 1);
		return NULL;
	}
	skb_reserve(skb, head);
	skb_reset_network_header(skb);
	memset(skb_put(skb, HEXO_HDR_LEN), 0, HEXO_HDR_LEN);
	return skb;
}

void hxl_port_xmit(struct hxl_port *port, const u8 *peer, struct sk_buff *skb)
{
	hxp_hdr_seal((struct hexo_hdr *)skb->data);
	hxl_port_xmit_raw(port, peer, skb);
}

void hxl_port_xmit_raw(struct hxl_port *port, const u8 *peer, struct sk_buff *skb)
{
	struct net_device *dev;
	unsigned int len;

	rcu_read_lock();
	dev = rcu_dereference(port->dev);
	if (!dev || !(dev->flags & IFF_UP))
		goto drop;
	skb->dev = dev;
	skb->protocol = htons(HEXO_ETH_P);
	if (dev_hard_header(skb, dev, HEXO_ETH_P, peer, dev->dev_addr, skb->len) < 0)
		goto drop;
	len = skb->len;
	if (dev_queue_xmit(skb) != NET_XMIT_SUCCESS) {
		hxl_port_count(port, HXL_PC_TX_ERRORS, 1);
	} else {
		hxl_port_count(port, HXL_PC_TX_FRAMES, 1);
		hxl_port_count(port, HXL_PC_TX_BYTES, len);
	}
	rcu_read_unlock();
	return;

drop:
	rcu_read_unlock();
	hxl_port_count(port, HXL_PC_TX_ERRORS, 1);
	kfree_skb(skb);
}

u32 hxl_port_mtu(struct hxl_port *port)
{
	return READ_ONCE(port->mtu);
}

bool hxl_port_mac(struct hxl_port *port, u8 *mac)
{
	struct net_device *dev;
	bool ok = false;

	rcu_read_lock();
	dev = rcu_dereference(port->dev);
	if (dev) {
		ether_addr_copy(mac, dev->dev_addr);
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}

/* Detaches the port from its interface. Under RTNL and hxl_ports_lock. */
static void hxl_port_unbind(struct hxl_port *port)
{
	struct net_device *dev = rtnl_dereference(port->dev);

	if (!dev)
		return;
	nf_unregister_net_hook(port->net, &port->hook);
	RCU_INIT_POINTER(port->dev, NULL);
	synchronize_net();
	netdev_put(dev, &port->dev_tracker);
}

/* Drops a reference. Under RTNL and hxl_ports_lock. */
static void hxl_port_put_locked(struct hxl_port *port)
{
	if (!refcount_dec_and_test(&port->ref))
		return;
	list_del(&port->node);
	hxl_port_unbind(port);
	WARN_ON(!list_empty(&port->chans));
	free_percpu(port->pcpu);
	kfree(port);
}

/* Echo off: the port lets go of itself. Under RTNL and hxl_ports_lock. */
static void hxl_port_echo_off(struct hxl_port *port)
{
	if (!port->echo)
		return;
	WRITE_ONCE(port->echo, false);
	hxl_port_put_locked(port);
}

/*
 * The port's interface is gone: unbinds it and tells its servers and client
 * channels; its echo ends. Under RTNL and hxl_ports_lock; may free the port.
 */
static void hxl_port_gone(struct hxl_port *port)
{
	int i;

	hxl_port_unbind(port);
	spin_lock_bh(&port->lock);
	for (i = 0; i < __HEXO_SVC_MAX; i++)
		RCU_INIT_POINTER(port->srv[i], NULL);
	spin_unlock_bh(&port->lock);
	hxl_chan_port_gone(port);
	hxl_port_echo_off(port);
}

struct hxl_port *hxl_port_get(struct net *net, int ifindex, struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct hxl_port *port;
	int ret;

	rtnl_lock();
	mutex_lock(&hxl_ports_lock);
	list_for_each_entry(port, &hxl_ports, node) {
		if (port->net == net && port->ifindex == ifindex &&
		    rcu_access_pointer(port->dev)) {
			refcount_inc(&port->ref);
			goto out;
		}
	}

	dev = __dev_get_by_index(net, ifindex);
	if (!dev) {
		NL_SET_ERR_MSG(extack, "no such network interface");
		port = ERR_PTR(-ENODEV);
		goto out;
	}
	if (dev->type != ARPHRD_ETHER || dev->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG(extack, "not an Ethernet interface: HEXO needs raw Ethernet");
		port = ERR_PTR(-EINVAL);
		goto out;
	}
	if (dev->mtu < HEXO_HDR_LEN + sizeof(struct hexo_hello)) {
		NL_SET_ERR_MSG(extack, "the interface's MTU is too small for HEXO");
		port = ERR_PTR(-EINVAL);
		goto out;
	}

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port) {
		port = ERR_PTR(-ENOMEM);
		goto out;
	}
	port->pcpu = alloc_percpu(struct hxl_port_pcpu);
	if (!port->pcpu) {
		kfree(port);
		port = ERR_PTR(-ENOMEM);
		goto out;
	}
	refcount_set(&port->ref, 1);
	port->net = net;
	port->ifindex = ifindex;
	strscpy(port->ifname, dev->name, sizeof(port->ifname));
	port->mtu = dev->mtu;
	spin_lock_init(&port->lock);
	INIT_LIST_HEAD(&port->chans);
	port->hook.hook = hxl_port_hook;
	port->hook.pf = NFPROTO_NETDEV;
	port->hook.hooknum = NF_NETDEV_INGRESS;
	/* Ahead of any nftables netdev chain: these frames are HEXO's. */
	port->hook.priority = INT_MIN + 1;
	port->hook.dev = dev;
	port->hook.priv = port;
	netdev_hold(dev, &port->dev_tracker, GFP_KERNEL);
	rcu_assign_pointer(port->dev, dev);
	ret = nf_register_net_hook(net, &port->hook);
	if (ret) {
		NL_SET_ERR_MSG(extack, "cannot hook the interface's ingress");
		netdev_put(dev, &port->dev_tracker);
		free_percpu(port->pcpu);
		kfree(port);
		port = ERR_PTR(ret);
		goto out;
	}
	list_add(&port->node, &hxl_ports);
out:
	mutex_unlock(&hxl_ports_lock);
	rtnl_unlock();
	return port;
}

void hxl_port_put(struct hxl_port *port)
{
	rtnl_lock();
	mutex_lock(&hxl_ports_lock);
	hxl_port_put_locked(port);
	mutex_unlock(&hxl_ports_lock);
	rtnl_unlock();
}

int hxl_port_set_echo(struct net *net, int ifindex, bool on, struct netlink_ext_ack *extack)
{
	struct hxl_port *port, *found = NULL;
	int ret = 0;

	if (on) {
		port = hxl_port_get(net, ifindex, extack);
		if (IS_ERR(port))
			return PTR_ERR(port);
		rtnl_lock();
		mutex_lock(&hxl_ports_lock);
		if (!rtnl_dereference(port->dev)) {
			/* The interface went meanwhile: nothing would end this echo. */
			NL_SET_ERR_MSG(extack, "the network interface went away");
			hxl_port_put_locked(port);
			ret = -ENODEV;
		} else if (port->echo) {
			hxl_port_put_locked(port);	/* on already: holds itself */
		} else {
			WRITE_ONCE(port->echo, true);	/* this reference is echo's */
		}
		mutex_unlock(&hxl_ports_lock);
		rtnl_unlock();
		return ret;
	}
	rtnl_lock();
	mutex_lock(&hxl_ports_lock);
	list_for_each_entry(port, &hxl_ports, node) {
		if (port->net == net && port->ifindex == ifindex && rtnl_dereference(port->dev)) {
			found = port;
			break;
		}
	}
	if (found)
		hxl_port_echo_off(found);
	mutex_unlock(&hxl_ports_lock);
	rtnl_unlock();
	return 0;
}

void hxl_port_add_chan(struct hxl_port *port, struct list_head *chan_node)
{
	spin_lock_bh(&port->lock);
	list_add_rcu(chan_node, &port->chans);
	spin_unlock_bh(&port->lock);
}

void hxl_port_del_chan(struct hxl_port *port, struct list_head *chan_node)
{
	spin_lock_bh(&port->lock);
	list_del_rcu(chan_node);
	spin_unlock_bh(&port->lock);
	synchronize_rcu();
}

int hxl_port_set_srv(struct hxl_port *port, u8 service, struct hxl_srv *srv,
		     struct netlink_ext_ack *extack)
{
	int ret = 0;

	spin_lock_bh(&port->lock);
	if (rcu_access_pointer(port->srv[service])) {
		NL_SET_ERR_MSG(extack, "this service is served on this interface already");
		ret = -EBUSY;
	} else {
		rcu_assign_pointer(port->srv[service], srv);
	}
	spin_unlock_bh(&port->lock);
	return ret;
}

void hxl_port_clear_srv(struct hxl_port *port, u8 service)
{
	spin_lock_bh(&port->lock);
	RCU_INIT_POINTER(port->srv[service], NULL);
	spin_unlock_bh(&port->lock);
	synchronize_rcu();
}

static void hxl_port_fill(struct hxl_port *port, struct hxl_port_info *info)
{
	struct hxl_port_stats *s = &info->stats;
	struct hxl_chan *chan;
	u64 c[__HXL_PC_MAX] = {};
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct hxl_port_pcpu *p = per_cpu_ptr(port->pcpu, cpu);

		for (i = 0; i < __HXL_PC_MAX; i++)
			c[i] += READ_ONCE(p->c[i]);
	}
	memset(info, 0, sizeof(*info));
	info->ifindex = port->ifindex;
	strscpy(info->ifname, port->ifname, sizeof(info->ifname));
	info->mtu = port->mtu;
	info->echo = port->echo;
	rcu_read_lock();
	list_for_each_entry_rcu(chan, &port->chans, port_node)
		info->nchans++;
	for (i = 0; i < __HEXO_SVC_MAX; i++)
		if (rcu_access_pointer(port->srv[i]))
			info->nsrvs++;
	rcu_read_unlock();
	s->rx_frames = c[HXL_PC_RX_FRAMES];
	s->rx_bytes = c[HXL_PC_RX_BYTES];
	s->tx_frames = c[HXL_PC_TX_FRAMES];
	s->tx_bytes = c[HXL_PC_TX_BYTES];
	s->tx_errors = c[HXL_PC_TX_ERRORS];
	s->rx_pfmemalloc = c[HXL_PC_RX_PFMEMALLOC];
	s->rx_no_service = c[HXL_PC_RX_NO_SERVICE];
	s->rx_no_chan = c[HXL_PC_RX_NO_CHAN];
	s->rx_bad_auth = c[HXL_PC_RX_BAD_AUTH];
	s->rx_replay = c[HXL_PC_RX_REPLAY];
	for (i = 0; i < __HXP_DROP_MAX; i++)
		s->rx_drops[i] = c[HXL_PC_RX_DROP + i];
}

void hxl_port_for_each(struct net *net, void (*fn)(const struct hxl_port_info *info, void *arg),
		       void *arg)
{
	struct hxl_port_info *info;
	struct hxl_port *port;

	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return;
	mutex_lock(&hxl_ports_lock);
	list_for_each_entry(port, &hxl_ports, node) {
		if (port->net != net)
			continue;
		hxl_port_fill(port, info);
		fn(info, arg);
	}
	mutex_unlock(&hxl_ports_lock);
	kfree(info);
}

static int hxl_port_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct hxl_port *port, *next;

	if (event != NETDEV_UNREGISTER && event != NETDEV_CHANGEMTU)
		return NOTIFY_DONE;

	mutex_lock(&hxl_ports_lock);
	list_for_each_entry_safe(port, next, &hxl_ports, node) {
		if (rtnl_dereference(port->dev) != dev)
			continue;
		if (event == NETDEV_CHANGEMTU) {
			WRITE_ONCE(port->mtu, dev->mtu);
			continue;
		}
		/*
		 * The interface goes away (unregistered, or moved to another
		 * namespace): let go of it now (unregistering waits for our
		 * reference), and tell the users, who keep the port until they
		 * let go of it themselves.
		 */
		hxl_port_gone(port);
	}
	mutex_unlock(&hxl_ports_lock);
	return NOTIFY_DONE;
}

static struct notifier_block hxl_port_notifier = {
	.notifier_call = hxl_port_netdev_event,
};

/*
 * A namespace goes. Its interfaces went first (unregistered or moved out:
 * NETDEV_UNREGISTER unbound their ports), so this only makes sure, then
 * forgets the namespace: a port that outlives it (its users still hold it)
 * belongs to none, is never found by hxl_port_get() and never dumped.
 */
static void __net_exit hxl_port_net_exit(struct net *net)
{
	struct hxl_port *port, *next;

	rtnl_lock();
	mutex_lock(&hxl_ports_lock);
	list_for_each_entry_safe(port, next, &hxl_ports, node) {
		if (port->net != net)
			continue;
		if (rtnl_dereference(port->dev)) {
			/* Held across: its echo may have been what held it. */
			refcount_inc(&port->ref);
			hxl_port_gone(port);
			port->net = NULL;
			hxl_port_put_locked(port);
		} else {
			port->net = NULL;
		}
	}
	mutex_unlock(&hxl_ports_lock);
	rtnl_unlock();
}

static struct pernet_operations hxl_port_net_ops = {
	.exit = hxl_port_net_exit,
};

int __init hxl_port_init(void)
{
	int ret;

	ret = register_netdevice_notifier(&hxl_port_notifier);
	if (ret)
		return ret;
	ret = register_pernet_subsys(&hxl_port_net_ops);
	if (ret)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&hxl_port_notifier);
	return ret;
}

void hxl_port_uninit(void)
{
	struct hxl_port *port, *next;

	/* Every user is gone (the modules on top, netlink): echoes hold the rest. */
	rtnl_lock();
	mutex_lock(&hxl_ports_lock);
	list_for_each_entry_safe(port, next, &hxl_ports, node)
		hxl_port_echo_off(port);
	WARN_ON(!list_empty(&hxl_ports));
	mutex_unlock(&hxl_ports_lock);
	rtnl_unlock();
	unregister_pernet_subsys(&hxl_port_net_ops);
	unregister_netdevice_notifier(&hxl_port_notifier);
}

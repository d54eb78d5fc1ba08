/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HXL_PORT_H
#define _HXL_PORT_H

#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rculist.h>
#include <linux/skbuff.h>

#include "hexo_link.h"
#include "proto.h"

enum hxl_port_counter {
	HXL_PC_RX_FRAMES,
	HXL_PC_RX_BYTES,
	HXL_PC_TX_FRAMES,
	HXL_PC_TX_BYTES,
	HXL_PC_TX_ERRORS,
	HXL_PC_RX_PFMEMALLOC,
	HXL_PC_RX_NO_SERVICE,
	HXL_PC_RX_NO_CHAN,
	HXL_PC_RX_BAD_AUTH,
	HXL_PC_RX_REPLAY,
	HXL_PC_RX_DROP,		/* + enum hxp_drop */
	__HXL_PC_MAX = HXL_PC_RX_DROP + __HXP_DROP_MAX
};

struct hxl_port_pcpu {
	u64 c[__HXL_PC_MAX];
};

/*
 * HEXO on one network interface. Frames are taken at the interface's
 * netfilter ingress hook, before the stack drops frames allocated from the
 * memory reserves for protocols other than IP and ARP (net/core/dev.c,
 * skb_pfmemalloc_protocol()): a swap device must hear its server when memory
 * is shortest.
 */
struct hxl_port {
	struct list_head node;		/* in hxl_ports */
	refcount_t ref;
	struct net *net;
	int ifindex;
	char ifname[IFNAMSIZ];
	struct net_device __rcu *dev;	/* NULL once the interface is gone */
	netdevice_tracker dev_tracker;
	struct nf_hook_ops hook;
	u32 mtu;
	/*
	 * Answers ECHO requests (hxl_port_set_echo()); the port holds a
	 * reference on itself meanwhile. Set under hxl_ports_lock.
	 */
	bool echo;
	/* Page answers in the second from echo_since (echo.c), under lock. */
	unsigned long echo_since;
	u32 echo_pages;

	spinlock_t lock;		/* chans and srv updates, echo_* */
	struct list_head chans;		/* RCU */
	struct hxl_srv __rcu *srv[__HEXO_SVC_MAX];
	struct hxl_port_pcpu __percpu *pcpu;
};

static inline void hxl_port_count(struct hxl_port *port, enum hxl_port_counter c, u64 n)
{
	this_cpu_add(port->pcpu->c[c], n);
}

/* Counters of a port, read with hxl_port_stats(). */
struct hxl_port_stats {
	u64 rx_frames;
	u64 rx_bytes;
	u64 tx_frames;
	u64 tx_bytes;
	u64 tx_errors;		/* allocation failures and driver drops */
	u64 rx_pfmemalloc;	/* frames from the memory reserves, kept */
	u64 rx_drops[__HXP_DROP_MAX];
	u64 rx_no_service;	/* requests for a service nobody serves here */
	u64 rx_no_chan;		/* replies matching no channel */
	u64 rx_bad_auth;	/* keyed frames whose MAC failed, or unkeyed in a keyed session */
	u64 rx_replay;		/* keyed frames seen already, too old, or of replaced keys */
};

struct hxl_port_info {
	int ifindex;
	char ifname[16];
	u32 mtu;
	u32 nchans;
	u32 nsrvs;
	bool echo;
	struct hxl_port_stats stats;
};

/* Visits every port of net (under the port list lock: no sleeping). */
void hxl_port_for_each(struct net *net, void (*fn)(const struct hxl_port_info *info, void *arg),
		       void *arg);

int hxl_port_init(void);
void hxl_port_uninit(void);

/* A port on ifindex of net, created on first use. Process context. */
struct hxl_port *hxl_port_get(struct net *net, int ifindex, struct netlink_ext_ack *extack);
void hxl_port_put(struct hxl_port *port);

/*
 * Whether the port on ifindex of net answers ECHO requests: on creates the
 * port, which stays while echo is on (or its interface exists); off lets it
 * go. Process context.
 */
int hxl_port_set_echo(struct net *net, int ifindex, bool on, struct netlink_ext_ack *extack);

void hxl_port_add_chan(struct hxl_port *port, struct list_head *chan_node);
void hxl_port_del_chan(struct hxl_port *port, struct list_head *chan_node);
int hxl_port_set_srv(struct hxl_port *port, u8 service, struct hxl_srv *srv,
		     struct netlink_ext_ack *extack);
void hxl_port_clear_srv(struct hxl_port *port, u8 service);

/*
 * A frame with room for the Ethernet header, the HEXO header and len bytes
 * of data, allocated without sleeping and allowed into the reserves: the
 * caller is on the way to freeing memory (swap-out) or serving a board that
 * is. Swap-out frees memory by sending pages, so its frames must not wait
 * for memory to be freed first (the way NBD and swap over NFS mark their
 * sockets SOCK_MEMALLOC). Use is bounded by the window: a client's, and on
 * a server the session's (hxl_srv_readv() keeps one frame within it). NULL
 * when there is no memory even so: the caller retransmits later.
 */
struct sk_buff *hxl_port_alloc_skb(struct hxl_port *port, unsigned int len);
/* The same, from gfp (frames that must not touch the reserves: echoes). */
struct sk_buff *hxl_port_alloc_skb_gfp(struct hxl_port *port, unsigned int len, gfp_t gfp);
/* Seals the HEXO header at skb->data, adds the Ethernet header, sends. */
void hxl_port_xmit(struct hxl_port *port, const u8 *peer, struct sk_buff *skb);
/* Sends a frame whose HEXO header is complete already (another version's). */
void hxl_port_xmit_raw(struct hxl_port *port, const u8 *peer, struct sk_buff *skb);
/* Largest HEXO frame (header and data) the interface carries now. */
u32 hxl_port_mtu(struct hxl_port *port);
/* The interface's MAC, or false when the interface is gone. */
bool hxl_port_mac(struct hxl_port *port, u8 *mac);

#endif /* _HXL_PORT_H */

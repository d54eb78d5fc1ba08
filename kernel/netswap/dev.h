/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NSW_DEV_H
#define _NSW_DEV_H

#include <linux/blk-mq.h>
#include <linux/netdevice.h>
#include <hexo/netswap.h>

#include "hexo_link.h"

/* What an attach asks for. */
struct nsw_attach {
	struct net *net;
	int ifindex;
	u8 server[ETH_ALEN];
	u64 size;
	u32 timeout_ms;		/* I/O fails after the server is silent this long */
	u32 connect_ms;		/* attach waits this long for the server (0: don't) */
	u32 window;
	bool keyed;
	u8 key[HEXO_KEY_LEN];	/* keyed: the pre-shared key */
	const void *owner;	/* who may detach it besides anyone: see of.c */
};

static_assert(NETSWAP_MAX_WINDOW <= HXL_MAX_WINDOW);

/* A snapshot of a device, for replies. */
struct nsw_dev_info {
	struct net *net;		/* the namespace it was attached from */
	u32 index;
	char name[DISK_NAME_LEN];
	char ifname[IFNAMSIZ];
	enum netswap_state state;
	u64 pages_stored, pages_lost;
	u64 local_reads;
	struct hxl_chan_info chan;
};

int nsw_dev_init(void);
void nsw_dev_uninit(void);

/*
 * Attaches a device. With connect_ms, waits that long for the server and
 * creates the disk (its size is the server's grant); without, returns at once
 * and creates the disk when the server first answers (boot-time attach).
 */
int nsw_dev_attach(const struct nsw_attach *a, struct nsw_dev_info *info,
		   struct netlink_ext_ack *extack);
/* Detaches a device; with owner, only if that owner attached it. */
int nsw_dev_detach(u32 index, const void *owner, struct netlink_ext_ack *extack);
int nsw_dev_get(u32 index, struct nsw_dev_info *info);
/* The first device whose index is >= *index; advances *index past it. */
int nsw_dev_next(u32 *index, struct nsw_dev_info *info);
u32 nsw_dev_count(struct net *net);
/*
 * A namespace goes: detaches its devices (their interfaces went first, so
 * their I/O fails already). An open one stays, failing I/O, in the initial
 * namespace, to be detached there once closed.
 */
void nsw_dev_net_exit(struct net *net);

/* netlink.c */
int nsw_genl_init(void);
void nsw_genl_uninit(void);
/* Tells net's listeners. */
void nsw_genl_event(struct net *net, u32 index, enum netswap_event ev, const u8 *server,
		    u32 session);

#endif /* _NSW_DEV_H */

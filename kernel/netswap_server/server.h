/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NSS_SERVER_H
#define _NSS_SERVER_H

#include <linux/netdevice.h>
#include <linux/xarray.h>
#include <hexo/netswap_server.h>

#include "hexo_link.h"

/* Memory served on one interface. */
struct nss_serve {
	struct list_head node;
	struct hxl_srv *srv;
	struct net *net;
	int ifindex;
	char ifname[IFNAMSIZ];
	u64 size, board_size;
	u32 expire_ms, max_boards;
	bool keyed;

	spinlock_t lock;		/* reserved, nboards */
	u64 reserved;			/* bytes granted to boards */
	u32 nboards;
	atomic64_t stored;		/* pages held for all boards */
};

/* One board's pages: the backend state of a session. */
struct nss_board {
	struct nss_serve *serve;
	struct hxl_sess *sess;
	spinlock_t lock;		/* pages and the counters below */
	struct xarray pages;		/* page index -> struct page */
	u64 npages;			/* granted */
	u64 stored;
	u64 stale;
};

/* A snapshot for replies. */
struct nss_serve_info {
	int ifindex;
	char ifname[IFNAMSIZ];
	u64 size, board_size, reserved, stored;
	u32 expire_ms, nboards, max_boards;
	bool keyed;
	u64 epoch;
};

struct nss_board_info {
	int ifindex;
	char ifname[IFNAMSIZ];
	struct hxl_sess_info sess;
	u64 stored;
	u64 stale;
};

int nss_serve_add(struct net *net, int ifindex, u64 size, u64 board_size, u32 expire_ms,
		  u32 max_boards, const u8 *key, struct nss_serve_info *info,
		  struct netlink_ext_ack *extack);
int nss_serve_del(struct net *net, int ifindex);
/* Deletes every serve; none can be added afterwards (module unload). */
void nss_serve_del_all(void);
/* Deletes the serves of a namespace that goes. */
void nss_serve_net_exit(struct net *net);
int nss_serve_get(struct net *net, int ifindex, struct nss_serve_info *info);
/* Visit net's serves (or their boards) in order; fn returns nonzero to stop. */
int nss_serve_for_each(struct net *net, int (*fn)(const struct nss_serve_info *info, void *arg),
		       void *arg);
int nss_board_for_each(struct net *net, int ifindex,
		       int (*fn)(const struct nss_board_info *info, void *arg), void *arg);
u32 nss_serve_count(struct net *net);

/* netlink.c */
int nss_genl_init(void);
void nss_genl_uninit(void);
void nss_genl_event(enum netswap_srv_event ev, const struct nss_serve *serve,
		    struct hxl_sess *sess, u64 size);

#endif /* _NSS_SERVER_H */

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HXL_SRV_H
#define _HXL_SRV_H

#include <linux/hashtable.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

#include "auth.h"
#include "hexo_link.h"

struct hxl_port;

/*
 * A write being reassembled: one per tag slot of the session. Its pages come
 * from the session's pool as their first fragment arrives and go back as
 * soon as they are stored, so a session holds at most pool_size pages
 * however many slots it has (see hxl_srv_stage_page()).
 */
struct hxl_stage {
	bool used;
	u32 tag;
	u64 index;
	u32 count;
	u64 seq;
	u64 frags;			/* fragments received */
	u64 pages_done;			/* pages checked and stored */
	bool acked;
	unsigned long last_rx;		/* jiffies */
	struct page *pages[HXL_MAX_PAGES];
};

struct hxl_sess {
	struct hlist_node hnode;	/* in srv->hash, by id (RCU) */
	struct list_head node;		/* in srv->sessions */
	struct hxl_srv *srv;
	void *priv;
	u32 id;
	u8 peer[ETH_ALEN];
	u64 nonce;
	u64 boot;
	char name[32];
	u64 size;
	u64 npages;
	u32 window, max_pages, frag, fpp;
	u32 caps;			/* HEXO_CAP_* agreed */
	u64 snonce;			/* the server's nonce (keyed) */
	u64 hello_seq;			/* the client's last HELLO exchange */
	struct hxl_auth auth;		/* keyed: this session's keys */
	unsigned long last_rx;
	unsigned long created;		/* jiffies */
	/*
	 * The client used the session after the HELLO: it holds the reply,
	 * so the session is its own and not a forged or stale HELLO's.
	 */
	bool proven;

	spinlock_t lock;		/* the staging slots and the pool */
	u32 nslots;
	struct hxl_stage *stage;
	struct page **pool;		/* free staging pages */
	u32 pool_free, pool_size;

	u64 reqs[4];
	u64 csum_errors;
	u64 busy;
};

struct hxl_srv {
	struct hxl_port *port;
	u8 service;
	const struct hxl_srv_ops *ops;
	void *priv;
	u64 epoch;
	bool keyed;			/* serves keyed sessions only */
	u8 psk[HEXO_KEY_LEN];
	u8 hello_key[HEXO_KEY_LEN];
	u32 expire_ms, window, max_pages, max_sessions;
	u32 nsessions;			/* under sess_lock */

	struct mutex sess_lock;		/* session creation and removal */
	spinlock_t lock;		/* hash and sessions list */
	DECLARE_HASHTABLE(hash, 6);
	struct list_head sessions;

	struct sk_buff_head hello_q;	/* HELLOs for the worker */
	struct work_struct hello_work;
	struct delayed_work expire_work;
	bool dying;
};

/* A request frame arrived on port (softirq, RCU; consumes skb). */
void hxl_srv_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at);
/*
 * A frame of another wire version arrived on port (softirq, RCU; does not
 * consume skb): a HELLO request is told HEXO_ST_VERSION.
 */
void hxl_srv_rx_version(struct hxl_port *port, struct sk_buff *skb);

#endif /* _HXL_SRV_H */

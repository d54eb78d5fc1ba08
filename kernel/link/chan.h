/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HXL_CHAN_H
#define _HXL_CHAN_H

#include <linux/skbuff.h>
#include <linux/timer.h>

#include "auth.h"
#include "hexo_link.h"

struct hxl_port;

/*
 * A client channel: one session with one server for one service. Its lock
 * guards everything below it; frames are built under the lock and sent after
 * it is dropped, and requests are completed after it is dropped.
 */
struct hxl_chan {
	struct list_head port_node;	/* in port->chans (RCU) */
	struct hxl_port *port;
	const struct hxl_chan_ops *ops;
	void *priv;
	u8 peer[ETH_ALEN];
	u8 service;
	char name[32];
	u64 nonce;			/* of the HELLO exchange under way */
	u64 hello_seq;			/* its number: HELLO exchanges count up */
	u32 hello_mtu;			/* the MTU it offers (fixed for its life) */

	/* A keyed channel (HEXO_CAP_KEYED): its key and session keys. */
	bool keyed;
	u8 psk[HEXO_KEY_LEN];
	u8 hello_key[HEXO_KEY_LEN];
	struct hxl_auth auth;

	/* Frames to send, in the order built under lock (hxl_chan_xmit()). */
	struct sk_buff_head txq;
	unsigned long tx_busy;		/* bit 0: a context is sending from txq */

	spinlock_t lock;
	enum hxp_state state;
	bool ever_up;
	u32 session;
	u64 epoch;
	u64 want_size, size;
	u32 want_window, want_max_pages;
	u32 frag;			/* data bytes per frame */
	u32 fpp;			/* frames per page */
	u32 window, max_pages;
	u32 dead_ms;
	u32 hold_ms;			/* see struct hxl_chan_cfg */
	u32 caps;			/* HEXO_CAP_* agreed */
	u64 seq;			/* order of writes and discards */
	u32 seq_stride;			/* 1 but in tests (seq_stride) */
	u16 gen;			/* tag generation */

	struct hxl_req **slots;		/* in-flight requests by tag slot */
	unsigned long *busy_slots;
	u32 nslots;
	/*
	 * Requests handed in while another context held lock: the holder
	 * queues them before it lets go (hxl_chan_unlock()).
	 */
	struct llist_head submitted;
	atomic_t kicked;		/* hxl_chan_kick() handed in, not yet done */
	struct list_head pending;	/* submitted, waiting for the window */
	u32 npending;
	bool held;			/* the submitter has more in hand */
	u32 inflight;			/* pages in flight */
	struct hxp_rtt rtt;
	u64 stall_ns;			/* when this host last ran again after a stall */
	struct hxp_cwnd cwnd;
	unsigned long last_loss;
	/*
	 * Requests' transmissions, counted (struct hxl_req's tx_mark); early
	 * retransmission is off until early_off (jiffies) after one that the
	 * first answer overtook (frames reordered).
	 */
	u64 tx_mark;
	unsigned long early_off;

	/* Control exchanges (HELLO, PING): one at a time, slot 0xffff. */
	u32 ctl_tag;
	u8 ctl_op;
	unsigned long ctl_at;		/* when to (re)send it */
	unsigned long ctl_start;	/* when it was first sent */
	u32 ctl_rto_ms;
	u32 ctl_tx;			/* times it was sent */
	unsigned long last_rx;
	/* With a hold: when a PING was last answered at its first sending. */
	unsigned long alive_at;
	struct timer_list timer;

	/* hxl_chan_wait_up(): the first answer to HELLO. */
	struct completion answered;
	int connect_err;
	u64 refused_max;

	struct hxl_chan_stats stats;
};

/* A reply frame arrived on port (softirq; consumes skb). */
void hxl_chan_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at);
/* The port's interface is gone (RTNL held). */
void hxl_chan_port_gone(struct hxl_port *port);

#endif /* _HXL_CHAN_H */

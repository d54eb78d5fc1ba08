/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hexo_link: HEXO's reliable frame transport over raw Ethernet, for the
 * other HEXO modules (netswap, netswap_server, hexo_kvm). This header is its
 * in-kernel API; include/uapi/hexo/wire.h is the wire format.
 *
 * A port binds the transport to a network interface. A client channel is one
 * session with one server for one service: it sends page requests (READ,
 * WRITE, DISCARD, FLUSH), retransmits what is lost with an RTT-based timeout,
 * keeps the session alive, and tells its user when the server goes away,
 * comes back or restarted. A server serves one service on a port through a
 * backend (struct hxl_srv_ops) that stores or produces the pages.
 *
 * Nothing here blocks on memory reclaim once a channel is connected: request
 * state lives in the caller's preallocated requests, reassembly state in the
 * channel's preallocated slots, and frames are allocated without sleeping
 * (see Documentation/netswap.rst, "Memory discipline").
 */
#ifndef _HEXO_LINK_H
#define _HEXO_LINK_H

#include <linux/completion.h>
#include <linux/if_ether.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <hexo/wire.h>

struct hxl_chan;
struct hxl_port;
struct hxl_srv;
struct hxl_sess;
struct net;
struct netlink_ext_ack;
struct page;

/* Most pages in one request, and most pages in flight per channel. */
#define HXL_MAX_PAGES		32
#define HXL_MAX_WINDOW		256
/*
 * Pages per request that an MTU of 1500 carries (a page in three frames,
 * keyed or not). A session agreed at a larger MTU takes up to HXL_MAX_PAGES;
 * after the MTU drops to 1500 and the session is agreed anew, requests of
 * more than this fail: a user keeps its requests within it (netswap does).
 */
#define HXL_PAGES_AT_1500	21
/*
 * A timer that runs this much later than it was due means that this host
 * did not run meanwhile (a hypervisor descheduled it, its softirqs were
 * held off): a silence it saw then was its own. The channels' timers and
 * their users' own judge by it.
 */
#define HXL_STALL_MS		200

/* ------------------------------------------------------------ ports */

/* ------------------------------------------------------------ client */


enum hxl_event {
	HXL_EV_UP,		/* first connection */
	HXL_EV_DOWN,		/* the server went silent: requests fail */
	HXL_EV_BACK,		/* the same server session is reachable again */
	HXL_EV_RESTARTED,	/* a new session: what the old one held is gone */
	HXL_EV_GONE,		/* the interface went away: the channel is dead */
};

/*
 * A request. The caller owns it (netswap embeds it in its blk-mq request) and
 * fills the first block; hexo_link owns it from hxl_chan_submit() until it
 * calls done(), exactly once, in any context (softirq included).
 */
struct hxl_req {
	u8 op;			/* HEXO_OP_READ, WRITE, DISCARD, FLUSH */
	u32 count;		/* pages; 0 for FLUSH */
	u64 index;
	struct page **pages;	/* count pages: data to send or to fill */
	void (*done)(struct hxl_req *req, int status);
	/*
	 * done()'s status: 0, -EIO (server lost, deadline, or the server
	 * holds no data for a page read), -ENOSPC, -EINVAL, -ENOTCONN, or
	 * -ECANCELED (hxl_chan_cancel()).
	 * For reads, absent is set for every page the server reported holding
	 * no data for (their data is zeros): the caller decides what that means.
	 */
	u64 absent;

	/* hexo_link's own from here. */
	struct list_head node;
	struct llist_node submitted;	/* handed in while the channel was busy */
	unsigned long handed_at;	/* jiffies: when it was handed in */
	bool urgent;		/* hxl_chan_submit_urgent()'s: queued ahead */
	bool more;		/* hxl_chan_submit()'s more: the submitter has more in hand */
	int status;
	u32 tag;
	u64 seq;
	u16 slot;
	u16 attempts;
	u8 backoff;		/* timeouts since its answer last came in, at most 4 */
	u8 state;
	u64 first_tx_ns;
	bool timed_out;		/* retransmitted: its RTO fired, or a later one was answered */
	bool late;		/* timed out, but answered by the first transmission */
	bool heard;		/* a frame answered it since it was last sent */
	bool busy;		/* and that frame said BUSY */
	bool early;		/* last sent again because a later request was answered */
	u64 tx_mark;		/* the channel's transmission count when it was last sent */
	u64 tx_ns;		/* and the time */
	unsigned long rto_at;	/* jiffies: retransmit after */
	unsigned long dead_at;	/* jiffies: fail after */
	u64 frags;		/* read: fragments received (bit per fragment) */
	u64 pages_ok;		/* read: pages received and checked */
	u32 crc[HXL_MAX_PAGES];	/* write: data_crc of each page */
};

/* The slot of a request's op in the reqs[] and pages[] counters below. */
static inline int hxl_op_index(u8 op)
{
	switch (op) {
	case HEXO_OP_READ:	return 0;
	case HEXO_OP_WRITE:	return 1;
	case HEXO_OP_DISCARD:	return 2;
	default:		return 3;
	}
}

/* Counters and estimates of a channel. */
struct hxl_chan_stats {
	u64 reqs[4];		/* READ, WRITE, DISCARD, FLUSH requests done */
	u64 pages[4];		/* pages they covered */
	u64 errors;		/* requests failed */
	u64 retransmits;
	u64 timeouts;		/* retransmission timeouts */
	u64 early;		/* sent again before a timeout: a later request was answered */
	u64 spurious;		/* timeouts and early ones that were only lateness (window restored) */
	u64 csum_errors;	/* pages whose data_crc failed, refetched or resent */
	u64 busy;		/* BUSY replies */
	u64 dups;		/* duplicate or stale frames ignored */
	u64 tx_frames;
	u64 rx_frames;
	u64 reconnects;
	u64 stranded;		/* hand-ins the timer found waiting: must stay 0 */
};

/* A channel's state, as its user sees it. */
enum hxl_chan_state {
	HXL_CHAN_CONNECTING,	/* HELLO sent, no answer yet */
	HXL_CHAN_UP,		/* session established */
	HXL_CHAN_LOST,		/* server silent past the bound: I/O fails */
	HXL_CHAN_CLOSED,	/* closed, or its interface is gone */
};

struct hxl_chan_info {
	enum hxl_chan_state state;
	u8 peer[ETH_ALEN];
	int ifindex;
	u32 session;
	u64 epoch;
	u64 size;		/* granted */
	u32 frag;		/* data bytes per frame */
	u32 window;		/* pages in flight, granted */
	u32 max_pages;		/* pages per request, granted */
	bool keyed;
	u32 cwnd;		/* pages in flight allowed now */
	u32 inflight;		/* pages in flight now */
	u32 queued;		/* requests waiting for the window */
	u32 srtt_us, rttvar_us, min_rtt_us, rto_us;
	u32 dead_ms;
	u32 hold_ms;
	bool holding;		/* the server is silent, and requests wait for it */
	u64 idle_ms;		/* since the last frame from the server */
	u32 ping_ms;		/* since a PING still unanswered was first sent; 0: none */
	struct hxl_chan_stats stats;
};

struct hxl_chan_cfg {
	const u8 *key;		/* HEXO_KEY_LEN bytes: a keyed session; NULL: not */
	int ifindex;
	u8 peer[ETH_ALEN];
	u8 service;
	u64 size;		/* bytes wanted */
	u32 dead_ms;		/* server silent this long: I/O fails */
	/*
	 * 0, or a server silent for less than this (a link outage, a replugged
	 * cable) fails nothing: requests wait, retransmitted, and a request's
	 * own dead_ms counts from when the server is heard again. A request
	 * whose deadline passes is failed only once the server answers a PING,
	 * sent then, at its first sending: alive, and yet silent to it. The
	 * channel is declared lost after max(dead_ms, hold_ms) of silence.
	 */
	u32 hold_ms;
	u32 window;		/* pages in flight wanted */
	u32 max_pages;		/* pages per request wanted */
	const char *name;	/* for the server's display */
};

struct hxl_chan_ops {
	/* A change of the channel's state; softirq or process context. */
	void (*event)(struct hxl_chan *chan, enum hxl_event ev, void *priv);
	/*
	 * A new session replaced the old one: what the server held is gone.
	 * Called under the channel's lock (no sleeping, no calls back into
	 * hexo_link), before any request of the new session is sent, so the
	 * user can mark its old data lost without racing new completions.
	 */
	void (*session_lost)(struct hxl_chan *chan, void *priv);
};

/*
 * Creates a channel (process context: allocates) and starts connecting:
 * HELLO is retransmitted until the server answers. The channel holds a
 * reference to its port and its module.
 */
struct hxl_chan *hxl_chan_create(struct net *net, const struct hxl_chan_cfg *cfg,
				 const struct hxl_chan_ops *ops, void *priv,
				 struct netlink_ext_ack *extack);
/*
 * Waits up to timeout_ms for the first connection. 0 when up; -ETIMEDOUT,
 * -ENOSPC (the server refused the size; *max_size says what it could give),
 * -EPROTONOSUPPORT (wire version), -EUSERS (the server has as many clients
 * as it takes), -EPROTO (the server granted what was not asked), or -ENODEV.
 */
int hxl_chan_wait_up(struct hxl_chan *chan, unsigned int timeout_ms, u64 *max_size);
/*
 * Queues a request; never sleeps, never spins on the channel's lock (when
 * another context holds it, that one queues the request before it lets
 * go); req->done() reports the end. With more, the caller has more
 * requests in hand (blk-mq's !bd->last): they go out together, reads
 * batched into READV frames, at the next submit without more or at
 * hxl_chan_kick().
 *
 * Every call on a channel (this one, kick, cancel, get_info, wait_up,
 * set_dead_ms) may end requests of other submitters of that channel, in
 * the caller's context: call them with none of the locks any done() takes.
 * req->done() may run before the call returns, and the call still uses
 * the channel: it must outlive the call, not only the request.
 */
void hxl_chan_submit(struct hxl_chan *chan, struct hxl_req *req, bool more);
/*
 * The same for a request someone stands waiting for (a guest's page fault,
 * a mirror's resync copy that holds back writes of its pages) while the
 * channel carries bulk (the rest of its memory, swap I/O): queued ahead of
 * every request not sent yet, behind earlier urgent ones only. It waits for
 * room in the window, that is for what is in flight, never for the queue.
 */
void hxl_chan_submit_urgent(struct hxl_chan *chan, struct hxl_req *req, bool more);
/*
 * Ends the batch that more held back: what was submitted goes out. Never
 * sleeps, never spins on the lock (handed in like a request, after the
 * caller's own).
 */
void hxl_chan_kick(struct hxl_chan *chan);
/*
 * Ends req with -ECANCELED if chan holds it (queued or in flight), and
 * returns true; false if it does not (never submitted there, or done
 * already: done() has been or is being called). Either way done() is
 * called exactly once. done() may run before this returns, in the caller's
 * context: call it with none of the locks done() takes. Its answer, if one
 * comes, is then ignored as a straggler. Never sleeps.
 */
bool hxl_chan_cancel(struct hxl_chan *chan, struct hxl_req *req);
/* Fails what is pending, says BYE to the server, frees the channel. Sleeps. */
void hxl_chan_destroy(struct hxl_chan *chan);
void hxl_chan_get_info(struct hxl_chan *chan, struct hxl_chan_info *info);
/*
 * Whether the channel has a session now, without its lock: a snapshot, for
 * a caller that holds a lock the channel's is taken before (a user's own
 * device lock, in the order channel lock, then device lock).
 */
bool hxl_chan_up(struct hxl_chan *chan);
/*
 * Asks the server at once whether it is there (a PING, sent again until it
 * answers), unless an exchange of the kind is under way: a server that is
 * silent only because its answers were lost then proves itself alive
 * within a round trip; hxl_chan_info's ping_ms says how long it has not.
 * Never sleeps.
 */
void hxl_chan_probe(struct hxl_chan *chan);
void hxl_chan_set_dead_ms(struct hxl_chan *chan, u32 dead_ms);

/* ------------------------------------------------------------ server */

/*
 * A service's backend. hello and close run in process context and may
 * sleep; read, write and discard run in softirq context and must not.
 */
struct hxl_srv_ops {
	/*
	 * A client asks for a session: check and grant the size (set
	 * reply->size), allocate the session's state (hxl_sess_set_priv()).
	 * Returns a HEXO_ST_* status.
	 */
	int (*hello)(struct hxl_sess *sess, const struct hexo_hello *req,
		     struct hexo_hello *reply);
	/* The granted session is open (its id is known). Optional. */
	void (*opened)(struct hxl_sess *sess);
	/* The session ends (BYE, expiry, restart of the client, unserve). */
	void (*close)(struct hxl_sess *sess);
	/*
	 * Calls emit(arg, data, crc) for the page at index: data NULL when
	 * the backend holds nothing there. Returns a HEXO_ST_* status.
	 */
	int (*read)(struct hxl_sess *sess, u64 index,
		    void (*emit)(void *arg, const void *data, u32 crc), void *arg);
	/* Stores a checked page if seq is newer than the page's last change. */
	int (*write)(struct hxl_sess *sess, u64 index, u64 seq, u32 crc, const void *data);
	/* Frees count (at most HEXO_MAX_DISCARD_PAGES) pages older than seq. */
	int (*discard)(struct hxl_sess *sess, u64 index, u32 count, u64 seq);
};

struct hxl_sess_info {
	u32 id;
	u8 peer[ETH_ALEN];
	char name[32];
	u64 size;
	u32 window;
	u32 max_pages;
	bool keyed;
	u64 idle_ms;
	u64 reqs[4];		/* READ, WRITE, DISCARD, FLUSH served */
	u64 csum_errors;	/* pages received damaged (asked again) */
	u64 busy;		/* BUSY answers */
};

struct hxl_srv_cfg {
	const u8 *key;		/* HEXO_KEY_LEN bytes: keyed clients only; NULL: unkeyed only */
	int ifindex;
	u8 service;
	u32 expire_ms;		/* a client silent this long is declared gone */
	u32 window;		/* most pages in flight per client */
	u32 max_pages;		/* most pages per request */
	u32 max_sessions;	/* most clients at once */
};

struct hxl_srv *hxl_srv_create(struct net *net, const struct hxl_srv_cfg *cfg,
			       const struct hxl_srv_ops *ops, void *priv,
			       struct netlink_ext_ack *extack);
/* Stops serving: closes every session (ops->close), frees the server. Sleeps. */
void hxl_srv_destroy(struct hxl_srv *srv);
void *hxl_srv_priv(struct hxl_srv *srv);
int hxl_srv_ifindex(struct hxl_srv *srv);
u64 hxl_srv_epoch(struct hxl_srv *srv);
/* Visits the sessions (fn may not sleep). */
typedef void (*hxl_sess_visit_t)(struct hxl_sess *sess, const struct hxl_sess_info *info,
				  void *arg);
void hxl_srv_visit_sessions(struct hxl_srv *srv, hxl_sess_visit_t fn, void *arg);

/*
 * The data_crc of a page at index (include/uapi/hexo/wire.h), for a
 * backend's read() that does not keep the one its page was written with.
 */
u32 hxl_page_crc(u64 index, const void *data);

void hxl_sess_set_priv(struct hxl_sess *sess, void *priv);
void *hxl_sess_priv(struct hxl_sess *sess);
struct hxl_srv *hxl_sess_srv(struct hxl_sess *sess);
u32 hxl_sess_id(struct hxl_sess *sess);
const u8 *hxl_sess_peer(struct hxl_sess *sess);

#endif /* _HEXO_LINK_H */

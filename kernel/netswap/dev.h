/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NSW_DEV_H
#define _NSW_DEV_H

#include <linux/blk-mq.h>
#include <linux/completion.h>
#include <linux/netdevice.h>
#include <linux/refcount.h>
#include <linux/timer.h>
#include <linux/wait.h>
#include <hexo/netswap.h>

#include "hexo_link.h"
#include "replica.h"

/* What an attach asks for. */
struct nsw_attach {
	struct net *net;
	int ifindex;
	u8 server[ETH_ALEN];
	u64 size;
	u32 timeout_ms;		/* I/O fails after the server is silent this long */
	u32 hold_ms;		/* ... but not before it is silent this long */
	u32 connect_ms;		/* attach waits this long for the server (0: don't) */
	u32 window;
	bool keyed;
	u8 key[HEXO_KEY_LEN];	/* keyed: the pre-shared key */
	const void *owner;	/* who may detach it besides anyone: see of.c */
	/* Mirrored: a second server, and how replicas are given up on and filled. */
	bool mirrored;
	u8 mirror[ETH_ALEN];
	u32 failover_ms;
	u32 resync_rate;	/* pages a second; 0: no bound */
};

static_assert(NETSWAP_MAX_WINDOW <= HXL_MAX_WINDOW);

#define NSW_SECTORS_PER_PAGE	(HEXO_PAGE_SIZE >> SECTOR_SHIFT)

/*
 * A replica of a mirrored device: a channel to one server, and the pages
 * that server misses (dev->bits.dirty[index]). Its fields but chan are
 * under dev->lock.
 */
struct nsw_replica {
	struct nsw_dev *dev;
	u8 index;
	struct hxl_chan *chan;
	u8 server[ETH_ALEN];
	/*
	 * Its generation: counts what made it lose what it held, a new server
	 * in its place (replace) or a new session of its server (session_lost).
	 * A request's result from an earlier generation says nothing of what
	 * it holds now (nsw_wres_now()).
	 */
	u32 gen;
	bool in;		/* written to */
	bool up;		/* its channel is up, as its events say */
	u32 events;		/* its channel's events heard: see nsw_rep_catch_up() */
	bool synced;		/* the resync found no page missing since it was last marked */
	/*
	 * It lost every page it held, and the resync thread is marking them
	 * missing, NSW_SCAN_WORDS words at a time from word sweep_at on:
	 * meanwhile it is neither read from nor written to (nor in).
	 */
	bool sweeping;
	u64 sweep_at;
	u64 sweep_lost;		/* pages the sweep found no other replica held */
	/* What its channel agreed when last up: pages per request, bytes. */
	u32 max_pages;
	u64 granted;
	bool unfit;		/* that is less than the disk's: written to only if alone */
	u32 lat_us;		/* how fast it answers: see nsw_lat_sample() */
	unsigned long out_at;	/* jiffies: when it was last given up on */
	atomic_t busy;		/* callers between taking chan and done with it */
	u64 failovers, copied, reads;
};

/*
 * A mirrored device's resync: one copy at a time, from the replica that
 * holds the pages to the one that misses them, through preallocated pages.
 */
struct nsw_resync {
	struct task_struct *thread;
	wait_queue_head_t wait;
	bool kick;		/* something changed: look again now */
	struct hxl_req req;
	struct completion done;
	int status;
	/* Under dev->lock: where req is, while it is (rep's channel, taken). */
	struct hxl_chan *chan;
	struct nsw_replica *rep;
	bool stop;		/* send no copy any more: the device goes */
	struct page *pages[NSW_COPY_PAGES];
	/* The pages being copied: no write or discard touches them meanwhile. */
	bool active;
	u64 index;
	u32 count;
	u64 cursor;
	struct hxl_chan_info ci;	/* the rejoin's look at a channel */
};

/* What time_reads counts (NETSWAP_STAT_TIMED_*), in this order. */
enum {
	NSW_TIMED_READS,
	NSW_TIMED_QUEUE_NS,
	NSW_TIMED_WIRE_NS,
	NSW_TIMED_END_NS,
	NSW_TIMED_NR,
};

struct nsw_dev {
	u32 index;
	char name[DISK_NAME_LEN];
	char ifname[IFNAMSIZ];
	struct nsw_attach cfg;
	struct hxl_chan *chan;		/* the first replica's: the only one unmirrored */
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;

	spinlock_t lock;		/* the flags below; mirrored: everything else too */
	bool async, disk_added, dying;
	bool attached;			/* attach is done: up_work may create the disk */
	struct work_struct up_work;

	u64 npages;
	unsigned long *stored;		/* acknowledged in this session */
	unsigned long *lost;		/* stored once, gone now */
	atomic64_t local_reads;
	/* One-page reads timed (time_reads), and their stages' sums, ns. */
	atomic64_t timed[NSW_TIMED_NR];

	/* Mirrored devices only (nrep 2). */
	unsigned int nrep;
	/*
	 * The disk's pages per request and bytes, the least of what the
	 * replicas that had answered when it was created agreed (0: no disk
	 * yet): a replica agreeing less later is unfit.
	 */
	u32 disk_pages;
	u64 disk_size;
	struct nsw_bits bits;		/* stored and lost are the two above */
	struct nsw_replica rep[NSW_MAX_REPLICAS];
	enum netswap_mirror mstate;	/* as last told to listeners */
	struct list_head active;	/* requests in flight (struct nsw_cmd.node) */
	bool waiting;			/* a request was sent back to wait for a copy */
	/* A replace swaps a channel: new writes and discards wait (sent back). */
	bool replacing;
	/* A replace is under way (from its checks to its end): no detach, no other. */
	bool replace_pending;
	wait_queue_head_t drained;	/* woken as writes end while replacing */
	struct timer_list failover;
	struct hxl_chan_info failover_ci;	/* the failover timer's look at a channel */
	/* Under dev->lock: armed (or its tick runs and arms it), and when due. */
	bool failover_armed;
	unsigned long failover_due;
	/* Ticks on time still due before a write is given up on (dev->lock). */
	u8 failover_calm;
	struct nsw_resync resync;
};

/* A sub-request: what one replica is asked for a mirrored request. */
struct nsw_sub {
	struct hxl_req req;
	struct nsw_cmd *cmd;
	u8 rep;
	u8 res;			/* enum nsw_wres */
	bool pending;
	u32 gen;		/* its replica's when it was readied */
	u64 sent_ns;
	unsigned long sent;	/* jiffies */
};

/*
 * Subs a mirrored request is sent as, at most: its first (one for a read,
 * one a replica for a write), a read moved off a slow replica, and again
 * to a server that answers but missed a request's deadline. Each failed
 * sub took at most the channel's timeout: the bound on a request's life.
 * A read that goes a run at a time (no replica holds all its pages) has
 * this many per run, and a run of at least one page each: at most
 * HXL_PAGES_AT_1500 times as many in all, in theory; two or three runs
 * in practice.
 */
#define NSW_MAX_SENDS		6

/* Per blk-mq request: the protocol request and its pages. */
struct nsw_cmd {
	struct hxl_req req;
	struct nsw_dev *dev;
	u64 queued_ns;			/* a timed read: when blk-mq handed it over; else 0 */
	struct page *pages[HXL_MAX_PAGES];
	/* Mirrored devices only: the tag set's PDU ends here for the others. */
	struct nsw_sub sub[NSW_MAX_REPLICAS];
	struct list_head node;		/* in dev->active */
	refcount_t refs;		/* subs in flight, and whoever waits on them */
	u8 op;
	u8 in;				/* writes: the replicas written to */
	u8 tried;			/* the replicas that failed it */
	u8 sends;			/* subs readied, all replicas: see NSW_MAX_SENDS */
	u8 left;			/* reads: those it was taken from, as slow */
	int read_rep;			/* reads: the replica that answered last */
	u64 index;
	u32 count;
	/* What a sub asks: all of it, or a read's run (nsw_bits_read_run()). */
	u64 part;
	u32 part_n;
	unsigned long ok_at;		/* writes: when a first replica held it */
	bool ok;
};

#define NSW_CMD_PLAIN_SIZE	offsetof(struct nsw_cmd, sub)

/* A snapshot of a device, for replies. */
struct nsw_rep_info {
	u8 server[ETH_ALEN];
	bool in;
	u32 lat_us;
	u64 pages_missing, copied, failovers, reads;
	struct hxl_chan_info chan;
};

struct nsw_dev_info {
	struct net *net;		/* the namespace it was attached from */
	u32 index;
	char name[DISK_NAME_LEN];
	char ifname[IFNAMSIZ];
	enum netswap_state state;
	u64 pages_stored, pages_lost;
	u64 local_reads;
	u64 timed[NSW_TIMED_NR];
	struct hxl_chan_info chan;
	/* Mirrored. */
	unsigned int nrep;
	enum netswap_mirror mirror;
	u32 failover_ms, resync_rate;
	struct nsw_rep_info rep[NSW_MAX_REPLICAS];
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

/* Replaces a mirrored device's replica whose server is old by a new server. */
int nsw_dev_replace(u32 index, const u8 *old, const u8 *new, u32 connect_ms, bool set_rate,
		    u32 rate, struct nsw_dev_info *info, struct netlink_ext_ack *extack);

/* mirror.c: the I/O of mirrored devices. */
/*
 * Allocates a mirror's state, then makes dev mirrored (nrep 2); on failure,
 * dev is as it was (unmirrored: nothing of the mirror's to free).
 */
int nsw_mirror_init(struct nsw_dev *dev);
void nsw_mirror_uninit(struct nsw_dev *dev);
/* Sends a request (held: the caller calls nsw_mirror_kick() when bd->last). */
blk_status_t nsw_mirror_queue_rq(struct nsw_dev *dev, const struct blk_mq_queue_data *bd);
void nsw_mirror_kick(struct nsw_dev *dev);
extern const struct hxl_chan_ops nsw_mirror_chan_ops;
/*
 * Holds new writes and discards and waits up to timeout for those in flight
 * to end (0 when they did, -ETIMEDOUT, or -EINTR); nsw_mirror_release_writes()
 * lets them go again.
 */
int nsw_mirror_hold_writes(struct nsw_dev *dev, unsigned long timeout);
void nsw_mirror_release_writes(struct nsw_dev *dev);
/*
 * The disk's limits: the least size, pages per request and window of the
 * replicas that answered (the configured ones if none did).
 */
void nsw_mirror_limits(struct nsw_dev *dev, u64 *size, u32 *pages, u32 *window);
/* The disk has those limits: a replica that agreed less is unfit from now on. */
void nsw_mirror_set_limits(struct nsw_dev *dev, u64 size, u32 pages);
/*
 * A replica's channel was just installed (rep->chan): takes its state, up or
 * not, which events before it was installed did not give.
 */
void nsw_rep_catch_up(struct nsw_replica *rep);
/* Schedules the boot-time disk's creation if it is due (dev->lock held). */
void nsw_mirror_want_disk(struct nsw_dev *dev);
/* Whether another replica than r is in and answering (dev->lock held). */
bool nsw_mirror_other_in(struct nsw_dev *dev, unsigned int r);
/* Whether a replica whose channel agreed ci fits the disk (dev->lock held). */
bool nsw_rep_fits(struct nsw_dev *dev, const struct hxl_chan_info *ci);
/* Tells listeners if the mirror state changed; rep names the replica why. */
void nsw_mirror_tell(struct nsw_dev *dev, struct nsw_replica *rep);
/* Takes a replica's channel for a call into hexo_link (dev->lock held), or NULL. */
struct hxl_chan *nsw_rep_get(struct nsw_replica *rep);
void nsw_rep_put(struct nsw_replica *rep);
/*
 * The replica lost every page it held (dev->lock held): it is out, and the
 * resync thread sweeps its bitmaps (kick it once the lock is dropped).
 */
void nsw_rep_lost_all(struct nsw_replica *rep);

/* resync.c: filling a replica from the other. */
int nsw_resync_init(struct nsw_dev *dev);
void nsw_resync_uninit(struct nsw_dev *dev);
/* Something changed (a replica back, pages to copy): the resync looks again. */
void nsw_resync_kick(struct nsw_dev *dev);
/* Cancels the copy's request if it is on chan (NULL: wherever it is). */
void nsw_resync_cancel(struct nsw_dev *dev, struct hxl_chan *chan);
/* Whether a write or discard of these pages must wait (dev->lock held). */
bool nsw_mirror_busy(struct nsw_dev *dev, u64 index, u32 count, bool resync);

/* dev.c */
/* The request's pages: one whole page per 4 KiB block. */
bool nsw_map(struct request *rq, struct nsw_cmd *cmd, u32 count);

/* netlink.c */
int nsw_genl_init(void);
void nsw_genl_uninit(void);
/* Tells net's listeners. */
void nsw_genl_event(struct net *net, u32 index, enum netswap_event ev, const u8 *server,
		    u32 session, enum netswap_mirror mirror);

/* The multicast event of a hexo_link channel event. */
static inline enum netswap_event nsw_event_of(enum hxl_event ev)
{
	static const u8 nl_ev[] = {
		[HXL_EV_UP]		= NETSWAP_EV_UP,
		[HXL_EV_DOWN]		= NETSWAP_EV_DOWN,
		[HXL_EV_BACK]		= NETSWAP_EV_BACK,
		[HXL_EV_RESTARTED]	= NETSWAP_EV_RESTARTED,
		[HXL_EV_GONE]		= NETSWAP_EV_GONE,
	};

	return ev < ARRAY_SIZE(nl_ev) ? nl_ev[ev] : 0;
}

#endif /* _NSW_DEV_H */

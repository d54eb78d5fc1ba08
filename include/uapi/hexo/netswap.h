/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netswap: the generic netlink contract of the board side of Netswap
 * (netswap.ko, the /dev/netswapN block devices whose pages live in a
 * server's RAM). This header is the documentation of the family.
 *
 * Family "netswap", version NETSWAP_GENL_VERSION. Commands that change state
 * need CAP_NET_ADMIN. Requests are validated strictly: unknown attributes,
 * wrong lengths and out-of-range values are refused with an extack message,
 * and so are a nonzero genlmsghdr.reserved and nlmsg_flags no command
 * consumes (EINVAL).
 * Interfaces are named by NETSWAP_A_IFINDEX (u32) or NETSWAP_A_IFNAME
 * (string), exactly one of the two.
 *
 * Network namespaces: a device belongs to the namespace it was attached from;
 * GET_DEV, DETACH and NETSWAP_A_NDEVS see the requester's namespace's devices
 * only. A namespace that goes detaches its devices (their interfaces went
 * first, so their I/O fails already); one that is open stays, failing I/O,
 * and belongs to the initial namespace from then on, to be detached there
 * once closed. NETSWAP_A_SESSION, what a request must carry to be served, is
 * given to callers with CAP_NET_ADMIN (in the namespace's user namespace)
 * only.
 *
 * NETSWAP_CMD_GET_INFO
 *   Request: no attributes.
 *   Reply:   NETSWAP_A_VERSION        string, module version
 *            NETSWAP_A_NDEVS          u32, devices now (this namespace's)
 *            NETSWAP_A_MAX_DEVS       u32, most devices at once
 *
 * NETSWAP_CMD_ATTACH (CAP_NET_ADMIN)
 *   Creates /dev/netswapN backed by a server's RAM, once the server granted
 *   the size.
 *   Request: the interface (required)
 *            NETSWAP_A_SERVER_MAC   6 bytes, required: the server's MAC
 *            NETSWAP_A_SIZE         u64, required: bytes, a multiple of 4096,
 *                                   at least 1 MiB, at most NETSWAP_MAX_SIZE
 *                                   (ERANGE beyond)
 *            NETSWAP_A_TIMEOUT_MS   u32: a server silent this long makes
 *                                   I/O fail with EIO (1000..600000,
 *                                   default 10000)
 *            NETSWAP_A_CONNECT_MS   u32: how long to wait for the server to
 *                                   answer the attach (100..600000, default
 *                                   5000)
 *            NETSWAP_A_WINDOW       u32: pages in flight (1..256, default 64)
 *            NETSWAP_A_KEY          HEXO_KEY_LEN bytes: a pre-shared key; the
 *                                   session is keyed (every frame carries a
 *                                   MAC, include/uapi/hexo/wire.h) and only
 *                                   a server with the same key is taken.
 *                                   Kept in the kernel, never returned.
 *            NETSWAP_A_HOLD_MS      u32: a server silent for less than this
 *                                   (a link outage) fails no I/O: requests
 *                                   wait and are sent again, each with its
 *                                   whole timeout from when the server is
 *                                   heard again; I/O fails after
 *                                   max(timeout, hold) of silence, or once
 *                                   the server, answering, has not answered
 *                                   a request within the timeout. 0 (the
 *                                   default: no hold), or
 *                                   NETSWAP_MIN_HOLD_MS..NETSWAP_MAX_HOLD_MS
 *                                   (1000..600000; EINVAL between 0 and
 *                                   1000). A hold below the timeout holds
 *                                   as long as the timeout
 *            NETSWAP_A_MIRROR_MAC   6 bytes: a second server; the device is
 *                                   mirrored: every page is written to both
 *                                   (with the same key, if keyed). Attach
 *                                   waits for both (connect); if one of them
 *                                   answers, the device is created degraded
 *                                   and the other is filled once it answers.
 *                                   Different from NETSWAP_A_SERVER_MAC.
 *                                   The disk takes the least size and pages
 *                                   per request of the servers that
 *                                   answered; one that answers later with
 *                                   less is not written to while the other
 *                                   is (the device stays degraded: replace
 *                                   it).
 *            NETSWAP_A_FAILOVER_MS  u32, mirrored: how long a replica may
 *                                   lag behind the other before it is given
 *                                   up on: a write then completes on the
 *                                   other alone (the device is degraded), a
 *                                   read is sent to the other (50..10000,
 *                                   default 500)
 *            NETSWAP_A_RESYNC_RATE  u32, mirrored: most pages a second a
 *                                   resync copies (0: no bound, the default)
 *   Reply:   the device, as in NETSWAP_CMD_GET_DEV.
 *   Errors:  ENODEV no such interface; ETIMEDOUT no answer from the server;
 *            ECONNREFUSED the server does not serve Netswap there; EACCES
 *            the server serves keyed boards only; ENOKEY a keyed attach and
 *            an unkeyed server; EUSERS the server has its most boards;
 *            EPROTO the server granted what was not asked; ENOSPC
 *            the server refused the size (the message says what it could
 *            give); ENOSPC NETSWAP_MAX_DEVS devices exist; EINVAL a
 *            mirror attribute without NETSWAP_A_MIRROR_MAC, a mirror that
 *            is the server, or a hold of 1 to 999 ms.
 *
 * NETSWAP_CMD_DETACH (CAP_NET_ADMIN)
 *   Request: NETSWAP_A_DEV_INDEX u32, required.
 *   Errors:  ENODEV no such device; EBUSY the device is open (swapoff first),
 *            or a replace of it is under way.
 *
 * NETSWAP_CMD_GET_DEV (do and dump)
 *   do:      NETSWAP_A_DEV_INDEX u32, required (N of /dev/netswapN)
 *   dump:    every device
 *   Reply:   NETSWAP_A_DEV_INDEX, NETSWAP_A_DEV_NAME (string),
 *            NETSWAP_A_IFINDEX, NETSWAP_A_IFNAME, NETSWAP_A_SERVER_MAC,
 *            NETSWAP_A_SIZE, NETSWAP_A_STATE (u32, enum netswap_state),
 *            NETSWAP_A_SESSION (u32, CAP_NET_ADMIN only), NETSWAP_A_EPOCH
 *            (u64, the server instance), NETSWAP_A_TIMEOUT_MS,
 *            NETSWAP_A_WINDOW (granted),
 *            NETSWAP_A_MAX_PAGES (u32, pages per request), NETSWAP_A_FRAG
 *            (u32, data bytes per frame), NETSWAP_A_KEYED (u8, 1 if keyed), NETSWAP_A_CWND (u32, pages in
 *            flight allowed now), NETSWAP_A_INFLIGHT (u32), NETSWAP_A_QUEUED
 *            (u32, requests waiting), NETSWAP_A_SRTT_US, NETSWAP_A_RTTVAR_US,
 *            NETSWAP_A_MIN_RTT_US, NETSWAP_A_RTO_US (u32),
 *            NETSWAP_A_IDLE_MS (u64, since the server was last heard),
 *            NETSWAP_A_PAGES_STORED (u64, pages the server holds for us),
 *            NETSWAP_A_PAGES_LOST (u64, pages a server restart, loss or
 *            failed write took: reading them fails with EIO until they are
 *            written again), NETSWAP_A_HOLD_MS, NETSWAP_A_HOLDING (u8, 1
 *            while the server is silent and I/O waits for it),
 *            NETSWAP_A_STATS, a nest of u64 counters (enum netswap_stat),
 *            and NETSWAP_A_MIRROR (u32, enum netswap_mirror).
 *            A mirrored device's top-level channel attributes (server,
 *            session, RTT, window, counters) are its first replica's, but
 *            NETSWAP_A_STATE, which is UP while any replica is; it adds
 *            NETSWAP_A_FAILOVER_MS, NETSWAP_A_RESYNC_RATE and
 *            NETSWAP_A_REPLICAS, a nest of one NETSWAP_A_REPLICA nest per
 *            replica (enum netswap_replica_attr).
 *   Errors:  ENODEV no such device.
 *
 * NETSWAP_CMD_REPLACE (CAP_NET_ADMIN)
 *   Puts a new server in the place of a replica of a mirrored device (a
 *   dead one, or one to retire): once the new server granted the size, every
 *   page goes to it as to the other, and a background resync copies it
 *   every stored page from the other at NETSWAP_A_RESYNC_RATE; the device is
 *   healthy again when it holds them all. I/O goes on throughout, but for
 *   writes and discards, which wait while the channel is swapped: for
 *   those in flight to end, at most max(2 x failover, 1 s).
 *   A replace interrupted by a signal ends with EINTR, the device as it was.
 *   Request: NETSWAP_A_DEV_INDEX       u32, required
 *            NETSWAP_A_SERVER_MAC      6 bytes, required: the replica to replace
 *            NETSWAP_A_NEW_SERVER_MAC  6 bytes, required: its new server
 *            NETSWAP_A_CONNECT_MS      u32, as in ATTACH
 *            NETSWAP_A_RESYNC_RATE     u32, as in ATTACH (the device keeps it)
 *   Reply:   the device, as in NETSWAP_CMD_GET_DEV.
 *   Errors:  ENODEV no such device; EOPNOTSUPP the device is not mirrored;
 *            ENOENT no replica has that server; EEXIST the new server is a
 *            replica already; EBUSY the other replica cannot hold the only
 *            copy (it is lost, given up on, its server silent, or it does
 *            not hold every stored page: replacing this one would lose
 *            pages), checked both before the new server is sought and when
 *            it takes the place, or no server has answered yet (no disk),
 *            or another replace is under way; ENOSPC the new server granted less than
 *            the disk's size; EPROTO it takes fewer pages per request than
 *            the disk's requests (its window or MTU); and ATTACH's errors
 *            for the new server.
 *
 * NETSWAP_CMD_EVENT (multicast group "events"; joining it needs
 * CAP_NET_ADMIN: events carry session IDs), sent in the device's namespace
 *   NETSWAP_A_EVENT (u32, enum netswap_event), NETSWAP_A_DEV_INDEX,
 *   NETSWAP_A_SERVER_MAC, NETSWAP_A_SESSION; for a mirrored device, the
 *   replica's server and session, and NETSWAP_A_MIRROR, the device's mirror
 *   state after the event. DEGRADED, RESYNCING and HEALTHY are sent when
 *   the mirror state changes, naming the replica that changed it.
 */
#ifndef _UAPI_HEXO_NETSWAP_H
#define _UAPI_HEXO_NETSWAP_H

#define NETSWAP_GENL_NAME	"netswap"
#define NETSWAP_GENL_VERSION	1
#define NETSWAP_MCGRP_EVENTS	"events"
#define NETSWAP_MAX_DEVS	16
/*
 * The largest device: 1 TiB. The board keeps two bitmaps of one bit per 4 KiB
 * page (stored and lost), 32 MiB each at this size; a board has far less RAM
 * than such a device would need to be worth it, and any larger size would
 * only ever fail to allocate.
 */
#define NETSWAP_MAX_SIZE	(1ULL << 40)
#define NETSWAP_MIN_SIZE	(1ULL << 20)

/* Bounds and defaults of ATTACH, shared by the kernel's policy and hexoctl. */
#define NETSWAP_MIN_TIMEOUT_MS		1000
#define NETSWAP_MAX_TIMEOUT_MS		600000
#define NETSWAP_DEFAULT_TIMEOUT_MS	10000
#define NETSWAP_MIN_CONNECT_MS		100
#define NETSWAP_MAX_CONNECT_MS		600000
#define NETSWAP_DEFAULT_CONNECT_MS	5000
#define NETSWAP_MAX_WINDOW		256
#define NETSWAP_DEFAULT_WINDOW		64
#define NETSWAP_MIN_HOLD_MS		1000
#define NETSWAP_MAX_HOLD_MS		600000
#define NETSWAP_MIN_FAILOVER_MS		50
#define NETSWAP_MAX_FAILOVER_MS		10000
#define NETSWAP_DEFAULT_FAILOVER_MS	500
#define NETSWAP_MAX_RESYNC_RATE		10000000

enum netswap_cmd {
	NETSWAP_CMD_UNSPEC,
	NETSWAP_CMD_GET_INFO,
	NETSWAP_CMD_GET_DEV,
	NETSWAP_CMD_ATTACH,
	NETSWAP_CMD_DETACH,
	NETSWAP_CMD_EVENT,
	NETSWAP_CMD_REPLACE,

	__NETSWAP_CMD_MAX
};
#define NETSWAP_CMD_MAX (__NETSWAP_CMD_MAX - 1)

enum netswap_attr {
	NETSWAP_A_UNSPEC,
	NETSWAP_A_VERSION,		/* string */
	NETSWAP_A_NDEVS,		/* u32 */
	NETSWAP_A_MAX_DEVS,		/* u32 */
	NETSWAP_A_DEV_INDEX,		/* u32 */
	NETSWAP_A_PAD,
	NETSWAP_A_DEV_NAME,		/* string */
	NETSWAP_A_IFINDEX,		/* u32 */
	NETSWAP_A_IFNAME,		/* string */
	NETSWAP_A_SERVER_MAC,		/* binary, 6 bytes */
	NETSWAP_A_SIZE,			/* u64 */
	NETSWAP_A_TIMEOUT_MS,		/* u32 */
	NETSWAP_A_CONNECT_MS,		/* u32 */
	NETSWAP_A_WINDOW,		/* u32 */
	NETSWAP_A_STATE,		/* u32, enum netswap_state */
	NETSWAP_A_SESSION,		/* u32 */
	NETSWAP_A_EPOCH,		/* u64 */
	NETSWAP_A_MAX_PAGES,		/* u32 */
	NETSWAP_A_FRAG,			/* u32 */
	NETSWAP_A_CWND,			/* u32 */
	NETSWAP_A_INFLIGHT,		/* u32 */
	NETSWAP_A_QUEUED,		/* u32 */
	NETSWAP_A_SRTT_US,		/* u32 */
	NETSWAP_A_RTTVAR_US,		/* u32 */
	NETSWAP_A_MIN_RTT_US,		/* u32 */
	NETSWAP_A_RTO_US,		/* u32 */
	NETSWAP_A_IDLE_MS,		/* u64 */
	NETSWAP_A_PAGES_STORED,		/* u64 */
	NETSWAP_A_PAGES_LOST,		/* u64 */
	NETSWAP_A_STATS,		/* nest of enum netswap_stat */
	NETSWAP_A_EVENT,		/* u32, enum netswap_event */
	NETSWAP_A_KEY,			/* binary, HEXO_KEY_LEN bytes; never in replies */
	NETSWAP_A_KEYED,		/* u8 */
	NETSWAP_A_HOLD_MS,		/* u32 */
	NETSWAP_A_HOLDING,		/* u8 */
	NETSWAP_A_MIRROR_MAC,		/* binary, 6 bytes */
	NETSWAP_A_FAILOVER_MS,		/* u32 */
	NETSWAP_A_RESYNC_RATE,		/* u32, pages a second */
	NETSWAP_A_MIRROR,		/* u32, enum netswap_mirror */
	NETSWAP_A_REPLICAS,		/* nest of NETSWAP_A_REPLICA */
	NETSWAP_A_REPLICA,		/* nest of enum netswap_replica_attr */
	NETSWAP_A_NEW_SERVER_MAC,	/* binary, 6 bytes */

	__NETSWAP_A_MAX
};
#define NETSWAP_A_MAX (__NETSWAP_A_MAX - 1)

enum netswap_state {
	NETSWAP_STATE_CONNECTING,	/* waiting for the server's first answer */
	NETSWAP_STATE_UP,
	NETSWAP_STATE_LOST,		/* server silent past the timeout: I/O fails */
	NETSWAP_STATE_GONE,		/* the interface is gone: detach */
};

/* A device's mirror state (NETSWAP_A_MIRROR). */
enum netswap_mirror {
	NETSWAP_MIRROR_NONE,		/* not mirrored */
	NETSWAP_MIRROR_HEALTHY,		/* both replicas hold every stored page */
	NETSWAP_MIRROR_DEGRADED,	/* a replica is lost or given up on: one copy */
	NETSWAP_MIRROR_RESYNCING,	/* both written to; one is being filled */
};

/*
 * A replica of a mirrored device (NETSWAP_A_REPLICA). A replica that is
 * "in" is written to; one that is out (lost, or slower than the failover
 * bound) is not, and every page written meanwhile is marked as missing on
 * it, for the resync to copy once it is back in.
 */
enum netswap_replica_attr {
	NETSWAP_R_UNSPEC,
	NETSWAP_R_PAD,
	NETSWAP_R_SERVER_MAC,		/* binary, 6 bytes */
	NETSWAP_R_STATE,		/* u32, enum netswap_state: its channel */
	NETSWAP_R_IN,			/* u8, 1 if written to */
	NETSWAP_R_SESSION,		/* u32, CAP_NET_ADMIN only */
	NETSWAP_R_SRTT_US,		/* u32, its channel's estimate */
	NETSWAP_R_LAT_US,		/* u32, how fast it answers netswap's requests */
	NETSWAP_R_IDLE_MS,		/* u64, since its server was last heard */
	NETSWAP_R_HOLDING,		/* u8 */
	NETSWAP_R_PAGES_MISSING,	/* u64, stored pages it does not hold */
	NETSWAP_R_PAGES_COPIED,		/* u64, pages the resync copied to it */
	NETSWAP_R_FAILOVERS,		/* u64, times it was given up on */
	NETSWAP_R_READS,		/* u64, read requests it answered */
	NETSWAP_R_ERRORS,		/* u64, its channel's failed requests */
	NETSWAP_R_RETRANSMITS,		/* u64 */

	__NETSWAP_R_MAX
};
#define NETSWAP_R_MAX (__NETSWAP_R_MAX - 1)

enum netswap_stat {
	NETSWAP_STAT_UNSPEC,
	NETSWAP_STAT_PAD,
	NETSWAP_STAT_READS,		/* read requests done */
	NETSWAP_STAT_WRITES,
	NETSWAP_STAT_DISCARDS,
	NETSWAP_STAT_FLUSHES,
	NETSWAP_STAT_READ_PAGES,	/* pages they covered */
	NETSWAP_STAT_WRITE_PAGES,
	NETSWAP_STAT_DISCARD_PAGES,
	NETSWAP_STAT_LOCAL_READS,	/* reads of never-written pages, answered here */
	NETSWAP_STAT_ERRORS,		/* requests that failed */
	NETSWAP_STAT_RETRANSMITS,
	NETSWAP_STAT_TIMEOUTS,		/* retransmission timeouts */
	NETSWAP_STAT_CSUM_ERRORS,	/* pages that arrived damaged, fetched or sent again */
	NETSWAP_STAT_BUSY,		/* server said "busy, retry" */
	NETSWAP_STAT_DUPS,		/* duplicate, late or stray replies ignored */
	NETSWAP_STAT_TX_FRAMES,
	NETSWAP_STAT_RX_FRAMES,
	NETSWAP_STAT_RECONNECTS,
	NETSWAP_STAT_SPURIOUS,		/* timeouts (and EARLY ones) that were only lateness */
	NETSWAP_STAT_STRANDED,		/* requests left waiting for the timer: a bug if not 0 */
	/*
	 * One-page reads timed, while netswap's time_reads parameter is on
	 * (unmirrored devices), and the sums of their stages, in ns: blk-mq
	 * handed the request over -> its frame is being sent (QUEUE); -> its
	 * answer was received and checked (WIRE: the round trip); -> the
	 * request was ended to the block layer (END).
	 */
	NETSWAP_STAT_TIMED_READS,
	NETSWAP_STAT_TIMED_QUEUE_NS,
	NETSWAP_STAT_TIMED_WIRE_NS,
	NETSWAP_STAT_TIMED_END_NS,
	/*
	 * Retransmissions before a timeout: the answer to a request sent
	 * later came first, so this one's frames were lost (counted in
	 * RETRANSMITS too, not in TIMEOUTS; SPURIOUS counts those that
	 * proved late).
	 */
	NETSWAP_STAT_EARLY,

	__NETSWAP_STAT_MAX
};
#define NETSWAP_STAT_MAX (__NETSWAP_STAT_MAX - 1)

enum netswap_event {
	NETSWAP_EV_UP = 1,		/* connected for the first time */
	NETSWAP_EV_DOWN = 2,		/* server lost: I/O fails */
	NETSWAP_EV_BACK = 3,		/* same server session reachable again */
	NETSWAP_EV_RESTARTED = 4,	/* new session: stored pages were lost */
	NETSWAP_EV_GONE = 5,		/* the interface went away */
	NETSWAP_EV_DEGRADED = 6,	/* mirrored: down to one copy */
	NETSWAP_EV_RESYNCING = 7,	/* mirrored: a replica is being filled */
	NETSWAP_EV_HEALTHY = 8,		/* mirrored: both replicas hold every page */
};

#endif /* _UAPI_HEXO_NETSWAP_H */

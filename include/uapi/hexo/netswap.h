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
 *   Reply:   the device, as in NETSWAP_CMD_GET_DEV.
 *   Errors:  ENODEV no such interface; ETIMEDOUT no answer from the server;
 *            ECONNREFUSED the server does not serve Netswap there; EACCES
 *            the server serves keyed boards only; ENOKEY a keyed attach and
 *            an unkeyed server; EUSERS the server has its most boards;
 *            EPROTO the server granted what was not asked; ENOSPC
 *            the server refused the size (the message says what it could
 *            give); ENOSPC NETSWAP_MAX_DEVS devices exist.
 *
 * NETSWAP_CMD_DETACH (CAP_NET_ADMIN)
 *   Request: NETSWAP_A_DEV_INDEX u32, required.
 *   Errors:  ENODEV no such device; EBUSY the device is open (swapoff first).
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
 *            written again), and NETSWAP_A_STATS, a nest of u64 counters
 *            (enum netswap_stat).
 *   Errors:  ENODEV no such device.
 *
 * NETSWAP_CMD_EVENT (multicast group "events"; joining it needs
 * CAP_NET_ADMIN: events carry session IDs), sent in the device's namespace
 *   NETSWAP_A_EVENT (u32, enum netswap_event), NETSWAP_A_DEV_INDEX,
 *   NETSWAP_A_SERVER_MAC, NETSWAP_A_SESSION.
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

enum netswap_cmd {
	NETSWAP_CMD_UNSPEC,
	NETSWAP_CMD_GET_INFO,
	NETSWAP_CMD_GET_DEV,
	NETSWAP_CMD_ATTACH,
	NETSWAP_CMD_DETACH,
	NETSWAP_CMD_EVENT,

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

	__NETSWAP_A_MAX
};
#define NETSWAP_A_MAX (__NETSWAP_A_MAX - 1)

enum netswap_state {
	NETSWAP_STATE_CONNECTING,	/* waiting for the server's first answer */
	NETSWAP_STATE_UP,
	NETSWAP_STATE_LOST,		/* server silent past the timeout: I/O fails */
	NETSWAP_STATE_GONE,		/* the interface is gone: detach */
};

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
	NETSWAP_STAT_SPURIOUS,		/* timeouts that were only lateness */

	__NETSWAP_STAT_MAX
};
#define NETSWAP_STAT_MAX (__NETSWAP_STAT_MAX - 1)

enum netswap_event {
	NETSWAP_EV_UP = 1,		/* connected for the first time */
	NETSWAP_EV_DOWN = 2,		/* server lost: I/O fails */
	NETSWAP_EV_BACK = 3,		/* same server session reachable again */
	NETSWAP_EV_RESTARTED = 4,	/* new session: stored pages were lost */
	NETSWAP_EV_GONE = 5,		/* the interface went away */
};

#endif /* _UAPI_HEXO_NETSWAP_H */

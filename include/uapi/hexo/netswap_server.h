/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netswap_server: the generic netlink contract of the server side of Netswap
 * (netswap_server.ko), which keeps boards' swap pages in this machine's RAM.
 * This header is the documentation of the family.
 *
 * Family "netswap_server", version NETSWAP_SERVER_GENL_VERSION. Commands that
 * change state need CAP_NET_ADMIN. Requests are validated strictly, headers
 * too: a nonzero genlmsghdr.reserved or nlmsg_flags no command consumes are
 * refused (EINVAL).
 *
 * Interfaces are named by NETSWAP_SRV_A_IFINDEX (u32) or NETSWAP_SRV_A_IFNAME
 * (string), exactly one of the two.
 *
 * Network namespaces: a serve belongs to the namespace of its interface (the
 * requester's); replies, dumps and counts cover the requester's namespace
 * only, and a namespace that goes takes its serves with it (their boards'
 * pages are freed, board-gone events sent). NETSWAP_SRV_A_SESSION, what a
 * request must carry to be served, is given to callers with CAP_NET_ADMIN
 * (in the namespace's user namespace) only.
 *
 * NETSWAP_SRV_CMD_GET_INFO
 *   Reply: NETSWAP_SRV_A_VERSION (string), NETSWAP_SRV_A_NSERVES (u32, in
 *          the requester's namespace)
 *
 * NETSWAP_SRV_CMD_SERVE (CAP_NET_ADMIN)
 *   Serves memory to boards on an interface.
 *   Request: the interface (required)
 *            NETSWAP_SRV_A_SIZE        u64, required: bytes of RAM all boards
 *                                      together may use, a multiple of 4096,
 *                                      at least 1 MiB, at most this machine's RAM
 *            NETSWAP_SRV_A_BOARD_SIZE  u64: the most one board may use
 *                                      (default: SIZE)
 *            NETSWAP_SRV_A_EXPIRE_MS   u32: a board silent this long is
 *                                      declared gone and its pages freed
 *                                      (NETSWAP_SRV_MIN/MAX_EXPIRE_MS,
 *                                      default NETSWAP_SRV_DEFAULT_EXPIRE_MS;
 *                                      boards ping every second when idle)
 *            NETSWAP_SRV_A_MAX_BOARDS  u32: the most board sessions at once
 *                                      (1..NETSWAP_SRV_MAX_MAX_BOARDS, default
 *                                      NETSWAP_SRV_DEFAULT_MAX_BOARDS); a
 *                                      board past it is refused (hexoctl:
 *                                      "the server serves as many boards as
 *                                      it takes"). Each session holds its
 *                                      staging memory: 96 pages at the
 *                                      default terms (window + pages per
 *                                      request).
 *            NETSWAP_SRV_A_KEY         HEXO_KEY_LEN bytes: a pre-shared key;
 *                                      the serve takes keyed boards with the
 *                                      same key only (unkeyed ones are told
 *                                      HEXO_ST_KEY). Kept in the kernel,
 *                                      never returned.
 *   Reply:   the serve, as in GET_SERVE.
 *   Errors:  ENODEV no such interface; EBUSY served already; EINVAL sizes.
 *
 * NETSWAP_SRV_CMD_UNSERVE (CAP_NET_ADMIN)
 *   Stops serving on an interface; frees every board's pages.
 *   Request: the interface. Errors: ENOENT not served.
 *
 * NETSWAP_SRV_CMD_GET_SERVE (do: the interface; dump: all)
 *   Reply: IFINDEX, IFNAME, SIZE, BOARD_SIZE, EXPIRE_MS, MAX_BOARDS,
 *          NETSWAP_SRV_A_KEYED (u8, 1 if keyed),
 *          NETSWAP_SRV_A_RESERVED (u64, bytes granted to boards),
 *          NETSWAP_SRV_A_STORED (u64, bytes of pages held),
 *          NETSWAP_SRV_A_NBOARDS (u32), NETSWAP_SRV_A_EPOCH (u64, this
 *          serve's instance id, new at each SERVE)
 *
 * NETSWAP_SRV_CMD_GET_BOARD (dump; NETSWAP_SRV_A_IFINDEX/IFNAME filters)
 *   One message per board session: IFINDEX, IFNAME, NETSWAP_SRV_A_SESSION
 *   (u32, CAP_NET_ADMIN only), NETSWAP_SRV_A_MAC (6 bytes),
 *   NETSWAP_SRV_A_NAME (string, the board's host name), KEYED, SIZE
 *   (granted), STORED, NETSWAP_SRV_A_IDLE_MS (u64) and NETSWAP_SRV_A_STATS,
 *   a nest of u64 counters (enum netswap_srv_stat).
 *
 * NETSWAP_SRV_CMD_EVENT (multicast group "events"; joining it needs
 * CAP_NET_ADMIN: events carry session IDs), sent in the serve's namespace
 *   NETSWAP_SRV_A_EVENT (u32, enum netswap_srv_event) with the board's
 *   IFINDEX, IFNAME, SESSION, MAC, NAME, SIZE.
 */
#ifndef _UAPI_HEXO_NETSWAP_SERVER_H
#define _UAPI_HEXO_NETSWAP_SERVER_H

#define NETSWAP_SERVER_GENL_NAME	"netswap_server"
#define NETSWAP_SERVER_GENL_VERSION	1
#define NETSWAP_SERVER_MCGRP_EVENTS	"events"

/* Bounds and defaults of SERVE, shared by the kernel's policy and hexoctl. */
#define NETSWAP_SRV_MIN_SIZE		(1ULL << 20)
#define NETSWAP_SRV_MIN_EXPIRE_MS	1000
#define NETSWAP_SRV_MAX_EXPIRE_MS	3600000
#define NETSWAP_SRV_DEFAULT_EXPIRE_MS	30000
#define NETSWAP_SRV_MAX_MAX_BOARDS	1024
#define NETSWAP_SRV_DEFAULT_MAX_BOARDS	64

enum netswap_srv_cmd {
	NETSWAP_SRV_CMD_UNSPEC,
	NETSWAP_SRV_CMD_GET_INFO,
	NETSWAP_SRV_CMD_SERVE,
	NETSWAP_SRV_CMD_UNSERVE,
	NETSWAP_SRV_CMD_GET_SERVE,
	NETSWAP_SRV_CMD_GET_BOARD,
	NETSWAP_SRV_CMD_EVENT,

	__NETSWAP_SRV_CMD_MAX
};
#define NETSWAP_SRV_CMD_MAX (__NETSWAP_SRV_CMD_MAX - 1)

enum netswap_srv_attr {
	NETSWAP_SRV_A_UNSPEC,
	NETSWAP_SRV_A_PAD,
	NETSWAP_SRV_A_VERSION,		/* string */
	NETSWAP_SRV_A_NSERVES,		/* u32 */
	NETSWAP_SRV_A_IFINDEX,		/* u32 */
	NETSWAP_SRV_A_IFNAME,		/* string */
	NETSWAP_SRV_A_SIZE,		/* u64 */
	NETSWAP_SRV_A_BOARD_SIZE,	/* u64 */
	NETSWAP_SRV_A_EXPIRE_MS,	/* u32 */
	NETSWAP_SRV_A_RESERVED,		/* u64 */
	NETSWAP_SRV_A_STORED,		/* u64 */
	NETSWAP_SRV_A_NBOARDS,		/* u32 */
	NETSWAP_SRV_A_EPOCH,		/* u64 */
	NETSWAP_SRV_A_SESSION,		/* u32 */
	NETSWAP_SRV_A_MAC,		/* binary, 6 bytes */
	NETSWAP_SRV_A_NAME,		/* string */
	NETSWAP_SRV_A_IDLE_MS,		/* u64 */
	NETSWAP_SRV_A_STATS,		/* nest of enum netswap_srv_stat */
	NETSWAP_SRV_A_EVENT,		/* u32, enum netswap_srv_event */
	NETSWAP_SRV_A_MAX_BOARDS,	/* u32 */
	NETSWAP_SRV_A_KEY,		/* binary, HEXO_KEY_LEN bytes; never in replies */
	NETSWAP_SRV_A_KEYED,		/* u8 */

	__NETSWAP_SRV_A_MAX
};
#define NETSWAP_SRV_A_MAX (__NETSWAP_SRV_A_MAX - 1)

enum netswap_srv_stat {
	NETSWAP_SRV_STAT_UNSPEC,
	NETSWAP_SRV_STAT_PAD,
	NETSWAP_SRV_STAT_READS,		/* READ requests served */
	NETSWAP_SRV_STAT_WRITES,	/* WRITE requests stored */
	NETSWAP_SRV_STAT_DISCARDS,
	NETSWAP_SRV_STAT_FLUSHES,
	NETSWAP_SRV_STAT_CSUM_ERRORS,	/* pages received damaged, asked again */
	NETSWAP_SRV_STAT_BUSY,		/* writes put off: no memory right now */
	NETSWAP_SRV_STAT_STALE,		/* late writes and discards ignored */

	__NETSWAP_SRV_STAT_MAX
};
#define NETSWAP_SRV_STAT_MAX (__NETSWAP_SRV_STAT_MAX - 1)

enum netswap_srv_event {
	NETSWAP_SRV_EV_BOARD_NEW = 1,	/* a board attached */
	NETSWAP_SRV_EV_BOARD_GONE = 2,	/* detached, expired, or restarted */
};

#endif /* _UAPI_HEXO_NETSWAP_SERVER_H */

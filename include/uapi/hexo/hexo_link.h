/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hexo_link: the generic netlink contract of HEXO's frame transport
 * (hexo_link.ko). Ports appear when another HEXO module uses an interface
 * (netswap attach, netswap serve); ECHO measures the link from the kernel.
 * This header is the documentation of the family. Requests are validated strictly, headers too: a nonzero
 * genlmsghdr.reserved or nlmsg_flags no command consumes are refused (EINVAL).
 *
 * HEXO_LINK_CMD_GET_INFO
 *   Reply: HEXO_LINK_A_VERSION (string), HEXO_LINK_A_WIRE_VERSION (u32),
 *          HEXO_LINK_A_ETHERTYPE (u32), HEXO_LINK_A_NPORTS (u32, in the
 *          requester's network namespace), HEXO_LINK_A_RESERVES (u32, 1
 *          while drivers may receive into the memory reserves: hexo_link
 *          arms them while a client channel, a netswap device, exists, as
 *          NBD does for its sockets)
 *
 * HEXO_LINK_CMD_GET_PORT (dump: the ports of the requester's namespace)
 *   One message per port: HEXO_LINK_A_PORT_IFINDEX (u32),
 *   HEXO_LINK_A_PORT_IFNAME (string), HEXO_LINK_A_PORT_MTU (u32),
 *   HEXO_LINK_A_PORT_NCHANS (u32, client channels), HEXO_LINK_A_PORT_NSRVS
 *   (u32, services served), HEXO_LINK_A_PORT_ECHO (u8, 1 while it answers
 *   ECHO requests) and HEXO_LINK_A_PORT_STATS, a nest of u64
 *   counters (enum hexo_link_stat):
 *     RX_FRAMES, RX_BYTES, TX_FRAMES, TX_BYTES  HEXO frames in and out
 *     TX_ERRORS      frames not sent (no memory, interface down, driver drop)
 *     RX_PFMEMALLOC  frames received in memory from the reserves (kept)
 *     RX_NO_SERVICE  requests for a service not served here
 *     RX_NO_CHAN     replies that match no client channel
 *     RX_RUNT ... RX_BAD_SERVICE  frames dropped by header checks, by reason
 *     RX_BAD_AUTH    frames of keyed sessions whose MAC failed (forged or
 *                    damaged), and unkeyed frames for keyed sessions
 *     RX_REPLAY      keyed frames whose number was seen already, or too old,
 *                    or checked under keys a new session replaced meanwhile
 *
 * HEXO_LINK_CMD_SET_PORT (CAP_NET_ADMIN)
 *   HEXO_LINK_A_PORT_IFNAME (string, required): the interface, in the
 *   requester's namespace; HEXO_LINK_A_PORT_ECHO (u8, 0 or 1): whether
 *   hexo_link answers ECHO requests (HEXO_SVC_LINK, wire.h) there, in the
 *   kernel. Off by default: a page answers a frame of a header. On makes
 *   the port if HEXO used the interface not yet; it lasts until set off,
 *   the interface goes, or hexo_link is unloaded.
 *
 * HEXO_LINK_CMD_ECHO (CAP_NET_ADMIN)
 *   The link's round trip, measured in the kernel at both ends: sends
 *   HEXO_LINK_A_ECHO_COUNT ECHO requests (HEXO_SVC_LINK, wire.h), one at a
 *   time, to HEXO_LINK_A_ECHO_PEER (binary, 6 bytes) on the interface
 *   HEXO_LINK_A_PORT_IFNAME (string) of the requester's namespace, each
 *   waiting for its answer up to HEXO_LINK_A_ECHO_TIMEOUT_MS (u32, default
 *   HEXO_LINK_ECHO_TIMEOUT_MS). With HEXO_LINK_A_ECHO_PAGE (flag) a request
 *   carries no data and is answered with a page in fragments, as a READ
 *   is: the frames of a 4 KiB swap-in, without the swap device. Without it,
 *   a request carries HEXO_LINK_A_ECHO_SIZE (u32, default 0) bytes and is
 *   answered with the same. The peer answers only where its echo is on
 *   (HEXO_LINK_CMD_SET_PORT). Answers are checked
 *   (data_crc) before they count. The call ends after the last echo,
 *   after HEXO_LINK_ECHO_MAX_MS in all, its last wait included (what was
 *   measured until then is reported), or when the caller is killed; so
 *   long, generic netlink's family changes (a module's load or unload)
 *   wait for it. It stops with ENODEV when the interface goes. A port
 *   answers at most 10000 pages a second (a page answers a header).
 *   Reply: HEXO_LINK_A_ECHO_SENT, HEXO_LINK_A_ECHO_ANSWERED,
 *   HEXO_LINK_A_ECHO_BAD (answers that failed their check, not counted as
 *   answered), HEXO_LINK_A_ECHO_FRAG (data bytes per reply frame), all
 *   u32, and the round trips of the answered ones in ns,
 *   HEXO_LINK_A_ECHO_RTT_MIN, _MEDIAN, _P99, _MAX (u64; absent when none
 *   was answered).
 */
#ifndef _UAPI_HEXO_LINK_H
#define _UAPI_HEXO_LINK_H

#define HEXO_LINK_GENL_NAME	"hexo_link"
#define HEXO_LINK_GENL_VERSION	1

/* HEXO_LINK_CMD_ECHO's bounds and default. */
#define HEXO_LINK_ECHO_MAX_COUNT	10000
#define HEXO_LINK_ECHO_MAX_TIMEOUT_MS	5000
#define HEXO_LINK_ECHO_TIMEOUT_MS	1000
#define HEXO_LINK_ECHO_MAX_MS		10000

enum hexo_link_cmd {
	HEXO_LINK_CMD_UNSPEC,
	HEXO_LINK_CMD_GET_INFO,
	HEXO_LINK_CMD_GET_PORT,
	HEXO_LINK_CMD_SET_PORT,
	HEXO_LINK_CMD_ECHO,

	__HEXO_LINK_CMD_MAX
};
#define HEXO_LINK_CMD_MAX (__HEXO_LINK_CMD_MAX - 1)

enum hexo_link_attr {
	HEXO_LINK_A_UNSPEC,
	HEXO_LINK_A_PAD,
	HEXO_LINK_A_VERSION,		/* string */
	HEXO_LINK_A_WIRE_VERSION,	/* u32 */
	HEXO_LINK_A_ETHERTYPE,		/* u32 */
	HEXO_LINK_A_NPORTS,		/* u32 */
	HEXO_LINK_A_PORT_IFINDEX,	/* u32 */
	HEXO_LINK_A_PORT_IFNAME,	/* string */
	HEXO_LINK_A_PORT_MTU,		/* u32 */
	HEXO_LINK_A_PORT_NCHANS,	/* u32 */
	HEXO_LINK_A_PORT_NSRVS,		/* u32 */
	HEXO_LINK_A_PORT_STATS,		/* nest of enum hexo_link_stat */
	HEXO_LINK_A_RESERVES,		/* u32 */
	HEXO_LINK_A_PORT_ECHO,		/* u8 */
	HEXO_LINK_A_ECHO_PEER,		/* binary, ETH_ALEN */
	HEXO_LINK_A_ECHO_COUNT,		/* u32 */
	HEXO_LINK_A_ECHO_SIZE,		/* u32 */
	HEXO_LINK_A_ECHO_PAGE,		/* flag */
	HEXO_LINK_A_ECHO_TIMEOUT_MS,	/* u32 */
	HEXO_LINK_A_ECHO_SENT,		/* u32 */
	HEXO_LINK_A_ECHO_ANSWERED,	/* u32 */
	HEXO_LINK_A_ECHO_BAD,		/* u32 */
	HEXO_LINK_A_ECHO_FRAG,		/* u32 */
	HEXO_LINK_A_ECHO_RTT_MIN,	/* u64, ns */
	HEXO_LINK_A_ECHO_RTT_MEDIAN,	/* u64, ns */
	HEXO_LINK_A_ECHO_RTT_P99,	/* u64, ns */
	HEXO_LINK_A_ECHO_RTT_MAX,	/* u64, ns */

	__HEXO_LINK_A_MAX
};
#define HEXO_LINK_A_MAX (__HEXO_LINK_A_MAX - 1)

enum hexo_link_stat {
	HEXO_LINK_STAT_UNSPEC,
	HEXO_LINK_STAT_PAD,
	HEXO_LINK_STAT_RX_FRAMES,
	HEXO_LINK_STAT_RX_BYTES,
	HEXO_LINK_STAT_TX_FRAMES,
	HEXO_LINK_STAT_TX_BYTES,
	HEXO_LINK_STAT_TX_ERRORS,
	HEXO_LINK_STAT_RX_PFMEMALLOC,
	HEXO_LINK_STAT_RX_NO_SERVICE,
	HEXO_LINK_STAT_RX_NO_CHAN,
	/* drops by header check, in the order of the kernel's enum hxp_drop */
	HEXO_LINK_STAT_RX_RUNT,
	HEXO_LINK_STAT_RX_BAD_VERSION,
	HEXO_LINK_STAT_RX_BAD_HDR_LEN,
	HEXO_LINK_STAT_RX_BAD_DATA_LEN,
	HEXO_LINK_STAT_RX_BAD_HDR_CRC,
	HEXO_LINK_STAT_RX_BAD_SERVICE,
	HEXO_LINK_STAT_RX_BAD_AUTH,
	HEXO_LINK_STAT_RX_REPLAY,

	__HEXO_LINK_STAT_MAX
};
#define HEXO_LINK_STAT_MAX (__HEXO_LINK_STAT_MAX - 1)

#endif /* _UAPI_HEXO_LINK_H */

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * hexo_link: the generic netlink contract of HEXO's frame transport
 * (hexo_link.ko). Read-only: ports appear when another HEXO module uses an
 * interface (netswap attach, netswap serve). This header is the documentation
 * of the family. Requests are validated strictly, headers too: a nonzero
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
 *   (u32, services served) and HEXO_LINK_A_PORT_STATS, a nest of u64
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
 */
#ifndef _UAPI_HEXO_LINK_H
#define _UAPI_HEXO_LINK_H

#define HEXO_LINK_GENL_NAME	"hexo_link"
#define HEXO_LINK_GENL_VERSION	1

enum hexo_link_cmd {
	HEXO_LINK_CMD_UNSPEC,
	HEXO_LINK_CMD_GET_INFO,
	HEXO_LINK_CMD_GET_PORT,

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

/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * netswap: the generic netlink contract of the board side of Netswap
 * (netswap.ko, the /dev/netswapN block devices). This header is the
 * documentation of the family.
 *
 * Family "netswap", version NETSWAP_GENL_VERSION. Commands that change state
 * need CAP_NET_ADMIN. Requests are validated strictly: unknown attributes,
 * wrong lengths and out-of-range values are refused with an extack message.
 *
 * NETSWAP_CMD_GET_INFO
 *   Request: no attributes.
 *   Reply:   NETSWAP_A_VERSION        string, module version
 *            NETSWAP_A_NDEVS          u32, devices now
 *            NETSWAP_A_MAX_DEVS       u32, most devices at once
 *
 * NETSWAP_CMD_GET_DEV (do and dump)
 *   do:      NETSWAP_A_DEV_INDEX u32, required (N of /dev/netswapN)
 *   dump:    every device
 *   Reply:   NETSWAP_A_DEV_INDEX, ...
 *   Errors:  ENODEV no such device.
 */
#ifndef _UAPI_HEXO_NETSWAP_H
#define _UAPI_HEXO_NETSWAP_H

#define NETSWAP_GENL_NAME	"netswap"
#define NETSWAP_GENL_VERSION	1
#define NETSWAP_MAX_DEVS	16

enum netswap_cmd {
	NETSWAP_CMD_UNSPEC,
	NETSWAP_CMD_GET_INFO,
	NETSWAP_CMD_GET_DEV,

	__NETSWAP_CMD_MAX
};
#define NETSWAP_CMD_MAX (__NETSWAP_CMD_MAX - 1)

enum netswap_attr {
	NETSWAP_A_UNSPEC,
	NETSWAP_A_VERSION,		/* string */
	NETSWAP_A_NDEVS,		/* u32 */
	NETSWAP_A_MAX_DEVS,		/* u32 */
	NETSWAP_A_DEV_INDEX,		/* u32 */

	__NETSWAP_A_MAX
};
#define NETSWAP_A_MAX (__NETSWAP_A_MAX - 1)

#endif /* _UAPI_HEXO_NETSWAP_H */

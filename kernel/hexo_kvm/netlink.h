/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HKVM_NETLINK_H
#define _HKVM_NETLINK_H

int hkvm_genl_init(void);
void hkvm_genl_uninit(void);

#endif /* _HKVM_NETLINK_H */

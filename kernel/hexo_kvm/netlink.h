/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HKVM_NETLINK_H
#define _HKVM_NETLINK_H

int hkvm_genl_init(void);
void hkvm_genl_uninit(void);
struct hkvm_vm;
/* HEXO_KVM_CMD_EVENT for vm, to every namespace; under hkvm_vms_lock. */
void hkvm_genl_event(const struct hkvm_vm *vm);
/* HEXO_KVM_CMD_OFFERED for every offer, to every namespace (sleeps). */
void hkvm_genl_offers_event(void);

#endif /* _HKVM_NETLINK_H */

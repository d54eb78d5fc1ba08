/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offloads, source side: the guest asked to stop, its memory exported to
 * the target (read by service.c), the target's answer awaited.
 */
#ifndef _HKVM_OFFLOAD_H
#define _HKVM_OFFLOAD_H

#include <linux/types.h>

struct hexo_kvm_msg;
struct hkvm_stats;
struct hkvm_vm;
struct net;
struct netlink_ext_ack;
struct page;

/* The queue of WITHDRAWs to targets; uninit after the VMs are gone (sends what is queued). */
int hkvm_offload_init(void);
void hkvm_offload_uninit(void);
void hkvm_offload_init_vm(struct hkvm_vm *vm);
/* Under hkvm_vms_lock: nothing in flight, no memory lent. */
bool hkvm_offload_idle(const struct hkvm_vm *vm);
/* Under hkvm_vms_lock: its VMM exited; an offload waiting for it to park ends. */
void hkvm_offload_vmm_exited(struct hkvm_vm *vm);
/* Ends what is in flight for a VM out of the table (sleeps). */
void hkvm_offload_cancel(struct hkvm_vm *vm);

/* HEXO_KVM_CMD_OFFLOAD, under hkvm_vms_lock. */
int hkvm_offload_start(struct hkvm_vm *vm, struct net *net, int ifindex, const u8 *peer,
		       u32 timeout_ms, bool precopy, struct netlink_ext_ack *extack);
/* HEXO_KVM_CMD_PARKED, under hkvm_vms_lock. */
int hkvm_offload_parked(struct hkvm_vm *vm, u32 layout, struct netlink_ext_ack *extack);

/*
 * For service.c, in softirq: calls emit() for guest page gfn of export e as
 * read by peer; false when there is no such export for peer.
 */
bool hkvm_export_read(u16 e, u64 gfn, const u8 *peer, u64 index,
		      void (*emit)(void *arg, const void *data, u32 crc), void *arg);
/*
 * The target's DONE, TAKE, RELEASE, COPIED or ABORT (type, HEXO_KVM_MSG_*)
 * for export e, in softirq. For DONE and TAKE, whether the source lets go
 * of the VM (the target may run it); for COPIED, whether the source goes
 * on to stop the guest.
 */
bool hkvm_export_answer(u16 e, const u8 *peer, const struct hexo_kvm_msg *msg);
/* A VM's last offload's statistics, counting what is in flight. */
void hkvm_offload_stats(const struct hkvm_vm *vm, struct hkvm_stats *st);

#endif /* _HKVM_OFFLOAD_H */

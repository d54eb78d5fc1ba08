/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reclaims (HEXO_KVM_CMD_RECLAIM, HEXO_KVM_MSG_RECLAIM): a source asks the
 * node it handed a VM to for it back, and that node offloads it back.
 */
#ifndef _HKVM_RECLAIM_H
#define _HKVM_RECLAIM_H

#include <linux/types.h>

struct hexo_kvm_msg;
struct hkvm_offer_info;
struct hkvm_vm_info;
struct net;
struct netlink_ext_ack;

/* Source side: asks VM id's target for it back. */
int hkvm_reclaim_request(struct net *net, u32 id, u32 timeout_ms, struct hkvm_vm_info *info,
			 struct netlink_ext_ack *extack);

/*
 * Target side. The VM of descriptor fd (the caller's) is to run the guest
 * of offer o: attach it, with o's source as its origin (then the caller
 * answers the offer; hkvm_vm_detach() if that fails).
 */
int hkvm_reclaim_adopt(int fd, const struct hkvm_offer_info *o, struct hkvm_vm_info *info,
		       struct netlink_ext_ack *extack);
/*
 * Whether VM id was adopted from another node: that node's MAC and the
 * export and token of the offer that brought it.
 */
bool hkvm_reclaim_origin(u32 id, u8 *peer, u16 *export, u64 *token);
/* A VM goes: no reclaim names it any more. */
void hkvm_reclaim_forget(u32 id);
/* A RECLAIM arrived on a served interface (softirq): true when it names a VM here. */
bool hkvm_reclaim_asked(struct net *net, int ifindex, const u8 *peer,
			const struct hexo_kvm_msg *msg);

void hkvm_reclaim_uninit(void);

#endif /* _HKVM_RECLAIM_H */

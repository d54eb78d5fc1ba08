/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HKVM_VM_H
#define _HKVM_VM_H

#include <linux/if_ether.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <hexo/hexo_kvm.h>

struct kvm;
struct net;
struct netlink_ext_ack;
struct hkvm_export;

#define HKVM_MAX_VMS	64

/* An attached VM. Its offload fields are under hkvm_vms_lock. */
struct hkvm_vm {
	struct kvm *kvm;
	u32 id;
	u32 pid;
	char name[HEXO_KVM_NAME_MAX];

	/* The offload in flight or the last one (offload.c). */
	enum hexo_kvm_state state;
	int error;			/* what ended the last one, negative */
	u32 offloads;			/* completed */
	u8 peer[ETH_ALEN];
	bool has_peer;
	int ifindex;
	struct net *net;		/* held while an offload is in flight */
	u32 timeout_ms;
	u32 layout;
	unsigned long deadline;		/* jiffies */
	struct hkvm_export *exp;
	struct delayed_work work;
};

/* A snapshot of an attached VM, for replies. */
struct hkvm_vm_info {
	u32 id;
	u32 pid;
	u32 vcpus;
	u64 mem_bytes;
	char name[HEXO_KVM_NAME_MAX];
	enum hexo_kvm_state state;
	int error;
	u32 offloads;
	bool has_peer;
	bool lending;
	u8 peer[ETH_ALEN];
};

extern struct mutex hkvm_vms_lock;

int hkvm_vm_init(void);
void hkvm_vm_uninit(void);

int hkvm_vm_attach(int fd, u32 pid, const char *name, struct hkvm_vm_info *info,
		   struct netlink_ext_ack *extack);
int hkvm_vm_detach(u32 id);
int hkvm_vm_get(u32 id, struct hkvm_vm_info *info);
/* The first VM whose id is >= *id; advances *id past it. -ENOENT at the end. */
int hkvm_vm_next(u32 *id, struct hkvm_vm_info *info);
u32 hkvm_vm_count(void);
/* Under hkvm_vms_lock: the VM of an id, or of a KVM VM descriptor's file. */
struct hkvm_vm *hkvm_vm_find(u32 id);
struct hkvm_vm *hkvm_vm_find_kvm(struct kvm *kvm);
void hkvm_vm_fill(const struct hkvm_vm *vm, struct hkvm_vm_info *info);

#endif /* _HKVM_VM_H */

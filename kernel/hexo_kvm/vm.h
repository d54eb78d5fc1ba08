/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HKVM_VM_H
#define _HKVM_VM_H

#include <linux/types.h>
#include <hexo/hexo_kvm.h>

struct netlink_ext_ack;

#define HKVM_MAX_VMS	64

/* A snapshot of an attached VM, for replies. */
struct hkvm_vm_info {
	u32 id;
	u32 pid;
	u32 vcpus;
	u64 mem_bytes;
	char name[HEXO_KVM_NAME_MAX];
};

int hkvm_vm_init(void);
void hkvm_vm_uninit(void);

int hkvm_vm_attach(int fd, u32 pid, const char *name, struct hkvm_vm_info *info,
		   struct netlink_ext_ack *extack);
int hkvm_vm_detach(u32 id);
int hkvm_vm_get(u32 id, struct hkvm_vm_info *info);
/* The first VM whose id is >= *id; advances *id past it. -ENOENT at the end. */
int hkvm_vm_next(u32 *id, struct hkvm_vm_info *info);
u32 hkvm_vm_count(void);

#endif /* _HKVM_VM_H */

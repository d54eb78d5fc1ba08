/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HKVM_VM_H
#define _HKVM_VM_H

#include <linux/if_ether.h>
#include <linux/ktime.h>
#include <linux/mmu_notifier.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <hexo/guest.h>
#include <hexo/hexo_kvm.h>

#include "dirty.h"

struct kvm;
struct net;
struct netlink_ext_ack;
struct hkvm_export;

#define HKVM_MAX_VMS	64
/* The ISA of this node's VMs (enum hexo_isa). */
#define HKVM_ISA	(IS_ENABLED(CONFIG_X86_64) ? HEXO_ISA_X86_64 : HEXO_ISA_ARM64)

/* The last offload's statistics (enum hexo_kvm_stat). */
struct hkvm_stats {
	bool valid;			/* an offload started */
	ktime_t start, parked, taken, end;	/* 0: not yet */
	u64 pages, zero_pages, stop_pages, precopy_pages, dirty_pages;
	u64 demand_pages, background_pages;
};

/*
 * An attached VM. Its offload fields are under hkvm_vms_lock. When its VMM
 * exits, hexo_kvm lets go of the KVM VM as soon as no offload needs it
 * (kvm becomes NULL); the entry stays, as a record, until detached.
 */
struct hkvm_vm {
	struct kvm *kvm;		/* NULL: let go after the VMM exited */
	u32 id;
	u32 pid;
	char name[HEXO_KVM_NAME_MAX];
	struct mmu_notifier mn;		/* on kvm->mm: tells when the VMM exits */
	struct work_struct gone_work;
	bool vmm_exited;
	u32 gone_vcpus;			/* what it had, once kvm is NULL */
	u64 gone_mem;
	/* Taken from another node (HEXO_KVM_CMD_ACCEPT with a VM): reclaim.c. */
	bool has_origin;
	u8 origin[ETH_ALEN];

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
	bool precopy;			/* asked for a pre-copy */
	u64 precopy_reads;		/* its export's reads at the last deadline */
	struct hkvm_dirty dirty;	/* the dirty log hexo_kvm turned on */
	struct hkvm_export *exp;
	u16 handed_export;		/* the last hand-off's export and token, */
	u64 handed_token;		/* which a RECLAIM names */
	struct delayed_work work;
	struct hkvm_stats stats;	/* while exp lives, its counters add to these */
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
	bool gone;			/* its VMM exited; hexo_kvm let go of it */
	bool has_origin;
	u8 origin[ETH_ALEN];
	u8 peer[ETH_ALEN];
	bool has_points;		/* a HEXO guest that runs here: */
	u64 points;			/* its struct hexo_cb.points, */
	char app[HEXO_APP_NAME_MAX];	/* .app and */
	char args[HEXO_CMDLINE_MAX];	/* .cmdline, printable */
	bool has_proc;			/* hkvm_vm_next() with proc: its VMM's */
	u64 cpu_ns;			/* CPU time, all threads, */
	u64 rss, swap;			/* bytes resident and swapped */
	struct hkvm_stats stats;
};

extern struct mutex hkvm_vms_lock;

int hkvm_vm_init(void);
void hkvm_vm_uninit(void);

int hkvm_vm_attach(int fd, u32 pid, const char *name, struct hkvm_vm_info *info,
		   struct netlink_ext_ack *extack);
int hkvm_vm_detach(u32 id);
int hkvm_vm_get(u32 id, struct hkvm_vm_info *info);
/*
 * The first VM whose id is >= *id; advances *id past it. -ENOENT at the end.
 * With proc, also its VMM's CPU time and memory (has_proc), where it runs.
 */
int hkvm_vm_next(u32 *id, struct hkvm_vm_info *info, bool proc);
u32 hkvm_vm_count(void);
/* The guest memory of a KVM VM, all its slots; under kvm->srcu inside. */
u64 hkvm_vm_mem_bytes(struct kvm *kvm);
/* A string from a guest or the wire, NUL-terminated and printable, to dst. */
void hkvm_vm_str(char *dst, const char *src, size_t len);
/* Under hkvm_vms_lock: the VM of an id, or of a KVM VM descriptor's file. */
struct hkvm_vm *hkvm_vm_find(u32 id);
struct hkvm_vm *hkvm_vm_find_kvm(struct kvm *kvm);
void hkvm_vm_fill(const struct hkvm_vm *vm, struct hkvm_vm_info *info);
/*
 * Under hkvm_vms_lock: the id of the VM handed off from here to peer as
 * export and token (its last hand-off), 0 if none.
 */
u32 hkvm_vm_find_handed(const u8 *peer, u16 export, u64 token);
/*
 * Under hkvm_vms_lock: lets go of the KVM VM of a VMM that exited, unless an
 * offload still needs it (offload.c calls it again when it ends).
 */
void hkvm_vm_reap(struct hkvm_vm *vm);

#endif /* _HKVM_VM_H */

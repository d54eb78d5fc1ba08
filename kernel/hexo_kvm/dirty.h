/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM's dirty log on a VM's memory slots, for pre-copy: turned on while
 * the guest runs, read once it stopped, turned off when the offload ends.
 */
#ifndef _HKVM_DIRTY_H
#define _HKVM_DIRTY_H

#include <linux/types.h>

struct kvm;

#define HKVM_DIRTY_MAX_SLOTS	8

/* The VMM's memory slots, as they were before the dirty log. */
struct hkvm_dirty {
	unsigned int nslots;		/* 0: no dirty log turned on */
	struct hkvm_dirty_slot {
		u32 slot;
		u32 flags;
		u64 gpa, size, hva;
	} slots[HKVM_DIRTY_MAX_SLOTS];
};

/*
 * Turns the dirty log on for every memory slot of the VMM (sleeps): from
 * then on KVM records each page the guest writes. -EBUSY when the VMM logs
 * dirty pages itself, -E2BIG with more than HKVM_DIRTY_MAX_SLOTS slots,
 * -ESRCH when the VMM's mm is gone.
 */
int hkvm_dirty_start(struct kvm *kvm, struct hkvm_dirty *d);
/* Turns it off again, where hkvm_dirty_start() turned it on (sleeps). */
void hkvm_dirty_stop(struct kvm *kvm, struct hkvm_dirty *d);
/*
 * With the guest's vCPUs out of KVM_RUN: sets bit g of map (bit g % 8 of
 * byte g / 8, the wire's order) for each page g < npages written since
 * hkvm_dirty_start(), and returns how many.
 */
u64 hkvm_dirty_map(struct kvm *kvm, u8 *map, u64 npages);

#endif /* _HKVM_DIRTY_H */

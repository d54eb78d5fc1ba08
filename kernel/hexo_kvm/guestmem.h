/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A KVM guest's memory, from any process: pages pinned through the VMM's mm
 * (the memslots' host mappings), so hexo_kvm reads and writes guest memory
 * from hexoctl's or a worker's context.
 */
#ifndef _HKVM_GUESTMEM_H
#define _HKVM_GUESTMEM_H

#include <linux/types.h>

struct kvm;
struct page;

/*
 * Pins the guest's pages [gfn, gfn + n) into pages[], writable with write.
 * 0, -ESRCH (the VMM's mm is gone), -EFAULT (not all guest memory), or
 * another error; on error nothing stays pinned.
 */
int hkvm_guest_pin(struct kvm *kvm, u64 gfn, unsigned long n, struct page **pages, bool write);
/* Copies len bytes at gpa (within one page) from or to the guest. */
int hkvm_guest_rw(struct kvm *kvm, u64 gpa, void *buf, size_t len, bool write);

#endif /* _HKVM_GUESTMEM_H */

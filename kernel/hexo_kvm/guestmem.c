// SPDX-License-Identifier: GPL-2.0
/* A KVM guest's memory, pinned through its VMM's mm (guestmem.h). */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/kvm_host.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "guestmem.h"

/* The host address of gfn, or 0 when no memslot holds it. */
static unsigned long hkvm_gfn_hva(struct kvm *kvm, u64 gfn, unsigned long *left)
{
	struct kvm_memory_slot *slot;
	unsigned long hva = 0;
	int idx;

	idx = srcu_read_lock(&kvm->srcu);
	slot = gfn_to_memslot(kvm, gfn);
	if (slot && !(slot->flags & KVM_MEMSLOT_INVALID)) {
		hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
		*left = slot->base_gfn + slot->npages - gfn;
	}
	srcu_read_unlock(&kvm->srcu, idx);
	return hva;
}

int hkvm_guest_pin(struct kvm *kvm, u64 gfn, unsigned long n, struct page **pages, bool write)
{
	struct mm_struct *mm = kvm->mm;
	unsigned long done = 0, left, hva;
	long got;
	int ret = 0;

	if (!mmget_not_zero(mm))
		return -ESRCH;
	while (done < n) {
		hva = hkvm_gfn_hva(kvm, gfn + done, &left);
		if (!hva) {
			ret = -EFAULT;
			break;
		}
		mmap_read_lock(mm);
		got = hexo_pin_user_pages_remote(mm, hva, min(left, n - done),
						 write ? FOLL_WRITE : 0, pages + done);
		mmap_read_unlock(mm);
		if (got <= 0) {
			ret = got ? got : -EFAULT;
			break;
		}
		done += got;
	}
	mmput(mm);
	if (ret)
		unpin_user_pages(pages, done);
	return ret;
}

int hkvm_guest_rw(struct kvm *kvm, u64 gpa, void *buf, size_t len, bool write)
{
	struct page *page;
	void *p;
	int ret;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EINVAL;
	ret = hkvm_guest_pin(kvm, gpa >> PAGE_SHIFT, 1, &page, write);
	if (ret)
		return ret;
	p = kmap_local_page(page);
	if (write)
		memcpy(p + offset_in_page(gpa), buf, len);
	else
		memcpy(buf, p + offset_in_page(gpa), len);
	kunmap_local(p);
	unpin_user_pages_dirty_lock(&page, 1, write);
	return 0;
}

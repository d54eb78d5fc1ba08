// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's dirty log for pre-copy (dirty.h). hexo_kvm sets
 * KVM_MEM_LOG_DIRTY_PAGES on the VMM's memory slots itself, with
 * kvm_set_memory_region() and the slots as they are, so the VMM needs no
 * part in it: KVM write-protects the guest's memory and records every page
 * the guest writes from then on, in the slot's dirty bitmap. hexo_kvm only
 * reads that bitmap, once, with the guest stopped; it never resets it (the
 * reset is the VMM's KVM_GET_DIRTY_LOG), so a pre-copy has one round.
 *
 * A slot change must run in the VMM's mm (arm64 checks the VMAs behind the
 * slot in current->mm): a worker takes it on for the call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/kvm_host.h>
#include <linux/sched/mm.h>
#include <linux/workqueue.h>

#include "dirty.h"

struct hkvm_dirty_call {
	struct work_struct work;
	struct kvm *kvm;
	struct hkvm_dirty *d;
	bool on;
	int ret;
};

static int hkvm_dirty_set(struct kvm *kvm, const struct hkvm_dirty_slot *s, bool on)
{
	struct kvm_userspace_memory_region mem = {
		.slot = s->slot,
		.flags = on ? s->flags | KVM_MEM_LOG_DIRTY_PAGES : s->flags,
		.guest_phys_addr = s->gpa,
		.memory_size = s->size,
		.userspace_addr = s->hva,
	};

	return kvm_set_memory_region(kvm, &mem);
}

static void hkvm_dirty_fn(struct work_struct *work)
{
	struct hkvm_dirty_call *c = container_of(work, struct hkvm_dirty_call, work);
	struct mm_struct *mm = c->kvm->mm;
	unsigned int i;
	int ret = 0;

	if (!mmget_not_zero(mm)) {
		c->ret = -ESRCH;
		return;
	}
	kthread_use_mm(mm);
	for (i = 0; i < c->d->nslots; i++) {
		ret = hkvm_dirty_set(c->kvm, &c->d->slots[i], c->on);
		if (ret && c->on)
			break;
		if (ret)
			pr_warn("memory slot %u: dirty log not turned off (%d)\n",
				c->d->slots[i].slot, ret);
	}
	/* On: undo what was done before the failure. */
	while (ret && c->on && i--)
		hkvm_dirty_set(c->kvm, &c->d->slots[i], false);
	kthread_unuse_mm(mm);
	mmput(mm);
	c->ret = ret;
}

static int hkvm_dirty_call(struct kvm *kvm, struct hkvm_dirty *d, bool on)
{
	struct hkvm_dirty_call c = { .kvm = kvm, .d = d, .on = on };

	INIT_WORK_ONSTACK(&c.work, hkvm_dirty_fn);
	queue_work(system_unbound_wq, &c.work);
	flush_work(&c.work);
	destroy_work_on_stack(&c.work);
	return c.ret;
}

int hkvm_dirty_start(struct kvm *kvm, struct hkvm_dirty *d)
{
	struct kvm_memory_slot *slot;
	struct hkvm_dirty_slot *s;
	int bkt, ret = 0;

	d->nslots = 0;
	mutex_lock(&kvm->slots_lock);
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(kvm, 0)) {
		if (slot->id >= KVM_USER_MEM_SLOTS)
			continue;	/* KVM's own */
		if (slot->flags & KVM_MEM_LOG_DIRTY_PAGES) {
			ret = -EBUSY;	/* the VMM's: its reads would reset ours */
			break;
		}
		if (d->nslots == ARRAY_SIZE(d->slots)) {
			ret = -E2BIG;
			break;
		}
		s = &d->slots[d->nslots++];
		s->slot = slot->id;
		s->flags = slot->flags;
		s->gpa = slot->base_gfn << PAGE_SHIFT;
		s->size = slot->npages << PAGE_SHIFT;
		s->hva = slot->userspace_addr;
	}
	mutex_unlock(&kvm->slots_lock);
	if (!ret)
		ret = hkvm_dirty_call(kvm, d, true);
	if (ret)
		d->nslots = 0;
	return ret;
}

void hkvm_dirty_stop(struct kvm *kvm, struct hkvm_dirty *d)
{
	if (!d->nslots)
		return;
	hkvm_dirty_call(kvm, d, false);
	d->nslots = 0;
}

u64 hkvm_dirty_map(struct kvm *kvm, u8 *map, u64 npages)
{
	struct kvm_memory_slot *slot;
	unsigned long i;
	u64 n = 0, g;
	int bkt;

	/*
	 * The bitmap is current: the vCPUs left KVM_RUN (an exit flushes what
	 * the CPU logged on its own, as Intel's PML, to it).
	 */
	mutex_lock(&kvm->slots_lock);
	kvm_for_each_memslot(slot, bkt, __kvm_memslots(kvm, 0)) {
		if (slot->id >= KVM_USER_MEM_SLOTS || !slot->dirty_bitmap)
			continue;
		for_each_set_bit(i, slot->dirty_bitmap, slot->npages) {
			g = slot->base_gfn + i;
			if (g < npages && !test_bit_le(g, map)) {
				__set_bit_le(g, map);
				n++;
			}
		}
	}
	mutex_unlock(&kvm->slots_lock);
	return n;
}

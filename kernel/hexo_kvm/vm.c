// SPDX-License-Identifier: GPL-2.0
/*
 * The table of KVM virtual machines hexo_kvm is attached to. An attached VM
 * is pinned by a KVM reference of our own, so it outlives the descriptor it
 * was attached through; detaching (or unloading the module) drops it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "guestmem.h"
#include "offload.h"
#include "reclaim.h"
#include "vm.h"

/*
 * id -> struct hkvm_vm; ids are allocated cyclically so a stale id from a
 * detached VM does not name a new one right away.
 */
static DEFINE_XARRAY_ALLOC1(hkvm_vms);
DEFINE_MUTEX(hkvm_vms_lock);
static u32 hkvm_next_id;

u64 hkvm_vm_mem_bytes(struct kvm *kvm)
{
	struct kvm_memory_slot *slot;
	struct kvm_memslots *slots;
	u64 pages = 0;
	int idx, bkt;

	idx = srcu_read_lock(&kvm->srcu);
	slots = kvm_memslots(kvm);
	kvm_for_each_memslot(slot, bkt, slots)
		pages += slot->npages;
	srcu_read_unlock(&kvm->srcu, idx);
	return pages << PAGE_SHIFT;
}

/* A string from a guest or the wire, NUL-terminated and printable. */
void hkvm_vm_str(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = 0;
}

/*
 * A HEXO guest's own word on itself (struct hexo_cb): the migration points
 * it crossed, its application and arguments.
 */
static int hkvm_vm_guest(struct kvm *kvm, struct hkvm_vm_info *info)
{
	struct hexo_cb *cb;
	int ret;

	cb = kmalloc(sizeof(*cb), GFP_KERNEL);
	if (!cb)
		return -ENOMEM;
	ret = hkvm_guest_rw(kvm, HEXO_GPA_CB, cb, sizeof(*cb), false);
	if (!ret && cb->magic != HEXO_CB_MAGIC)
		ret = -ENOENT;
	if (!ret) {
		info->points = cb->points;
		hkvm_vm_str(info->app, cb->app, min(sizeof(info->app), sizeof(cb->app)));
		hkvm_vm_str(info->args, cb->cmdline, min(sizeof(info->args), sizeof(cb->cmdline)));
	}
	kfree(cb);
	return ret;
}

/* The CPU time of task's thread group, exited threads too; under RCU. */
static u64 hkvm_vm_group_ns(struct task_struct *task)
{
	u64 ns = READ_ONCE(task->signal->sum_sched_runtime);
	struct task_struct *t;

	for_each_thread(task, t)
		ns += READ_ONCE(t->se.sum_exec_runtime);
	return ns;
}

/*
 * The process that runs kvm's vCPUs (the VMM that ran one last): the CPU
 * time of all its threads, live and exited, as /proc/PID/stat counts it
 * but in ns; and its memory, resident and swapped out. False when no vCPU
 * ran yet.
 */
static bool hkvm_vm_proc(struct kvm *kvm, struct hkvm_vm_info *info)
{
	struct task_struct *task = NULL;
	unsigned long i, flags;
	struct kvm_vcpu *vcpu;
	unsigned int seq;
	struct pid *pid;
	u64 ns;

	rcu_read_lock();
	kvm_for_each_vcpu(i, vcpu, kvm) {
		pid = rcu_dereference(vcpu->pid);
		task = pid ? pid_task(pid, PIDTYPE_PID) : NULL;
		if (task)
			break;
	}
	if (!task) {
		rcu_read_unlock();
		return false;
	}
	/*
	 * An exiting thread moves its time to the signal struct under
	 * stats_lock: read locklessly, and if a thread exited meanwhile, once
	 * more under the lock (as thread_group_cputime() does), so that exits
	 * cannot starve us.
	 */
	seq = read_seqbegin(&task->signal->stats_lock);
	ns = hkvm_vm_group_ns(task);
	if (read_seqretry(&task->signal->stats_lock, seq)) {
		read_seqlock_excl_irqsave(&task->signal->stats_lock, flags);
		ns = hkvm_vm_group_ns(task);
		read_sequnlock_excl_irqrestore(&task->signal->stats_lock, flags);
	}
	rcu_read_unlock();
	info->cpu_ns = ns;
	info->rss = (u64)(get_mm_counter(kvm->mm, MM_FILEPAGES) +
			  get_mm_counter(kvm->mm, MM_ANONPAGES) +
			  get_mm_counter(kvm->mm, MM_SHMEMPAGES)) << PAGE_SHIFT;
	info->swap = (u64)get_mm_counter(kvm->mm, MM_SWAPENTS) << PAGE_SHIFT;
	return true;
}

/* A guest handed off runs elsewhere: what it counts here is stale. */
static bool hkvm_vm_runs_here(const struct hkvm_vm *vm)
{
	return vm->kvm && !vm->vmm_exited && vm->state != HEXO_KVM_ST_HANDED_OFF;
}

void hkvm_vm_fill(const struct hkvm_vm *vm, struct hkvm_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = vm->id;
	info->pid = vm->pid;
	info->gone = !vm->kvm;
	info->has_origin = vm->has_origin;
	memcpy(info->origin, vm->origin, ETH_ALEN);
	info->vcpus = vm->kvm ? READ_ONCE(vm->kvm->created_vcpus) : vm->gone_vcpus;
	info->mem_bytes = vm->kvm ? hkvm_vm_mem_bytes(vm->kvm) : vm->gone_mem;
	strscpy(info->name, vm->name, sizeof(info->name));
	info->state = vm->state;
	info->error = vm->error;
	info->offloads = vm->offloads;
	info->has_peer = vm->has_peer;
	info->lending = vm->state == HEXO_KVM_ST_HANDED_OFF && vm->exp;
	hkvm_offload_stats(vm, &info->stats);
	memcpy(info->peer, vm->peer, ETH_ALEN);
	if (hkvm_vm_runs_here(vm))
		info->has_points = !hkvm_vm_guest(vm->kvm, info);
}

u32 hkvm_vm_find_handed(const u8 *peer, u16 export, u64 token)
{
	struct hkvm_vm *vm;
	unsigned long i;

	lockdep_assert_held(&hkvm_vms_lock);
	xa_for_each(&hkvm_vms, i, vm)
		if (vm->state == HEXO_KVM_ST_HANDED_OFF && vm->has_peer && token &&
		    vm->handed_token == token && vm->handed_export == export &&
		    ether_addr_equal(vm->peer, peer))
			return vm->id;
	return 0;
}

struct hkvm_vm *hkvm_vm_find(u32 id)
{
	lockdep_assert_held(&hkvm_vms_lock);
	return xa_load(&hkvm_vms, id);
}

struct hkvm_vm *hkvm_vm_find_kvm(struct kvm *kvm)
{
	struct hkvm_vm *vm;
	unsigned long i;

	lockdep_assert_held(&hkvm_vms_lock);
	xa_for_each(&hkvm_vms, i, vm)
		if (vm->kvm && vm->kvm == kvm)
			return vm;
	return NULL;
}

void hkvm_vm_reap(struct hkvm_vm *vm)
{
	struct kvm *kvm = vm->kvm;

	lockdep_assert_held(&hkvm_vms_lock);
	if (!kvm || !vm->vmm_exited || !hkvm_offload_idle(vm))
		return;
	vm->gone_vcpus = READ_ONCE(kvm->created_vcpus);
	vm->gone_mem = hkvm_vm_mem_bytes(kvm);
	vm->kvm = NULL;
	hkvm_reclaim_forget(vm->id);	/* it runs nowhere */
	/* Its ->release queues gone_work again, which finds kvm NULL. */
	mmu_notifier_unregister(&vm->mn, kvm->mm);
	kvm_put_kvm(kvm);
	pr_info("VM %u: its VMM exited; let go of it\n", vm->id);
}

static void hkvm_vm_gone_work(struct work_struct *work)
{
	struct hkvm_vm *vm = container_of(work, struct hkvm_vm, gone_work);

	mutex_lock(&hkvm_vms_lock);
	/* Only a VM in the table holds a reference to let go of. */
	if (vm->id && xa_load(&hkvm_vms, vm->id) == vm && vm->kvm && !vm->vmm_exited) {
		vm->vmm_exited = true;
		hkvm_offload_vmm_exited(vm);
		hkvm_vm_reap(vm);
	}
	mutex_unlock(&hkvm_vms_lock);
}

/*
 * The VMM's mm is going (exit_mmap(): no user left), or we unregister: only
 * the first means the VMM exited. No sleeping on our locks here: a work
 * lets go of the VM.
 */
static void hkvm_vm_mm_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hkvm_vm *vm = container_of(mn, struct hkvm_vm, mn);

	if (!atomic_read(&mm->mm_users))
		schedule_work(&vm->gone_work);
}

static const struct mmu_notifier_ops hkvm_vm_mn_ops = {
	.release = hkvm_vm_mm_release,
};

/*
 * Frees a VM that is out of the table: gone_work leaves it alone, and once
 * its offload is cancelled nothing else lets go of its KVM VM.
 */
static void hkvm_vm_free(struct hkvm_vm *vm)
{
	cancel_work_sync(&vm->gone_work);
	hkvm_offload_cancel(vm);
	hkvm_reclaim_forget(vm->id);
	if (vm->kvm) {
		mmu_notifier_unregister(&vm->mn, vm->kvm->mm);
		kvm_put_kvm(vm->kvm);
	}
	cancel_work_sync(&vm->gone_work);	/* queued by that release, for nothing */
	kfree(vm);
}

int hkvm_vm_attach(int fd, u32 pid, const char *name, struct hkvm_vm_info *info,
		   struct netlink_ext_ack *extack)
{
	struct hkvm_vm *vm, *other, *victim = NULL;
	unsigned long i;
	struct file *file;
	int ret;

	file = fget(fd);
	if (!file) {
		NL_SET_ERR_MSG(extack, "VM descriptor is not open in the calling process");
		return -EBADF;
	}
	if (!file_is_kvm(file)) {
		NL_SET_ERR_MSG(extack, "descriptor is not a KVM VM (from KVM_CREATE_VM)");
		ret = -EINVAL;
		goto out_fput;
	}

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm) {
		ret = -ENOMEM;
		goto out_fput;
	}
	vm->kvm = file->private_data;
	vm->pid = pid;
	hkvm_offload_init_vm(vm);
	strscpy(vm->name, name, sizeof(vm->name));
	INIT_WORK(&vm->gone_work, hkvm_vm_gone_work);
	vm->mn.ops = &hkvm_vm_mn_ops;
	/* Told when the VMM exits; a VMM exiting already is refused. */
	if (!mmget_not_zero(vm->kvm->mm)) {
		NL_SET_ERR_MSG(extack, "the VM's VMM is exiting");
		ret = -ESRCH;
		goto out_free;
	}
	ret = mmu_notifier_register(&vm->mn, vm->kvm->mm);
	mmput(vm->kvm->mm);
	if (ret)
		goto out_free;

	mutex_lock(&hkvm_vms_lock);
	xa_for_each(&hkvm_vms, i, other) {
		if (other->kvm == vm->kvm) {
			NL_SET_ERR_MSG(extack, "this VM is attached already");
			ret = -EEXIST;
			goto out_unlock;
		}
	}
	ret = xa_alloc_cyclic(&hkvm_vms, &vm->id, vm,
			      XA_LIMIT(1, HKVM_MAX_VMS), &hkvm_next_id, GFP_KERNEL);
	if (ret == -EBUSY) {
		/* Full: the record of a VM whose VMM exited makes room. */
		xa_for_each(&hkvm_vms, i, victim)
			if (!victim->kvm && hkvm_offload_idle(victim))
				break;
		if (victim) {
			xa_erase(&hkvm_vms, victim->id);
			ret = xa_alloc_cyclic(&hkvm_vms, &vm->id, vm, XA_LIMIT(1, HKVM_MAX_VMS),
					      &hkvm_next_id, GFP_KERNEL);
		}
	}
	if (ret == -EBUSY) {
		NL_SET_ERR_MSG(extack, "too many VMs attached; detach one first");
		ret = -ENOSPC;
	}
	if (ret < 0)
		goto out_unlock;
	/* We hold the VM's file, so the VM cannot be on its way out. */
	kvm_get_kvm(vm->kvm);
	hkvm_vm_fill(vm, info);
	mutex_unlock(&hkvm_vms_lock);
	fput(file);
	if (victim)
		hkvm_vm_free(victim);
	return 0;

out_unlock:
	mutex_unlock(&hkvm_vms_lock);
	if (victim)
		hkvm_vm_free(victim);
	mmu_notifier_unregister(&vm->mn, vm->kvm->mm);
	cancel_work_sync(&vm->gone_work);
out_free:
	kfree(vm);
out_fput:
	fput(file);
	return ret;
}

int hkvm_vm_detach(u32 id)
{
	struct hkvm_vm *vm;

	mutex_lock(&hkvm_vms_lock);
	vm = xa_erase(&hkvm_vms, id);
	mutex_unlock(&hkvm_vms_lock);
	if (!vm)
		return -ENOENT;
	hkvm_vm_free(vm);
	return 0;
}

int hkvm_vm_get(u32 id, struct hkvm_vm_info *info)
{
	struct hkvm_vm *vm;
	int ret = -ENOENT;

	mutex_lock(&hkvm_vms_lock);
	vm = xa_load(&hkvm_vms, id);
	if (vm) {
		hkvm_vm_fill(vm, info);
		ret = 0;
	}
	mutex_unlock(&hkvm_vms_lock);
	return ret;
}

int hkvm_vm_next(u32 *id, struct hkvm_vm_info *info, bool proc)
{
	unsigned long index = *id;
	struct hkvm_vm *vm;
	int ret = -ENOENT;

	mutex_lock(&hkvm_vms_lock);
	vm = xa_find(&hkvm_vms, &index, HKVM_MAX_VMS, XA_PRESENT);
	if (vm) {
		hkvm_vm_fill(vm, info);
		if (proc && hkvm_vm_runs_here(vm))
			info->has_proc = hkvm_vm_proc(vm->kvm, info);
		*id = vm->id + 1;
		ret = 0;
	}
	mutex_unlock(&hkvm_vms_lock);
	return ret;
}

u32 hkvm_vm_count(void)
{
	struct hkvm_vm *vm;
	unsigned long i;
	u32 n = 0;

	mutex_lock(&hkvm_vms_lock);
	xa_for_each(&hkvm_vms, i, vm)
		n++;
	mutex_unlock(&hkvm_vms_lock);
	return n;
}

int hkvm_vm_init(void)
{
	return 0;
}

void hkvm_vm_uninit(void)
{
	struct hkvm_vm *vm;
	unsigned long i = 0;

	for (;;) {
		mutex_lock(&hkvm_vms_lock);
		vm = xa_find(&hkvm_vms, &i, ULONG_MAX, XA_PRESENT);
		if (vm)
			xa_erase(&hkvm_vms, vm->id);
		mutex_unlock(&hkvm_vms_lock);
		if (!vm)
			break;
		hkvm_vm_free(vm);
	}
	xa_destroy(&hkvm_vms);
}

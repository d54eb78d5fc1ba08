// SPDX-License-Identifier: GPL-2.0
/*
 * The table of KVM virtual machines hexo_kvm is attached to. An attached VM
 * is pinned by a KVM reference of our own, so it outlives the descriptor it
 * was attached through; detaching (or unloading the module) drops it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "offload.h"
#include "vm.h"

/*
 * id -> struct hkvm_vm; ids are allocated cyclically so a stale id from a
 * detached VM does not name a new one right away.
 */
static DEFINE_XARRAY_ALLOC1(hkvm_vms);
DEFINE_MUTEX(hkvm_vms_lock);
static u32 hkvm_next_id;

static u64 hkvm_vm_mem_bytes(struct kvm *kvm)
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

void hkvm_vm_fill(const struct hkvm_vm *vm, struct hkvm_vm_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = vm->id;
	info->pid = vm->pid;
	info->vcpus = READ_ONCE(vm->kvm->created_vcpus);
	info->mem_bytes = hkvm_vm_mem_bytes(vm->kvm);
	strscpy(info->name, vm->name, sizeof(info->name));
	info->state = vm->state;
	info->error = vm->error;
	info->offloads = vm->offloads;
	info->has_peer = vm->has_peer;
	info->lending = vm->state == HEXO_KVM_ST_HANDED_OFF && vm->exp;
	memcpy(info->peer, vm->peer, ETH_ALEN);
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
		if (vm->kvm == kvm)
			return vm;
	return NULL;
}

/* Frees a VM that is out of the table. */
static void hkvm_vm_free(struct hkvm_vm *vm)
{
	hkvm_offload_cancel(vm);
	kvm_put_kvm(vm->kvm);
	kfree(vm);
}

int hkvm_vm_attach(int fd, u32 pid, const char *name, struct hkvm_vm_info *info,
		   struct netlink_ext_ack *extack)
{
	struct hkvm_vm *vm, *other;
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
	return 0;

out_unlock:
	mutex_unlock(&hkvm_vms_lock);
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

int hkvm_vm_next(u32 *id, struct hkvm_vm_info *info)
{
	unsigned long index = *id;
	struct hkvm_vm *vm;
	int ret = -ENOENT;

	mutex_lock(&hkvm_vms_lock);
	vm = xa_find(&hkvm_vms, &index, HKVM_MAX_VMS, XA_PRESENT);
	if (vm) {
		hkvm_vm_fill(vm, info);
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

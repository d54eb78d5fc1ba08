// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 guests: KVM_ARM_VCPU_INIT gives an EL1h vCPU with the MMU off; the
 * guest's start.S turns the MMU on over its identity map. Hypercalls are
 * 32-bit stores to HEXO_GPA_MMIO, where no memory is: KVM reports them as
 * MMIO exits.
 */
#include <elf.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hexovm.h"

const uint16_t hexovm_elf_machine = EM_AARCH64;

#define ARM64_CORE_REG(x) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

int hexovm_arch_vm_init(struct hexovm *vm)
{
	return 0;
}

static int arm64_set_reg(struct hexovm *vm, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	if (ioctl(vm->vcpu_fd, KVM_SET_ONE_REG, &reg)) {
		hexovm_err("KVM_SET_ONE_REG %#llx: %s", (unsigned long long)id, strerror(errno));
		return -errno;
	}
	return 0;
}

static uint64_t arm64_get_reg(struct hexovm *vm, uint64_t id)
{
	uint64_t val = 0;
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)&val };

	ioctl(vm->vcpu_fd, KVM_GET_ONE_REG, &reg);
	return val;
}

int hexovm_arch_vcpu_init(struct hexovm *vm)
{
	struct kvm_vcpu_init init;
	int ret;

	if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		hexovm_err("KVM_ARM_PREFERRED_TARGET: %s", strerror(errno));
		return -errno;
	}
	memset(init.features, 0, sizeof(init.features));
	if (ioctl(vm->vcpu_fd, KVM_ARM_VCPU_INIT, &init)) {
		hexovm_err("KVM_ARM_VCPU_INIT: %s", strerror(errno));
		return -errno;
	}
	ret = arm64_set_reg(vm, ARM64_CORE_REG(regs.pc), vm->elf.entry);
	if (!ret)
		ret = arm64_set_reg(vm, ARM64_CORE_REG(regs.regs[0]), HEXO_GPA_CB);
	return ret;
}

int hexovm_arch_hypercall_exit(struct hexovm *vm, uint32_t *nr)
{
	struct kvm_run *run = vm->run;

	if (run->exit_reason != KVM_EXIT_MMIO || run->mmio.phys_addr != HEXO_GPA_MMIO)
		return 0;
	if (!run->mmio.is_write || run->mmio.len != 4) {
		hexovm_err("guest %s %u bytes at the hypercall doorbell %#x; hypercalls are "
			   "one 32-bit store", run->mmio.is_write ? "wrote" : "read",
			   run->mmio.len, HEXO_GPA_MMIO);
		return -EINVAL;
	}
	memcpy(nr, run->mmio.data, sizeof(*nr));
	return 1;
}

int hexovm_arch_bad_exit(struct hexovm *vm)
{
	struct kvm_run *run = vm->run;
	uint64_t pc = arm64_get_reg(vm, ARM64_CORE_REG(regs.pc));

	switch (run->exit_reason) {
	case KVM_EXIT_MMIO:
		hexovm_err("guest accessed unbacked memory at %#llx (pc %#llx)",
			   run->mmio.phys_addr, (unsigned long long)pc);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		hexovm_err("guest asked for a system event %u (pc %#llx); guests exit with a "
			   "hypercall", run->system_event.type, (unsigned long long)pc);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		hexovm_err("KVM could not enter the guest (reason %#llx)",
			   run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		hexovm_err("KVM internal error %u at pc %#llx", run->internal.suberror,
			   (unsigned long long)pc);
		break;
	default:
		hexovm_err("unexpected KVM exit %u at pc %#llx", run->exit_reason,
			   (unsigned long long)pc);
	}
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 guests: hexovm starts the vCPU directly in 64-bit long mode, with
 * an identity map of the first 4 GiB in 2 MiB pages and flat segments, so
 * the guest's first instruction is already 64-bit code. Hypercalls are
 * 32-bit OUTs to HEXO_HC_PORT.
 */
#include <elf.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "hexovm.h"

const uint16_t hexovm_elf_machine = EM_X86_64;

/* Page tables and GDT in the ISA-private area at HEXO_GPA_ARCH. */
#define X86_GDT		(HEXO_GPA_ARCH + 0x0800)
#define X86_PML4	(HEXO_GPA_ARCH + 0x1000)
#define X86_PDPT	(HEXO_GPA_ARCH + 0x2000)
#define X86_PD		(HEXO_GPA_ARCH + 0x3000)	/* four of them: 4 GiB */

#define X86_PTE_P	(1ull << 0)
#define X86_PTE_RW	(1ull << 1)
#define X86_PTE_PS	(1ull << 7)

#define X86_CR0_PE	(1u << 0)
#define X86_CR0_MP	(1u << 1)
#define X86_CR0_ET	(1u << 4)
#define X86_CR0_NE	(1u << 5)
#define X86_CR0_WP	(1u << 16)
#define X86_CR0_PG	(1u << 31)
#define X86_CR4_PAE	(1u << 5)
#define X86_EFER_LME	(1u << 8)
#define X86_EFER_LMA	(1u << 10)

#define X86_SEL_CODE	0x08
#define X86_SEL_DATA	0x10

int hexovm_arch_vm_init(struct hexovm *vm)
{
	/* Needed on Intel for real-mode emulation; harmless elsewhere. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000ul) < 0) {
		hexovm_err("KVM_SET_TSS_ADDR: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void x86_page_tables(struct hexovm *vm)
{
	uint64_t *pml4 = hexovm_gpa(vm, X86_PML4, HEXO_PAGE_SIZE);
	uint64_t *pdpt = hexovm_gpa(vm, X86_PDPT, HEXO_PAGE_SIZE);
	uint64_t *pd = hexovm_gpa(vm, X86_PD, 4 * HEXO_PAGE_SIZE);

	memset(pml4, 0, HEXO_PAGE_SIZE);
	memset(pdpt, 0, HEXO_PAGE_SIZE);
	pml4[0] = X86_PDPT | X86_PTE_P | X86_PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (X86_PD + i * HEXO_PAGE_SIZE) | X86_PTE_P | X86_PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
}

static void x86_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code, .s = 1, .l = code, .g = 1,
	};
}

static int x86_cpuid(struct hexovm *vm)
{
	struct kvm_cpuid2 *cpuid;
	int n = 64, ret;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));
		if (!cpuid)
			return -ENOMEM;
		cpuid->nent = n;
		if (!ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid))
			break;
		ret = -errno;
		free(cpuid);
		if (ret != -E2BIG) {
			hexovm_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(-ret));
			return ret;
		}
		n *= 2;
	}
	ret = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid) ? -errno : 0;
	if (ret)
		hexovm_err("KVM_SET_CPUID2: %s", strerror(-ret));
	free(cpuid);
	return ret;
}

int hexovm_arch_vcpu_init(struct hexovm *vm)
{
	uint64_t *gdt = hexovm_gpa(vm, X86_GDT, 3 * sizeof(uint64_t));
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	int ret;

	ret = x86_cpuid(vm);
	if (ret)
		return ret;
	x86_page_tables(vm);
	/* The GDT the segment registers below describe, should anything reload them. */
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf93000000ffffull;	/* data, DPL 0 */

	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, &sregs)) {
		hexovm_err("KVM_GET_SREGS: %s", strerror(errno));
		return -errno;
	}
	x86_segment(&sregs.cs, X86_SEL_CODE, 11, true);
	x86_segment(&sregs.ds, X86_SEL_DATA, 3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.gdt.base = X86_GDT;
	sregs.gdt.limit = 3 * 8 - 1;
	sregs.cr3 = X86_PML4;
	sregs.cr4 = X86_CR4_PAE;
	sregs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sregs.efer = X86_EFER_LME | X86_EFER_LMA;
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, &sregs)) {
		hexovm_err("KVM_SET_SREGS: %s", strerror(errno));
		return -errno;
	}
	regs.rflags = 0x2;
	regs.rip = vm->elf.entry;
	regs.rdi = HEXO_GPA_CB;
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, &regs)) {
		hexovm_err("KVM_SET_REGS: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int hexovm_arch_hypercall_exit(struct hexovm *vm, uint32_t *nr)
{
	struct kvm_run *run = vm->run;

	if (run->exit_reason != KVM_EXIT_IO || run->io.port != HEXO_HC_PORT)
		return 0;
	if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 4 || run->io.count != 1) {
		hexovm_err("guest used hypercall port %#x with a %s of %u bytes; hypercalls "
			   "are one 32-bit OUT", HEXO_HC_PORT,
			   run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read", run->io.size);
		return -EINVAL;
	}
	memcpy(nr, (uint8_t *)run + run->io.data_offset, sizeof(*nr));
	return 1;
}

int hexovm_arch_bad_exit(struct hexovm *vm)
{
	struct kvm_run *run = vm->run;
	struct kvm_regs regs = { 0 };

	ioctl(vm->vcpu_fd, KVM_GET_REGS, &regs);
	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		hexovm_err("guest halted at rip %#llx without exiting", regs.rip);
		break;
	case KVM_EXIT_SHUTDOWN:
		hexovm_err("guest shut down (triple fault: an exception it cannot handle) "
			   "near rip %#llx", regs.rip);
		break;
	case KVM_EXIT_IO:
		hexovm_err("guest accessed I/O port %#x at rip %#llx; the only port is %#x",
			   run->io.port, regs.rip, HEXO_HC_PORT);
		break;
	case KVM_EXIT_MMIO:
		hexovm_err("guest accessed unbacked memory at %#llx (rip %#llx)",
			   run->mmio.phys_addr, regs.rip);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		hexovm_err("KVM could not enter the guest (hardware reason %#llx)",
			   run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		hexovm_err("KVM internal error %u at rip %#llx", run->internal.suberror, regs.rip);
		break;
	default:
		hexovm_err("unexpected KVM exit %u at rip %#llx", run->exit_reason, regs.rip);
	}
	return 1;
}

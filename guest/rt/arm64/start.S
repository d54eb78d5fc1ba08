/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64 entry. hexovm starts the vCPU at EL1h (KVM_ARM_VCPU_INIT) with the
 * MMU off, where every data access is Device memory: unaligned accesses
 * fault and nothing is cached. So before any C code runs, this enables
 * FP/SIMD, builds an identity map and turns the MMU on, for the normal
 * memory semantics the applications (and the compiler) assume.
 *
 * The map is one level-1 table of 1 GiB blocks at HEXO_GPA_ARCH (guest
 * memory starts zeroed, so the other 508 entries are invalid):
 *   0-3 GiB   Normal, write-back, inner shareable: guest memory
 *   3-4 GiB   Device-nGnRnE, never executable: the hypercall doorbell
 */
#include <hexo/guest.h>

#define PTE_BLOCK	0x1
#define PTE_ATTR(i)	((i) << 2)	/* MAIR_EL1 attribute index */
#define PTE_SH_INNER	(3 << 8)
#define PTE_AF		(1 << 10)
#define PTE_XN		(3 << 53)	/* PXN | UXN */
#define PTE_NORMAL	(PTE_BLOCK | PTE_ATTR(0) | PTE_SH_INNER | PTE_AF)
#define PTE_DEVICE	(PTE_BLOCK | PTE_ATTR(1) | PTE_AF | PTE_XN)

#define MAIR_VALUE	0xff		/* attr0 Normal WB RA WA; attr1 Device-nGnRnE */
/* T0SZ=25 (39-bit VA, walks start at level 1), WB WA walks, inner
 * shareable, 4 KiB granule, no TTBR1 walks, 32-bit PA.
 */
#define TCR_VALUE	(25 | (1 << 8) | (1 << 10) | (3 << 12) | (1 << 23))

#define SCTLR_M		(1 << 0)
#define SCTLR_A		(1 << 1)
#define SCTLR_C		(1 << 2)
#define SCTLR_I		(1 << 12)

	.section .text.start, "ax"
	.globl _start
_start:
	adr	x0, hexo_vectors
	msr	vbar_el1, x0
	/* CPACR_EL1.FPEN = 0b11: FP/SIMD at EL1 does not trap. */
	mov	x0, #(3 << 20)
	msr	cpacr_el1, x0

	ldr	x0, =HEXO_GPA_ARCH
	ldr	x1, =PTE_NORMAL
	str	x1, [x0]
	ldr	x1, =(0x40000000 | PTE_NORMAL)
	str	x1, [x0, #8]
	ldr	x1, =(0x80000000 | PTE_NORMAL)
	str	x1, [x0, #16]
	ldr	x1, =(0xc0000000 | PTE_DEVICE)
	str	x1, [x0, #24]
	dsb	sy

	ldr	x1, =MAIR_VALUE
	msr	mair_el1, x1
	ldr	x1, =TCR_VALUE
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x1, sctlr_el1
	orr	x1, x1, #SCTLR_M
	orr	x1, x1, #SCTLR_C
	orr	x1, x1, #SCTLR_I
	bic	x1, x1, #SCTLR_A
	msr	sctlr_el1, x1
	isb

	ldr	x0, =HEXO_GPA_TEXT
	mov	sp, x0
	bl	hexo_rt_start
1:	wfi
	b	1b
	.ltorg

/*
 * Every exception is a bug in a guest that takes no interrupts: report it
 * with its syndrome and stop. x0 = vector index, x1 = ESR, x2 = ELR, x3 = FAR.
 */
	.macro	vector, idx
	.balign	128
	mov	x0, #\idx
	b	hexo_vector_common
	.endm

	.text
	.balign	2048
hexo_vectors:
	vector	0
	vector	1
	vector	2
	vector	3
	vector	4
	vector	5
	vector	6
	vector	7
	vector	8
	vector	9
	vector	10
	vector	11
	vector	12
	vector	13
	vector	14
	vector	15

hexo_vector_common:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	ldr	x4, =HEXO_GPA_TEXT
	mov	sp, x4
	bl	hexo_arch_trap
	b	.
	.ltorg

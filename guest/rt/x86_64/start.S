/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86_64 entry. hexovm starts the vCPU in 64-bit long mode with paging on
 * (its identity map) and flat segments; what is left is the FPU and SSE,
 * which the floating-point applications need, and a stack.
 */
#include <hexo/guest.h>

	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	/* SSE without faults: CR0.EM off, CR0.MP on, CR4.OSFXSR|OSXMMEXCPT. */
	mov	%cr0, %rax
	and	$~(1 << 2), %rax
	or	$(1 << 1), %rax
	mov	%rax, %cr0
	mov	%cr4, %rax
	or	$((1 << 9) | (1 << 10)), %rax
	mov	%rax, %cr4
	mov	$HEXO_GPA_TEXT, %rsp
	/*
	 * x87 state reset. MXCSR keeps its reset value 0x1f80: round to
	 * nearest, exceptions masked, no flush-to-zero, as arm64's FPCR.
	 */
	fninit
	call	hexo_rt_start
1:	hlt
	jmp	1b

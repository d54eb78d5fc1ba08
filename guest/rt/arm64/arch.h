/* SPDX-License-Identifier: GPL-2.0 */
/* The arm64 side of the guest runtime: doorbell and cycle counter. */
#ifndef _HEXO_ARCH_H
#define _HEXO_ARCH_H

#include <stdint.h>
#include <hexo/guest.h>

#define HEXO_ISA	HEXO_ISA_ARM64
#define HEXO_ISA_NAME	"arm64"

/*
 * A store to unbacked, device-mapped memory exits to the VMM as MMIO. A
 * plain STR of a register keeps the syndrome valid (ISV), so KVM can decode
 * it without the VMM emulating the instruction.
 */
static inline void hexo_arch_doorbell(uint32_t nr)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(nr), "r"((uintptr_t)HEXO_GPA_MMIO) : "memory");
}

static inline uint64_t hexo_arch_cycles(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

#endif /* _HEXO_ARCH_H */

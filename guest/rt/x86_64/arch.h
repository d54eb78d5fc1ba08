/* SPDX-License-Identifier: GPL-2.0 */
/* The x86_64 side of the guest runtime: doorbell and cycle counter. */
#ifndef _HEXO_ARCH_H
#define _HEXO_ARCH_H

#include <stdint.h>
#include <hexo/guest.h>

#define HEXO_ISA	HEXO_ISA_X86_64
#define HEXO_ISA_NAME	"x86_64"

/* A port write exits to the VMM with the number in the exit record. */
static inline void hexo_arch_doorbell(uint32_t nr)
{
	__asm__ volatile("outl %0, %1" : : "a"(nr), "Nd"((uint16_t)HEXO_HC_PORT) : "memory");
}

static inline uint64_t hexo_arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#endif /* _HEXO_ARCH_H */

// SPDX-License-Identifier: GPL-2.0
/* arm64 exceptions: a guest takes none on purpose, so each one is fatal. */
#include <stdint.h>

#include "hexo_rt.h"

void hexo_arch_trap(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far);

void hexo_arch_trap(uint64_t vector, uint64_t esr, uint64_t elr, uint64_t far)
{
	char buf[160];
	int n;

	n = hexo_snprintf(buf, sizeof(buf),
			  "guest trap: vector %llu ESR %#llx (class %#llx) ELR %#llx FAR %#llx\n",
			  (unsigned long long)vector, (unsigned long long)esr,
			  (unsigned long long)(esr >> 26), (unsigned long long)elr,
			  (unsigned long long)far);
	hexo_console_write(buf, n);
	hexo_exit(HEXO_EXIT_TRAP);
}

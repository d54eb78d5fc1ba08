// SPDX-License-Identifier: GPL-2.0
/*
 * Hypercalls (include/uapi/hexo/guest.h): arguments through the control
 * block, the ISA's doorbell to exit. The clock is here too: the host's is
 * the only one that means the same on both sides of a migration.
 */
#include <hexo/guest.h>

#include "arch.h"
#include "hexo_rt.h"

int64_t hexo_hypercall(uint32_t nr, uint64_t a0, uint64_t a1)
{
	volatile struct hexo_cb *cb = (volatile struct hexo_cb *)HEXO_GPA_CB;

	cb->hc.arg[0] = a0;
	cb->hc.arg[1] = a1;
	cb->hc.ret = 0;
	hexo_arch_doorbell(nr);
	return cb->hc.ret;
}

void hexo_exit(int status)
{
	for (;;)
		hexo_hypercall(HEXO_HC_EXIT, (uint64_t)status & 0xff, 0);
}

uint64_t hexo_time_ns(void)
{
	return (uint64_t)hexo_hypercall(HEXO_HC_TIME, 0, 0);
}

uint64_t hexo_cycles(void)
{
	return hexo_arch_cycles();
}

const char *hexo_isa_name(void)
{
	return HEXO_ISA_NAME;
}

// SPDX-License-Identifier: GPL-2.0
/* The hypercalls of include/uapi/hexo/guest.h, served while the vCPU waits. */
#include <errno.h>
#include <stdio.h>

#include "hexovm.h"

static int64_t hexovm_hc_console(struct hexovm *vm, uint64_t gpa, uint64_t len)
{
	const void *p;

	if (len > HEXO_CONSOLE_MAX)
		len = HEXO_CONSOLE_MAX;
	p = hexovm_gpa(vm, gpa, len);
	if (!p)
		return -EFAULT;
	if (fwrite(p, 1, len, vm->console) != len)
		return -EIO;
	fflush(vm->console);
	vm->stats.console_bytes += len;
	return len;
}

void hexovm_hypercall(struct hexovm *vm, uint32_t nr)
{
	struct hexo_cb *cb = hexovm_cb(vm);
	volatile struct hexo_hc *hc = &cb->hc;
	int64_t ret;

	if (nr < sizeof(vm->stats.hc) / sizeof(vm->stats.hc[0]))
		vm->stats.hc[nr]++;
	switch (nr) {
	case HEXO_HC_EXIT:
		vm->status = (int)(hc->arg[0] & 0xff);
		vm->done = true;
		return;
	case HEXO_HC_CONSOLE:
		ret = hexovm_hc_console(vm, hc->arg[0], hc->arg[1]);
		break;
	case HEXO_HC_TIME:
		ret = (int64_t)hexovm_now_ns();
		break;
	case HEXO_HC_MIGRATE:
		ret = hexovm_migrate_ready(vm);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	hc->ret = ret;
}

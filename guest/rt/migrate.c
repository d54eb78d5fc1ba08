// SPDX-License-Identifier: GPL-2.0
/*
 * Migration points. The VMM asks through the control block; at the next
 * point the guest writes an ISA-neutral continuation (point id, state
 * address and size) and tells the VMM it is ready. Nothing ISA-specific is
 * live at a point, so the other ISA's build carries on by calling the
 * application's resume entry over the same memory.
 */
#include <hexo/guest.h>

#include "arch.h"
#include "hexo_rt.h"

static void *hexo_mig_state;
static size_t hexo_mig_state_size;
static uint64_t hexo_mig_seq;

void hexo_migration_state(void *state, size_t size)
{
	hexo_mig_state = state;
	hexo_mig_state_size = size;
}

static bool hexo_migration_wanted(volatile struct hexo_cb *cb, uint32_t point)
{
	if (cb->migrate)
		return true;
	if (!cb->stop_count || cb->stop_point != point)
		return false;
	return ++cb->stop_hits == cb->stop_count;
}

void hexo_migration_point(uint32_t point)
{
	volatile struct hexo_cb *cb = (volatile struct hexo_cb *)HEXO_GPA_CB;

	cb->points = ++hexo_mig_seq;
	if (!hexo_migration_wanted(cb, point))
		return;
	if (!hexo_mig_state)
		hexo_panic("migration point %u reached before hexo_migration_state()", point);
	cb->cont.point = point;
	cb->cont.isa = HEXO_ISA;
	cb->cont.state_gpa = (uintptr_t)hexo_mig_state;
	cb->cont.state_size = hexo_mig_state_size;
	cb->cont.seq = hexo_mig_seq;
	/* Returns only if the VMM declined; the request is withdrawn then. */
	hexo_hypercall(HEXO_HC_MIGRATE, point, 0);
}

const char *hexo_resumed_from(void)
{
	volatile struct hexo_cb *cb = (volatile struct hexo_cb *)HEXO_GPA_CB;

	if (!cb->resume)
		return NULL;
	switch (cb->cont.isa) {
	case HEXO_ISA_X86_64:
		return "x86_64";
	case HEXO_ISA_ARM64:
		return "arm64";
	}
	return "?";
}

uint32_t hexo_migrations(void)
{
	return ((volatile struct hexo_cb *)HEXO_GPA_CB)->cont.migrations;
}

// SPDX-License-Identifier: GPL-2.0
/* The policies' working copy of the state and the rules they share (work.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "work.h"

const char *hxp_action_name(enum hxp_action a)
{
	switch (a) {
	case HXP_NOTHING: return "nothing";
	case HXP_OFFLOAD: return "offload";
	case HXP_RECLAIM: return "reclaim";
	case HXP_LOST: return "lost";
	case HXP_PROBE: return "probe";
	default: return "?";
	}
}

int hxp_work_init(struct hxp_work *w, const struct hxp_state *st, const struct hxp_params *p,
		  struct hxp_decision *out, unsigned int max)
{
	unsigned int i, ns = st->nr_servers, nb = st->nr_boards, nv = st->nr_vms;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < nv; i++) {
		const struct hxp_vm *v = &st->vms[i];

		if (v->home >= ns || (v->where == HXP_ON_SERVER && v->node >= ns) ||
		    (v->where == HXP_ON_BOARD && v->node >= nb) ||
		    (v->where != HXP_ON_SERVER && v->where != HXP_ON_BOARD))
			return -EINVAL;
	}
	w->st = st;
	w->p = p;
	w->out = out;
	w->max = max;
	/* One more than needed, so that no calloc() is of 0 elements. */
	w->srv_busy = calloc(ns + 1, sizeof(*w->srv_busy));
	w->acted = calloc(ns + 1, sizeof(*w->acted));
	w->why = calloc(ns + 1, sizeof(*w->why));
	w->brd_busy = calloc(nb + 1, sizeof(*w->brd_busy));
	w->brd_mem = calloc(nb + 1, sizeof(*w->brd_mem));
	w->brd_swap = calloc(nb + 1, sizeof(*w->brd_swap));
	w->where = calloc(nv + 1, sizeof(*w->where));
	w->node = calloc(nv + 1, sizeof(*w->node));
	w->swapping = calloc(nv + 1, sizeof(*w->swapping));
	w->done = calloc(nv + 1, sizeof(*w->done));
	if (!w->srv_busy || !w->acted || !w->why || !w->brd_busy || !w->brd_mem ||
	    !w->brd_swap || !w->where || !w->node || !w->swapping || !w->done) {
		hxp_work_free(w);
		return -ENOMEM;
	}
	for (i = 0; i < ns; i++)
		w->srv_busy[i] = st->servers[i].other;
	for (i = 0; i < nb; i++) {
		w->brd_mem[i] = st->boards[i].mem_free;
		w->brd_swap[i] = st->boards[i].swap_free;
	}
	for (i = 0; i < nv; i++) {
		const struct hxp_vm *v = &st->vms[i];

		w->where[i] = v->where;
		w->node[i] = v->node;
		w->swapping[i] = v->swapping;
		if (v->where == HXP_ON_SERVER)
			w->srv_busy[v->node] += v->vcpus;
		else
			w->brd_busy[v->node] += v->vcpus;
	}
	return 0;
}

void hxp_work_free(struct hxp_work *w)
{
	free(w->srv_busy);
	free(w->acted);
	free(w->why);
	free(w->brd_busy);
	free(w->brd_mem);
	free(w->brd_swap);
	free(w->where);
	free(w->node);
	free(w->swapping);
	free(w->done);
	memset(w, 0, sizeof(*w));
}

bool hxp_work_add(struct hxp_work *w, enum hxp_action a, unsigned int vm, unsigned int server,
		  unsigned int board, double gain, const char *fmt, ...)
{
	struct hxp_decision *d;
	va_list ap;

	if (w->n == w->max)
		return false;
	d = &w->out[w->n++];
	*d = (struct hxp_decision){ .action = a, .vm = vm, .server = server, .board = board,
				    .gain = gain };
	va_start(ap, fmt);
	vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
	va_end(ap);
	w->acted[server] = true;
	return true;
}

void hxp_work_why(struct hxp_work *w, unsigned int s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->why[s], sizeof(w->why[s]), fmt, ap);
	va_end(ap);
}

int hxp_work_finish(struct hxp_work *w)
{
	unsigned int s;

	for (s = 0; s < w->st->nr_servers; s++) {
		const struct hxp_server *srv = &w->st->servers[s];

		if (w->acted[s])
			continue;
		if (!w->why[s][0])
			hxp_work_why(w, s, "%u vCPUs on %u cores: nothing to do",
				     w->srv_busy[s], srv->cores);
		if (!hxp_work_add(w, HXP_NOTHING, 0, s, 0, 0, "server %u: %s", s, w->why[s]))
			break;
	}
	return (int)w->n;
}

void hxp_work_lost(struct hxp_work *w)
{
	const struct hxp_state *st = w->st;
	unsigned int i;

	for (i = 0; i < st->nr_vms; i++) {
		const struct hxp_vm *v = &st->vms[i];

		if (v->where != HXP_ON_BOARD || st->boards[v->node].present)
			continue;
		w->done[i] = true;
		w->brd_busy[v->node] -= v->vcpus;
		hxp_work_add(w, HXP_LOST, i, v->home, v->node, 0,
			     "vm %u (%s %s): board %u is gone, and the VM with it; "
			     "start it again on server %u", v->id, v->kernel, v->cls,
			     v->node, v->home);
	}
}

bool hxp_work_held(const struct hxp_work *w, unsigned int vm)
{
	const struct hxp_vm *v = &w->st->vms[vm];

	/* A probe is held only as long as its measurement takes. */
	if (v->probe && v->where == HXP_ON_BOARD)
		return w->done[vm] || v->since_move_s < w->p->probe_s;
	return w->done[vm] || v->since_move_s < w->p->hold_s;
}

int hxp_work_fit(const struct hxp_work *w, unsigned int vm, unsigned int b)
{
	uint64_t mem = w->st->vms[vm].mem;

	if (!w->st->boards[b].present)
		return -1;
	if (mem <= w->brd_mem[b])
		return 0;
	return mem - w->brd_mem[b] <= w->brd_swap[b] ? 1 : -1;
}

unsigned int hxp_work_reclaim_room(const struct hxp_work *w, unsigned int s)
{
	const struct hxp_server *srv = &w->st->servers[s];

	if (w->srv_busy[s] >= srv->cores || srv->free_for_s < w->p->reclaim_after_s)
		return 0;
	return srv->cores - w->srv_busy[s];
}

void hxp_work_offload(struct hxp_work *w, unsigned int vm, unsigned int b, bool swap)
{
	const struct hxp_vm *v = &w->st->vms[vm];

	w->srv_busy[w->node[vm]] -= v->vcpus;
	w->brd_busy[b] += v->vcpus;
	if (swap) {
		w->brd_swap[b] -= v->mem - w->brd_mem[b];
		w->brd_mem[b] = 0;
	} else {
		w->brd_mem[b] -= v->mem;
	}
	w->where[vm] = HXP_ON_BOARD;
	w->node[vm] = b;
	w->swapping[vm] = swap;
	w->done[vm] = true;
}

/*
 * The board's RAM comes free again, unless the VM was swapping: how much
 * of it was in RAM, the state does not say, so nothing is counted free
 * until the next round's state says so.
 */
void hxp_work_reclaim(struct hxp_work *w, unsigned int vm)
{
	const struct hxp_vm *v = &w->st->vms[vm];
	unsigned int b = w->node[vm];

	w->brd_busy[b] -= v->vcpus;
	if (!w->swapping[vm])
		w->brd_mem[b] += v->mem;
	w->srv_busy[v->home] += v->vcpus;
	w->where[vm] = HXP_ON_SERVER;
	w->node[vm] = v->home;
	w->swapping[vm] = false;
	w->done[vm] = true;
}

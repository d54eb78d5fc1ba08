// SPDX-License-Identifier: GPL-2.0
/*
 * The policies HEXO's is compared with (Documentation/policy.rst,
 * "Baselines"). Both keep the rules every policy keeps (lost VMs, the hold
 * time, memory with Netswap, reclaims only after reclaim_after_s of idle
 * cores) but have no model: no estimate of speed, no cost, no gain.
 *
 *  - llc: the prototype's heuristic. LLC references per second on the
 *    server rank the VMs: the lowest is the most ARM-friendly, offloaded
 *    first; the highest comes back first. A VM with no LLC count (no PMU)
 *    is never offloaded.
 *  - random: any VM, drawn with the state's seed.
 *
 * Neither over-commits a board: a VM goes only to a board with an idle
 * core (the most idle for llc, any for random).
 */
#include <limits.h>
#include <math.h>

#include "work.h"

struct base {
	struct hxp_work w;
	bool random;
	struct hxp_rand r;
};

static bool board_ok(const struct base *bs, unsigned int i, unsigned int b)
{
	const struct hxp_work *w = &bs->w;

	return w->brd_busy[b] + w->st->vms[i].vcpus <= w->st->boards[b].cores &&
	       hxp_work_fit(w, i, b) >= 0;
}

static unsigned int pick_board(struct base *bs, unsigned int i)
{
	const struct hxp_state *st = bs->w.st;
	unsigned int b, n = 0, best = UINT_MAX, best_idle = 0, k;

	for (b = 0; b < st->nr_boards; b++) {
		unsigned int idle;

		if (!board_ok(bs, i, b))
			continue;
		n++;
		idle = st->boards[b].cores - bs->w.brd_busy[b];
		if (best == UINT_MAX || idle > best_idle) {
			best = b;
			best_idle = idle;
		}
	}
	if (!bs->random || !n)
		return best;
	k = (unsigned int)(hxp_rand_u64(&bs->r) % n);
	for (b = 0; b < st->nr_boards; b++)
		if (board_ok(bs, i, b) && !k--)
			return b;
	return UINT_MAX;
}

/* Whether VM i may be offloaded (offload) or reclaimed home to s. */
static bool eligible(struct base *bs, unsigned int i, unsigned int s, bool offload)
{
	const struct hxp_work *w = &bs->w;
	const struct hxp_vm *v = &w->st->vms[i];
	unsigned int b;

	if (hxp_work_held(w, i))
		return false;
	if (!offload)
		return w->where[i] == HXP_ON_BOARD && v->home == s &&
		       w->st->boards[w->node[i]].present;
	if (w->where[i] != HXP_ON_SERVER || w->node[i] != s || (!bs->random && v->llc <= 0))
		return false;
	for (b = 0; b < w->st->nr_boards; b++)
		if (board_ok(bs, i, b))
			return true;
	return false;
}

/* llc's rank: unknown LLC rates come back first, since nothing says they fit. */
static double llc_key(const struct hxp_vm *v, bool offload)
{
	return offload || v->llc > 0 ? v->llc : INFINITY;
}

/* The VM to offload from s or reclaim to s, UINT_MAX for none. */
static unsigned int pick_vm(struct base *bs, unsigned int s, bool offload)
{
	const struct hxp_state *st = bs->w.st;
	unsigned int i, n = 0, best = UINT_MAX, k;
	double key, best_key = 0;

	for (i = 0; i < st->nr_vms; i++) {
		if (!eligible(bs, i, s, offload))
			continue;
		n++;
		key = llc_key(&st->vms[i], offload);
		if (best == UINT_MAX || (offload ? key < best_key : key > best_key)) {
			best = i;
			best_key = key;
		}
	}
	if (!bs->random || !n)
		return best;
	k = (unsigned int)(hxp_rand_u64(&bs->r) % n);
	for (i = 0; i < st->nr_vms; i++)
		if (eligible(bs, i, s, offload) && !k--)
			return i;
	return UINT_MAX;
}

static void reclaims(struct base *bs, unsigned int s)
{
	struct hxp_work *w = &bs->w;
	const struct hxp_server *srv = &w->st->servers[s];
	unsigned int i;

	if (w->srv_busy[s] >= srv->cores)
		return;
	if (!hxp_work_reclaim_room(w, s)) {
		hxp_work_why(w, s, "%u idle cores for %.0f s: reclaims wait for %.0f s",
			     srv->cores - w->srv_busy[s], srv->free_for_s,
			     w->p->reclaim_after_s);
		return;
	}
	while (hxp_work_reclaim_room(w, s)) {
		const struct hxp_vm *v;

		i = pick_vm(bs, s, false);
		if (i == UINT_MAX) {
			if (!w->acted[s])
				hxp_work_why(w, s, "%u idle cores: none of its VMs on a board "
					     "can come back", srv->cores - w->srv_busy[s]);
			return;
		}
		v = &w->st->vms[i];
		if (!hxp_work_add(w, HXP_RECLAIM, i, s, w->node[i], 0,
				  "vm %u (%s %s) board %u -> server %u: %u idle cores for %.0f s; "
				  "%s", v->id, v->kernel, v->cls, w->node[i], s,
				  srv->cores - w->srv_busy[s], srv->free_for_s,
				  bs->random ? "drawn at random" :
				  "the highest LLC references/s of its VMs on boards"))
			return;
		hxp_work_reclaim(w, i);
	}
}

static void offloads(struct base *bs, unsigned int s)
{
	struct hxp_work *w = &bs->w;
	const struct hxp_server *srv = &w->st->servers[s];

	while (w->srv_busy[s] > srv->cores) {
		unsigned int i = pick_vm(bs, s, true), b;
		const struct hxp_vm *v;
		bool swap;

		if (i == UINT_MAX) {
			if (!w->acted[s])
				hxp_work_why(w, s, "%u vCPUs on %u cores: no VM can go (held, "
					     "%sno board with an idle core and memory)",
					     w->srv_busy[s], srv->cores,
					     bs->random ? "" : "no LLC count, ");
			return;
		}
		b = pick_board(bs, i);
		v = &w->st->vms[i];
		swap = hxp_work_fit(w, i, b) == 1;
		if (!hxp_work_add(w, HXP_OFFLOAD, i, s, b, 0,
				  "vm %u (%s %s) server %u -> board %u: %u vCPUs on %u cores; "
				  "%s%s", v->id, v->kernel, v->cls, s, b, w->srv_busy[s],
				  srv->cores, bs->random ? "drawn at random" :
				  "the lowest LLC references/s of its VMs",
				  swap ? ", with Netswap" : ""))
			return;
		hxp_work_offload(w, i, b, swap);
	}
}

static int decide_base(const struct hxp_state *st, const struct hxp_params *p,
		       struct hxp_decision *out, unsigned int max, bool random)
{
	struct base bs = { .random = random };
	unsigned int s;
	int ret;

	ret = hxp_work_init(&bs.w, st, p, out, max);
	if (ret)
		return ret;
	hxp_rand_seed(&bs.r, st->seed);
	hxp_work_lost(&bs.w);
	for (s = 0; s < st->nr_servers; s++)
		reclaims(&bs, s);
	for (s = 0; s < st->nr_servers; s++)
		offloads(&bs, s);
	ret = hxp_work_finish(&bs.w);
	hxp_work_free(&bs.w);
	return ret;
}

int hxp_decide_llc(const struct hxp_state *st, const struct hxp_profile *prof,
		   const struct hxp_params *p, struct hxp_decision *out, unsigned int max)
{
	return decide_base(st, p, out, max, false);
}

int hxp_decide_random(const struct hxp_state *st, const struct hxp_profile *prof,
		      const struct hxp_params *p, struct hxp_decision *out, unsigned int max)
{
	return decide_base(st, p, out, max, true);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * HEXO's policy (Documentation/policy.rst, "The decisions"). Speeds are in
 * server cores: a VM running alone on a server core runs at 1, a VM on a
 * board at its estimated ratio times its share of the board's cores. A
 * move's gain is the change in the sum of all speeds it makes, less what
 * the VM loses while it moves, averaged over the horizon:
 *
 *	gain = d(server speeds) + d(board speeds) - speed(VM) * cost / horizon
 *
 * On an over-committed server the others take up the share the VM leaves,
 * so an offload's gain is what the board adds; a reclaim's is the server's
 * idle core against what the board loses. Rules, in this order:
 *  1. VMs on a board that is gone are LOST;
 *  2. a server that has had an idle core for reclaim_after_s takes back its
 *     own VMs, best gain first, while it has idle cores;
 *  3. while a server is over-committed, the best (VM, board) pair over all
 *     such servers moves, among the boards the VM's memory fits on (in RAM,
 *     or with Netswap covering the rest, at the swap factor's speed);
 *  4. only for a gain of min_gain cores or more, and never a VM moved less
 *     than hold_s ago.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "work.h"

struct hexo {
	struct hxp_work w;
	const struct hxp_profile *prof;
	struct hxp_estimate *est;	/* per VM */
};

/* VM i's speed on board b while the board runs n vCPUs. */
static double vm_board_speed(const struct hexo *h, unsigned int i, unsigned int b,
			     unsigned int n, bool swap)
{
	const struct hxp_vm *v = &h->w.st->vms[i];
	const struct hxp_estimate *e = &h->est[i];

	return v->vcpus * e->ratio * (swap ? e->swap : 1.0) *
	       hxp_share(n, h->w.st->boards[b].cores);
}

/* The speeds of the VMs on board b (but skip) if it ran n vCPUs. */
static double board_speeds(const struct hexo *h, unsigned int b, unsigned int n,
			   unsigned int skip)
{
	const struct hxp_work *w = &h->w;
	double sum = 0;
	unsigned int i;

	for (i = 0; i < w->st->nr_vms; i++)
		if (i != skip && w->where[i] == HXP_ON_BOARD && w->node[i] == b)
			sum += vm_board_speed(h, i, b, n, w->swapping[i]);
	return sum;
}

/* The speeds of a server's VMs: its busy cores. */
static double server_speeds(const struct hexo *h, unsigned int s, unsigned int n)
{
	unsigned int cores = h->w.st->servers[s].cores;

	return n < cores ? n : cores;
}

static double offload_gain(const struct hexo *h, unsigned int i, unsigned int b, bool swap,
			   double *speed)
{
	const struct hxp_work *w = &h->w;
	const struct hxp_vm *v = &w->st->vms[i];
	unsigned int s = w->node[i], ns = w->srv_busy[s], nb = w->brd_busy[b];
	double d;

	*speed = vm_board_speed(h, i, b, nb + v->vcpus, swap);
	d = server_speeds(h, s, ns - v->vcpus) - server_speeds(h, s, ns);
	d += *speed + board_speeds(h, b, nb + v->vcpus, UINT_MAX) -
	     board_speeds(h, b, nb, UINT_MAX);
	return d - *speed * hxp_move_cost_s(v->mem, w->p) / w->p->horizon_s;
}

static double reclaim_gain(const struct hexo *h, unsigned int i)
{
	const struct hxp_work *w = &h->w;
	const struct hxp_vm *v = &w->st->vms[i];
	unsigned int b = w->node[i], ns = w->srv_busy[v->home], nb = w->brd_busy[b];
	double back = server_speeds(h, v->home, ns + v->vcpus) - server_speeds(h, v->home, ns);
	double d;

	d = back + board_speeds(h, b, nb - v->vcpus, i) - board_speeds(h, b, nb, UINT_MAX);
	return d - back * hxp_move_cost_s(v->mem, w->p) / w->p->horizon_s;
}

static void estimate_str(const struct hexo *h, unsigned int i, char *buf, size_t len)
{
	const struct hxp_estimate *e = &h->est[i];

	if (e->src == HXP_EST_LLC)
		snprintf(buf, len, "llc, as %s %s", e->near->kernel, e->near->cls);
	else
		snprintf(buf, len, "%s", hxp_source_name(e->src));
}

/* --------------------------------------------------------------- reclaim */

static void reclaims(struct hexo *h, unsigned int s)
{
	struct hxp_work *w = &h->w;
	const struct hxp_state *st = w->st;
	const struct hxp_server *srv = &st->servers[s];
	unsigned int idle = srv->cores - w->srv_busy[s];

	if (srv->free_for_s < w->p->reclaim_after_s) {
		hxp_work_why(w, s, "%u idle cores for %.0f s: reclaims wait for %.0f s", idle,
			     srv->free_for_s, w->p->reclaim_after_s);
		return;
	}
	while (hxp_work_reclaim_room(w, s)) {
		unsigned int i, best = UINT_MAX, mine = 0, held = 0;
		double g, best_g = -INFINITY;
		char est[48];

		for (i = 0; i < st->nr_vms; i++) {
			if (w->where[i] != HXP_ON_BOARD || st->vms[i].home != s ||
			    !st->boards[w->node[i]].present)
				continue;
			mine++;
			if (hxp_work_held(w, i)) {
				held++;
				continue;
			}
			g = reclaim_gain(h, i);
			if (g > best_g) {
				best_g = g;
				best = i;
			}
		}
		idle = srv->cores - w->srv_busy[s];
		if (best == UINT_MAX) {
			if (!w->acted[s])
				hxp_work_why(w, s, "%u idle cores for %.0f s: %u of its VMs on "
					     "boards, %u of them held", idle, srv->free_for_s,
					     mine, held);
			return;
		}
		if (best_g < w->p->min_gain) {
			if (!w->acted[s])
				hxp_work_why(w, s, "%u idle cores for %.0f s: the best reclaim, "
					     "vm %u, gains %.2f cores < %.2f", idle,
					     srv->free_for_s, st->vms[best].id, best_g,
					     w->p->min_gain);
			return;
		}
		estimate_str(h, best, est, sizeof(est));
		if (!hxp_work_add(w, HXP_RECLAIM, best, s, w->node[best], best_g,
				  "vm %u (%s %s) board %u -> server %u: %u idle cores for "
				  "%.0f s; on the board %.2f of a server core (%s)%s; "
				  "gain %.2f cores over %.0f s", st->vms[best].id,
				  st->vms[best].kernel, st->vms[best].cls, w->node[best], s,
				  idle, srv->free_for_s,
				  h->est[best].ratio * (w->swapping[best] ? h->est[best].swap : 1),
				  est, w->swapping[best] ? ", swapping" : "", best_g,
				  w->p->horizon_s))
			return;
		hxp_work_reclaim(w, best);
	}
}

/* --------------------------------------------------------------- offload */

struct pick {
	unsigned int vm, board;
	bool swap;
	double gain, speed;
};

/*
 * The best offload from over-committed server only (UINT_MAX: any). Counts
 * what kept VMs out, for the reason when nothing goes.
 */
static bool best_offload(const struct hexo *h, unsigned int only, struct pick *best,
			 unsigned int *held, unsigned int *unknown, unsigned int *no_room)
{
	const struct hxp_work *w = &h->w;
	const struct hxp_state *st = w->st;
	unsigned int i, b;

	*held = *unknown = *no_room = 0;
	best->vm = UINT_MAX;
	best->gain = -INFINITY;
	for (i = 0; i < st->nr_vms; i++) {
		unsigned int s = w->node[i];
		bool fits = false;

		if (w->where[i] != HXP_ON_SERVER || (only != UINT_MAX && s != only) ||
		    w->srv_busy[s] <= st->servers[s].cores)
			continue;
		if (hxp_work_held(w, i)) {
			(*held)++;
			continue;
		}
		if (h->est[i].src == HXP_EST_NONE) {
			(*unknown)++;
			continue;
		}
		for (b = 0; b < st->nr_boards; b++) {
			int fit = hxp_work_fit(w, i, b);
			double g, speed;

			if (fit < 0)
				continue;
			fits = true;
			g = offload_gain(h, i, b, fit == 1, &speed);
			if (g > best->gain) {
				*best = (struct pick){ .vm = i, .board = b, .swap = fit == 1,
						       .gain = g, .speed = speed };
			}
		}
		if (!fits)
			(*no_room)++;
	}
	return best->vm != UINT_MAX;
}

static void offloads(struct hexo *h)
{
	struct hxp_work *w = &h->w;
	const struct hxp_state *st = w->st;
	unsigned int held, unknown, no_room, s;
	struct pick pk;

	while (best_offload(h, UINT_MAX, &pk, &held, &unknown, &no_room) &&
	       pk.gain >= w->p->min_gain) {
		const struct hxp_vm *v = &st->vms[pk.vm];
		unsigned int from = w->node[pk.vm];
		char est[48];

		estimate_str(h, pk.vm, est, sizeof(est));
		if (!hxp_work_add(w, HXP_OFFLOAD, pk.vm, from, pk.board, pk.gain,
				  "vm %u (%s %s) server %u -> board %u: %u vCPUs on %u cores; "
				  "on the board %.2f of a server core (%s)%s; move %.1f s; "
				  "gain %.2f cores over %.0f s", v->id, v->kernel, v->cls, from,
				  pk.board, w->srv_busy[from], st->servers[from].cores, pk.speed,
				  est, pk.swap ? ", with Netswap" : "",
				  hxp_move_cost_s(v->mem, w->p), pk.gain, w->p->horizon_s))
			return;
		hxp_work_offload(w, pk.vm, pk.board, pk.swap);
	}
	/* Why each over-committed server that moved nothing moved nothing. */
	for (s = 0; s < st->nr_servers; s++) {
		unsigned int n = w->srv_busy[s], cores = st->servers[s].cores;

		if (w->acted[s] || n <= cores)
			continue;
		if (best_offload(h, s, &pk, &held, &unknown, &no_room))
			hxp_work_why(w, s, "%u vCPUs on %u cores: the best offload, vm %u to "
				     "board %u, gains %.2f cores < %.2f", n, cores,
				     st->vms[pk.vm].id, pk.board, pk.gain, w->p->min_gain);
		else
			hxp_work_why(w, s, "%u vCPUs on %u cores: no VM can go (%u held, %u "
				     "without an estimate, %u fit on no board)", n, cores,
				     held, unknown, no_room);
	}
}

int hxp_decide(const struct hxp_state *st, const struct hxp_profile *prof,
	       const struct hxp_params *p, struct hxp_decision *out, unsigned int max)
{
	struct hexo h = { .prof = prof };
	unsigned int i, s;
	int ret;

	ret = hxp_work_init(&h.w, st, p, out, max);
	if (ret)
		return ret;
	h.est = calloc(st->nr_vms + 1, sizeof(*h.est));
	if (!h.est) {
		hxp_work_free(&h.w);
		return -ENOMEM;
	}
	for (i = 0; i < st->nr_vms; i++)
		hxp_estimate(&st->vms[i], prof, p, &h.est[i]);

	hxp_work_lost(&h.w);
	for (s = 0; s < st->nr_servers; s++)
		if (h.w.srv_busy[s] < st->servers[s].cores)
			reclaims(&h, s);
	offloads(&h);
	ret = hxp_work_finish(&h.w);

	free(h.est);
	hxp_work_free(&h.w);
	return ret;
}

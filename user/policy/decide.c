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
 *     than hold_s ago (a probe: probe_s);
 *  5. a VM without an estimate goes only as a probe, judged at probe_ratio
 *     with the move back counted too, only where it fits in RAM, and only
 *     once its rate here is measured: once it ran there its rates are
 *     measured on both ISAs, and the rules go by them;
 *  6. a VM on a board whose home server has no idle core gives its place
 *     to one waiting on an over-committed server that would do more there,
 *     by min_gain after the cost of both moves (an exchange): a probe that
 *     measured badly, or a profile proven wrong, is undone so. (A VM whose
 *     home has an idle core is rule 2's, after its wait.)
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

/* VM i's speed per board core share: what hxp_share() multiplies. */
static double vm_board_term(const struct hexo *h, unsigned int i, bool swap)
{
	const struct hxp_estimate *e = &h->est[i];

	return h->w.st->vms[i].vcpus * e->ratio * (swap ? e->swap : 1.0);
}

/* VM i's speed on board b while the board runs n vCPUs. */
static double vm_board_speed(const struct hexo *h, unsigned int i, unsigned int b,
			     unsigned int n, bool swap)
{
	return vm_board_term(h, i, swap) * hxp_share(n, h->w.st->boards[b].cores);
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

/*
 * Whether VM i can go to a board: with an estimate, or as a probe once its
 * rate here is known (else the probe could never be measured against it).
 */
static bool movable(const struct hexo *h, unsigned int i)
{
	const struct hxp_estimate *e = &h->est[i];

	if (e->src == HXP_EST_PRIOR)
		return h->w.st->vms[i].rate[HXP_ISA_X86_64] > 0;
	return e->src != HXP_EST_NONE;
}

/* The moves an offload of VM i costs: two for a probe, which may come back. */
static unsigned int moves(const struct hexo *h, unsigned int i)
{
	return h->est[i].src == HXP_EST_PRIOR ? 2 : 1;
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
	return d - *speed * moves(h, i) * hxp_move_cost_s(v->mem, w->p) / w->p->horizon_s;
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
		if (!movable(h, i)) {
			(*unknown)++;
			continue;
		}
		for (b = 0; b < st->nr_boards; b++) {
			int fit = hxp_work_fit(w, i, b);
			double g, speed;

			/* A probe measures the VM in RAM, not its Netswap. */
			if (fit < 0 || (fit == 1 && h->est[i].src == HXP_EST_PRIOR))
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

static enum hxp_action action(const struct hexo *h, unsigned int i)
{
	return h->est[i].src == HXP_EST_PRIOR ? HXP_PROBE : HXP_OFFLOAD;
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
		if (!hxp_work_add(w, action(h, pk.vm), pk.vm, from, pk.board, pk.gain,
				  "vm %u (%s %s) server %u -> board %u: %u vCPUs on %u cores; "
				  "on the board %.2f of a server core (%s)%s; %s %.1f s; "
				  "gain %.2f cores over %.0f s", v->id, v->kernel, v->cls, from,
				  pk.board, w->srv_busy[from], st->servers[from].cores, pk.speed,
				  est, pk.swap ? ", with Netswap" : "",
				  moves(h, pk.vm) > 1 ? "a probe, it may come back: moves" : "move",
				  moves(h, pk.vm) * hxp_move_cost_s(v->mem, w->p), pk.gain,
				  w->p->horizon_s))
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

/* --------------------------------------------------------------- exchange */

struct swap_pick {
	unsigned int x, y;	/* x leaves board w->node[x], y takes its place */
	bool swap;
	double gain, speed;
};

/*
 * Rule 6's gain: x goes home from its board, y comes there from its server.
 * rest: the terms of the VMs on x's board but x (the same for every y).
 */
static double exchange_gain(const struct hexo *h, unsigned int x, unsigned int y, bool swap,
			    double rest, double *speed)
{
	const struct hxp_work *w = &h->w;
	const struct hxp_vm *vx = &w->st->vms[x], *vy = &w->st->vms[y];
	unsigned int b = w->node[x], hx = vx->home, sy = w->node[y];
	unsigned int cores = w->st->boards[b].cores;
	unsigned int nb = w->brd_busy[b], n2 = nb - vx->vcpus + vy->vcpus;
	double sx = vm_board_term(h, x, w->swapping[x]) * hxp_share(nb, cores);
	double d, lost, back;

	*speed = vm_board_term(h, y, swap) * hxp_share(n2, cores);
	d = *speed + rest * hxp_share(n2, cores) - rest * hxp_share(nb, cores) - sx;
	if (hx == sy) {
		unsigned int ns = w->srv_busy[sy];

		back = server_speeds(h, sy, ns + vx->vcpus - vy->vcpus) - server_speeds(h, sy, ns);
		d += back;
	} else {
		back = server_speeds(h, hx, w->srv_busy[hx] + vx->vcpus) -
		       server_speeds(h, hx, w->srv_busy[hx]);
		d += back + server_speeds(h, sy, w->srv_busy[sy] - vy->vcpus) -
		     server_speeds(h, sy, w->srv_busy[sy]);
	}
	/*
	 * One move after the other: the board runs neither VM while x moves
	 * and while y does (twice, if y is a probe), and x adds its server
	 * speed (0 on a full server) only once it is back.
	 */
	lost = *speed * (hxp_move_cost_s(vx->mem, w->p) +
			 moves(h, y) * hxp_move_cost_s(vy->mem, w->p)) +
	       back * hxp_move_cost_s(vx->mem, w->p);
	return d - lost / w->p->horizon_s;
}

/* Whether y fits on x's board once x is gone: 0 in RAM, 1 with Netswap, -1 not. */
static int exchange_fit(const struct hexo *h, unsigned int x, unsigned int y)
{
	const struct hxp_work *w = &h->w;
	unsigned int b = w->node[x];
	uint64_t mem = w->brd_mem[b] + (w->swapping[x] ? 0 : w->st->vms[x].mem);
	uint64_t need = w->st->vms[y].mem;

	if (need <= mem)
		return 0;
	if (h->est[y].src == HXP_EST_PRIOR)
		return -1;	/* a probe measures the VM in RAM */
	return need - mem <= w->brd_swap[b] ? 1 : -1;
}

static bool best_exchange(const struct hexo *h, struct swap_pick *best)
{
	const struct hxp_work *w = &h->w;
	const struct hxp_state *st = w->st;
	unsigned int x, y;

	best->x = UINT_MAX;
	best->gain = -INFINITY;
	for (x = 0; x < st->nr_vms; x++) {
		double rest = 0;
		unsigned int i;

		/*
		 * A probe not measured yet is not judged at its prior; a VM
		 * whose home has an idle core is rule 2's.
		 */
		if (w->where[x] != HXP_ON_BOARD || !st->boards[w->node[x]].present ||
		    hxp_work_held(w, x) || h->est[x].src == HXP_EST_NONE ||
		    h->est[x].src == HXP_EST_PRIOR ||
		    w->srv_busy[st->vms[x].home] < st->servers[st->vms[x].home].cores)
			continue;
		for (i = 0; i < st->nr_vms; i++)
			if (i != x && w->where[i] == HXP_ON_BOARD && w->node[i] == w->node[x])
				rest += vm_board_term(h, i, w->swapping[i]);
		for (y = 0; y < st->nr_vms; y++) {
			unsigned int s = w->node[y];
			double g, speed;
			int fit;

			if (w->where[y] != HXP_ON_SERVER || w->srv_busy[s] <= st->servers[s].cores ||
			    hxp_work_held(w, y) || !movable(h, y))
				continue;
			fit = exchange_fit(h, x, y);
			if (fit < 0)
				continue;
			g = exchange_gain(h, x, y, fit == 1, rest, &speed);
			if (g > best->gain)
				*best = (struct swap_pick){ .x = x, .y = y, .swap = fit == 1,
							    .gain = g, .speed = speed };
		}
	}
	return best->x != UINT_MAX;
}

static void exchanges(struct hexo *h)
{
	struct hxp_work *w = &h->w;
	const struct hxp_state *st = w->st;
	struct swap_pick pk;

	/* Both halves or neither: a reclaim alone would gain nothing. */
	while (w->n + 2 <= w->max && best_exchange(h, &pk) && pk.gain >= w->p->min_gain) {
		const struct hxp_vm *vx = &st->vms[pk.x], *vy = &st->vms[pk.y];
		unsigned int b = w->node[pk.x], from = w->node[pk.y];
		double sx = vm_board_speed(h, pk.x, b, w->brd_busy[b], w->swapping[pk.x]);
		char ex[48], ey[48];

		estimate_str(h, pk.x, ex, sizeof(ex));
		estimate_str(h, pk.y, ey, sizeof(ey));
		if (!hxp_work_add(w, HXP_RECLAIM, pk.x, vx->home, b, pk.gain,
				  "vm %u (%s %s) board %u -> server %u: an exchange, vm %u "
				  "(%s %s) takes its place; there it does %.2f of a server "
				  "core (%s), vm %u would do %.2f (%s); gain %.2f cores over "
				  "%.0f s", vx->id, vx->kernel, vx->cls, b, vx->home, vy->id,
				  vy->kernel, vy->cls, sx, ex, vy->id, pk.speed, ey, pk.gain,
				  w->p->horizon_s))
			return;
		hxp_work_reclaim(w, pk.x);
		if (!hxp_work_add(w, action(h, pk.y), pk.y, from, b, pk.gain,
				  "vm %u (%s %s) server %u -> board %u: an exchange, in vm "
				  "%u's place; on the board %.2f of a server core (%s)%s%s; "
				  "gain %.2f cores over %.0f s", vy->id, vy->kernel, vy->cls,
				  from, b, vx->id, pk.speed, ey, pk.swap ? ", with Netswap" : "",
				  moves(h, pk.y) > 1 ? "; a probe, it may come back" : "",
				  pk.gain, w->p->horizon_s))
			return;
		hxp_work_offload(w, pk.y, b, pk.swap);
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
	for (i = 0; i < st->nr_vms; i++) {
		hxp_estimate(&st->vms[i], prof, p, &h.est[i]);
		hxp_estimate_prior(p, &h.est[i]);
	}

	hxp_work_lost(&h.w);
	for (s = 0; s < st->nr_servers; s++)
		if (h.w.srv_busy[s] < st->servers[s].cores)
			reclaims(&h, s);
	offloads(&h);
	exchanges(&h);
	ret = hxp_work_finish(&h.w);

	free(h.est);
	hxp_work_free(&h.w);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hexosim's discrete-event simulation (Documentation/policy.rst, "The
 * simulator"). Time jumps from one event to the next: a job arrives, a job
 * ends, a move ends, the policy's tick. Between two events nothing changes
 * where anything runs, so every running job progresses at one speed:
 *
 *	its true rate on that ISA * its share of the node's cores
 *	(* the swap factor on a board, if part of it is in Netswap)
 *
 * and every node draws one power. The jobs (arrival, kernel, length, true
 * rates) are drawn from the seed before the run, so every policy sees the
 * same jobs.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum job_state {
	JOB_WAITING,	/* not arrived yet */
	JOB_SERVER,
	JOB_BOARD,
	JOB_MOVING,	/* to node on `to`, until move_end; runs nowhere */
	JOB_DONE,
};

struct job {
	const struct hxp_prof_entry *e;
	double arrive, work, done;		/* work and done: iterations */
	double rate_x86, rate_arm, swapf, llc;	/* the truth */
	uint64_t mem;
	enum job_state st;
	enum hxp_where to;
	unsigned int node, home;
	int mem_board;				/* the board holding its memory */
	uint64_t ram, swap;			/* its memory there */
	double move_end;
	bool ran_x86, ran_arm;			/* its rate there is measured */
	bool unknown;				/* kernel and class hidden from the policy */
	bool probe;				/* on (or to) a board for a probe */
};

struct sim {
	const struct hxp_sim_config *c;
	enum hxp_sim_policy pol;
	unsigned int nb;			/* boards: none for server-only */
	struct job *jobs;
	double *speed;				/* per job, iterations/s */
	unsigned int *srv_run, *srv_in;		/* running on, moving to */
	unsigned int *brd_run;
	uint64_t *brd_ram, *brd_swap;		/* in use */
	double *idle_since;			/* per server, -1: not idle */
	double t;
	struct hxp_rand pol_rand;
	/* The policy's view, rebuilt at each tick. */
	struct hxp_server *servers;
	struct hxp_board *boards;
	struct hxp_vm *vms;
	unsigned int *vm_job;
	struct hxp_decision *dec;
	struct hxp_sim_result *r;
	char *err;
	size_t errlen;
};

static const char *const policy_names[HXP_SIM_NR_POLICY] = {
	[HXP_SIM_SERVER_ONLY] = "server-only",
	[HXP_SIM_HEXO] = "hexo",
	[HXP_SIM_LLC] = "llc",
	[HXP_SIM_RANDOM] = "random",
	[HXP_SIM_ORACLE] = "oracle",
};

const char *hxp_sim_policy_name(enum hxp_sim_policy pol)
{
	return pol < HXP_SIM_NR_POLICY ? policy_names[pol] : "?";
}

void hxp_sim_config_default(struct hxp_sim_config *c)
{
	*c = (struct hxp_sim_config){
		.servers = 4, .server_cores = 16,
		.boards = 16, .board_cores = 4,
		.board_mem = 3ull << 30, .board_swap = 4ull << 30,
		.jobs = 2000, .job_s = 600, .job_spread = 0.5, .noise = 0.15,
		.tick_s = 10, .seed = 1,
		/* Assumptions: see Documentation/policy.rst, "The power model". */
		.server_idle_w = 100, .server_busy_w = 300,
		/* Raspberry Pi 4 B at the wall, idle and stress-ng (ibid.). */
		.board_idle_w = 1.6, .board_busy_w = 5.0,
	};
	/* Offered load 1.5 times the servers' capacity. */
	c->arrival_s = c->job_s / (1.5 * c->servers * c->server_cores);
	hxp_params_default(&c->params);
}

static int __attribute__((format(printf, 2, 3))) sim_err(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, s->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool usable(const struct hxp_prof_entry *e)
{
	return e->rate[HXP_ISA_X86_64] > 0 && e->rate[HXP_ISA_ARM64] > 0 && e->mem;
}

/* Every job, drawn from the seed alone: the same for every policy. */
static int make_jobs(struct sim *s)
{
	const struct hxp_sim_config *c = s->c;
	const struct hxp_profile *prof = c->prof;
	double total = 0, arrive = 0, x;
	struct hxp_rand r, ru;
	unsigned int i, k;

	for (k = 0; k < prof->n; k++) {
		double w = c->weight ? c->weight[k] : 1.0;

		if (w > 0 && !usable(&prof->e[k]) && c->weight)
			return sim_err(s, "%s %s is in the mix, but the profile lacks its "
				       "x86_64 or arm64 rate, or mem=", prof->e[k].kernel,
				       prof->e[k].cls);
		if (usable(&prof->e[k]))
			total += w;
	}
	if (total <= 0)
		return sim_err(s, "no job to run: the profile has no kernel and class with "
			       "x86_64 and arm64 rates and mem= (in the mix)");
	hxp_rand_seed(&r, c->seed);
	hxp_rand_seed(&ru, c->seed ^ 0x0b5c0de5ull);
	for (i = 0; i < c->jobs; i++) {
		struct job *j = &s->jobs[i];
		const struct hxp_prof_entry *e = NULL;

		if (c->arrival_s > 0)
			arrive += hxp_rand_exp(&r, c->arrival_s);
		x = hxp_rand_unit(&r) * total;
		for (k = 0; k < prof->n; k++) {
			double w = c->weight ? c->weight[k] : 1.0;

			if (!usable(&prof->e[k]) || w <= 0)
				continue;
			e = &prof->e[k];
			if (x < w)
				break;
			x -= w;
		}
		*j = (struct job){ .e = e, .arrive = arrive, .mem = e->mem, .mem_board = -1,
				   .move_end = -HXP_NEVER };
		j->rate_x86 = e->rate[HXP_ISA_X86_64] * exp(c->noise * hxp_rand_normal(&r));
		j->rate_arm = e->rate[HXP_ISA_ARM64] * exp(c->noise * hxp_rand_normal(&r));
		j->llc = e->llc * exp(c->noise * hxp_rand_normal(&r));
		j->swapf = e->rate[HXP_ISA_ARM64_NETSWAP] > 0 ?
			   e->rate[HXP_ISA_ARM64_NETSWAP] / e->rate[HXP_ISA_ARM64] :
			   c->params.swap_factor;
		j->work = j->rate_x86 * c->job_s *
			  (1 + c->job_spread * (2 * hxp_rand_unit(&r) - 1));
		/* From a stream of its own: the jobs are the same for any share. */
		j->unknown = c->unknown > 0 && hxp_rand_unit(&ru) < c->unknown;
	}
	return 0;
}

static void job_speeds(struct sim *s)
{
	const struct hxp_sim_config *c = s->c;
	unsigned int i;

	for (i = 0; i < c->jobs; i++) {
		const struct job *j = &s->jobs[i];

		if (j->st == JOB_SERVER)
			s->speed[i] = j->rate_x86 * hxp_share(s->srv_run[j->node], c->server_cores);
		else if (j->st == JOB_BOARD)
			s->speed[i] = j->rate_arm * (j->swap ? j->swapf : 1.0) *
				      hxp_share(s->brd_run[j->node], c->board_cores);
		else
			s->speed[i] = 0;
	}
}

/* Each node: idle watts plus its busy cores' part of the difference to busy. */
static double power(const struct sim *s)
{
	const struct hxp_sim_config *c = s->c;
	double w = 0;
	unsigned int i;

	for (i = 0; i < c->servers; i++)
		w += c->server_idle_w + (c->server_busy_w - c->server_idle_w) *
		     fmin(s->srv_run[i], c->server_cores) / c->server_cores;
	for (i = 0; i < s->nb; i++)
		w += c->board_idle_w + (c->board_busy_w - c->board_idle_w) *
		     fmin(s->brd_run[i], c->board_cores) / c->board_cores;
	return w;
}

static void release_board_mem(struct sim *s, struct job *j)
{
	if (j->mem_board < 0)
		return;
	s->brd_ram[j->mem_board] -= j->ram;
	s->brd_swap[j->mem_board] -= j->swap;
	j->mem_board = -1;
	j->ram = j->swap = 0;
}

/* A new job goes to the server with the fewest vCPUs, the first of equals. */
static void arrive(struct sim *s, struct job *j)
{
	unsigned int i, best = 0;

	for (i = 1; i < s->c->servers; i++)
		if (s->srv_run[i] + s->srv_in[i] < s->srv_run[best] + s->srv_in[best])
			best = i;
	j->st = JOB_SERVER;
	j->node = j->home = best;
	s->srv_run[best]++;
}

static void move_end(struct sim *s, struct job *j)
{
	if (j->to == HXP_ON_BOARD) {
		j->st = JOB_BOARD;
		s->brd_run[j->node]++;
	} else {
		j->st = JOB_SERVER;
		s->srv_in[j->node]--;
		s->srv_run[j->node]++;
		release_board_mem(s, j);
	}
}

static void finish(struct sim *s, struct job *j)
{
	if (j->st == JOB_SERVER) {
		s->srv_run[j->node]--;
	} else {
		s->brd_run[j->node]--;
		release_board_mem(s, j);
	}
	j->st = JOB_DONE;
	s->r->jobs++;
	s->r->makespan_s = s->t;
}

/* ------------------------------------------------------------ the policy */

/* The state as the policy sees it; a job on the move is where it goes, held. */
static unsigned int build_state(struct sim *s, struct hxp_state *st)
{
	const struct hxp_sim_config *c = s->c;
	bool oracle = s->pol == HXP_SIM_ORACLE;
	unsigned int i, n = 0;

	for (i = 0; i < c->servers; i++) {
		bool idle = s->srv_run[i] + s->srv_in[i] < c->server_cores;

		if (!idle)
			s->idle_since[i] = -1;
		else if (s->idle_since[i] < 0)
			s->idle_since[i] = s->t;
		s->servers[i] = (struct hxp_server){ .cores = c->server_cores,
			.free_for_s = idle ? s->t - s->idle_since[i] : 0 };
	}
	for (i = 0; i < s->nb; i++)
		s->boards[i] = (struct hxp_board){ .cores = c->board_cores, .present = true,
			.mem_free = c->board_mem - s->brd_ram[i],
			.swap_free = c->board_swap - s->brd_swap[i] };
	for (i = 0; i < c->jobs; i++) {
		const struct job *j = &s->jobs[i];
		struct hxp_vm *v = &s->vms[n];

		if (j->st == JOB_WAITING || j->st == JOB_DONE)
			continue;
		*v = (struct hxp_vm){ .id = i, .vcpus = 1, .mem = j->mem, .llc = j->llc,
			.node = j->node, .home = j->home,
			/* Held from when it got there, as the daemon holds it. */
			.since_move_s = j->st == JOB_MOVING ? 0 : s->t - j->move_end };
		/*
		 * A job of a kernel the policy does not know: no profile entry
		 * is found for it (its LLC rate, where the profile has some,
		 * still is a signal).
		 */
		strcpy(v->kernel, j->unknown && !oracle ? "?" : j->e->kernel);
		strcpy(v->cls, j->e->cls);
		v->probe = j->probe;
		v->where = j->st == JOB_SERVER ? HXP_ON_SERVER :
			   j->st == JOB_BOARD ? HXP_ON_BOARD : j->to;
		v->swapping = v->where == HXP_ON_BOARD && j->swap;
		if (oracle || j->ran_x86)
			v->rate[HXP_ISA_X86_64] = j->rate_x86;
		if (oracle || (j->ran_arm && !j->swap))
			v->rate[HXP_ISA_ARM64] = j->rate_arm;
		if (oracle || (j->ran_arm && j->swap))
			v->rate[HXP_ISA_ARM64_NETSWAP] = j->rate_arm * j->swapf;
		s->vm_job[n++] = i;
	}
	*st = (struct hxp_state){ .servers = s->servers, .nr_servers = c->servers,
		.boards = s->boards, .nr_boards = s->nb, .vms = s->vms, .nr_vms = n,
		.seed = hxp_rand_u64(&s->pol_rand) };
	return n;
}

static int apply(struct sim *s, const struct hxp_decision *d)
{
	const struct hxp_sim_config *c = s->c;
	unsigned int id = s->vm_job[d->vm];
	struct job *j = &s->jobs[id];
	double cost = hxp_move_cost_s(j->mem, &c->params);

	if (d->action == HXP_OFFLOAD || d->action == HXP_PROBE) {
		uint64_t ram = c->board_mem - s->brd_ram[d->board];

		if (j->st != JOB_SERVER)
			return sim_err(s, "%s offloaded vm %u, which is not on a server",
				       policy_names[s->pol], id);
		j->ram = j->mem < ram ? j->mem : ram;
		j->swap = j->mem - j->ram;
		if (j->swap > c->board_swap - s->brd_swap[d->board])
			return sim_err(s, "%s offloaded vm %u to board %u, where it does not fit",
				       policy_names[s->pol], id, d->board);
		s->srv_run[j->node]--;
		s->brd_ram[d->board] += j->ram;
		s->brd_swap[d->board] += j->swap;
		j->mem_board = d->board;
		j->to = HXP_ON_BOARD;
		j->node = d->board;
		j->probe = d->action == HXP_PROBE;
		s->r->offloads++;
		s->r->probes += j->probe;
	} else if (d->action == HXP_RECLAIM) {
		if (j->st != JOB_BOARD)
			return sim_err(s, "%s reclaimed vm %u, which is not on a board",
				       policy_names[s->pol], id);
		s->brd_run[j->node]--;
		j->to = HXP_ON_SERVER;
		j->node = j->home;
		j->probe = false;
		s->srv_in[j->home]++;
		s->r->reclaims++;
	} else {
		return 0;
	}
	j->st = JOB_MOVING;
	j->move_end = s->t + cost;
	return 0;
}

static int decide(struct sim *s)
{
	static hxp_policy_fn *const fns[HXP_SIM_NR_POLICY] = {
		[HXP_SIM_HEXO] = hxp_decide, [HXP_SIM_LLC] = hxp_decide_llc,
		[HXP_SIM_RANDOM] = hxp_decide_random, [HXP_SIM_ORACLE] = hxp_decide,
	};
	struct hxp_state st;
	unsigned int n = build_state(s, &st), max = n + s->c->servers + 1;
	int i, nd;

	nd = fns[s->pol](&st, s->c->prof, &s->c->params, s->dec, max);
	if (nd < 0)
		return sim_err(s, "%s: %s", policy_names[s->pol], strerror(-nd));
	for (i = 0; i < nd; i++) {
		int ret = apply(s, &s->dec[i]);

		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------ the loop */

static int run(struct sim *s)
{
	const struct hxp_sim_config *c = s->c;
	unsigned int next = 0, i;	/* the next job to arrive */
	double next_tick = 0;

	while (s->r->jobs < c->jobs) {
		double dt = INFINITY;

		/* 1. Every job's speed as things stand. */
		job_speeds(s);
		/* 2. The next event. */
		if (next < c->jobs)
			dt = fmin(dt, s->jobs[next].arrive - s->t);
		if (s->pol != HXP_SIM_SERVER_ONLY)
			dt = fmin(dt, next_tick - s->t);
		for (i = 0; i < c->jobs; i++) {
			const struct job *j = &s->jobs[i];

			if (j->st == JOB_MOVING)
				dt = fmin(dt, j->move_end - s->t);
			else if (s->speed[i] > 0)
				dt = fmin(dt, (j->work - j->done) / s->speed[i]);
		}
		if (!isfinite(dt))
			return sim_err(s, "%s: at %.0f s, %u jobs left and none can run (a "
				       "node with no cores?)", policy_names[s->pol], s->t,
				       c->jobs - s->r->jobs);
		dt = fmax(dt, 0);
		/* 3. Everything runs for dt. */
		for (i = 0; i < c->jobs; i++) {
			struct job *j = &s->jobs[i];

			if (s->speed[i] <= 0 || dt <= 0)
				continue;
			j->done += s->speed[i] * dt;
			if (j->st == JOB_SERVER)
				j->ran_x86 = true;
			else
				j->ran_arm = true;
		}
		s->r->energy_j += power(s) * dt;
		s->t += dt;
		/* 4. What happens at the new time: ends, arrivals, the tick. */
		for (i = 0; i < c->jobs; i++) {
			struct job *j = &s->jobs[i];

			if ((j->st == JOB_SERVER || j->st == JOB_BOARD) &&
			    j->work - j->done <= 1e-9 * j->work)
				finish(s, j);
			else if (j->st == JOB_MOVING && j->move_end <= s->t)
				move_end(s, j);
		}
		while (next < c->jobs && s->jobs[next].arrive <= s->t)
			arrive(s, &s->jobs[next++]);
		if (s->pol != HXP_SIM_SERVER_ONLY && next_tick <= s->t) {
			int ret = decide(s);

			if (ret)
				return ret;
			next_tick += c->tick_s;
		}
	}
	s->r->jobs_per_h = s->r->makespan_s > 0 ? s->r->jobs / (s->r->makespan_s / 3600) : 0;
	s->r->jobs_per_kwh = s->r->energy_j > 0 ? s->r->jobs / (s->r->energy_j / 3.6e6) : 0;
	return 0;
}

static int check_config(struct sim *s)
{
	const struct hxp_sim_config *c = s->c;

	if (!c->servers || !c->server_cores)
		return sim_err(s, "at least one server with at least one core");
	if (c->boards && !c->board_cores)
		return sim_err(s, "boards need at least one core");
	if (!c->jobs)
		return sim_err(s, "no jobs");
	if (!(c->job_s > 0) || !(c->tick_s > 0) || c->arrival_s < 0 || c->noise < 0 ||
	    c->job_spread < 0 || c->job_spread >= 1)
		return sim_err(s, "job length and tick > 0, arrival and noise >= 0, "
			       "spread in [0, 1)");
	if (!(c->params.horizon_s > 0))
		return sim_err(s, "the policy's horizon must be > 0");
	if (!(c->unknown >= 0 && c->unknown <= 1))
		return sim_err(s, "the share of unknown jobs must be in [0, 1]");
	return 0;
}

int hxp_sim_run(const struct hxp_sim_config *c, enum hxp_sim_policy pol,
		struct hxp_sim_result *r, char *err, size_t errlen)
{
	struct sim s = { .c = c, .pol = pol, .r = r, .err = err, .errlen = errlen };
	unsigned int ns = c->servers + 1, nb, nj = c->jobs + 1, i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (pol >= HXP_SIM_NR_POLICY)
		return sim_err(&s, "no policy %u", pol);
	ret = check_config(&s);
	if (ret)
		return ret;
	s.nb = pol == HXP_SIM_SERVER_ONLY ? 0 : c->boards;
	nb = s.nb + 1;
	s.jobs = calloc(nj, sizeof(*s.jobs));
	s.speed = calloc(nj, sizeof(*s.speed));
	s.srv_run = calloc(ns, sizeof(*s.srv_run));
	s.srv_in = calloc(ns, sizeof(*s.srv_in));
	s.idle_since = calloc(ns, sizeof(*s.idle_since));
	s.brd_run = calloc(nb, sizeof(*s.brd_run));
	s.brd_ram = calloc(nb, sizeof(*s.brd_ram));
	s.brd_swap = calloc(nb, sizeof(*s.brd_swap));
	s.servers = calloc(ns, sizeof(*s.servers));
	s.boards = calloc(nb, sizeof(*s.boards));
	s.vms = calloc(nj, sizeof(*s.vms));
	s.vm_job = calloc(nj, sizeof(*s.vm_job));
	s.dec = calloc(nj + ns, sizeof(*s.dec));
	if (!s.jobs || !s.speed || !s.srv_run || !s.srv_in || !s.idle_since || !s.brd_run ||
	    !s.brd_ram || !s.brd_swap || !s.servers || !s.boards || !s.vms || !s.vm_job ||
	    !s.dec) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < c->servers; i++)
		s.idle_since[i] = -1;
	hxp_rand_seed(&s.pol_rand, c->seed ^ 0x5eedf00dull);
	ret = make_jobs(&s);
	if (!ret)
		ret = run(&s);
out:
	free(s.jobs);
	free(s.speed);
	free(s.srv_run);
	free(s.srv_in);
	free(s.idle_since);
	free(s.brd_run);
	free(s.brd_ram);
	free(s.brd_swap);
	free(s.servers);
	free(s.boards);
	free(s.vms);
	free(s.vm_job);
	free(s.dec);
	return ret;
}

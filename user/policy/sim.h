/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hexosim's simulation (sim.c) and what feeds it (offcost.c): a deployment
 * of servers and boards, a job mix arriving over time, one policy deciding
 * (Documentation/policy.rst, "The simulator").
 */
#ifndef _HEXO_POLICY_SIM_H
#define _HEXO_POLICY_SIM_H

#include "policy.h"

enum hxp_sim_policy {
	HXP_SIM_SERVER_ONLY,	/* no boards at all */
	HXP_SIM_HEXO,		/* hxp_decide() on what the daemon would know */
	HXP_SIM_LLC,		/* hxp_decide_llc() */
	HXP_SIM_RANDOM,		/* hxp_decide_random() */
	HXP_SIM_ORACLE,		/* hxp_decide() on every job's true rates */
	HXP_SIM_NR_POLICY,
};

const char *hxp_sim_policy_name(enum hxp_sim_policy pol);

struct hxp_sim_config {
	unsigned int servers, server_cores;
	unsigned int boards, board_cores;
	uint64_t board_mem;		/* RAM for VMs per board, bytes */
	uint64_t board_swap;		/* Netswap capacity per board, bytes */
	unsigned int jobs;
	double arrival_s;		/* mean time between arrivals; 0: all at 0 */
	double job_s;			/* mean job length alone on a server core */
	double job_spread;		/* lengths uniform in job_s * (1 +- spread) */
	double noise;			/* log-normal deviation of a job's rates */
	double unknown;			/* share of jobs whose kernel the policy
					 * does not know, in [0, 1] */
	double tick_s;			/* the policy decides every tick_s */
	uint64_t seed;
	double server_idle_w, server_busy_w;	/* per server */
	double board_idle_w, board_busy_w;	/* per board */
	const struct hxp_profile *prof;
	const double *weight;		/* per profile entry; NULL: all usable alike */
	struct hxp_params params;
};

/* The defaults: Documentation/policy.rst says where each comes from. */
void hxp_sim_config_default(struct hxp_sim_config *c);

struct hxp_sim_result {
	unsigned int jobs, offloads, reclaims;
	unsigned int probes;		/* of the offloads */
	double makespan_s;	/* the last job's end */
	double energy_j;
	double jobs_per_h, jobs_per_kwh;
};

/*
 * Runs the simulation with one policy: 0, or -EINVAL with err saying why
 * (no usable profile entry, a bad parameter), -ENOMEM.
 */
int hxp_sim_run(const struct hxp_sim_config *c, enum hxp_sim_policy pol,
		struct hxp_sim_result *r, char *err, size_t errlen);

/*
 * Offload costs from a `make bench-offload` run (results.jsonl): the median
 * post-copy downtime and the median rate of the pages moved after the
 * hand-off. 0, -errno, or -EINVAL with err naming the file and line.
 */
struct hxp_offcost {
	double downtime_s;
	double link_bps;
	unsigned int offloads;	/* post-copy offloads read */
	unsigned int errors;	/* the run's ERROR lines */
};

int hxp_offcost_parse(const char *text, const char *name, struct hxp_offcost *oc,
		      char *err, size_t errlen);
int hxp_offcost_load(const char *path, struct hxp_offcost *oc, char *err, size_t errlen);

#endif /* _HEXO_POLICY_SIM_H */

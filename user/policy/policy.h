/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The offload policy: which VMs go from the x86_64 servers to the arm64
 * boards, and which come back (Documentation/policy.rst).
 *
 * Everything here is pure: a decision is a function of a described state
 * (struct hxp_state), the calibration profile and the parameters, with no
 * I/O, no clock and no netlink, so that the simulator (hexosim) and the
 * live daemon run the very same code. Only hxp_profile_load() reads a file.
 */
#ifndef _HEXO_POLICY_H
#define _HEXO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HXP_NAME_MAX	16	/* a kernel's or class's name, with its NUL */
#define HXP_REASON_MAX	192
#define HXP_NEVER	1e18	/* since_move_s of a VM never moved */

/*
 * Where a rate was measured. ARM64_NETSWAP: on a board with part of the
 * VM's memory swapped to Netswap.
 */
enum hxp_isa {
	HXP_ISA_X86_64,
	HXP_ISA_ARM64,
	HXP_ISA_ARM64_NETSWAP,
	HXP_NR_ISA,
};

const char *hxp_isa_name(enum hxp_isa isa);

/* ------------------------------------------------------------ profile */

/*
 * One kernel and class of the calibration profile (profile.c). Rates are
 * iterations per second of CPU time the VM's vCPU got, so that they do not
 * depend on how contended the node was; 0 where not given.
 */
struct hxp_prof_entry {
	char kernel[HXP_NAME_MAX];
	char cls[HXP_NAME_MAX];
	double rate[HXP_NR_ISA];
	unsigned int line[HXP_NR_ISA];	/* where each rate was given */
	double llc;			/* LLC references/s on x86_64, 0: none */
	uint64_t mem;			/* the VM's memory, bytes; 0: not given */
	unsigned int mem_line;
};

struct hxp_profile {
	struct hxp_prof_entry *e;
	unsigned int n, cap;
};

/*
 * Parses a profile from text (NUL-terminated); name is what errors call it.
 * 0, or -EINVAL with "NAME:LINE: what is wrong" in err, or -ENOMEM. Adds to
 * what prof holds (zero it first); hxp_profile_free() in every case.
 */
int hxp_profile_parse(struct hxp_profile *prof, const char *text, const char *name,
		      char *err, size_t errlen);
/* The same from a file: 0, -errno (err says which file), -EINVAL, -ENOMEM. */
int hxp_profile_load(struct hxp_profile *prof, const char *path, char *err, size_t errlen);
void hxp_profile_free(struct hxp_profile *prof);
const struct hxp_prof_entry *hxp_profile_find(const struct hxp_profile *prof,
					      const char *kernel, const char *cls);

/* ------------------------------------------------------------ state */

struct hxp_server {
	unsigned int cores;
	unsigned int other;	/* busy vCPUs that are not VMs of this state */
	double free_for_s;	/* how long it has had an idle core, 0: none now */
};

struct hxp_board {
	unsigned int cores;
	bool present;		/* false: gone (link down, board off) */
	uint64_t mem_free;	/* RAM free for another VM, bytes */
	uint64_t swap_free;	/* Netswap capacity left, bytes */
};

enum hxp_where {
	HXP_ON_SERVER,
	HXP_ON_BOARD,
};

struct hxp_vm {
	unsigned int id;		/* the caller's name for it (hexo_kvm's id) */
	char kernel[HXP_NAME_MAX];
	char cls[HXP_NAME_MAX];
	unsigned int vcpus;
	uint64_t mem;			/* bytes */
	double rate[HXP_NR_ISA];	/* measured, iterations/CPU-second; 0: not */
	double llc;			/* LLC references/s measured on x86_64; 0: no PMU */
	enum hxp_where where;
	unsigned int node;		/* index into servers[] or boards[] */
	unsigned int home;		/* the server a reclaim brings it back to */
	bool swapping;			/* on a board, part of it in Netswap */
	bool probe;			/* on a board for a probe (HXP_PROBE) */
	double since_move_s;		/* HXP_NEVER if never moved */
};

struct hxp_state {
	const struct hxp_server *servers;
	unsigned int nr_servers;
	const struct hxp_board *boards;
	unsigned int nr_boards;
	const struct hxp_vm *vms;
	unsigned int nr_vms;
	uint64_t seed;			/* the random policy's draw; others ignore it */
};

/* ------------------------------------------------------------ parameters */

struct hxp_params {
	double hold_s;		/* a VM moved is not moved again for this long */
	double horizon_s;	/* a move's gain is counted over this long */
	double min_gain;	/* in server cores: move only for at least this */
	double reclaim_after_s;	/* a server's idle core must have lasted this long */
	double downtime_s;	/* offload cost: the time a VM stands still */
	double link_bps;	/* offload cost: bytes/s the VM's memory moves at */
	double swap_factor;	/* speed kept while swapping, with nothing measured */
	double probe_s;		/* a probe's hold; 0: no probes */
	double probe_ratio;	/* what a probe's gain is judged at, before it ran */
};

void hxp_params_default(struct hxp_params *p);

/* ------------------------------------------------------------ the model */

enum hxp_source {
	HXP_EST_NONE,		/* nothing to go by: not offloaded */
	HXP_EST_MEASURED,	/* the VM's own rates on both ISAs */
	HXP_EST_PROFILE,	/* the profile's rates for its kernel and class */
	HXP_EST_LLC,		/* the profile entry nearest in LLC references/s */
	HXP_EST_PRIOR,		/* none of those: probe_ratio, until a probe measures */
};

const char *hxp_source_name(enum hxp_source src);

/*
 * A VM's speed on a board as a fraction of its speed on a server core, per
 * core: ratio without swapping, ratio * swap when part of it is in Netswap.
 */
struct hxp_estimate {
	enum hxp_source src;
	double ratio;
	double swap;
	const struct hxp_prof_entry *near;	/* HXP_EST_LLC: the entry used */
};

void hxp_estimate(const struct hxp_vm *vm, const struct hxp_profile *prof,
		  const struct hxp_params *p, struct hxp_estimate *est);
/*
 * What a policy that probes goes by where hxp_estimate() found nothing: a
 * prior, probe_ratio, and the move there is a probe (p->probe_s > 0).
 */
void hxp_estimate_prior(const struct hxp_params *p, struct hxp_estimate *est);
/* The share of a core each of n runnable vCPUs gets on cores cores. */
double hxp_share(unsigned int n, unsigned int cores);
/* Seconds an offload or reclaim of mem bytes keeps a VM from running. */
double hxp_move_cost_s(uint64_t mem, const struct hxp_params *p);

/* ------------------------------------------------------------ decisions */

enum hxp_action {
	HXP_NOTHING,	/* server: why nothing moves (no VM) */
	HXP_OFFLOAD,	/* vm to board */
	HXP_RECLAIM,	/* vm from board back to its home server */
	HXP_LOST,	/* vm was on board, which is gone */
	HXP_PROBE,	/* vm to board, to measure its rate there: an offload */
};

const char *hxp_action_name(enum hxp_action a);

struct hxp_decision {
	enum hxp_action action;
	unsigned int vm;	/* index into vms[] (not NOTHING) */
	unsigned int server;	/* OFFLOAD, PROBE: from; RECLAIM, LOST: home;
				 * NOTHING: which */
	unsigned int board;	/* OFFLOAD, PROBE: to; RECLAIM, LOST: from */
	double gain;		/* predicted, server cores over the horizon */
	char reason[HXP_REASON_MAX];
};

/*
 * A policy: fills out[] with at most max decisions, in the order to carry
 * them out, and returns how many, or -EINVAL (the state is inconsistent:
 * a node index out of range) or -ENOMEM.
 */
typedef int hxp_policy_fn(const struct hxp_state *st, const struct hxp_profile *prof,
			  const struct hxp_params *p, struct hxp_decision *out,
			  unsigned int max);

/* HEXO's policy: predicted gain, costs, memory and hysteresis (decide.c). */
hxp_policy_fn hxp_decide;
/* The prototype's heuristic: lowest LLC references/s first (baseline.c). */
hxp_policy_fn hxp_decide_llc;
/* Any VM to any board that has room, drawn with st->seed (baseline.c). */
hxp_policy_fn hxp_decide_random;

/* ------------------------------------------------------------ randomness */

/* A seeded generator (splitmix64): the same seed gives the same stream. */
struct hxp_rand {
	uint64_t s;
};

void hxp_rand_seed(struct hxp_rand *r, uint64_t seed);
uint64_t hxp_rand_u64(struct hxp_rand *r);
double hxp_rand_unit(struct hxp_rand *r);	/* [0, 1) */
double hxp_rand_exp(struct hxp_rand *r, double mean);
double hxp_rand_normal(struct hxp_rand *r);	/* mean 0, deviation 1 */

#endif /* _HEXO_POLICY_H */

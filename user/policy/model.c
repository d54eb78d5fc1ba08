// SPDX-License-Identifier: GPL-2.0
/*
 * The model: how fast a VM would run on a board, relative to a server
 * core, and what moving it costs (Documentation/policy.rst, "The model").
 *
 * The estimate comes from the best signal there is, in this order:
 *  1. the VM's own progress rates, measured on both ISAs (it ran on a
 *     board before: an offload, or a probe);
 *  2. the profile's rates for its kernel and class (the calibration);
 *  3. its LLC references per second on the server, where the server has a
 *     PMU: the profile entry nearest to it in log(LLC references/s).
 * With none of them there is no estimate. HEXO's policy then goes by a
 * prior (hxp_estimate_prior()), and moves the VM to a board only as a probe,
 * to measure it: the first of the two moves counts the second as its cost.
 */
#include <math.h>

#include "policy.h"

void hxp_params_default(struct hxp_params *p)
{
	*p = (struct hxp_params){
		.hold_s = 120,
		.horizon_s = 300,
		.min_gain = 0.05,
		.reclaim_after_s = 30,
		/*
		 * Documentation/offload-bench.rst (testbed, QEMU TCG): post-copy
		 * downtime 114 ms median at 256 MiB, the background pull
		 * 9.7 MB/s median at 64 MiB.
		 */
		.downtime_s = 0.114,
		.link_bps = 9.7e6,
		/* An assumption until Netswap runs are calibrated. */
		.swap_factor = 0.5,
		/*
		 * A probe is held on its board long enough for a few of the
		 * daemon's rate samples (0.2 CPU-s apart at least). Before it
		 * ran there, a VM is judged as if a board core gave it a
		 * quarter of a server core: below every kernel and class the
		 * testbed's calibration measured (0.76 to 1.32), so that a
		 * probe goes only where even a slow kernel pays.
		 */
		.probe_s = 20,
		.probe_ratio = 0.25,
	};
}

const char *hxp_source_name(enum hxp_source src)
{
	switch (src) {
	case HXP_EST_MEASURED: return "measured";
	case HXP_EST_PROFILE: return "profile";
	case HXP_EST_LLC: return "llc";
	case HXP_EST_PRIOR: return "prior";
	default: return "none";
	}
}

double hxp_share(unsigned int n, unsigned int cores)
{
	return n <= cores ? 1.0 : (double)cores / n;
}

/*
 * Counted as time the VM makes no progress at all: the downtime, then its
 * memory at the rate the bench measured. Post-copy runs the VM on the
 * board while its memory follows, so this overstates the cost.
 */
double hxp_move_cost_s(uint64_t mem, const struct hxp_params *p)
{
	return p->downtime_s + (p->link_bps > 0 ? (double)mem / p->link_bps : 0);
}

/* Speed kept while swapping: measured, else the profile's, else the default. */
static double swap_factor(const struct hxp_vm *vm, const struct hxp_prof_entry *e,
			  const struct hxp_params *p)
{
	if (vm->rate[HXP_ISA_ARM64] > 0 && vm->rate[HXP_ISA_ARM64_NETSWAP] > 0)
		return vm->rate[HXP_ISA_ARM64_NETSWAP] / vm->rate[HXP_ISA_ARM64];
	if (e && e->rate[HXP_ISA_ARM64] > 0 && e->rate[HXP_ISA_ARM64_NETSWAP] > 0)
		return e->rate[HXP_ISA_ARM64_NETSWAP] / e->rate[HXP_ISA_ARM64];
	return p->swap_factor;
}

static bool has_both(const struct hxp_prof_entry *e)
{
	return e->rate[HXP_ISA_X86_64] > 0 && e->rate[HXP_ISA_ARM64] > 0;
}

/* The entry with both rates and an LLC rate nearest to llc, in log scale. */
static const struct hxp_prof_entry *nearest_llc(const struct hxp_profile *prof, double llc)
{
	const struct hxp_prof_entry *best = NULL;
	double best_d = INFINITY;
	unsigned int i;

	for (i = 0; prof && i < prof->n; i++) {
		const struct hxp_prof_entry *e = &prof->e[i];
		double d;

		if (!has_both(e) || e->llc <= 0)
			continue;
		d = fabs(log(e->llc / llc));
		if (d < best_d) {
			best_d = d;
			best = e;
		}
	}
	return best;
}

void hxp_estimate(const struct hxp_vm *vm, const struct hxp_profile *prof,
		  const struct hxp_params *p, struct hxp_estimate *est)
{
	const struct hxp_prof_entry *e = hxp_profile_find(prof, vm->kernel, vm->cls);

	*est = (struct hxp_estimate){ .src = HXP_EST_NONE };
	if (vm->rate[HXP_ISA_X86_64] > 0 && vm->rate[HXP_ISA_ARM64] > 0) {
		est->src = HXP_EST_MEASURED;
		est->ratio = vm->rate[HXP_ISA_ARM64] / vm->rate[HXP_ISA_X86_64];
	} else if (vm->rate[HXP_ISA_X86_64] > 0 && vm->rate[HXP_ISA_ARM64_NETSWAP] > 0 &&
		   e && e->rate[HXP_ISA_ARM64] > 0 && e->rate[HXP_ISA_ARM64_NETSWAP] > 0) {
		/* Only ever measured swapping: undo the profile's swap factor. */
		est->src = HXP_EST_MEASURED;
		est->ratio = vm->rate[HXP_ISA_ARM64_NETSWAP] / vm->rate[HXP_ISA_X86_64] /
			     swap_factor(vm, e, p);
	} else if (e && has_both(e)) {
		est->src = HXP_EST_PROFILE;
		est->ratio = e->rate[HXP_ISA_ARM64] / e->rate[HXP_ISA_X86_64];
	} else if (vm->llc > 0) {
		est->near = nearest_llc(prof, vm->llc);
		if (est->near) {
			est->src = HXP_EST_LLC;
			est->ratio = est->near->rate[HXP_ISA_ARM64] /
				     est->near->rate[HXP_ISA_X86_64];
			e = est->near;
		}
	}
	est->swap = swap_factor(vm, e, p);
}

void hxp_estimate_prior(const struct hxp_params *p, struct hxp_estimate *est)
{
	if (est->src != HXP_EST_NONE || !(p->probe_s > 0) || !(p->probe_ratio > 0))
		return;
	est->src = HXP_EST_PRIOR;
	est->ratio = p->probe_ratio;
}

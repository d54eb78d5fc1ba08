/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A VM's hardware counters, read by the policy daemon (pmu.c): cycles,
 * instructions, LLC references and misses, branch misses of its VMM's vCPU
 * thread, through perf_event_open(2), where the CPU has a usable PMU. QEMU's
 * TCG CPUs have none: there the counters say why, and the model goes by
 * progress rates alone (Documentation/policy.rst).
 */
#ifndef _HEXOCTL_PMU_H
#define _HEXOCTL_PMU_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum pmu_counter {
	PMU_CYCLES,
	PMU_INSTRUCTIONS,
	PMU_LLC_REFS,
	PMU_LLC_MISSES,
	PMU_BRANCH_MISSES,
	PMU_NR
};

/* The counters' names, as policy show prints them. */
extern const char *const pmu_names[PMU_NR];

/* One event to count: perf_event_attr's type and config. */
struct pmu_event {
	uint32_t type;
	uint64_t config;
};

/* The hardware events of enum pmu_counter. */
extern const struct pmu_event pmu_hw_events[PMU_NR];

struct pmu {
	int fd[PMU_NR];		/* -1: not counted */
	unsigned int nr;	/* counters open */
	int err;		/* why none is, -errno (0 while one is) */
};

/*
 * Counts events (PMU_NR of them, pmu_hw_events for the hardware) of thread
 * tid, in user and kernel mode and in its guest. Counters that cannot be
 * opened are left out; when none can, returns the first one's -errno, and
 * m->err says so. Close with pmu_close() either way.
 */
int pmu_open(struct pmu *m, pid_t tid, const struct pmu_event *events);
void pmu_close(struct pmu *m);

/* A counter's reading: its count, and how long it was enabled and on the PMU. */
struct pmu_sample {
	uint64_t value, enabled, running;
	bool ok;		/* read */
};

/* Reads every counter; s[i].ok is false for one not counted or not read. */
void pmu_read(const struct pmu *m, struct pmu_sample s[PMU_NR]);

/*
 * The count between readings a and b (b the later), scaled up for the part
 * of that time the kernel had the counter multiplexed off the PMU; false
 * when either was not read, or the counter was never on the PMU meanwhile.
 */
bool pmu_delta(const struct pmu_sample *a, const struct pmu_sample *b, double *count);

/* Whether an open's -errno err will be the same next time (no PMU, not permitted). */
bool pmu_err_lasting(int err);

/* Why the PMU gives nothing, in words, for -errno err. */
const char *pmu_why(int err);

#endif /* _HEXOCTL_PMU_H */

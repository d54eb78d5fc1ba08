// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's hardware counters through perf_event_open(2) (pmu.h). Each event
 * is its own counter, not a group: a CPU that has some of them (cycles, but
 * no LLC events) still gives those, and each is scaled for its own time on
 * the PMU over each interval (pmu_delta()), not over its whole life, so that
 * a change in multiplexing does not land in one interval.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pmu.h"

const char *const pmu_names[PMU_NR] = {
	[PMU_CYCLES]		= "cycles",
	[PMU_INSTRUCTIONS]	= "instructions",
	[PMU_LLC_REFS]		= "llc_refs",
	[PMU_LLC_MISSES]	= "llc_misses",
	[PMU_BRANCH_MISSES]	= "branch_misses",
};

const struct pmu_event pmu_hw_events[PMU_NR] = {
	[PMU_CYCLES]		= { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	[PMU_INSTRUCTIONS]	= { PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	/*
	 * The kernel's generic cache events: the last level cache's on Intel;
	 * other CPUs map them elsewhere (AMD: L2 requests; arm64: L1 data), so a
	 * profile's llc= compares only with counts of the same kind of CPU.
	 */
	[PMU_LLC_REFS]		= { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	[PMU_LLC_MISSES]	= { PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	[PMU_BRANCH_MISSES]	= { PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

int pmu_open(struct pmu *m, pid_t tid, const struct pmu_event *events)
{
	int i, first = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < PMU_NR; i++) {
		struct perf_event_attr a = {
			.size = sizeof(a),
			.type = events[i].type,
			.config = events[i].config,
			.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
				       PERF_FORMAT_TOTAL_TIME_RUNNING,
			/* The guest's instructions are the VM's work: counted. */
			.exclude_hv = 1,
		};

		m->fd[i] = syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (m->fd[i] >= 0)
			m->nr++;
		else if (!first)
			first = -errno;
	}
	if (!m->nr)
		m->err = first ? first : -ENODEV;
	return m->nr ? 0 : m->err;
}

void pmu_close(struct pmu *m)
{
	for (int i = 0; i < PMU_NR; i++)
		if (m->fd[i] >= 0)
			close(m->fd[i]);
	memset(m->fd, -1, sizeof(m->fd));
	m->nr = 0;
}

void pmu_read(const struct pmu *m, struct pmu_sample s[PMU_NR])
{
	for (int i = 0; i < PMU_NR; i++) {
		/* value, time enabled, time running (read_format above) */
		uint64_t v[3];

		memset(&s[i], 0, sizeof(s[i]));
		if (m->fd[i] < 0 || read(m->fd[i], v, sizeof(v)) != sizeof(v))
			continue;
		s[i] = (struct pmu_sample){ v[0], v[1], v[2], true };
	}
}

bool pmu_delta(const struct pmu_sample *a, const struct pmu_sample *b, double *count)
{
	uint64_t dv, de, dr;

	if (!a->ok || !b->ok || b->value < a->value || b->enabled < a->enabled ||
	    b->running < a->running)
		return false;
	dv = b->value - a->value;
	de = b->enabled - a->enabled;
	dr = b->running - a->running;
	if (!dr) {
		if (de || dv)
			return false;	/* enabled, never on the PMU: nothing to go by */
		*count = 0;		/* not even enabled: the thread did not run */
		return true;
	}
	/* Of this interval only: what it counted while on the PMU, over all of it. */
	*count = dr < de ? (double)dv * de / dr : dv;
	return true;
}

bool pmu_err_lasting(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV || err == -ENOSYS ||
	       err == -EACCES || err == -EPERM || err == -EINVAL;
}

const char *pmu_why(int err)
{
	switch (err) {
	case 0:
		return "counting";
	case -ENOENT:
	case -EOPNOTSUPP:
	case -ENODEV:
		return "no usable PMU on this CPU (emulated CPUs, and VMs without a virtual PMU, have none)";
	case -EACCES:
	case -EPERM:
		return "not permitted (kernel.perf_event_paranoid, or a seccomp filter)";
	case -ESRCH:
		return "the VMM is gone";
	case -ENOSYS:
		return "no perf events in this kernel";
	default:
		return strerror(-err);
	}
}

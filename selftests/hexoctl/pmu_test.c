// SPDX-License-Identifier: GPL-2.0
/*
 * The policy daemon's counter reader (user/hexoctl/pmu.c) on this kernel:
 * software events stand in for the hardware ones to prove the reading (a
 * busy child's task clock, within its wall time, and page faults come back
 * and stay readable once it is gone); each interval is scaled for its own
 * time on the PMU; the hardware events either count a busy child's cycles
 * or say why they cannot (QEMU's x86 TCG CPU: no usable PMU); a VMM that is
 * gone is said to be; closing leaves no descriptor behind.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pmu.h"

static const struct pmu_event sw_events[PMU_NR] = {
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
};

#define BUSY_PAGES	256

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A child that waits for a byte on fd, then spins for 300 ms of wall time
 * touching BUSY_PAGES new pages, and exits.
 */
static pid_t busy_child(int *go)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		volatile unsigned long x = 0;
		char c, *m;
		double end;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		m = mmap(NULL, BUSY_PAGES * 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(2);
		for (int i = 0; i < BUSY_PAGES; i++)
			m[i * 4096] = 1;
		for (end = now_s() + 0.3; now_s() < end;)
			x++;
		_exit(0);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

TEST(software_events_read_back)
{
	struct pmu_sample zero = { .ok = true }, s[PMU_NR];
	double wall, clock_ns, faults;
	struct pmu m;
	int go, status;
	pid_t pid;

	pid = busy_child(&go);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, pmu_open(&m, pid, sw_events)) TH_LOG("%s", pmu_why(m.err));
	EXPECT_EQ((unsigned int)PMU_NR, m.nr);
	wall = now_s();
	ASSERT_EQ(1, write(go, "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	wall = now_s() - wall;
	ASSERT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	/* Gone, and its counts are still there to read. */
	pmu_read(&m, s);
	for (int i = 0; i < PMU_NR; i++) {
		EXPECT_TRUE(s[i].ok) TH_LOG("counter %d not read", i);
	}
	ASSERT_TRUE(pmu_delta(&zero, &s[0], &clock_ns));
	ASSERT_TRUE(pmu_delta(&zero, &s[2], &faults));
	/* 300 ms of wall time spinning: most of it on a CPU, and no more than it all. */
	EXPECT_LT(100e6, clock_ns) TH_LOG("task clock %.0f ns", clock_ns);
	EXPECT_GE(wall * 1e9 + 10e6, clock_ns) TH_LOG("task clock %.0f ns in %.3f s", clock_ns,
						     wall);
	EXPECT_LE(BUSY_PAGES, faults) TH_LOG("%.0f page faults", faults);
	close(go);
	pmu_close(&m);
}

/* The scaling of one interval: its own time on the PMU, not the counter's life. */
TEST(delta_scales_each_interval)
{
	struct pmu_sample a = { 1000, 100, 100, true }, b = { 1500, 200, 150, true };
	struct pmu_sample off = { 1500, 300, 150, true }, gone = { 0, 0, 0, false };
	double d;

	/* 500 counted in 50 of 100 ns enabled: 1000 in the interval. */
	ASSERT_TRUE(pmu_delta(&a, &b, &d));
	EXPECT_EQ(1000.0, d);
	/* Enabled, never on the PMU: nothing to go by. */
	EXPECT_FALSE(pmu_delta(&b, &off, &d));
	/* Not enabled meanwhile (the thread did not run): 0. */
	ASSERT_TRUE(pmu_delta(&b, &b, &d));
	EXPECT_EQ(0.0, d);
	EXPECT_FALSE(pmu_delta(&a, &gone, &d));
	EXPECT_FALSE(pmu_delta(&b, &a, &d));	/* backwards */
}

TEST(hardware_events_count_or_say_why)
{
	struct pmu_sample zero = { .ok = true }, s[PMU_NR];
	struct pmu m;
	int go, status, ret;
	double d;
	pid_t pid;

	pid = busy_child(&go);
	ASSERT_LT(0, pid);
	ret = pmu_open(&m, pid, pmu_hw_events);
	ASSERT_EQ(1, write(go, "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(go);
	if (ret) {
		EXPECT_EQ(0U, m.nr);
		EXPECT_EQ(ret, m.err);
		EXPECT_NE(NULL, strstr(pmu_why(ret), " ")) TH_LOG("%d", ret);
		TH_LOG("no hardware counters here: %s (%d)", pmu_why(ret), ret);
		pmu_close(&m);
		return;
	}
	pmu_read(&m, s);
	TH_LOG("hardware counters: %u of %d; cycles %llu, instructions %llu", m.nr, PMU_NR,
	       (unsigned long long)s[PMU_CYCLES].value,
	       (unsigned long long)s[PMU_INSTRUCTIONS].value);
	/* A counter that opened and was on the PMU counted 300 ms of spinning. */
	for (int i = PMU_CYCLES; i <= PMU_INSTRUCTIONS; i++) {
		if (pmu_delta(&zero, &s[i], &d)) {
			EXPECT_LT(1000.0, d) TH_LOG("%s: %.0f", pmu_names[i], d);
		}
	}
	pmu_close(&m);
}

TEST(gone_vmm_said)
{
	struct pmu m;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid)
		_exit(0);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(-ESRCH, pmu_open(&m, pid, sw_events));
	EXPECT_STREQ("the VMM is gone", pmu_why(m.err));
	pmu_close(&m);
}

TEST(close_leaves_no_descriptor)
{
	int before = open_fds();
	struct pmu m;

	ASSERT_LT(0, before);
	ASSERT_EQ(0, pmu_open(&m, getpid(), sw_events));
	EXPECT_EQ(before + PMU_NR, open_fds());
	pmu_close(&m);
	pmu_close(&m);
	EXPECT_EQ(before, open_fds());
}

TEST_HARNESS_MAIN

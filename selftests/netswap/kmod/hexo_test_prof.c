// SPDX-License-Identifier: GPL-2.0
/*
 * hexo_test_prof: a sampling CPU profile of the kernel, for the benchmark's
 * "where does the time go" (scripts/bench/netswap.sh, BENCH_PROFILE=1).
 * Test-only; never load it elsewhere.
 *
 * The testbed's emulated CPUs have no PMU, and perf's user-space tool does
 * not fit the VMs' initramfs. This module does what "perf record -e
 * cpu-clock" does: a pinned hrtimer on every online CPU fires every
 * period_us microseconds and records where the interrupted CPU was:
 *
 *  - the kernel instruction pointer, resolved to a symbol (modules too);
 *  - "[user]" for user mode, "[idle]" for the idle task;
 *  - "[unknown]" where the interrupt frame is not available.
 *
 * Sampling starts at load and stops at unload or when max_samples are
 * taken. Reading /proc/hexo_prof prints one line per distinct location:
 * "COUNT SYMBOL"; the same symbol appears once per distinct address, so a
 * reader sums by name (scripts/bench/netswap.sh does).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/hrtimer.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <asm/irq_regs.h>
#include <asm/ptrace.h>

static unsigned int period_us = 1000;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "sampling period per CPU, microseconds (100..100000)");

static unsigned int max_samples = 1 << 20;
module_param(max_samples, uint, 0444);
MODULE_PARM_DESC(max_samples, "samples kept at most (1024..4194304)");

/* Pseudo-locations: never kernel text addresses. */
enum { HTP_UNKNOWN = 1, HTP_USER, HTP_IDLE };

struct htp_cpu {
	struct hrtimer timer;
	bool armed;
};

static DEFINE_PER_CPU(struct htp_cpu, htp_cpus);
static unsigned long *htp_samples;
static atomic_t htp_taken = ATOMIC_INIT(0);
static atomic_t htp_dropped = ATOMIC_INIT(0);
static ktime_t htp_period;
static bool htp_stopping;

static enum hrtimer_restart htp_tick(struct hrtimer *t)
{
	struct pt_regs *regs = get_irq_regs();
	unsigned long where;
	int i;

	if (!regs)
		where = HTP_UNKNOWN;
	else if (user_mode(regs))
		where = HTP_USER;
	else if (is_idle_task(current))
		where = HTP_IDLE;
	else
		where = instruction_pointer(regs);

	i = atomic_inc_return(&htp_taken) - 1;
	if (i < max_samples)
		WRITE_ONCE(htp_samples[i], where);
	else
		atomic_inc(&htp_dropped);

	if (READ_ONCE(htp_stopping))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, htp_period);
	return HRTIMER_RESTART;
}

static void htp_arm(void *unused)
{
	struct htp_cpu *c = this_cpu_ptr(&htp_cpus);

	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	c->timer.function = htp_tick;
	c->armed = true;
	hrtimer_start(&c->timer, htp_period, HRTIMER_MODE_REL_PINNED_HARD);
}

static int htp_cmp(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

static int htp_show(struct seq_file *m, void *v)
{
	unsigned int n = min_t(unsigned int, atomic_read(&htp_taken), max_samples);
	unsigned long *copy;
	unsigned int i, run;

	/* A snapshot: the timers go on writing behind the copied prefix. */
	copy = vmalloc(array_size(n ? n : 1, sizeof(*copy)));
	if (!copy)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		copy[i] = READ_ONCE(htp_samples[i]);
	sort(copy, n, sizeof(*copy), htp_cmp, NULL);

	seq_printf(m, "# samples %u dropped %d period_us %u\n", n,
		   atomic_read(&htp_dropped), period_us);
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && copy[i + run] == copy[i]; run++)
			;
		switch (copy[i]) {
		case 0:		/* counted, not yet written */
			break;
		case HTP_UNKNOWN:
			seq_printf(m, "%u [unknown]\n", run);
			break;
		case HTP_USER:
			seq_printf(m, "%u [user]\n", run);
			break;
		case HTP_IDLE:
			seq_printf(m, "%u [idle]\n", run);
			break;
		default:
			seq_printf(m, "%u %ps\n", run, (void *)copy[i]);
		}
	}
	vfree(copy);
	return 0;
}

static int __init htp_init(void)
{
	if (period_us < 100 || period_us > 100000 || max_samples < 1024 ||
	    max_samples > (4U << 20)) {
		pr_err("period_us must be 100..100000 and max_samples 1024..4194304\n");
		return -EINVAL;
	}
	htp_samples = vzalloc(array_size(max_samples, sizeof(*htp_samples)));
	if (!htp_samples)
		return -ENOMEM;
	if (!proc_create_single("hexo_prof", 0400, NULL, htp_show)) {
		vfree(htp_samples);
		return -ENOMEM;
	}
	htp_period = ns_to_ktime((u64)period_us * NSEC_PER_USEC);
	cpus_read_lock();
	on_each_cpu(htp_arm, NULL, 1);
	cpus_read_unlock();
	return 0;
}

static void __exit htp_exit(void)
{
	int cpu;

	WRITE_ONCE(htp_stopping, true);
	for_each_possible_cpu(cpu) {
		struct htp_cpu *c = per_cpu_ptr(&htp_cpus, cpu);

		if (c->armed)
			hrtimer_cancel(&c->timer);
	}
	remove_proc_entry("hexo_prof", NULL);
	vfree(htp_samples);
}

module_init(htp_init);
module_exit(htp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("HEXO test-only sampling kernel profiler (no PMU needed)");

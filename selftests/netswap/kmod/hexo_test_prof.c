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
 * With callers=N (1..3) and a kernel built with frame pointers (arm64's
 * are), each kernel sample also records N callers from the frame records,
 * so that a lock's slow path names who took the lock.
 *
 * Sampling starts at load and stops at unload or when max_samples are
 * taken. Reading /proc/hexo_prof prints one line per distinct location:
 * "COUNT SYMBOL" or "COUNT SYMBOL<-CALLER<-...". The same symbol appears
 * once per distinct address, so a reader sums by name
 * (scripts/bench/netswap.sh does).
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
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/irq_regs.h>
#ifdef CONFIG_ARM64
#include <asm/pointer_auth.h>
#endif
#include <asm/ptrace.h>

static unsigned int period_us = 1000;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "sampling period per CPU, microseconds (100..100000)");

static unsigned int max_samples = 1 << 20;
module_param(max_samples, uint, 0444);
MODULE_PARM_DESC(max_samples, "samples kept at most (1024..4194304)");

static unsigned int callers;
module_param(callers, uint, 0444);
MODULE_PARM_DESC(callers, "callers recorded per sample (0..3; frame-pointer kernels only)");

#define HTP_MAX_CALLERS	3

/* Pseudo-locations: never kernel text addresses. */
enum { HTP_UNKNOWN = 1, HTP_USER, HTP_IDLE };

struct htp_cpu {
	struct hrtimer timer;
	bool armed;
};

static DEFINE_PER_CPU(struct htp_cpu, htp_cpus);
static unsigned long *htp_samples;	/* max_samples records of htp_width */
static unsigned int htp_width;
static atomic_t htp_taken = ATOMIC_INIT(0);
static atomic_t htp_dropped = ATOMIC_INIT(0);
static ktime_t htp_period;
static bool htp_stopping;

/* Up to callers return addresses from the frame records at fp. */
static void htp_callers(unsigned long fp, unsigned long *out)
{
	unsigned long frame[2];	/* the caller's fp, the return address */
	unsigned int i;

	for (i = 0; i < callers && fp && IS_ALIGNED(fp, sizeof(long)); i++) {
		if (copy_from_kernel_nofault(frame, (void *)fp, sizeof(frame)))
			break;
#ifdef CONFIG_ARM64
		/* Return addresses in frame records may be signed (PAC). */
		frame[1] = ptrauth_strip_insn_pac(frame[1]);
#endif
		if (frame[1] < PAGE_OFFSET)
			break;
		out[i] = frame[1];
		fp = frame[0];
	}
}

static enum hrtimer_restart htp_tick(struct hrtimer *t)
{
	struct pt_regs *regs = get_irq_regs();
	unsigned long rec[1 + HTP_MAX_CALLERS] = {};
	unsigned int k;
	int i;

	if (!regs) {
		rec[0] = HTP_UNKNOWN;
	} else if (user_mode(regs)) {
		rec[0] = HTP_USER;
	} else if (is_idle_task(current)) {
		rec[0] = HTP_IDLE;
	} else {
		rec[0] = instruction_pointer(regs);
		if (callers)
			htp_callers(frame_pointer(regs), rec + 1);
	}

	i = atomic_inc_return(&htp_taken) - 1;
	if (i < max_samples)
		for (k = 0; k < htp_width; k++)
			WRITE_ONCE(htp_samples[i * htp_width + k], rec[k]);
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
	const unsigned long *x = a, *y = b;
	unsigned int k;

	for (k = 0; k < htp_width; k++)
		if (x[k] != y[k])
			return x[k] < y[k] ? -1 : 1;
	return 0;
}

static int htp_show(struct seq_file *m, void *v)
{
	unsigned int n = min_t(unsigned int, atomic_read(&htp_taken), max_samples);
	unsigned long *copy;
	unsigned int i, run;

	/* A snapshot: the timers go on writing behind the copied prefix. */
	copy = vmalloc(array3_size(n ? n : 1, htp_width, sizeof(*copy)));
	if (!copy)
		return -ENOMEM;
	for (i = 0; i < n * htp_width; i++)
		copy[i] = READ_ONCE(htp_samples[i]);
	sort(copy, n, htp_width * sizeof(*copy), htp_cmp, NULL);

	seq_printf(m, "# samples %u dropped %d period_us %u callers %u\n", n,
		   atomic_read(&htp_dropped), period_us, callers);
	for (i = 0; i < n; i += run) {
		unsigned long *rec = copy + i * htp_width;
		unsigned int k;

		for (run = 1; i + run < n && !htp_cmp(rec + run * htp_width, rec); run++)
			;
		switch (rec[0]) {
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
			seq_printf(m, "%u %ps", run, (void *)rec[0]);
			for (k = 1; k < htp_width && rec[k]; k++)
				seq_printf(m, "<-%ps", (void *)rec[k]);
			seq_putc(m, '\n');
		}
	}
	vfree(copy);
	return 0;
}

static int __init htp_init(void)
{
	if (period_us < 100 || period_us > 100000 || max_samples < 1024 ||
	    max_samples > (4U << 20) || callers > HTP_MAX_CALLERS) {
		pr_err("period_us must be 100..100000, max_samples 1024..4194304, callers 0..3\n");
		return -EINVAL;
	}
	if (callers && !IS_ENABLED(CONFIG_FRAME_POINTER)) {
		pr_err("callers needs a kernel built with frame pointers\n");
		return -EINVAL;
	}
	htp_width = 1 + callers;
	htp_samples = vzalloc(array3_size(max_samples, htp_width, sizeof(*htp_samples)));
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

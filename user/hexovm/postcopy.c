// SPDX-License-Identifier: GPL-2.0
/*
 * Post-copy (Documentation/offload.rst): the guest runs on the target
 * before its heap is here. The heap is registered with userfaultfd; a
 * fault thread pulls the block a vCPU (or hexovm) touches, PC_BG_THREADS
 * background threads pull the rest in order, a block each at a time (so
 * that the link is busy while a thread copies in what it got), and once
 * every page is here the source is told to let go of its copy
 * (HEXO_KVM_CMD_RELEASE). A page that cannot be pulled stops the guest: it
 * never runs on with memory missing.
 *
 * userfaultfd rather than a hexo_kvm device that the guest's memory is
 * mapped from: KVM, hexovm and the kernel's own accesses to guest memory
 * all go through the same anonymous mapping as in any other run, the
 * faulting thread is woken by UFFDIO_COPY exactly as QEMU's post-copy does,
 * and hexo_kvm stays what it is, a mover of pages (HEXO_KVM_CMD_PULL).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <hexo/hexo_kvm.h>

#include "hexovm.h"
#include "hxnl.h"

#define PC_FAULT_PAGES	16	/* pulled per fault: the block around it */
#define PC_BG_PAGES	64	/* pulled per background step, at most */
#define PC_BG_THREADS	3	/* background steps in flight */

struct hexovm_postcopy {
	struct hexovm *vm;
	uint32_t offer;
	int uffd;
	uint64_t start, end;		/* GPA range still lent by the source */
	atomic_uchar *here;		/* per page of the range: 1 once copied in */
	atomic_uint_fast64_t missing;
	atomic_bool stop;
	pthread_t fault_thr, bg_thr[PC_BG_THREADS];
	atomic_uint_fast64_t bg_next;	/* the next background block */
	atomic_uint bg_running;		/* the last one out releases the source */
	int bg_started;
	atomic_uint_fast64_t demand_pulls, bg_pulls;
	uint64_t t0_ns;
};

static struct hexovm_postcopy pc;

static void pc_fatal(const char *what, int err)
{
	hexovm_err("post-copy: %s: %s; the guest stops here, it never runs with memory "
		   "missing", what, strerror(err));
	_exit(1);
}

/*
 * Pulls n pages of guest memory at gpa into buf (page-aligned, not
 * registered). A fault's pull (not background) goes ahead of the
 * background's on the link: it waits for what is in flight, not for their
 * queue (HEXO_KVM_A_BACKGROUND).
 */
static int pc_pull(struct hxnl *nl, uint64_t gpa, uint64_t n, void *buf, bool background)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_PULL, false);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, pc.offer);
	nla_put_u64(msg, HEXO_KVM_A_GPA, gpa);
	nla_put_u64(msg, HEXO_KVM_A_LEN, n * HEXO_PAGE_SIZE);
	nla_put_u64(msg, HEXO_KVM_A_ADDR, (uintptr_t)buf);
	if (background)
		nla_put_flag(msg, HEXO_KVM_A_BACKGROUND);
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
}

/*
 * Of the block of n pages from page *first of the range (fewer at its end),
 * what lies between the first and the last page still missing: [*first,
 * *last). False when none is missing. What faults brought into a block does
 * not cross the link again unless a missing page lies on either side.
 */
static bool pc_missing(uint64_t *first, uint64_t *last, uint64_t n)
{
	uint64_t npages = (pc.end - pc.start) / HEXO_PAGE_SIZE;

	*last = *first + n < npages ? *first + n : npages;
	while (*first < *last && atomic_load(&pc.here[*first]))
		(*first)++;
	while (*last > *first && atomic_load(&pc.here[*last - 1]))
		(*last)--;
	return *first < *last;
}

/* Marks n pages from page p of the range here. */
static void pc_mark(uint64_t p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (!atomic_exchange(&pc.here[p + i], 1))
			atomic_fetch_sub(&pc.missing, 1);
}

/*
 * Copies n pages of buf to gpa, and wakes their waiters; false if one was
 * there already. The kernel copies a run up to such a page and says how far
 * it got (EAGAIN, c.copy: the bytes copied); it also refuses for a while
 * when the mapping changes (EAGAIN, nothing copied): both go on from there.
 */
static bool pc_copy(uint64_t gpa, uint64_t n, const uint8_t *buf)
{
	uint64_t off = 0, len = n * HEXO_PAGE_SIZE;
	unsigned int stuck = 0;

	while (off < len) {
		struct uffdio_copy c = {
			.dst = (uintptr_t)(pc.vm->mem + gpa + off),
			.src = (uintptr_t)(buf + off),
			.len = len - off,
		};

		if (!ioctl(pc.uffd, UFFDIO_COPY, &c))
			return true;
		if (errno == EEXIST)
			return false;
		if (errno != EAGAIN || ++stuck > 1000)
			pc_fatal("UFFDIO_COPY", errno);
		if (c.copy > 0) {
			off += c.copy;
			stuck = 0;
		} else {
			sched_yield();
		}
	}
	return true;
}

/*
 * Copies what was pulled into the pages still missing, a run of them in one
 * call, and wakes their waiters. Another thread may copy a page of the run
 * meanwhile (the kernel then refuses the run part-way): the run goes again
 * a page at a time.
 */
static void pc_place(uint64_t gpa, uint64_t n, const uint8_t *buf)
{
	uint64_t p0 = (gpa - pc.start) / HEXO_PAGE_SIZE, i = 0, e;

	while (i < n) {
		if (atomic_load(&pc.here[p0 + i])) {
			i++;
			continue;
		}
		for (e = i + 1; e < n && !atomic_load(&pc.here[p0 + e]); e++)
			;
		if (!pc_copy(gpa + i * HEXO_PAGE_SIZE, e - i, buf + i * HEXO_PAGE_SIZE))
			for (uint64_t k = i; k < e; k++)
				if (!atomic_load(&pc.here[p0 + k]))
					pc_copy(gpa + k * HEXO_PAGE_SIZE, 1,
						buf + k * HEXO_PAGE_SIZE);
		pc_mark(p0 + i, e - i);
		i = e;
	}
}

static void *pc_fault_main(void *arg)
{
	struct pollfd pfd = { .fd = pc.uffd, .events = POLLIN };
	struct uffd_msg m;
	struct hxnl nl;
	uint8_t *buf;
	int ret;

	buf = aligned_alloc(HEXO_PAGE_SIZE, PC_FAULT_PAGES * HEXO_PAGE_SIZE);
	if (!buf || hxnl_open(&nl, HEXO_KVM_GENL_NAME))
		pc_fatal("cannot start the fault thread", ENOMEM);
	while (!atomic_load(&pc.stop)) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(pc.uffd, &m, sizeof(m)) != sizeof(m))
			continue;
		if (m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		uint64_t gpa = ((uint8_t *)(uintptr_t)m.arg.pagefault.address - pc.vm->mem) &
			       ~(uint64_t)(HEXO_PAGE_SIZE - 1);
		uint64_t p = (gpa - pc.start) / HEXO_PAGE_SIZE, first, last;

		/*
		 * A fault reported for a page copied in since (the copy woke its
		 * thread) needs nothing; after the last page the source may have
		 * let go, and a pull would fail.
		 */
		if (atomic_load(&pc.here[p]))
			continue;
		first = p / PC_FAULT_PAGES * PC_FAULT_PAGES;
		if (!pc_missing(&first, &last, PC_FAULT_PAGES))
			continue;
		ret = pc_pull(&nl, pc.start + first * HEXO_PAGE_SIZE, last - first, buf, false);
		/* The background may have brought the page meanwhile, and the source let go. */
		if (ret && atomic_load(&pc.here[p]))
			continue;
		if (ret)
			pc_fatal("the source did not deliver a page the guest needs", -ret);
		pc_place(pc.start + first * HEXO_PAGE_SIZE, last - first, buf);
		atomic_fetch_add(&pc.demand_pulls, 1);
	}
	hxnl_close(&nl);
	free(buf);
	return NULL;
}

static int pc_release(struct hxnl *nl)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_RELEASE, false);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_OFFER_ID, pc.offer);
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
}

/* The background pull: blocks in order, from the cursor all its threads share. */
static void *pc_bg_main(void *arg)
{
	uint64_t nblk = (pc.end - pc.start + PC_BG_PAGES * HEXO_PAGE_SIZE - 1) /
			(PC_BG_PAGES * HEXO_PAGE_SIZE);
	struct hxnl nl;
	uint8_t *buf;
	uint64_t b;
	int ret;

	buf = aligned_alloc(HEXO_PAGE_SIZE, PC_BG_PAGES * HEXO_PAGE_SIZE);
	if (!buf || hxnl_open(&nl, HEXO_KVM_GENL_NAME))
		pc_fatal("cannot start the background pull", ENOMEM);
	while (!atomic_load(&pc.stop) && (b = atomic_fetch_add(&pc.bg_next, 1)) < nblk) {
		uint64_t first = b * PC_BG_PAGES, last;

		if (!pc_missing(&first, &last, PC_BG_PAGES))
			continue;
		ret = pc_pull(&nl, pc.start + first * HEXO_PAGE_SIZE, last - first, buf, true);
		if (ret)
			pc_fatal("the source did not deliver the guest's memory", -ret);
		pc_place(pc.start + first * HEXO_PAGE_SIZE, last - first, buf);
		atomic_fetch_add(&pc.bg_pulls, 1);
	}
	/* The last thread out: the others may still be copying in. */
	if (atomic_fetch_sub(&pc.bg_running, 1) == 1 && !atomic_load(&pc.missing)) {
		ret = pc_release(&nl);
		hexovm_err("post-copy: all %llu KiB here after %llu ms (%llu pulls on demand, %llu in "
			   "the background)%s", (unsigned long long)((pc.end - pc.start) >> 10),
			   (unsigned long long)((hexovm_now_ns() - pc.t0_ns) / 1000000),
			   (unsigned long long)atomic_load(&pc.demand_pulls),
			   (unsigned long long)atomic_load(&pc.bg_pulls),
			   ret ? "; the source was not told to let go" : "; the source let go");
	}
	hxnl_close(&nl);
	free(buf);
	return NULL;
}

int hexovm_postcopy_start(struct hexovm *vm, uint32_t offer, uint64_t start, uint64_t end)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)(vm->mem + start), .len = end - start },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	uint64_t npages = (end - start) / HEXO_PAGE_SIZE;

	pc.vm = vm;
	pc.offer = offer;
	pc.start = start;
	pc.end = end;
	pc.t0_ns = hexovm_now_ns();
	pc.here = calloc(npages ? npages : 1, sizeof(*pc.here));
	atomic_store(&pc.missing, npages);
	pc.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (!pc.here || pc.uffd < 0 || ioctl(pc.uffd, UFFDIO_API, &api) ||
	    ioctl(pc.uffd, UFFDIO_REGISTER, &reg)) {
		hexovm_err("post-copy: userfaultfd: %s", strerror(errno));
		return -errno;
	}
	if (pthread_create(&pc.fault_thr, NULL, pc_fault_main, NULL)) {
		hexovm_err("post-copy: cannot start its threads");
		return -ENOMEM;
	}
	return 0;
}

/*
 * The source let go: the background pull starts. Not before: its blocks
 * would queue on the link ahead of the answer that ends the downtime.
 */
int hexovm_postcopy_go(struct hexovm *vm)
{
	atomic_store(&pc.bg_running, PC_BG_THREADS);
	for (pc.bg_started = 0; pc.bg_started < PC_BG_THREADS; pc.bg_started++)
		if (pthread_create(&pc.bg_thr[pc.bg_started], NULL, pc_bg_main, NULL)) {
			hexovm_err("post-copy: cannot start the background pull");
			return -ENOMEM;
		}
	return 0;
}

void hexovm_postcopy_stop(struct hexovm *vm)
{
	struct hxnl nl;

	if (!pc.vm)
		return;
	/* The guest ended: what it never touched is not needed any more. */
	atomic_store(&pc.stop, true);
	for (int i = 0; i < pc.bg_started; i++)
		pthread_join(pc.bg_thr[i], NULL);
	pthread_join(pc.fault_thr, NULL);
	if (atomic_load(&pc.missing) && !hxnl_open(&nl, HEXO_KVM_GENL_NAME)) {
		pc_release(&nl);
		hxnl_close(&nl);
	}
	vm->stats.demand_pulls = atomic_load(&pc.demand_pulls);
	vm->stats.bg_pulls = atomic_load(&pc.bg_pulls);
	close(pc.uffd);
	free(pc.here);
	pc.vm = NULL;
}

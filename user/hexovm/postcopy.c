// SPDX-License-Identifier: GPL-2.0
/*
 * Post-copy (Documentation/offload.rst): the guest runs on the target
 * before its heap is here. The heap is registered with userfaultfd; a
 * fault thread pulls the block a vCPU (or hexovm) touches, a background
 * thread pulls the rest in order, and once every page is here the source
 * is told to let go of its copy (HEXO_KVM_CMD_RELEASE). A page that cannot
 * be pulled stops the guest: it never runs on with memory missing.
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
#define PC_BG_PAGES	64	/* pulled per background step */

struct hexovm_postcopy {
	struct hexovm *vm;
	uint32_t offer;
	int uffd;
	uint64_t start, end;		/* GPA range still lent by the source */
	atomic_uchar *here;		/* per page of the range: 1 once copied in */
	atomic_uint_fast64_t missing;
	atomic_bool stop;
	pthread_t fault_thr, bg_thr;
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

/* Pulls n pages of guest memory at gpa into buf (page-aligned, not registered). */
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

/* Copies what was pulled into the pages still missing, and wakes their waiters. */
static void pc_place(uint64_t gpa, uint64_t n, const uint8_t *buf)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t p = (gpa - pc.start) / HEXO_PAGE_SIZE + i;
		struct uffdio_copy c = {
			.dst = (uintptr_t)(pc.vm->mem + gpa + i * HEXO_PAGE_SIZE),
			.src = (uintptr_t)(buf + i * HEXO_PAGE_SIZE),
			.len = HEXO_PAGE_SIZE,
		};

		if (atomic_load(&pc.here[p]))
			continue;
		if (ioctl(pc.uffd, UFFDIO_COPY, &c) && errno != EEXIST)
			pc_fatal("UFFDIO_COPY", errno);
		if (!atomic_exchange(&pc.here[p], 1))
			atomic_fetch_sub(&pc.missing, 1);
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
		uint64_t blk = PC_FAULT_PAGES * HEXO_PAGE_SIZE;
		uint64_t from = pc.start + (gpa - pc.start) / blk * blk;
		uint64_t n = (pc.end - from) / HEXO_PAGE_SIZE;

		if (n > PC_FAULT_PAGES)
			n = PC_FAULT_PAGES;
		/*
		 * A fault reported for pages copied in since (the copy woke its
		 * thread) needs nothing; after the last page the source may have
		 * let go, and a pull would fail.
		 */
		bool all = true;

		for (uint64_t i = 0; i < n && all; i++)
			all = atomic_load(&pc.here[(from - pc.start) / HEXO_PAGE_SIZE + i]);
		if (all)
			continue;
		ret = pc_pull(&nl, from, n, buf, false);
		/* The background may have brought the page meanwhile, and the source let go. */
		if (ret && atomic_load(&pc.here[(gpa - pc.start) / HEXO_PAGE_SIZE]))
			continue;
		if (ret)
			pc_fatal("the source did not deliver a page the guest needs", -ret);
		pc_place(from, n, buf);
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

static void *pc_bg_main(void *arg)
{
	uint64_t blk = PC_BG_PAGES * HEXO_PAGE_SIZE;
	struct hxnl nl;
	uint8_t *buf;
	int ret;

	buf = aligned_alloc(HEXO_PAGE_SIZE, blk);
	if (!buf || hxnl_open(&nl, HEXO_KVM_GENL_NAME))
		pc_fatal("cannot start the background pull", ENOMEM);
	for (uint64_t gpa = pc.start; gpa < pc.end && !atomic_load(&pc.stop); gpa += blk) {
		uint64_t n = (pc.end - gpa) / HEXO_PAGE_SIZE, first = (gpa - pc.start) / HEXO_PAGE_SIZE;
		bool all = true;

		if (n > PC_BG_PAGES)
			n = PC_BG_PAGES;
		for (uint64_t i = 0; i < n && all; i++)
			all = atomic_load(&pc.here[first + i]);
		if (all)
			continue;
		ret = pc_pull(&nl, gpa, n, buf, true);
		if (ret)
			pc_fatal("the source did not deliver the guest's memory", -ret);
		pc_place(gpa, n, buf);
		atomic_fetch_add(&pc.bg_pulls, 1);
	}
	if (!atomic_load(&pc.missing)) {
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
	if (pthread_create(&pc.fault_thr, NULL, pc_fault_main, NULL) ||
	    pthread_create(&pc.bg_thr, NULL, pc_bg_main, NULL)) {
		hexovm_err("post-copy: cannot start its threads");
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
	pthread_join(pc.bg_thr, NULL);
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

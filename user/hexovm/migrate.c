// SPDX-License-Identifier: GPL-2.0
/*
 * Migration, VMM side. A request (SIGUSR1, --checkpoint-after, or the
 * deterministic --checkpoint-at) sets cb->migrate; the guest answers at its
 * next migration point with HEXO_HC_MIGRATE, and the migrator captures it.
 * A guest that does not answer within --migrate-timeout has the request
 * withdrawn and keeps running.
 *
 * Signals: SIGUSR1 and SIGALRM are blocked except inside KVM_RUN
 * (KVM_SET_SIGNAL_MASK), so one that arrives makes KVM_RUN return EINTR
 * and is then taken here with sigtimedwait(): no work in signal handlers,
 * and no window where a request is lost between two KVM_RUNs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hexovm.h"

#define HEXOVM_TICK_US	50000	/* how often deadlines are looked at */

static void hexovm_sig_nop(int sig)
{
}

int hexovm_migrate_init(struct hexovm *vm)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[8];		/* the kernel's sigset_t is 64 bits */
	} kmask = { .m.len = 8 };
	struct sigaction sa = { .sa_handler = hexovm_sig_nop };
	struct itimerval tick = {
		.it_interval = { .tv_usec = HEXOVM_TICK_US },
		.it_value = { .tv_usec = HEXOVM_TICK_US },
	};
	struct hexo_cb *cb = hexovm_cb(vm);
	sigset_t set;

	/* A handler, so that an unblocked SIGUSR1 inside KVM_RUN is not fatal. */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (ioctl(vm->vcpu_fd, KVM_SET_SIGNAL_MASK, &kmask)) {
		hexovm_err("KVM_SET_SIGNAL_MASK: %s", strerror(errno));
		return -errno;
	}
	if (setitimer(ITIMER_REAL, &tick, NULL)) {
		hexovm_err("setitimer: %s", strerror(errno));
		return -errno;
	}
	if (vm->opts->checkpoint_after >= 0)
		vm->request_at_ns = hexovm_now_ns() + (uint64_t)(vm->opts->checkpoint_after * 1e9);
	cb->migrate = 0;
	cb->stop_point = vm->opts->stop_point;
	cb->stop_count = vm->opts->stop_count;
	cb->stop_hits = 0;
	vm->stop_armed = vm->opts->stop_count != 0;
	return 0;
}

void hexovm_migrate_uninit(struct hexovm *vm)
{
	struct itimerval off = { 0 };

	setitimer(ITIMER_REAL, &off, NULL);
}

static void hexovm_request(struct hexovm *vm, const char *why)
{
	if (vm->pending)
		return;
	vm->pending = true;
	vm->deadline_ns = hexovm_now_ns() + (uint64_t)(vm->opts->migrate_timeout * 1e9);
	vm->stats.requests++;
	hexovm_cb(vm)->migrate = HEXO_MIGRATE_VMM;
	hexovm_err("migration requested (%s): stopping at the next migration point", why);
}

static void hexovm_withdraw(struct hexovm *vm)
{
	vm->pending = false;
	hexovm_cb(vm)->migrate = 0;
}

void hexovm_migrate_poll(struct hexovm *vm)
{
	struct timespec zero = { 0 };
	sigset_t set;
	uint64_t now;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGALRM);
	while ((sig = sigtimedwait(&set, NULL, &zero)) > 0)
		if (sig == SIGUSR1)
			hexovm_request(vm, "SIGUSR1");
	now = hexovm_now_ns();
	if (vm->request_at_ns && now >= vm->request_at_ns) {
		vm->request_at_ns = 0;
		hexovm_request(vm, "--checkpoint-after");
	}
	if (vm->pending && now >= vm->deadline_ns) {
		hexovm_withdraw(vm);
		vm->stats.timeouts++;
		hexovm_err("timeout: the guest reached no migration point within %g s; request "
			   "withdrawn, the guest keeps running", vm->opts->migrate_timeout);
	}
}

unsigned int hexovm_capture_regions(struct hexovm *vm, struct hexovm_image_src *src,
				    struct hexo_image_hdr *hdr)
{
	struct hexo_cb *cb = hexovm_cb(vm);
	uint64_t heap_top = cb->heap_top;
	unsigned int n = 0;

	memset(hdr, 0, sizeof(*hdr));
	hdr->source_isa = HEXOVM_ISA;
	hdr->mem_size = vm->mem_size;
	hdr->layout_crc = vm->elf.layout_crc;
	memcpy(hdr->app, cb->app, sizeof(hdr->app) - 1);
	hdr->cont = cb->cont;

	src[n++] = (struct hexovm_image_src){ HEXO_REGION_CB, HEXO_GPA_CB, HEXO_PAGE_SIZE,
					      vm->mem + HEXO_GPA_CB };
	if (vm->elf.data_end > vm->elf.data_start)
		src[n++] = (struct hexovm_image_src){
			HEXO_REGION_DATA, vm->elf.data_start,
			vm->elf.data_end - vm->elf.data_start, vm->mem + vm->elf.data_start };
	/* The guest says where its heap ends; believe it only within memory. */
	if (heap_top > HEXO_GPA_HEAP && heap_top <= vm->mem_size && !(heap_top % HEXO_PAGE_SIZE))
		src[n++] = (struct hexovm_image_src){ HEXO_REGION_HEAP, HEXO_GPA_HEAP,
						      heap_top - HEXO_GPA_HEAP,
						      vm->mem + HEXO_GPA_HEAP };
	return n;
}

/* The baseline migrator: an image file, moved by whatever moves files. */
static int hexovm_capture_file(struct hexovm *vm)
{
	struct hexovm_image_src src[HEXO_IMAGE_MAX_REGIONS];
	const char *path = vm->opts->checkpoint;
	struct hexo_image_hdr hdr;
	unsigned int n = hexovm_capture_regions(vm, src, &hdr);
	char tmp[4096];
	uint64_t bytes = 0;
	int fd, ret;

	for (unsigned int i = 0; i < n; i++)
		bytes += src[i].size;
	/* Write aside and rename, so no reader ever sees half an image. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ret = -errno;
		hexovm_err("%s: %s", tmp, strerror(errno));
		return ret;
	}
	ret = hexovm_image_write(fd, &hdr, src, n);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		hexovm_err("cannot write checkpoint %s: %s", path, strerror(-ret));
		unlink(tmp);
		return ret;
	}
	hexovm_err("checkpoint of %s at migration point %u (%s, %llu KiB of memory) written "
		   "to %s", hdr.app, hdr.cont.point, hexovm_isa_name(HEXOVM_ISA),
		   (unsigned long long)(bytes >> 10), path);
	return 0;
}

static const struct hexovm_migrator hexovm_migrators[] = {
	{ .name = "file", .capture = hexovm_capture_file },
};

const struct hexovm_migrator *hexovm_migrator_find(const char *name)
{
	for (size_t i = 0; i < sizeof(hexovm_migrators) / sizeof(hexovm_migrators[0]); i++)
		if (!strcmp(hexovm_migrators[i].name, name))
			return &hexovm_migrators[i];
	return NULL;
}

int64_t hexovm_migrate_ready(struct hexovm *vm)
{
	struct hexo_cb *cb = hexovm_cb(vm);
	bool stop = vm->stop_armed && cb->stop_count && cb->stop_hits == cb->stop_count &&
		    cb->cont.point == cb->stop_point;
	int ret;

	/* The guest's progress for --stats, before what a capture costs. */
	if (cb->migrate == HEXO_MIGRATE_HOST || vm->pending || stop)
		hexovm_progress_mark(vm);
	if (cb->migrate == HEXO_MIGRATE_HOST) {
		/* hexo_kvm asked: it captures and moves the guest. */
		ret = hexovm_link_parked(vm);
		if (ret) {
			cb->migrate = 0;
			vm->stats.marked = false;	/* it runs on: counted to its end */
			return ret;
		}
		vm->done = true;
		vm->status = 0;
		return 0;
	}
	if (!vm->pending && !stop) {
		hexovm_err("guest at migration point %u without a request; carrying on",
			   cb->cont.point);
		return -EINVAL;
	}
	ret = vm->migrator->capture(vm);
	if (ret) {
		hexovm_withdraw(vm);
		vm->stop_armed = false;
		cb->stop_count = 0;
		vm->stats.marked = false;
		hexovm_err("capture failed; the guest keeps running");
		return ret;
	}
	vm->done = true;
	vm->status = 0;
	return 0;
}

int hexovm_image_map(const char *path, struct hexovm_image *img)
{
	char err[256];
	size_t len;
	void *p;
	int ret;

	ret = hexovm_map_file(path, 1, "empty file, not a checkpoint image", &p, &len);
	if (ret)
		return ret;
	ret = hexovm_image_parse(p, len, img, err, sizeof(err));
	if (ret) {
		munmap(p, len);
		hexovm_err("%s: %s", path, err);
		return ret;
	}
	return 0;
}

void hexovm_image_unmap(struct hexovm_image *img)
{
	munmap((void *)img->base, img->len);
}

int hexovm_restore(struct hexovm *vm, const struct hexovm_image *img)
{
	const struct hexo_image_hdr *h = img->hdr;
	struct hexo_cb *cb = hexovm_cb(vm);

	if (h->layout_crc != vm->elf.layout_crc) {
		hexovm_err("%s does not match the image: the image's data layout is %08x, the "
			   "ELF's %08x; restore with the %s build of the same %s sources",
			   vm->opts->elf, h->layout_crc, vm->elf.layout_crc,
			   hexovm_isa_name(HEXOVM_ISA), h->app);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < h->nregions; i++) {
		const struct hexo_image_region *r = &img->regions[i];

		if (r->kind == HEXO_REGION_DATA &&
		    (r->gpa != vm->elf.data_start || r->gpa + r->size != vm->elf.data_end)) {
			hexovm_err("image data region %#llx+%#llx is not the ELF's .data/.bss "
				   "%#llx-%#llx", (unsigned long long)r->gpa,
				   (unsigned long long)r->size,
				   (unsigned long long)vm->elf.data_start,
				   (unsigned long long)vm->elf.data_end);
			return -EINVAL;
		}
		memcpy(vm->mem + r->gpa, img->base + r->offset, r->size);
	}
	if (cb->magic != HEXO_CB_MAGIC || cb->abi_version != HEXO_ABI_VERSION ||
	    cb->mem_size != vm->mem_size) {
		hexovm_err("the image's control block is not of guest ABI %u", HEXO_ABI_VERSION);
		return -EINVAL;
	}
	cb->resume = 1;
	cb->migrate = 0;
	cb->cont.migrations++;
	hexovm_err("restoring %s from %s at migration point %u (migration %u)", h->app,
		   hexovm_isa_name(h->source_isa), h->cont.point, cb->cont.migrations);
	return 0;
}

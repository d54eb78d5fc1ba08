// SPDX-License-Identifier: GPL-2.0
/*
 * The KVM side of hexovm: /dev/kvm, the VM, its one memory slot, the vCPU
 * and the run loop.
 *
 * Guest memory is private anonymous memory, never locked: the host kernel
 * may page it out like any process memory, which on a board means to
 * Netswap.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "hexovm.h"

const char hx_prog[] = "hexovm";

/* hx_err() (err.h), by the name hexovm's code uses. */
void hexovm_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hx_verr(fmt, ap);
	va_end(ap);
}

uint64_t hexovm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void *hexovm_gpa(struct hexovm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->mem_size || len > vm->mem_size - gpa)
		return NULL;
	return vm->mem + gpa;
}

int hexovm_kvm_init(struct hexovm *vm, uint64_t mem_size)
{
	struct kvm_userspace_memory_region region = { .slot = 0 };
	int ret, mmap_size;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		ret = -errno;
		hexovm_err("/dev/kvm: %s (is KVM loaded, and may this user use it?)",
			   strerror(errno));
		return ret;
	}
	ret = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (ret != KVM_API_VERSION) {
		hexovm_err("KVM API version %d, want %d", ret, KVM_API_VERSION);
		ret = -ENOTSUP;
		goto err_kvm;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		ret = -errno;
		hexovm_err("KVM_CREATE_VM: %s", strerror(errno));
		goto err_kvm;
	}
	ret = hexovm_arch_vm_init(vm);
	if (ret)
		goto err_vm;

	vm->mem_size = mem_size;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		ret = -errno;
		hexovm_err("cannot map %llu bytes of guest memory: %s",
			   (unsigned long long)mem_size, strerror(errno));
		goto err_vm;
	}
	region.memory_size = mem_size;
	region.userspace_addr = (uintptr_t)vm->mem;
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region)) {
		ret = -errno;
		hexovm_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		goto err_mem;
	}

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0) {
		ret = -errno;
		hexovm_err("KVM_CREATE_VCPU: %s", strerror(errno));
		goto err_mem;
	}
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (mmap_size < (int)sizeof(struct kvm_run)) {
		ret = -EINVAL;
		hexovm_err("KVM_GET_VCPU_MMAP_SIZE: %d", mmap_size);
		goto err_vcpu;
	}
	vm->run_size = mmap_size;
	vm->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (vm->run == MAP_FAILED) {
		ret = -errno;
		hexovm_err("cannot map the vCPU's kvm_run: %s", strerror(errno));
		goto err_vcpu;
	}
	return 0;

err_vcpu:
	close(vm->vcpu_fd);
err_mem:
	munmap(vm->mem, mem_size);
err_vm:
	close(vm->vm_fd);
err_kvm:
	close(vm->kvm_fd);
	return ret;
}

void hexovm_kvm_uninit(struct hexovm *vm)
{
	munmap(vm->run, vm->run_size);
	close(vm->vcpu_fd);
	munmap(vm->mem, vm->mem_size);
	close(vm->vm_fd);
	close(vm->kvm_fd);
}

int hexovm_kvm_run(struct hexovm *vm)
{
	while (!vm->done) {
		uint32_t nr;
		int ret;

		hexovm_migrate_poll(vm);
		if (vm->done)
			break;
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->stats.exits_intr++;
				continue;
			}
			hexovm_err("KVM_RUN: %s", strerror(errno));
			return 1;
		}
		vm->stats.exits++;
		ret = hexovm_arch_hypercall_exit(vm, &nr);
		if (ret < 0)
			return 1;
		if (ret)
			hexovm_hypercall(vm, nr);
		else
			return hexovm_arch_bad_exit(vm);
	}
	return vm->status;
}

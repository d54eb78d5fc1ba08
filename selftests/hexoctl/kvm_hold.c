// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold: creates a KVM VM with MiB of memory and N vCPUs, prints
 * "vmfd FD" and waits until killed. Gives the hexoctl tests a VMM-like
 * process to attach to. Usage: kvm_hold [MiB [VCPUS]]
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 0) : 2;
	int vcpus = argc > 2 ? atoi(argv[2]) : 1;
	struct kvm_userspace_memory_region region = { .slot = 0 };
	int kvm, vm;
	void *mem;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("kvm_hold: /dev/kvm");
		return 4;	/* kselftest's "skip" */
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}
	mem = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("kvm_hold: mmap");
		return 1;
	}
	region.memory_size = mib << 20;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region)) {
		perror("kvm_hold: KVM_SET_USER_MEMORY_REGION");
		return 1;
	}
	for (int i = 0; i < vcpus; i++) {
		if (ioctl(vm, KVM_CREATE_VCPU, i) < 0) {
			perror("kvm_hold: KVM_CREATE_VCPU");
			return 1;
		}
	}
	printf("vmfd %d\n", vm);
	fflush(stdout);
	for (;;)
		pause();
}

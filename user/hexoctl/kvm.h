/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hexoctl's other objects use of hexo_kvm: a node's report
 * (HEXO_KVM_CMD_REPORT), for "kvm report" and the policy daemon.
 */
#ifndef _HEXOCTL_KVM_H
#define _HEXOCTL_KVM_H

#include <stdbool.h>
#include <stdint.h>
#include <hexo/wire.h>

#include "hxnl.h"

struct kvm_report {
	uint32_t isa, cpus, vms, age_ms;
	uint64_t mem_total, mem_available, swap_free;	/* bytes */
	unsigned int count;
	struct kvm_report_vm {
		uint32_t id;		/* the VM here it was handed off as; 0: none */
		uint32_t vcpus;
		bool has_points;
		uint64_t points, cpu_ns, rss, swap;
	} vm[HEXO_KVM_REPORT_MAX_VMS];
};

/*
 * The report of the hexo_kvm at mac on interface dev, within timeout_ms (0:
 * the module's default). 0, or a negative errno (the kernel's extack is in
 * nl, for hexoctl_nl_fail()).
 */
int kvm_report_get(struct hxnl *nl, const uint8_t mac[6], const char *dev, uint32_t timeout_ms,
		   struct kvm_report *r);

#endif /* _HEXOCTL_KVM_H */

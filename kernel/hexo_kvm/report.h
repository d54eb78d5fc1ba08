/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Node reports (HEXO_KVM_REPORT_INDEX, include/uapi/hexo/wire.h): what a
 * node has and runs, answered to a reader's READ; and the reading side,
 * HEXO_KVM_CMD_REPORT.
 */
#ifndef _HKVM_REPORT_H
#define _HKVM_REPORT_H

#include <linux/if_ether.h>
#include <linux/types.h>
#include <hexo/wire.h>

struct hxl_sess;
struct net;
struct netlink_ext_ack;

/* A report as read, in host order, its VMs matched to the VMs here. */
struct hkvm_report_info {
	u32 isa, cpus, vms, age_ms;
	u64 mem_total, mem_available, swap_free;
	u32 count;
	struct hkvm_report_vm {
		u32 id;			/* the VM here handed off as it; 0: none */
		u32 vcpus;
		bool has_points;
		u64 points, cpu_ns, rss, swap;
	} vm[HEXO_KVM_REPORT_MAX_VMS];
};

/*
 * Serving side, softirq: the report for the reader of index
 * HEXO_KVM_REPORT_INDEX, through emit as a READ's page; HEXO_ST_BUSY while
 * a fresh snapshot is being taken.
 */
int hkvm_report_read(const u8 *reader, u64 index,
		     void (*emit)(void *arg, const void *data, u32 crc), void *arg);

/* Reading side: the report of the hexo_kvm at peer, within timeout_ms. */
int hkvm_report_fetch(struct net *net, int ifindex, const u8 *peer, u32 timeout_ms,
		      struct hkvm_report_info *out, struct netlink_ext_ack *extack);

/* After the service (no more reads), before the VMs. */
void hkvm_report_uninit(void);

#endif /* _HKVM_REPORT_H */

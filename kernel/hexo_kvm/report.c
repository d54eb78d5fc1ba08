// SPDX-License-Identifier: GPL-2.0
/*
 * Node reports (report.h). A READ of HEXO_KVM_REPORT_INDEX is answered in
 * softirq from a snapshot that a work takes in process context (it reads
 * the guests' control blocks under hkvm_vms_lock): at most
 * HEXO_KVM_REPORT_FRESH_MS old, taken again every half of that while reads
 * come, and for HKVM_REPORT_KEEP_MS after the last one. A read that finds
 * none that fresh is answered BUSY and wakes the work: the reader sends
 * again after its RTO. A reader sees only the VMs it handed to this node.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/swap.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <net/netlink.h>
#include <hexo/hexo_kvm.h>

#include "link/hexo_link.h"
#include "reclaim.h"
#include "report.h"
#include "service.h"
#include "vm.h"

static_assert(sizeof(struct hexo_kvm_report) == 56);
static_assert(sizeof(struct hexo_kvm_report_vm) == 48);
static_assert(sizeof(struct hexo_kvm_report) +
	      HEXO_KVM_REPORT_MAX_VMS * sizeof(struct hexo_kvm_report_vm) <= HEXO_PAGE_SIZE);

#define HKVM_REPORT_KEEP_MS	10000
/* The read's own bound, when the connection took all of the timeout. */
#define HKVM_REPORT_READ_MIN_MS	50

/* A snapshot: the node's part, and each VM it runs with the node it came from. */
struct hkvm_snap {
	struct hexo_kvm_report node;	/* count and age_ms are per answer */
	u64 taken_ns;			/* ktime_get_ns(); 0: none yet */
	u32 count;
	struct {
		u8 origin[ETH_ALEN];
		struct hexo_kvm_report_vm vm;
	} ent[HKVM_MAX_VMS];
};

static DEFINE_SPINLOCK(hkvm_report_lock);
/* Under hkvm_report_lock: */
static struct hkvm_snap hkvm_snap;
static u8 hkvm_report_page[HEXO_PAGE_SIZE];	/* the answer being sent */
static unsigned long hkvm_report_asked;		/* jiffies of the last read */
static bool hkvm_report_dead;			/* unloading: the work stays off */

static void hkvm_report_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(hkvm_report_work, hkvm_report_work_fn);

/* A VM that runs here, taken from another node: its entry. */
static bool hkvm_report_vm(const struct hkvm_vm_info *info, u8 *origin,
			   struct hexo_kvm_report_vm *e)
{
	u16 export;
	u64 token;

	/* The origin's entry is read after the VM's: still the same VM's? */
	if (!info->has_origin || info->gone || info->state == HEXO_KVM_ST_HANDED_OFF ||
	    !hkvm_reclaim_origin(info->id, origin, &export, &token) ||
	    !ether_addr_equal(origin, info->origin))
		return false;
	e->token = cpu_to_be64(token);
	e->export = cpu_to_be16(export);
	e->flags = cpu_to_be16(info->has_points ? HEXO_KVM_REPORT_F_POINTS : 0);
	e->vcpus = cpu_to_be32(info->vcpus);
	e->points = cpu_to_be64(info->has_points ? info->points : 0);
	e->cpu_ns = cpu_to_be64(info->has_proc ? info->cpu_ns : 0);
	e->rss = cpu_to_be64(info->has_proc ? info->rss : 0);
	e->swap = cpu_to_be64(info->has_proc ? info->swap : 0);
	return true;
}

static void hkvm_report_work_fn(struct work_struct *work)
{
	struct hkvm_vm_info *info;
	struct hkvm_snap *snap;
	struct sysinfo si;
	u32 id = 0, n = 0;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!snap || !info)
		goto out;	/* the next read wakes the work again */
	while (n < HKVM_MAX_VMS && !hkvm_vm_next(&id, info, true))
		if (hkvm_report_vm(info, snap->ent[n].origin, &snap->ent[n].vm))
			n++;
	snap->count = n;
	si_meminfo(&si);
	snap->node.magic = cpu_to_be32(HEXO_KVM_REPORT_MAGIC);
	snap->node.isa = cpu_to_be16(HKVM_ISA);
	snap->node.cpus = cpu_to_be32(num_online_cpus());
	snap->node.vms = cpu_to_be32(hkvm_vm_count());
	snap->node.mem_total = cpu_to_be64((u64)si.totalram * si.mem_unit);
	snap->node.mem_available = cpu_to_be64((u64)si_mem_available() << PAGE_SHIFT);
	snap->node.swap_free = cpu_to_be64((u64)max(get_nr_swap_pages(), 0L) << PAGE_SHIFT);
	snap->taken_ns = ktime_get_ns();
	snap->node.time_ns = cpu_to_be64(snap->taken_ns);

	spin_lock_bh(&hkvm_report_lock);
	hkvm_snap = *snap;
	if (!hkvm_report_dead &&
	    time_before(jiffies, hkvm_report_asked + msecs_to_jiffies(HKVM_REPORT_KEEP_MS)))
		queue_delayed_work(system_wq, &hkvm_report_work,
				   msecs_to_jiffies(HEXO_KVM_REPORT_FRESH_MS / 2));
	spin_unlock_bh(&hkvm_report_lock);
out:
	kfree(info);
	kfree(snap);
}

int hkvm_report_read(const u8 *reader, u64 index,
		     void (*emit)(void *arg, const void *data, u32 crc), void *arg)
{
	struct hexo_kvm_report *r = (struct hexo_kvm_report *)hkvm_report_page;
	u32 i, n = 0;
	u64 age;

	spin_lock_bh(&hkvm_report_lock);
	hkvm_report_asked = jiffies;
	/* Read under the lock: the work publishes no snapshot from our future. */
	age = ktime_get_ns() - hkvm_snap.taken_ns;
	if (!hkvm_snap.taken_ns || age > HEXO_KVM_REPORT_FRESH_MS * NSEC_PER_MSEC) {
		if (!hkvm_report_dead)
			mod_delayed_work(system_wq, &hkvm_report_work, 0);
		spin_unlock_bh(&hkvm_report_lock);
		return HEXO_ST_BUSY;
	}
	memset(hkvm_report_page, 0, sizeof(hkvm_report_page));
	*r = hkvm_snap.node;
	for (i = 0; i < hkvm_snap.count && n < HEXO_KVM_REPORT_MAX_VMS; i++)
		if (ether_addr_equal(hkvm_snap.ent[i].origin, reader))
			r->vm[n++] = hkvm_snap.ent[i].vm;
	r->count = cpu_to_be16(n);
	r->age_ms = cpu_to_be32(div_u64(age, NSEC_PER_MSEC));
	emit(arg, hkvm_report_page, hxl_page_crc(index, hkvm_report_page));
	spin_unlock_bh(&hkvm_report_lock);
	return HEXO_ST_OK;
}

/* A report off the wire, checked and matched to the VMs handed off from here. */
static int hkvm_report_parse(const struct hexo_kvm_report *r, const u8 *peer,
			     struct hkvm_report_info *out)
{
	u32 i, n = be16_to_cpu(r->count);

	if (be32_to_cpu(r->magic) != HEXO_KVM_REPORT_MAGIC || n > HEXO_KVM_REPORT_MAX_VMS)
		return -EPROTO;
	out->isa = be16_to_cpu(r->isa);
	out->cpus = be32_to_cpu(r->cpus);
	out->vms = be32_to_cpu(r->vms);
	out->age_ms = be32_to_cpu(r->age_ms);
	out->mem_total = be64_to_cpu(r->mem_total);
	out->mem_available = be64_to_cpu(r->mem_available);
	out->swap_free = be64_to_cpu(r->swap_free);
	out->count = n;
	mutex_lock(&hkvm_vms_lock);
	for (i = 0; i < n; i++) {
		const struct hexo_kvm_report_vm *e = &r->vm[i];
		struct hkvm_report_vm *v = &out->vm[i];

		v->id = hkvm_vm_find_handed(peer, be16_to_cpu(e->export), be64_to_cpu(e->token));
		v->vcpus = be32_to_cpu(e->vcpus);
		v->has_points = be16_to_cpu(e->flags) & HEXO_KVM_REPORT_F_POINTS;
		v->points = be64_to_cpu(e->points);
		v->cpu_ns = be64_to_cpu(e->cpu_ns);
		v->rss = be64_to_cpu(e->rss);
		v->swap = be64_to_cpu(e->swap);
	}
	mutex_unlock(&hkvm_vms_lock);
	return 0;
}

int hkvm_report_fetch(struct net *net, int ifindex, const u8 *peer, u32 timeout_ms,
		      struct hkvm_report_info *out, struct netlink_ext_ack *extack)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct hxl_chan *chan;
	struct page *page;
	bool absent = false;
	u32 left;
	int ret;

	page = alloc_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	/* The inbox and the report. */
	chan = hkvm_service_connect(net, ifindex, peer, 2 * HEXO_PAGE_SIZE, timeout_ms, extack);
	if (IS_ERR(chan)) {
		ret = PTR_ERR(chan);
		if (ret == -ETIMEDOUT) {
			NL_SET_ERR_MSG(extack, "no answer from that node within the timeout");
		} else if (ret == -ECONNREFUSED) {
			NL_SET_ERR_MSG(extack,
				       "that node does not serve hexo_kvm on this link (hexoctl kvm serve there)");
			ret = -ENOTCONN;
		}
		goto out;
	}
	/* One timeout for both: what the connection left for the read. */
	left = time_before(jiffies, deadline) ? jiffies_to_msecs(deadline - jiffies) : 0;
	hxl_chan_set_dead_ms(chan, max_t(u32, left, HKVM_REPORT_READ_MIN_MS));
	ret = hkvm_chan_page(chan, HEXO_OP_READ, HEXO_KVM_REPORT_INDEX, page, &absent);
	hxl_chan_destroy(chan);
	if (ret == -EINVAL || (!ret && absent)) {
		NL_SET_ERR_MSG(extack, "that node does not report (an older hexo_kvm)");
		ret = -EOPNOTSUPP;
	} else if (ret == -EIO) {
		NL_SET_ERR_MSG(extack, "that node sent no report within the timeout");
		ret = -ETIMEDOUT;
	} else if (!ret) {
		ret = hkvm_report_parse(page_address(page), peer, out);
		if (ret)
			NL_SET_ERR_MSG(extack, "that node's report is malformed");
	}
out:
	__free_page(page);
	return ret;
}

void hkvm_report_uninit(void)
{
	spin_lock_bh(&hkvm_report_lock);
	hkvm_report_dead = true;
	spin_unlock_bh(&hkvm_report_lock);
	cancel_delayed_work_sync(&hkvm_report_work);
}

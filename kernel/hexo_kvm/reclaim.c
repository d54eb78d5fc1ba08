// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaims (reclaim.h). A target that accepts an offer with its VM's
 * descriptor gets that VM attached here, with the source as its origin and
 * the offer's export and token as what names it. The source's RECLAIM,
 * echoing them, makes this node offload the VM back to the source, as if
 * hexoctl kvm offload had named it; the source's VMM takes it like any offer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netlink.h>
#include <hexo/hexo_kvm.h>
#include <hexo/wire.h>

#include "offload.h"
#include "pull.h"
#include "reclaim.h"
#include "service.h"
#include "vm.h"

/* What names an adopted VM, by VM id, and a RECLAIM waiting for the work. */
struct hkvm_origin {
	bool used;
	u8 peer[ETH_ALEN];
	u16 export;
	u64 token;
	/* A RECLAIM came: the work starts the offload back. */
	bool pending;
	struct net *net;		/* held while pending */
	int ifindex;
	u32 timeout_ms;
};

static DEFINE_SPINLOCK(hkvm_origins_lock);
static struct hkvm_origin hkvm_origins[HKVM_MAX_VMS + 1];

static void hkvm_reclaim_work(struct work_struct *work);
static DECLARE_WORK(hkvm_reclaim_wk, hkvm_reclaim_work);

int hkvm_reclaim_request(struct net *net, u32 id, u32 timeout_ms, struct hkvm_vm_info *info,
			 struct netlink_ext_ack *extack)
{
	struct hexo_kvm_msg msg = {};
	u8 peer[ETH_ALEN];
	struct hkvm_vm *vm;
	int ifindex, ret = 0;

	mutex_lock(&hkvm_vms_lock);
	vm = hkvm_vm_find(id);
	if (!vm) {
		NL_SET_ERR_MSG(extack, "no VM with this id is attached");
		ret = -ENOENT;
	} else if (vm->state != HEXO_KVM_ST_HANDED_OFF || !vm->handed_token) {
		NL_SET_ERR_MSG(extack, "this VM was not handed off from here: nothing to reclaim");
		ret = -EINVAL;
	} else if (vm->exp) {
		NL_SET_ERR_MSG(extack, "its target still pulls its memory: retry once not lending");
		ret = -EBUSY;
	} else {
		ether_addr_copy(peer, vm->peer);
		ifindex = vm->ifindex;
		msg.export = cpu_to_be16(vm->handed_export);
		msg.token = cpu_to_be64(vm->handed_token);
	}
	mutex_unlock(&hkvm_vms_lock);
	if (ret)
		return ret;
	if (!hkvm_service_serves(net, ifindex)) {
		NL_SET_ERR_MSG(extack, "the interface is not served: hexoctl kvm serve dev IF first");
		return -ENOTCONN;
	}
	msg.magic = cpu_to_be32(HEXO_KVM_MSG_MAGIC);
	msg.type = cpu_to_be16(HEXO_KVM_MSG_RECLAIM);
	msg.timeout_ms = cpu_to_be32(timeout_ms);
	ret = hkvm_service_send(net, ifindex, peer, &msg, timeout_ms);
	if (ret) {
		NL_SET_ERR_MSG(extack, "the target did not agree: it runs the VM no more, or is gone");
		return -EIO;
	}
	pr_info("VM %u: %pM sends it back\n", id, peer);
	return hkvm_vm_get(id, info);
}

int hkvm_reclaim_adopt(int fd, const struct hkvm_offer_info *o, struct hkvm_vm_info *info,
		       struct netlink_ext_ack *extack)
{
	struct hkvm_origin *org;
	struct hkvm_vm *vm;
	int ret;

	ret = hkvm_vm_attach(fd, task_tgid_vnr(current), o->app, info, extack);
	if (ret)
		return ret;
	mutex_lock(&hkvm_vms_lock);
	vm = hkvm_vm_find(info->id);
	if (vm) {
		vm->has_origin = true;
		ether_addr_copy(vm->origin, o->peer);
		spin_lock_bh(&hkvm_origins_lock);
		org = &hkvm_origins[info->id];
		org->used = true;
		ether_addr_copy(org->peer, o->peer);
		org->export = o->export;
		org->token = o->token;
		spin_unlock_bh(&hkvm_origins_lock);
		hkvm_vm_fill(vm, info);
	}
	mutex_unlock(&hkvm_vms_lock);
	return vm ? 0 : -ENOENT;	/* detached meanwhile */
}

bool hkvm_reclaim_origin(u32 id, u8 *peer, u16 *export, u64 *token)
{
	bool used;

	if (!id || id > HKVM_MAX_VMS)
		return false;
	spin_lock_bh(&hkvm_origins_lock);
	used = hkvm_origins[id].used;
	ether_addr_copy(peer, hkvm_origins[id].peer);
	*export = hkvm_origins[id].export;
	*token = hkvm_origins[id].token;
	spin_unlock_bh(&hkvm_origins_lock);
	return used;
}

void hkvm_reclaim_forget(u32 id)
{
	struct net *net = NULL;

	if (!id || id > HKVM_MAX_VMS)
		return;
	spin_lock_bh(&hkvm_origins_lock);
	if (hkvm_origins[id].pending)
		net = hkvm_origins[id].net;
	memset(&hkvm_origins[id], 0, sizeof(hkvm_origins[id]));
	spin_unlock_bh(&hkvm_origins_lock);
	if (net)
		put_net(net);
}

bool hkvm_reclaim_asked(struct net *net, int ifindex, const u8 *peer,
			const struct hexo_kvm_msg *msg)
{
	u64 token = be64_to_cpu(msg->token);
	u16 export = be16_to_cpu(msg->export);
	struct hkvm_origin *org;
	bool found = false;
	int id;

	if (!token)
		return false;
	spin_lock(&hkvm_origins_lock);
	for (id = 1; id <= HKVM_MAX_VMS && !found; id++) {
		org = &hkvm_origins[id];
		if (!org->used || org->token != token || org->export != export ||
		    !ether_addr_equal(org->peer, peer))
			continue;
		found = true;
		/* A retransmission finds it pending or started: the same answer. */
		if (org->pending)
			break;
		org->net = maybe_get_net(net);
		if (!org->net) {
			found = false;
			break;
		}
		org->pending = true;
		org->ifindex = ifindex;
		org->timeout_ms = clamp_val(be32_to_cpu(msg->timeout_ms) ?:
					    HEXO_KVM_TIMEOUT_DEFAULT_MS,
					    HEXO_KVM_TIMEOUT_MIN_MS, HEXO_KVM_TIMEOUT_MAX_MS);
		schedule_work(&hkvm_reclaim_wk);
	}
	spin_unlock(&hkvm_origins_lock);
	return found;
}

/* Starts the offloads back that RECLAIMs asked for. */
static void hkvm_reclaim_work(struct work_struct *work)
{
	struct hkvm_origin req;
	struct hkvm_vm *vm;
	int id, ret;

	for (id = 1; id <= HKVM_MAX_VMS; id++) {
		spin_lock_bh(&hkvm_origins_lock);
		req = hkvm_origins[id];
		hkvm_origins[id].pending = false;
		hkvm_origins[id].net = NULL;
		spin_unlock_bh(&hkvm_origins_lock);
		if (!req.pending)
			continue;
		mutex_lock(&hkvm_vms_lock);
		vm = hkvm_vm_find(id);
		ret = vm ? hkvm_offload_start(vm, req.net, req.ifindex, req.peer,
					      req.timeout_ms, false, NULL) : -ENOENT;
		mutex_unlock(&hkvm_vms_lock);
		if (ret)
			pr_info("VM %u: %pM reclaims it, but it cannot be offloaded (%d)\n", id,
				req.peer, ret);
		else
			pr_info("VM %u: %pM reclaims it: offloading it back\n", id, req.peer);
		put_net(req.net);
	}
}

void hkvm_reclaim_uninit(void)
{
	int id;

	/* No RECLAIM comes any more (the service is gone). */
	cancel_work_sync(&hkvm_reclaim_wk);
	for (id = 1; id <= HKVM_MAX_VMS; id++)
		hkvm_reclaim_forget(id);
}

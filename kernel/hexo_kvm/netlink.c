// SPDX-License-Identifier: GPL-2.0
/*
 * The "hexo_kvm" generic netlink family. include/uapi/hexo/hexo_kvm.h is its
 * contract and documentation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/file.h>
#include <linux/kvm_host.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "genl_util.h"
#include "netlink.h"
#include "offload.h"
#include "pull.h"
#include "reclaim.h"
#include "report.h"
#include "service.h"
#include "vm.h"

static struct genl_family hkvm_genl_family;
/* Events only while the family is registered; under hkvm_vms_lock. */
static bool hkvm_genl_up;

static struct netlink_range_validation hkvm_fd_range = {
	.max = INT_MAX,
};

static struct netlink_range_validation hkvm_pid_range = {
	.min = 1,
	.max = PID_MAX_LIMIT,
};

static struct netlink_range_validation hkvm_timeout_range = {
	.min = HEXO_KVM_TIMEOUT_MIN_MS,
	.max = HEXO_KVM_TIMEOUT_MAX_MS,
};

static const struct nla_policy hkvm_policy[HEXO_KVM_A_MAX + 1] = {
	[HEXO_KVM_A_VM_ID]	= NLA_POLICY_RANGE(NLA_U32, 1, HKVM_MAX_VMS),
	[HEXO_KVM_A_VM_FD]	= NLA_POLICY_FULL_RANGE(NLA_U32, &hkvm_fd_range),
	[HEXO_KVM_A_VM_PID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &hkvm_pid_range),
	[HEXO_KVM_A_VM_NAME]	= { .type = NLA_NUL_STRING, .len = HEXO_KVM_NAME_MAX - 1 },
	[HEXO_KVM_A_IFINDEX]	= NLA_POLICY_MIN(NLA_U32, 1),
	[HEXO_KVM_A_IFNAME]	= { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[HEXO_KVM_A_PEER]	= NLA_POLICY_EXACT_LEN(ETH_ALEN),
	[HEXO_KVM_A_TIMEOUT_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &hkvm_timeout_range),
	[HEXO_KVM_A_LAYOUT]	= { .type = NLA_U32 },
	[HEXO_KVM_A_OFFER_ID]	= NLA_POLICY_MIN(NLA_U32, 1),
	[HEXO_KVM_A_GPA]	= { .type = NLA_U64 },
	[HEXO_KVM_A_LEN]	= { .type = NLA_U64 },
	[HEXO_KVM_A_ADDR]	= { .type = NLA_U64 },
	[HEXO_KVM_A_POSTCOPY]	= { .type = NLA_FLAG },
	[HEXO_KVM_A_BACKGROUND]	= { .type = NLA_FLAG },
	[HEXO_KVM_A_PRECOPY]	= { .type = NLA_FLAG },
	[HEXO_KVM_A_DIRTY]	= { .type = NLA_FLAG },
};

static const struct genl_multicast_group hkvm_mcgrps[] = {
	{ .name = HEXO_KVM_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static u64 hkvm_us(ktime_t from, ktime_t to)
{
	return from && to > from ? ktime_to_us(ktime_sub(to, from)) : 0;
}

static int hkvm_put_stats(struct sk_buff *skb, const struct hkvm_stats *st)
{
	/* Downtime: parked until taken, or until it ran on here after all. */
	ktime_t resumed = st->taken ?: st->end;
	struct nlattr *nest;

	if (!st->valid)
		return 0;
	nest = nla_nest_start(skb, HEXO_KVM_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_BYTES, st->pages << PAGE_SHIFT,
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_PAGES, st->pages, HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_ZERO_PAGES, st->zero_pages, HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_STOP_PAGES, st->stop_pages, HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_DEMAND_PAGES, st->demand_pages,
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_BACKGROUND_PAGES, st->background_pages,
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_DOWNTIME_US, hkvm_us(st->parked, resumed),
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_DURATION_US, hkvm_us(st->start, st->end),
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_PARKING_US, hkvm_us(st->start, st->parked),
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_PRECOPY_PAGES, st->precopy_pages,
			      HEXO_KVM_STAT_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_STAT_DIRTY_PAGES, st->dirty_pages,
			      HEXO_KVM_STAT_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int hkvm_put_vm(struct sk_buff *skb, const struct hkvm_vm_info *vm)
{
	if (nla_put_u32(skb, HEXO_KVM_A_VM_ID, vm->id) ||
	    nla_put_u32(skb, HEXO_KVM_A_VM_PID, vm->pid) ||
	    nla_put_string(skb, HEXO_KVM_A_VM_NAME, vm->name) ||
	    nla_put_u32(skb, HEXO_KVM_A_VM_VCPUS, vm->vcpus) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_VM_MEM, vm->mem_bytes, HEXO_KVM_A_PAD) ||
	    nla_put_u32(skb, HEXO_KVM_A_ISA, HKVM_ISA) ||
	    nla_put_u32(skb, HEXO_KVM_A_STATE, vm->state) ||
	    nla_put_u32(skb, HEXO_KVM_A_ERROR, -vm->error) ||
	    nla_put_u32(skb, HEXO_KVM_A_OFFLOADS, vm->offloads) ||
	    nla_put_u32(skb, HEXO_KVM_A_LENDING, vm->lending) ||
	    (vm->has_peer && nla_put(skb, HEXO_KVM_A_PEER, ETH_ALEN, vm->peer)) ||
	    (vm->gone && nla_put_flag(skb, HEXO_KVM_A_VMM_EXITED)) ||
	    (vm->has_origin && nla_put(skb, HEXO_KVM_A_ORIGIN, ETH_ALEN, vm->origin)) ||
	    (vm->has_points &&
	     (nla_put_u64_64bit(skb, HEXO_KVM_A_POINTS, vm->points, HEXO_KVM_A_PAD) ||
	      nla_put_string(skb, HEXO_KVM_A_APP, vm->app) ||
	      nla_put_string(skb, HEXO_KVM_A_ARGS, vm->args))) ||
	    hkvm_put_stats(skb, &vm->stats))
		return -EMSGSIZE;
	return 0;
}

static int hkvm_put_offer(struct sk_buff *skb, const struct hkvm_offer_info *o)
{
	if (nla_put_u32(skb, HEXO_KVM_A_OFFER_ID, o->id) ||
	    nla_put(skb, HEXO_KVM_A_PEER, ETH_ALEN, o->peer) ||
	    nla_put_u32(skb, HEXO_KVM_A_IFINDEX, o->ifindex) ||
	    nla_put_string(skb, HEXO_KVM_A_APP, o->app) ||
	    nla_put_u32(skb, HEXO_KVM_A_ISA, o->isa) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_VM_MEM, o->mem_size, HEXO_KVM_A_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_HEAP_TOP, o->heap_top, HEXO_KVM_A_PAD) ||
	    nla_put_u32(skb, HEXO_KVM_A_LAYOUT, o->layout) ||
	    nla_put_u32(skb, HEXO_KVM_A_POINT, o->point) ||
	    nla_put_u32(skb, HEXO_KVM_A_TIMEOUT_MS, o->timeout_ms) ||
	    (o->precopy && nla_put_flag(skb, HEXO_KVM_A_PRECOPY)))
		return -EMSGSIZE;
	return 0;
}

static int hkvm_reply_vm(struct genl_info *info, const struct hkvm_vm_info *vm)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hkvm_genl_family, 0, HEXO_KVM_CMD_GET_VM);
	if (!hdr || hkvm_put_vm(msg, vm)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int hkvm_cmd_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hkvm_genl_family, 0, HEXO_KVM_CMD_GET_INFO);
	if (!hdr ||
	    nla_put_string(msg, HEXO_KVM_A_VERSION, HEXO_VERSION) ||
	    nla_put_u32(msg, HEXO_KVM_A_NVMS, hkvm_vm_count()) ||
	    nla_put_u32(msg, HEXO_KVM_A_MAX_VMS, HKVM_MAX_VMS)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int hkvm_cmd_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fd_attr, **a = info->attrs;
	struct hkvm_vm_info vm;
	const char *name = "";
	u32 pid;
	int ret;

	fd_attr = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_FD,
				    "missing HEXO_KVM_A_VM_FD (the VM's descriptor)");
	if (!fd_attr)
		return -EINVAL;
	pid = a[HEXO_KVM_A_VM_PID] ? nla_get_u32(a[HEXO_KVM_A_VM_PID]) :
				     task_tgid_vnr(current);
	if (a[HEXO_KVM_A_VM_NAME])
		name = nla_data(a[HEXO_KVM_A_VM_NAME]);

	ret = hkvm_vm_attach(nla_get_u32(fd_attr), pid, name, &vm, info->extack);
	if (ret)
		return ret;
	return hkvm_reply_vm(info, &vm);
}

static int hkvm_cmd_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_ID,
					      "missing HEXO_KVM_A_VM_ID (which VM)");
	int ret;

	if (!id)
		return -EINVAL;
	ret = hkvm_vm_detach(nla_get_u32(id));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no VM with this id is attached");
	return ret;
}

static int hkvm_cmd_get_vm(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_ID,
					      "missing HEXO_KVM_A_VM_ID (which VM)");
	struct hkvm_vm_info vm;

	if (!id)
		return -EINVAL;
	if (hkvm_vm_get(nla_get_u32(id), &vm)) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no VM with this id is attached");
		return -ENOENT;
	}
	return hkvm_reply_vm(info, &vm);
}

static int hkvm_dump_vm(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 next = cb->args[0];
	struct hkvm_vm_info vm;
	void *hdr;

	while (!hkvm_vm_next(&next, &vm, false)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &hkvm_genl_family, NLM_F_MULTI, HEXO_KVM_CMD_GET_VM);
		if (!hdr)
			break;
		if (hkvm_put_vm(skb, &vm)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = next;
	}
	return skb->len;
}

static int hkvm_cmd_serve(struct sk_buff *skb, struct genl_info *info)
{
	int ifindex, ret;

	ret = hexo_genl_ifindex(info, HEXO_KVM_A_IFINDEX, HEXO_KVM_A_IFNAME, &ifindex);
	if (ret)
		return ret;
	if (info->genlhdr->cmd == HEXO_KVM_CMD_SERVE)
		return hkvm_service_serve(genl_info_net(info), ifindex, info->extack);
	ret = hkvm_service_unserve(genl_info_net(info), ifindex);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG(info->extack, "this interface is not served");
	return ret;
}

/*
 * The other node of a request: its MAC (peer, required), the interface to
 * it, and the timeout if one is given (*timeout holds the default).
 */
static int hkvm_nl_peer(struct genl_info *info, struct nlattr *peer, int *ifindex, u32 *timeout)
{
	if (!peer)
		return -EINVAL;
	if (!is_valid_ether_addr(nla_data(peer))) {
		NL_SET_ERR_MSG_ATTR(info->extack, peer, "the node's MAC is not a unicast address");
		return -EINVAL;
	}
	if (info->attrs[HEXO_KVM_A_TIMEOUT_MS])
		*timeout = nla_get_u32(info->attrs[HEXO_KVM_A_TIMEOUT_MS]);
	return hexo_genl_ifindex(info, HEXO_KVM_A_IFINDEX, HEXO_KVM_A_IFNAME, ifindex);
}

static int hkvm_cmd_offload(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_ID,
					      "missing HEXO_KVM_A_VM_ID (which VM)");
	struct nlattr *peer = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_PEER,
						"missing HEXO_KVM_A_PEER (the target's MAC)");
	u32 timeout = HEXO_KVM_TIMEOUT_DEFAULT_MS;
	struct hkvm_vm_info vi;
	struct hkvm_vm *vm;
	int ifindex, ret;

	if (!id)
		return -EINVAL;
	ret = hkvm_nl_peer(info, peer, &ifindex, &timeout);
	if (ret)
		return ret;
	mutex_lock(&hkvm_vms_lock);
	vm = hkvm_vm_find(nla_get_u32(id));
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no VM with this id is attached");
		ret = -ENOENT;
	} else {
		ret = hkvm_offload_start(vm, genl_info_net(info), ifindex, nla_data(peer),
					 timeout, nla_get_flag(info->attrs[HEXO_KVM_A_PRECOPY]),
					 info->extack);
		if (!ret)
			hkvm_vm_fill(vm, &vi);
	}
	mutex_unlock(&hkvm_vms_lock);
	return ret ?: hkvm_reply_vm(info, &vi);
}

static int hkvm_cmd_parked(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *fd = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_FD,
					      "missing HEXO_KVM_A_VM_FD (the VM's descriptor)");
	struct nlattr *layout = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_LAYOUT,
						  "missing HEXO_KVM_A_LAYOUT (the data layout)");
	struct hkvm_vm_info vi;
	struct hkvm_vm *vm;
	struct file *file;
	int ret;

	if (!fd || !layout)
		return -EINVAL;
	file = fget(nla_get_u32(fd));
	if (!file) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd, "descriptor is not open in the calling process");
		return -EBADF;
	}
	mutex_lock(&hkvm_vms_lock);
	vm = file_is_kvm(file) ? hkvm_vm_find_kvm(file->private_data) : NULL;
	if (!vm) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd, "this VM is not attached to hexo_kvm");
		ret = -ENOENT;
	} else {
		ret = hkvm_offload_parked(vm, nla_get_u32(layout), info->extack);
		if (!ret)
			hkvm_vm_fill(vm, &vi);
	}
	mutex_unlock(&hkvm_vms_lock);
	fput(file);
	return ret ?: hkvm_reply_vm(info, &vi);
}

static int hkvm_cmd_get_offer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_OFFER_ID,
					      "missing HEXO_KVM_A_OFFER_ID (which offer)");
	struct hkvm_offer_info o;
	struct sk_buff *msg;
	void *hdr;

	if (!id)
		return -EINVAL;
	if (hkvm_pull_get(nla_get_u32(id), &o)) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such offer");
		return -ENOENT;
	}
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hkvm_genl_family, 0, HEXO_KVM_CMD_GET_OFFER);
	if (!hdr || hkvm_put_offer(msg, &o)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int hkvm_dump_offer(struct sk_buff *skb, struct netlink_callback *cb)
{
	u32 next = cb->args[0];
	struct hkvm_offer_info o;
	void *hdr;

	while (!hkvm_pull_next(&next, &o)) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &hkvm_genl_family, NLM_F_MULTI, HEXO_KVM_CMD_GET_OFFER);
		if (!hdr)
			break;
		if (hkvm_put_offer(skb, &o)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = next;
	}
	return skb->len;
}

static int hkvm_cmd_pull(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_OFFER_ID,
					      "missing HEXO_KVM_A_OFFER_ID (which offer)");
	struct nlattr *gpa = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_GPA,
					       "missing HEXO_KVM_A_GPA (where in the guest)");
	struct nlattr *len = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_LEN,
					       "missing HEXO_KVM_A_LEN (how many bytes)");
	struct nlattr *addr = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_ADDR,
						"missing HEXO_KVM_A_ADDR (where in the caller)");

	bool dirty = nla_get_flag(info->attrs[HEXO_KVM_A_DIRTY]);
	struct sk_buff *msg;
	u64 pulled;
	void *hdr;
	int ret;

	if (!id || !gpa || !len || !addr)
		return -EINVAL;
	ret = hkvm_pull(genl_info_net(info), nla_get_u32(id), nla_get_u64(gpa),
			nla_get_u64(len), nla_get_u64(addr),
			nla_get_flag(info->attrs[HEXO_KVM_A_BACKGROUND]), dirty, &pulled,
			info->extack);
	if (ret || !dirty)
		return ret;
	/* Which pages changed, the caller cannot know: it is told how many. */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &hkvm_genl_family, 0, HEXO_KVM_CMD_PULL);
	if (!hdr || nla_put_u64_64bit(msg, HEXO_KVM_A_LEN, pulled << PAGE_SHIFT, HEXO_KVM_A_PAD)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ACCEPT with the caller's VM: attached first, detached if the answer fails. */
static int hkvm_cmd_accept(struct genl_info *info, struct nlattr *id)
{
	int type = info->attrs[HEXO_KVM_A_POSTCOPY] ? HEXO_KVM_MSG_TAKE : HEXO_KVM_MSG_DONE;
	struct nlattr *fd = info->attrs[HEXO_KVM_A_VM_FD];
	struct hkvm_offer_info o;
	struct hkvm_vm_info vi;
	int ret;

	if (info->attrs[HEXO_KVM_A_PRECOPY]) {
		if (fd || info->attrs[HEXO_KVM_A_POSTCOPY]) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[HEXO_KVM_A_PRECOPY],
					    "a pre-copy round's end takes no VM and no post-copy");
			return -EINVAL;
		}
		return hkvm_pull_answer(genl_info_net(info), nla_get_u32(id),
					HEXO_KVM_MSG_COPIED, info->extack);
	}
	if (!fd)
		return hkvm_pull_answer(genl_info_net(info), nla_get_u32(id), type, info->extack);
	if (hkvm_pull_get(nla_get_u32(id), &o)) {
		NL_SET_ERR_MSG_ATTR(info->extack, id, "no such offer");
		return -ENOENT;
	}
	ret = hkvm_reclaim_adopt(nla_get_u32(fd), &o, &vi, info->extack);
	if (ret)
		return ret;
	ret = hkvm_pull_answer(genl_info_net(info), nla_get_u32(id), type, info->extack);
	if (ret) {
		hkvm_vm_detach(vi.id);
		return ret;
	}
	return hkvm_reply_vm(info, &vi);
}

static int hkvm_cmd_reclaim(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_VM_ID,
					      "missing HEXO_KVM_A_VM_ID (which VM)");
	u32 timeout = HEXO_KVM_TIMEOUT_DEFAULT_MS;
	struct hkvm_vm_info vi;
	int ret;

	if (!id)
		return -EINVAL;
	if (info->attrs[HEXO_KVM_A_TIMEOUT_MS])
		timeout = nla_get_u32(info->attrs[HEXO_KVM_A_TIMEOUT_MS]);
	ret = hkvm_reclaim_request(genl_info_net(info), nla_get_u32(id), timeout, &vi,
				   info->extack);
	return ret ?: hkvm_reply_vm(info, &vi);
}

static int hkvm_put_report(struct sk_buff *skb, const u8 *peer, const struct hkvm_report_info *r)
{
	struct nlattr *vms, *nest;
	u32 i;

	if (nla_put(skb, HEXO_KVM_A_PEER, ETH_ALEN, peer) ||
	    nla_put_u32(skb, HEXO_KVM_A_ISA, r->isa) ||
	    nla_put_u32(skb, HEXO_KVM_A_CPUS, r->cpus) ||
	    nla_put_u32(skb, HEXO_KVM_A_NVMS, r->vms) ||
	    nla_put_u32(skb, HEXO_KVM_A_AGE_MS, r->age_ms) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_MEM_TOTAL, r->mem_total, HEXO_KVM_A_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_MEM_AVAIL, r->mem_available, HEXO_KVM_A_PAD) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_SWAP_FREE, r->swap_free, HEXO_KVM_A_PAD))
		return -EMSGSIZE;
	vms = nla_nest_start(skb, HEXO_KVM_A_REPORT_VMS);
	if (!vms)
		return -EMSGSIZE;
	for (i = 0; i < r->count; i++) {
		const struct hkvm_report_vm *v = &r->vm[i];

		nest = nla_nest_start(skb, HEXO_KVM_A_REPORT_VM);
		if (!nest ||
		    (v->id && nla_put_u32(skb, HEXO_KVM_A_VM_ID, v->id)) ||
		    nla_put_u32(skb, HEXO_KVM_A_VM_VCPUS, v->vcpus) ||
		    (v->has_points &&
		     nla_put_u64_64bit(skb, HEXO_KVM_A_POINTS, v->points, HEXO_KVM_A_PAD)) ||
		    nla_put_u64_64bit(skb, HEXO_KVM_A_CPU_NS, v->cpu_ns, HEXO_KVM_A_PAD) ||
		    nla_put_u64_64bit(skb, HEXO_KVM_A_RSS, v->rss, HEXO_KVM_A_PAD) ||
		    nla_put_u64_64bit(skb, HEXO_KVM_A_SWAP, v->swap, HEXO_KVM_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	nla_nest_end(skb, vms);
	return 0;
}

static int hkvm_cmd_report(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *peer = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_PEER,
						"missing HEXO_KVM_A_PEER (the node's MAC)");
	u32 timeout = HEXO_KVM_REPORT_TIMEOUT_MS;
	struct hkvm_report_info *r;
	struct sk_buff *msg;
	int ifindex, ret;
	void *hdr;

	ret = hkvm_nl_peer(info, peer, &ifindex, &timeout);
	if (ret)
		return ret;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = hkvm_report_fetch(genl_info_net(info), ifindex, nla_data(peer), timeout, r,
				info->extack);
	if (ret)
		goto out;
	/* Each VM's nest: six attributes of at most 12 bytes, and its header. */
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + r->count * 96, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	hdr = genlmsg_put_reply(msg, info, &hkvm_genl_family, 0, HEXO_KVM_CMD_REPORT);
	if (!hdr || hkvm_put_report(msg, nla_data(peer), r)) {
		nlmsg_free(msg);
		ret = -EMSGSIZE;
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	kfree(r);
	return ret;
}

static int hkvm_cmd_answer(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *id = HEXO_GENL_REQUIRE(info, HEXO_KVM_A_OFFER_ID,
					      "missing HEXO_KVM_A_OFFER_ID (which offer)");

	if (!id)
		return -EINVAL;
	switch (info->genlhdr->cmd) {
	case HEXO_KVM_CMD_ACCEPT:
		return hkvm_cmd_accept(info, id);
	case HEXO_KVM_CMD_RELEASE:
		return hkvm_pull_answer(genl_info_net(info), nla_get_u32(id),
					HEXO_KVM_MSG_RELEASE, info->extack);
	default:
		return hkvm_pull_answer(genl_info_net(info), nla_get_u32(id),
					HEXO_KVM_MSG_ABORT, info->extack);
	}
}

static const struct genl_ops hkvm_genl_ops[] = {
	{
		.cmd	= HEXO_KVM_CMD_GET_INFO,
		.doit	= hkvm_cmd_get_info,
	},
	{
		.cmd	= HEXO_KVM_CMD_ATTACH,
		.doit	= hkvm_cmd_attach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_DETACH,
		.doit	= hkvm_cmd_detach,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_GET_VM,
		.doit	= hkvm_cmd_get_vm,
		.dumpit	= hkvm_dump_vm,
	},
	{
		.cmd	= HEXO_KVM_CMD_SERVE,
		.doit	= hkvm_cmd_serve,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_UNSERVE,
		.doit	= hkvm_cmd_serve,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_OFFLOAD,
		.doit	= hkvm_cmd_offload,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_PARKED,
		.doit	= hkvm_cmd_parked,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_GET_OFFER,
		.doit	= hkvm_cmd_get_offer,
		.dumpit	= hkvm_dump_offer,
	},
	{
		.cmd	= HEXO_KVM_CMD_PULL,
		.doit	= hkvm_cmd_pull,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_ACCEPT,
		.doit	= hkvm_cmd_answer,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_REJECT,
		.doit	= hkvm_cmd_answer,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_RELEASE,
		.doit	= hkvm_cmd_answer,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_RECLAIM,
		.doit	= hkvm_cmd_reclaim,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= HEXO_KVM_CMD_REPORT,
		.doit	= hkvm_cmd_report,
		.flags	= GENL_ADMIN_PERM,
	},
};

static struct genl_family hkvm_genl_family __ro_after_init = {
	.name		= HEXO_KVM_GENL_NAME,
	.version	= HEXO_KVM_GENL_VERSION,
	.maxattr	= HEXO_KVM_A_MAX,
	.policy		= hkvm_policy,
	.module		= THIS_MODULE,
	.ops		= hkvm_genl_ops,
	.n_ops		= ARRAY_SIZE(hkvm_genl_ops),
	.mcgrps		= hkvm_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(hkvm_mcgrps),
	.resv_start_op	= 0,
	/* A pull takes seconds: no genl_mutex; handlers lock for themselves. */
	.parallel_ops	= true,
};

void hkvm_genl_event(const struct hkvm_vm *vm)
{
	struct hkvm_vm_info vi;
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&hkvm_vms_lock);
	if (!hkvm_genl_up)
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hkvm_vm_fill(vm, &vi);
	hdr = genlmsg_put(msg, 0, 0, &hkvm_genl_family, 0, HEXO_KVM_CMD_EVENT);
	if (!hdr || hkvm_put_vm(msg, &vi)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_allns(&hkvm_genl_family, msg, 0, 0);
}

void hkvm_genl_offers_event(void)
{
	struct hkvm_offer_info o;
	struct sk_buff *msg;
	u32 next = 0;
	void *hdr;

	mutex_lock(&hkvm_vms_lock);	/* hkvm_genl_up */
	while (hkvm_genl_up && !hkvm_pull_next(&next, &o)) {
		msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
		if (!msg)
			break;
		hdr = genlmsg_put(msg, 0, 0, &hkvm_genl_family, 0, HEXO_KVM_CMD_OFFERED);
		if (!hdr || hkvm_put_offer(msg, &o)) {
			nlmsg_free(msg);
			break;
		}
		genlmsg_end(msg, hdr);
		genlmsg_multicast_allns(&hkvm_genl_family, msg, 0, 0);
	}
	mutex_unlock(&hkvm_vms_lock);
}

int __init hkvm_genl_init(void)
{
	int ret = genl_register_family(&hkvm_genl_family);

	if (!ret) {
		mutex_lock(&hkvm_vms_lock);
		hkvm_genl_up = true;
		mutex_unlock(&hkvm_vms_lock);
	}
	return ret;
}

void hkvm_genl_uninit(void)
{
	mutex_lock(&hkvm_vms_lock);
	hkvm_genl_up = false;
	mutex_unlock(&hkvm_vms_lock);
	genl_unregister_family(&hkvm_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(HEXO_KVM_GENL_NAME);

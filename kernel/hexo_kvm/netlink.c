// SPDX-License-Identifier: GPL-2.0
/*
 * The "hexo_kvm" generic netlink family. include/uapi/hexo/hexo_kvm.h is its
 * contract and documentation.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <net/genetlink.h>

#include "genl_util.h"
#include "netlink.h"
#include "vm.h"

static struct genl_family hkvm_genl_family;

static struct netlink_range_validation hkvm_fd_range = {
	.max = INT_MAX,
};

static struct netlink_range_validation hkvm_pid_range = {
	.min = 1,
	.max = PID_MAX_LIMIT,
};

static const struct nla_policy hkvm_policy[HEXO_KVM_A_MAX + 1] = {
	[HEXO_KVM_A_VM_ID]	= NLA_POLICY_RANGE(NLA_U32, 1, HKVM_MAX_VMS),
	[HEXO_KVM_A_VM_FD]	= NLA_POLICY_FULL_RANGE(NLA_U32, &hkvm_fd_range),
	[HEXO_KVM_A_VM_PID]	= NLA_POLICY_FULL_RANGE(NLA_U32, &hkvm_pid_range),
	[HEXO_KVM_A_VM_NAME]	= { .type = NLA_NUL_STRING, .len = HEXO_KVM_NAME_MAX - 1 },
};

static int hkvm_put_vm(struct sk_buff *skb, const struct hkvm_vm_info *vm)
{
	if (nla_put_u32(skb, HEXO_KVM_A_VM_ID, vm->id) ||
	    nla_put_u32(skb, HEXO_KVM_A_VM_PID, vm->pid) ||
	    nla_put_string(skb, HEXO_KVM_A_VM_NAME, vm->name) ||
	    nla_put_u32(skb, HEXO_KVM_A_VM_VCPUS, vm->vcpus) ||
	    nla_put_u64_64bit(skb, HEXO_KVM_A_VM_MEM, vm->mem_bytes, HEXO_KVM_A_PAD))
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

	while (!hkvm_vm_next(&next, &vm)) {
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
};

static struct genl_family hkvm_genl_family __ro_after_init = {
	.name		= HEXO_KVM_GENL_NAME,
	.version	= HEXO_KVM_GENL_VERSION,
	.maxattr	= HEXO_KVM_A_MAX,
	.policy		= hkvm_policy,
	.module		= THIS_MODULE,
	.ops		= hkvm_genl_ops,
	.n_ops		= ARRAY_SIZE(hkvm_genl_ops),
	.resv_start_op	= 0,
};

int __init hkvm_genl_init(void)
{
	return genl_register_family(&hkvm_genl_family);
}

void hkvm_genl_uninit(void)
{
	genl_unregister_family(&hkvm_genl_family);
}

MODULE_ALIAS_GENL_FAMILY(HEXO_KVM_GENL_NAME);

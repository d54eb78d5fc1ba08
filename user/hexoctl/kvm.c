// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl kvm: KVM VMs attached to hexo_kvm.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <hexo/hexo_kvm.h>

#include "hexoctl.h"
#include "modules.h"
#include "out.h"
#include "parse.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_getfd
#define SYS_pidfd_getfd 438
#endif

static void kvm_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl kvm show [ id ID ]\n"
		"       hexoctl kvm attach pid PID fd FD [ name NAME ]\n"
		"       hexoctl kvm detach id ID\n"
		"\n"
		"  show    the hexo_kvm module's version and the VMs attached to it\n"
		"          (loads no module)\n"
		"  attach  attach the KVM VM whose descriptor (from KVM_CREATE_VM) is\n"
		"          FD in the VMM process PID (see /proc/PID/fd)\n"
		"  detach  drop hexo_kvm's hold on a VM\n");
}

static int kvm_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[HEXO_KVM_A_VERSION] || !tb[HEXO_KVM_A_NVMS] || !tb[HEXO_KVM_A_MAX_VMS])
		return -EPROTO;
	out_str("version", "%s", nla_get_string(tb[HEXO_KVM_A_VERSION]));
	out_u64("nvms", "  vms %llu", nla_get_u32(tb[HEXO_KVM_A_NVMS]));
	out_u64("max_vms", "/%llu\n", nla_get_u32(tb[HEXO_KVM_A_MAX_VMS]));
	return 0;
}

int kvm_info(struct hxnl *nl)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_GET_INFO, false);

	if (!msg)
		return -ENOMEM;
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, kvm_info_cb, NULL);
}

static int kvm_vm_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	char size[32];

	if (!tb[HEXO_KVM_A_VM_ID] || !tb[HEXO_KVM_A_VM_PID] || !tb[HEXO_KVM_A_VM_VCPUS] ||
	    !tb[HEXO_KVM_A_VM_MEM] || !tb[HEXO_KVM_A_VM_NAME])
		return -EPROTO;
	out_obj_begin(NULL);
	out_u64("id", "vm %llu:", nla_get_u32(tb[HEXO_KVM_A_VM_ID]));
	out_str("name", " name %s", nla_get_string(tb[HEXO_KVM_A_VM_NAME])[0] ?
		nla_get_string(tb[HEXO_KVM_A_VM_NAME]) : "-");
	out_u64("pid", " pid %llu", nla_get_u32(tb[HEXO_KVM_A_VM_PID]));
	out_u64("vcpus", " vcpus %llu", nla_get_u32(tb[HEXO_KVM_A_VM_VCPUS]));
	out_u64("mem", NULL, nla_get_u64(tb[HEXO_KVM_A_VM_MEM]));
	out_text(" mem %s\n", fmt_size(nla_get_u64(tb[HEXO_KVM_A_VM_MEM]), size, sizeof(size)));
	out_obj_end();
	return 0;
}

static int kvm_show(int argc, char **argv)
{
	bool one = false, loaded;
	struct nl_msg *msg;
	struct hxnl nl;
	uint32_t id;
	int ret;

	if (argc > 0) {
		if (argc != 2 || strcmp(argv[0], "id") || parse_u32(argv[1], UINT32_MAX, &id))
			return hexoctl_usage_err("kvm", "show takes at most 'id ID'");
		one = true;
	}
	if (hexoctl_open_loaded(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm", &loaded))
		return HEXOCTL_EFAIL;
	if (!loaded) {
		out_obj_begin(NULL);
		out_text("hexo_kvm: not loaded (attach loads it)\n");
		out_obj_end();
		return one ? HEXOCTL_EFAIL : 0;
	}
	out_obj_begin(NULL);
	out_text("hexo_kvm ");
	ret = kvm_info(&nl);
	if (ret)
		goto fail;
	out_arr_begin("vms");
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_GET_VM, !one);
	if (!msg) {
		ret = -ENOMEM;
		goto fail;
	}
	if (one)
		nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, kvm_vm_cb, NULL);
	if (ret)
		goto fail;
	out_arr_end();
	out_obj_end();
	hxnl_close(&nl);
	return 0;

fail:
	hexoctl_nl_fail(&nl, "kvm show", ret);
	hxnl_close(&nl);
	return HEXOCTL_EFAIL;
}

static int kvm_attach(int argc, char **argv)
{
	const char *name = NULL;
	uint32_t pid = 0, fd = UINT32_MAX;
	int pidfd, vmfd, ret;
	struct nl_msg *msg;
	struct hxnl nl;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return hexoctl_usage_err("kvm", "'%s' needs a value", argv[0]);
		if (!strcmp(argv[0], "pid")) {
			if (parse_u32(argv[1], INT32_MAX, &pid) || !pid)
				return hexoctl_usage_err("kvm", "bad pid '%s'", argv[1]);
		} else if (!strcmp(argv[0], "fd")) {
			if (parse_u32(argv[1], INT32_MAX, &fd))
				return hexoctl_usage_err("kvm", "bad fd '%s'", argv[1]);
		} else if (!strcmp(argv[0], "name")) {
			if (strlen(argv[1]) >= HEXO_KVM_NAME_MAX)
				return hexoctl_usage_err("kvm", "name is longer than %d bytes",
							 HEXO_KVM_NAME_MAX - 1);
			name = argv[1];
		} else {
			return hexoctl_usage_err("kvm", "unexpected '%s'", argv[0]);
		}
	}
	if (!pid || fd == UINT32_MAX)
		return hexoctl_usage_err("kvm", "attach needs 'pid PID fd FD'");

	/* Borrow the VMM's descriptor: hexo_kvm takes the VM from our file table. */
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		hexoctl_err("kvm attach: no process %u: %s", pid, strerror(errno));
		return HEXOCTL_EFAIL;
	}
	vmfd = syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	close(pidfd);
	if (vmfd < 0) {
		hexoctl_err("kvm attach: cannot take descriptor %u of process %u: %s%s", fd,
			    pid, strerror(errno),
			    errno == EPERM ? " (run as root, or as the VMM's user)" : "");
		return HEXOCTL_EFAIL;
	}
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm")) {
		close(vmfd);
		return HEXOCTL_EFAIL;
	}
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_ATTACH, false);
	if (!msg) {
		ret = -ENOMEM;
		goto out;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_FD, vmfd);
	nla_put_u32(msg, HEXO_KVM_A_VM_PID, pid);
	if (name)
		nla_put_string(msg, HEXO_KVM_A_VM_NAME, name);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, kvm_vm_cb, NULL);
out:
	close(vmfd);
	if (ret)
		hexoctl_nl_fail(&nl, "kvm attach", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int kvm_detach(int argc, char **argv)
{
	struct nl_msg *msg;
	struct hxnl nl;
	uint32_t id;
	int ret;

	if (argc != 2 || strcmp(argv[0], "id") || parse_u32(argv[1], UINT32_MAX, &id))
		return hexoctl_usage_err("kvm", "detach needs 'id ID'");
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_DETACH, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "kvm detach", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static const struct hexoctl_verb kvm_verbs[] = {
	{ "show", kvm_show },
	{ "list", kvm_show },
	{ "attach", kvm_attach },
	{ "detach", kvm_detach },
	{}
};

int do_kvm(int argc, char **argv)
{
	return hexoctl_dispatch("kvm", kvm_verbs, kvm_usage, argc, argv);
}

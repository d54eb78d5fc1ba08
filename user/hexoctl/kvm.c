// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl kvm: KVM VMs attached to hexo_kvm.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <hexo/guest.h>
#include <hexo/hexo_kvm.h>

#include "hexoctl.h"
#include "kvm.h"
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
		"       hexoctl kvm serve dev IFNAME\n"
		"       hexoctl kvm unserve dev IFNAME\n"
		"       hexoctl kvm offload id ID to MAC dev IFNAME [ timeout MS ] [ precopy ]\n"
		"                                                   [ nowait ]\n"
		"       hexoctl kvm reclaim id ID [ timeout MS ]\n"
		"       hexoctl kvm offers\n"
		"       hexoctl kvm report MAC dev IFNAME [ timeout MS ]\n"
		"       hexoctl kvm monitor\n"
		"(\"vm\" is the same object as \"kvm\".)\n"
		"\n"
		"  show     the hexo_kvm module's version and the VMs attached to it\n"
		"           (loads no module)\n"
		"  attach   attach the KVM VM whose descriptor (from KVM_CREATE_VM) is\n"
		"           FD in the VMM process PID (see /proc/PID/fd)\n"
		"  detach   drop hexo_kvm's hold on a VM\n"
		"  serve    take offers and lend VMs on an interface (both ends of an\n"
		"           offload serve)\n"
		"  offload  hand VM ID to the hexo_kvm at MAC: stop it at its next\n"
		"           migration point and let the target pull it; waits for the end\n"
		"           and prints each step unless nowait. TIMEOUT (100 to 600000,\n"
		"           default 10000) bounds reaching a migration point and the\n"
		"           target's answer; on failure the VM runs on here. precopy:\n"
		"           the target pulls the heap while the guest runs, then what\n"
		"           changed, with the guest stopped\n"
		"  reclaim  ask the node VM ID was handed off to for it back: it offloads\n"
		"           the VM here, where hexovm --incoming takes it\n"
		"  offers   the VMs this node was offered and has not answered\n"
		"  report   what the hexo_kvm at MAC has (CPUs, memory, swap) and the\n"
		"           VMs it runs that were handed off from here, with each one's\n"
		"           progress and CPU time there (TIMEOUT default 2000)\n"
		"  monitor  print each VM's offload steps as they happen\n");
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

static const char *const kvm_states[] = {
	[HEXO_KVM_ST_IDLE] = "idle",
	[HEXO_KVM_ST_REQUESTED] = "requested",
	[HEXO_KVM_ST_OFFERING] = "offering",
	[HEXO_KVM_ST_OFFERED] = "offered",
	[HEXO_KVM_ST_HANDED_OFF] = "handed-off",
	[HEXO_KVM_ST_ABORTED] = "aborted",
	[HEXO_KVM_ST_PRECOPYING] = "pre-copying",
};

static const char *kvm_state_name(uint32_t st)
{
	return st < sizeof(kvm_states) / sizeof(kvm_states[0]) && kvm_states[st] ?
	       kvm_states[st] : "unknown";
}

/* What the last GET_VM reply said, for offload's progress. */
struct kvm_vm_state {
	uint32_t state;
	uint32_t error;
};

/* The last offload's statistics, on a line of their own. */
static void kvm_vm_stats(const struct nlattr *nest)
{
	static const struct {
		int attr;
		const char *key, *fmt;
	} st[] = {
		{ HEXO_KVM_STAT_PAGES, "pages", " pages %llu" },
		{ HEXO_KVM_STAT_ZERO_PAGES, "zero_pages", " zero-pages %llu" },
		{ HEXO_KVM_STAT_STOP_PAGES, "stop_pages", " stopped-pages %llu" },
		{ HEXO_KVM_STAT_DEMAND_PAGES, "demand_pages", " demand-pages %llu" },
		{ HEXO_KVM_STAT_BACKGROUND_PAGES, "background_pages", " background-pages %llu" },
		{ HEXO_KVM_STAT_PRECOPY_PAGES, "precopy_pages", " precopy-pages %llu" },
		{ HEXO_KVM_STAT_DIRTY_PAGES, "dirty_pages", " dirty-pages %llu" },
	};
	struct nlattr *stb[HEXO_KVM_STAT_MAX + 1] = {};
	uint64_t us;
	char b[32];

	if (!nest || nla_parse_nested(stb, HEXO_KVM_STAT_MAX, (struct nlattr *)nest, NULL))
		return;
	out_obj_begin("stats");
	out_u64("bytes", NULL, nla_u64_or0(stb[HEXO_KVM_STAT_BYTES]));
	out_text("    last offload: moved %s", fmt_size(nla_u64_or0(stb[HEXO_KVM_STAT_BYTES]), b,
							sizeof(b)));
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		out_u64(st[i].key, st[i].fmt, nla_u64_or0(stb[st[i].attr]));
	us = nla_u64_or0(stb[HEXO_KVM_STAT_PARKING_US]);
	out_u64("parking_us", NULL, us);
	out_text(" parking %llu.%03llums", (unsigned long long)us / 1000,
		 (unsigned long long)us % 1000);
	us = nla_u64_or0(stb[HEXO_KVM_STAT_DOWNTIME_US]);
	out_u64("downtime_us", NULL, us);
	out_text(" downtime %llu.%03llums", (unsigned long long)us / 1000,
		 (unsigned long long)us % 1000);
	us = nla_u64_or0(stb[HEXO_KVM_STAT_DURATION_US]);
	out_u64("duration_us", NULL, us);
	out_text(" duration %llu.%03llums\n", (unsigned long long)us / 1000,
		 (unsigned long long)us % 1000);
	out_obj_end();
}

static int kvm_vm_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct kvm_vm_state *st = arg;
	char size[32], mac[18];

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
	out_text(" mem %s", fmt_size(nla_get_u64(tb[HEXO_KVM_A_VM_MEM]), size, sizeof(size)));
	if (tb[HEXO_KVM_A_ISA])
		out_str("isa", " isa %s", nla_get_u32(tb[HEXO_KVM_A_ISA]) == HEXO_ISA_X86_64 ? "x86_64" :
			nla_get_u32(tb[HEXO_KVM_A_ISA]) == HEXO_ISA_ARM64 ? "arm64" : "?");
	if (tb[HEXO_KVM_A_STATE]) {
		out_str("state", " state %s", kvm_state_name(nla_get_u32(tb[HEXO_KVM_A_STATE])));
		if (st)
			st->state = nla_get_u32(tb[HEXO_KVM_A_STATE]);
	}
	if (tb[HEXO_KVM_A_ERROR] && nla_get_u32(tb[HEXO_KVM_A_ERROR])) {
		out_str("error", " error \"%s\"", strerror(nla_get_u32(tb[HEXO_KVM_A_ERROR])));
		if (st)
			st->error = nla_get_u32(tb[HEXO_KVM_A_ERROR]);
	}
	if (tb[HEXO_KVM_A_PEER] && nla_len(tb[HEXO_KVM_A_PEER]) == 6)
		out_str("peer", " peer %s", fmt_mac(nla_data(tb[HEXO_KVM_A_PEER]), mac, sizeof(mac)));
	if (tb[HEXO_KVM_A_OFFLOADS])
		out_u64("offloads", " offloads %llu", nla_get_u32(tb[HEXO_KVM_A_OFFLOADS]));
	if (tb[HEXO_KVM_A_ORIGIN] && nla_len(tb[HEXO_KVM_A_ORIGIN]) == 6)
		out_str("origin", " from %s", fmt_mac(nla_data(tb[HEXO_KVM_A_ORIGIN]), mac,
						      sizeof(mac)));
	if (tb[HEXO_KVM_A_POINTS])
		out_u64("points", " points %llu", nla_get_u64(tb[HEXO_KVM_A_POINTS]));
	if (tb[HEXO_KVM_A_APP])
		out_str("app", " app %s", nla_get_string(tb[HEXO_KVM_A_APP]));
	if (tb[HEXO_KVM_A_ARGS])
		out_str("args", " args \"%s\"", nla_get_string(tb[HEXO_KVM_A_ARGS]));
	if (tb[HEXO_KVM_A_LENDING])
		out_bool("lending", nla_get_u32(tb[HEXO_KVM_A_LENDING]) ?
			 " lending (a post-copy target still pulls)" : "",
			 nla_get_u32(tb[HEXO_KVM_A_LENDING]));
	out_bool("vmm_exited", tb[HEXO_KVM_A_VMM_EXITED] ? " vmm exited" : "",
		 !!tb[HEXO_KVM_A_VMM_EXITED]);
	out_text("\n");
	kvm_vm_stats(tb[HEXO_KVM_A_STATS]);
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

static int kvm_serve(int argc, char **argv, bool serve)
{
	const char *verb = serve ? "kvm serve" : "kvm unserve";
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	if (argc != 2 || strcmp(argv[0], "dev"))
		return hexoctl_usage_err("kvm", "%s needs 'dev IFNAME'", verb + 4);
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, serve ? HEXO_KVM_CMD_SERVE : HEXO_KVM_CMD_UNSERVE, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, HEXO_KVM_A_IFNAME, argv[1]);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, verb, ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int kvm_serve_on(int argc, char **argv)
{
	return kvm_serve(argc, argv, true);
}

static int kvm_serve_off(int argc, char **argv)
{
	return kvm_serve(argc, argv, false);
}

static int kvm_state_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct kvm_vm_state *st = arg;

	if (!tb[HEXO_KVM_A_STATE])
		return -EPROTO;
	st->state = nla_get_u32(tb[HEXO_KVM_A_STATE]);
	st->error = tb[HEXO_KVM_A_ERROR] ? nla_get_u32(tb[HEXO_KVM_A_ERROR]) : 0;
	return 0;
}

static int kvm_get_state(struct hxnl *nl, uint32_t id, struct kvm_vm_state *st)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_GET_VM, false);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, kvm_state_cb, st);
}

/*
 * The arguments offload and reclaim share: "id ID" and "timeout MS". 1 when
 * argv[0] is neither, 0 when parsed, else the usage error's status.
 */
static int kvm_arg_common(char **argv, uint32_t *id, uint32_t *timeout)
{
	if (!strcmp(argv[0], "id")) {
		if (parse_u32(argv[1], UINT32_MAX, id) || !*id)
			return hexoctl_usage_err("kvm", "bad id '%s'", argv[1]);
		return 0;
	}
	if (!strcmp(argv[0], "timeout")) {
		if (parse_u32(argv[1], HEXO_KVM_TIMEOUT_MAX_MS, timeout) ||
		    *timeout < HEXO_KVM_TIMEOUT_MIN_MS)
			return hexoctl_usage_err("kvm", "timeout is %u to %u ms",
						 HEXO_KVM_TIMEOUT_MIN_MS, HEXO_KVM_TIMEOUT_MAX_MS);
		return 0;
	}
	return 1;
}

static int kvm_offload(int argc, char **argv)
{
	uint32_t id = 0, timeout = 0, last;
	const char *dev = NULL;
	struct kvm_vm_state st = { 0 };
	bool have_mac = false, wait = true, precopy = false;
	uint8_t mac[6];
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (!strcmp(argv[0], "nowait") || !strcmp(argv[0], "precopy")) {
			if (argv[0][0] == 'n')
				wait = false;
			else
				precopy = true;
			argc++, argv--;
			continue;
		}
		if (argc < 2)
			return hexoctl_usage_err("kvm", "'%s' needs a value", argv[0]);
		ret = kvm_arg_common(argv, &id, &timeout);
		if (ret != 1) {
			if (ret)
				return ret;
		} else if (!strcmp(argv[0], "to")) {
			if (parse_mac(argv[1], mac))
				return hexoctl_usage_err("kvm", "bad MAC '%s' (like 52:54:00:12:34:56)",
							 argv[1]);
			have_mac = true;
		} else if (!strcmp(argv[0], "dev")) {
			dev = argv[1];
		} else {
			return hexoctl_usage_err("kvm", "unexpected '%s'", argv[0]);
		}
	}
	if (!id || !have_mac || !dev)
		return hexoctl_usage_err("kvm", "offload needs 'id ID to MAC dev IFNAME'");
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_OFFLOAD, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
	nla_put(msg, HEXO_KVM_A_PEER, 6, mac);
	nla_put_string(msg, HEXO_KVM_A_IFNAME, dev);
	if (timeout)
		nla_put_u32(msg, HEXO_KVM_A_TIMEOUT_MS, timeout);
	if (precopy)
		nla_put_flag(msg, HEXO_KVM_A_PRECOPY);
	/* nowait prints the VM as the request left it; otherwise, as it ended. */
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, wait ? kvm_state_cb : kvm_vm_cb, &st);
	/* Every step is bounded by the timeout; hexo_kvm ends each one. */
	for (last = st.state; !ret && wait; last = st.state) {
		if (st.state == HEXO_KVM_ST_HANDED_OFF || st.state == HEXO_KVM_ST_ABORTED)
			break;
		usleep(20000);
		ret = kvm_get_state(&nl, id, &st);
		if (!ret && st.state != last)
			fprintf(stderr, "hexoctl: kvm offload: vm %u %s\n", id,
				kvm_state_name(st.state));
	}
	if (!ret && wait) {
		msg = hxnl_msg(&nl, HEXO_KVM_CMD_GET_VM, false);
		if (msg) {
			nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
			ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, kvm_vm_cb, NULL);
		}
	}
	if (ret)
		hexoctl_nl_fail(&nl, "kvm offload", ret);
	else if (wait && st.state != HEXO_KVM_ST_HANDED_OFF)
		hexoctl_err("kvm offload: not handed off (%s); the VM runs on here",
			    st.error ? strerror(st.error) : kvm_state_name(st.state));
	hxnl_close(&nl);
	return ret || (wait && st.state != HEXO_KVM_ST_HANDED_OFF) ? HEXOCTL_EFAIL : 0;
}

static int kvm_reclaim(int argc, char **argv)
{
	uint32_t id = 0, timeout = 0;
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return hexoctl_usage_err("kvm", "'%s' needs a value", argv[0]);
		ret = kvm_arg_common(argv, &id, &timeout);
		if (ret == 1)
			return hexoctl_usage_err("kvm", "unexpected '%s'", argv[0]);
		if (ret)
			return ret;
	}
	if (!id)
		return hexoctl_usage_err("kvm", "reclaim needs 'id ID'");
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_RECLAIM, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, id);
	if (timeout)
		nla_put_u32(msg, HEXO_KVM_A_TIMEOUT_MS, timeout);
	ret = hxnl_call(&nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "kvm reclaim", ret);
	else
		fprintf(stderr, "hexoctl: kvm reclaim: vm %u: its target offloads it back here; "
			"hexovm --incoming takes it\n", id);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int kvm_report_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct nlattr *vtb[HEXO_KVM_A_MAX + 1], *a;
	struct kvm_report *r = arg;
	struct kvm_report_vm *v;
	int rem;

	if (!tb[HEXO_KVM_A_ISA] || !tb[HEXO_KVM_A_CPUS] || !tb[HEXO_KVM_A_MEM_TOTAL] ||
	    !tb[HEXO_KVM_A_MEM_AVAIL] || !tb[HEXO_KVM_A_SWAP_FREE])
		return -EPROTO;
	r->isa = nla_get_u32(tb[HEXO_KVM_A_ISA]);
	r->cpus = nla_get_u32(tb[HEXO_KVM_A_CPUS]);
	r->vms = nla_u32_or0(tb[HEXO_KVM_A_NVMS]);
	r->age_ms = nla_u32_or0(tb[HEXO_KVM_A_AGE_MS]);
	r->mem_total = nla_get_u64(tb[HEXO_KVM_A_MEM_TOTAL]);
	r->mem_available = nla_get_u64(tb[HEXO_KVM_A_MEM_AVAIL]);
	r->swap_free = nla_get_u64(tb[HEXO_KVM_A_SWAP_FREE]);
	r->count = 0;
	if (!tb[HEXO_KVM_A_REPORT_VMS])
		return 0;
	nla_for_each_nested(a, tb[HEXO_KVM_A_REPORT_VMS], rem) {
		if (nla_type(a) != HEXO_KVM_A_REPORT_VM ||
		    r->count == sizeof(r->vm) / sizeof(r->vm[0]))
			continue;
		if (nla_parse_nested(vtb, HEXO_KVM_A_MAX, a, NULL) || !vtb[HEXO_KVM_A_CPU_NS])
			return -EPROTO;
		v = &r->vm[r->count++];
		v->id = nla_u32_or0(vtb[HEXO_KVM_A_VM_ID]);
		v->vcpus = nla_u32_or0(vtb[HEXO_KVM_A_VM_VCPUS]);
		v->has_points = vtb[HEXO_KVM_A_POINTS];
		v->points = nla_u64_or0(vtb[HEXO_KVM_A_POINTS]);
		v->cpu_ns = nla_get_u64(vtb[HEXO_KVM_A_CPU_NS]);
		v->rss = nla_u64_or0(vtb[HEXO_KVM_A_RSS]);
		v->swap = nla_u64_or0(vtb[HEXO_KVM_A_SWAP]);
	}
	return 0;
}

int kvm_report_get(struct hxnl *nl, const uint8_t mac[6], const char *dev, uint32_t timeout_ms,
		   struct kvm_report *r)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_REPORT, false);

	if (!msg)
		return -ENOMEM;
	nla_put(msg, HEXO_KVM_A_PEER, 6, mac);
	nla_put_string(msg, HEXO_KVM_A_IFNAME, dev);
	if (timeout_ms)
		nla_put_u32(msg, HEXO_KVM_A_TIMEOUT_MS, timeout_ms);
	memset(r, 0, sizeof(*r));
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, kvm_report_cb, r);
}

static int kvm_report(int argc, char **argv)
{
	uint32_t timeout = 0, id = 0;
	const char *dev = NULL;
	bool have_mac = false;
	char a[32], b[32], c[32];
	struct kvm_report *r;
	uint8_t mac[6];
	struct hxnl nl;
	unsigned int i;
	int ret;

	if (argc > 0 && !parse_mac(argv[0], mac)) {
		have_mac = true;
		argc--, argv++;
	}
	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return hexoctl_usage_err("kvm", "'%s' needs a value", argv[0]);
		if (!strcmp(argv[0], "dev")) {
			dev = argv[1];
			continue;
		}
		ret = kvm_arg_common(argv, &id, &timeout);
		if (ret == 1 || id)
			return hexoctl_usage_err("kvm", "unexpected '%s'", argv[0]);
		if (ret)
			return ret;
	}
	if (!have_mac || !dev)
		return hexoctl_usage_err("kvm", "report needs 'MAC dev IFNAME' (MAC like "
					 "52:54:00:12:34:56)");
	r = calloc(1, sizeof(*r));
	if (!r)
		return HEXOCTL_EFAIL;
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm")) {
		free(r);
		return HEXOCTL_EFAIL;
	}
	ret = kvm_report_get(&nl, mac, dev, timeout, r);
	if (ret) {
		hexoctl_nl_fail(&nl, "kvm report", ret);
		goto out;
	}
	out_obj_begin(NULL);
	out_str("node", "node %s:", fmt_mac(mac, a, sizeof(a)));
	out_str("isa", " %s", r->isa == HEXO_ISA_X86_64 ? "x86_64" :
		r->isa == HEXO_ISA_ARM64 ? "arm64" : "?");
	out_u64("cpus", ", %llu CPUs", r->cpus);
	out_u64("vms_attached", ", %llu VMs attached", r->vms);
	out_u64("mem_total", NULL, r->mem_total);
	out_u64("mem_available", NULL, r->mem_available);
	out_text(", memory %s of %s available", fmt_size(r->mem_available, a, sizeof(a)),
		 fmt_size(r->mem_total, b, sizeof(b)));
	out_u64("swap_free", NULL, r->swap_free);
	out_text(", swap %s free", fmt_size(r->swap_free, a, sizeof(a)));
	out_u64("age_ms", " (as of %llu ms ago)\n", r->age_ms);
	out_arr_begin("vms");
	for (i = 0; i < r->count; i++) {
		const struct kvm_report_vm *v = &r->vm[i];

		out_obj_begin(NULL);
		if (v->id)
			out_u64("id", "  vm %llu:", v->id);
		else
			out_text("  a vm handed off from here, not attached here any more:");
		out_u64("vcpus", " vcpus %llu", v->vcpus);
		if (v->has_points)
			out_u64("points", " points %llu", v->points);
		out_u64("cpu_ns", NULL, v->cpu_ns);
		out_text(" cpu %llu.%03llus", (unsigned long long)(v->cpu_ns / 1000000000),
			 (unsigned long long)(v->cpu_ns / 1000000 % 1000));
		out_u64("rss", NULL, v->rss);
		out_u64("swap", NULL, v->swap);
		out_text(" resident %s swapped %s\n", fmt_size(v->rss, b, sizeof(b)),
			 fmt_size(v->swap, c, sizeof(c)));
		out_obj_end();
	}
	out_arr_end();
	out_obj_end();
out:
	hxnl_close(&nl);
	free(r);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int kvm_offer_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	char size[32], mac[18];

	if (!tb[HEXO_KVM_A_OFFER_ID] || !tb[HEXO_KVM_A_PEER] || !tb[HEXO_KVM_A_APP] ||
	    !tb[HEXO_KVM_A_VM_MEM] || !tb[HEXO_KVM_A_POINT] || nla_len(tb[HEXO_KVM_A_PEER]) != 6)
		return -EPROTO;
	fmt_mac(nla_data(tb[HEXO_KVM_A_PEER]), mac, sizeof(mac));
	out_obj_begin(NULL);
	out_u64("id", "offer %llu:", nla_get_u32(tb[HEXO_KVM_A_OFFER_ID]));
	out_str("app", " app %s", nla_get_string(tb[HEXO_KVM_A_APP]));
	out_str("source", " from %s", mac);
	out_u64("mem", NULL, nla_get_u64(tb[HEXO_KVM_A_VM_MEM]));
	out_text(" mem %s", fmt_size(nla_get_u64(tb[HEXO_KVM_A_VM_MEM]), size, sizeof(size)));
	out_u64("point", " point %llu", nla_get_u32(tb[HEXO_KVM_A_POINT]));
	out_bool("precopy", tb[HEXO_KVM_A_PRECOPY] ? " pre-copy\n" : "\n",
		 !!tb[HEXO_KVM_A_PRECOPY]);
	out_obj_end();
	return 0;
}

static int kvm_offers(int argc, char **argv)
{
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	if (argc)
		return hexoctl_usage_err("kvm", "offers takes no arguments");
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	out_arr_begin(NULL);
	msg = hxnl_msg(&nl, HEXO_KVM_CMD_GET_OFFER, true);
	ret = msg ? hxnl_call(&nl, msg, HEXO_KVM_A_MAX, kvm_offer_cb, NULL) : -ENOMEM;
	out_arr_end();
	if (ret)
		hexoctl_nl_fail(&nl, "kvm offers", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int kvm_event_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (cmd != HEXO_KVM_CMD_EVENT)
		return 0;
	kvm_vm_cb(tb, cmd, NULL);
	fflush(stdout);
	return 0;
}

static int kvm_monitor(int argc, char **argv)
{
	struct hxnl nl;
	int ret;

	if (argc)
		return hexoctl_usage_err("kvm", "monitor takes no arguments");
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm"))
		return HEXOCTL_EFAIL;
	ret = hxnl_subscribe(&nl, HEXO_KVM_MCGRP_EVENTS);
	if (ret) {
		hexoctl_err("kvm monitor: cannot listen to events: %s%s", strerror(-ret),
			    ret == -EPERM ? " (it needs CAP_NET_ADMIN)" : "");
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	/* Until killed, or the module goes. */
	while (!(ret = hxnl_recv(&nl, HEXO_KVM_A_MAX, kvm_event_cb, NULL)))
		;
	hexoctl_nl_fail(&nl, "kvm monitor", ret);
	hxnl_close(&nl);
	return HEXOCTL_EFAIL;
}

static const struct hexoctl_verb kvm_verbs[] = {
	{ "show", kvm_show },
	{ "list", kvm_show },
	{ "attach", kvm_attach },
	{ "detach", kvm_detach },
	{ "serve", kvm_serve_on },
	{ "unserve", kvm_serve_off },
	{ "offload", kvm_offload },
	{ "offers", kvm_offers },
	{ "reclaim", kvm_reclaim },
	{ "report", kvm_report },
	{ "monitor", kvm_monitor },
	{}
};

int do_kvm(int argc, char **argv)
{
	return hexoctl_dispatch("kvm", kvm_verbs, kvm_usage, argc, argv);
}

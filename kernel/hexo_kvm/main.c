// SPDX-License-Identifier: GPL-2.0
/*
 * hexo_kvm: attaches to KVM virtual machines so HEXO can stop them at a
 * migration point and hand them to another machine.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "compat.h"
#include "netlink.h"
#include "offload.h"
#include "pull.h"
#include "reclaim.h"
#include "report.h"
#include "service.h"
#include "vm.h"

static int __init hkvm_init(void)
{
	int ret;

	ret = hkvm_offload_init();
	if (ret)
		return ret;
	ret = hkvm_vm_init();
	if (ret)
		goto err_offload;
	hkvm_pull_init();
	ret = hkvm_service_init();
	if (ret)
		goto err_vm;
	ret = hkvm_genl_init();
	if (ret)
		goto err_service;
	pr_info("version " HEXO_VERSION " loaded\n");
	return 0;

err_service:
	hkvm_service_uninit();
err_vm:
	hkvm_vm_uninit();
err_offload:
	hkvm_offload_uninit();
	return ret;
}

/*
 * No new requests first, then no reads of exports nor offers coming in,
 * then the report's work, then the offers' channels, then the VMs (their
 * exports unpinned), then the WITHDRAWs of the offloads that ended with
 * them.
 */
static void __exit hkvm_exit(void)
{
	hkvm_genl_uninit();
	hkvm_service_uninit();
	hkvm_report_uninit();
	hkvm_pull_uninit();
	hkvm_reclaim_uninit();
	hkvm_vm_uninit();
	hkvm_offload_uninit();
}

module_init(hkvm_init);
module_exit(hkvm_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The HEXO developers");
MODULE_DESCRIPTION("HEXO: attach to KVM VMs for cross-ISA handoff");
MODULE_VERSION(HEXO_VERSION);

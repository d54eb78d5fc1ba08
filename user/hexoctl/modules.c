// SPDX-License-Identifier: GPL-2.0
#include <hexo/hexo_kvm.h>
#include <hexo/netswap.h>

#include "modules.h"

const struct hexoctl_module hexoctl_modules[] = {
	{ "netswap", NETSWAP_GENL_NAME, netswap_info },
	{ "hexo_kvm", HEXO_KVM_GENL_NAME, kvm_info },
	{}
};

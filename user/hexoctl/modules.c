// SPDX-License-Identifier: GPL-2.0
#include <hexo/hexo_kvm.h>
#include <hexo/hexo_link.h>
#include <hexo/netswap.h>
#include <hexo/netswap_server.h>

#include "modules.h"

const struct hexoctl_module hexoctl_modules[] = {
	{ "hexo_link", HEXO_LINK_GENL_NAME, link_info },
	{ "netswap", NETSWAP_GENL_NAME, netswap_info },
	{ "netswap_server", NETSWAP_SERVER_GENL_NAME, netswap_server_info },
	{ "hexo_kvm", HEXO_KVM_GENL_NAME, kvm_info },
	{}
};

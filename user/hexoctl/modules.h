/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HEXOCTL_MODULES_H
#define _HEXOCTL_MODULES_H

#include "hxnl.h"

/*
 * The HEXO modules hexoctl knows. info() queries the module's GET_INFO and
 * prints version and state (inside the caller's JSON object); 0 or -errno.
 */
struct hexoctl_module {
	const char *module;
	const char *family;
	int (*info)(struct hxnl *nl);
};

extern const struct hexoctl_module hexoctl_modules[];

int netswap_info(struct hxnl *nl);
int netswap_server_info(struct hxnl *nl);
int kvm_info(struct hxnl *nl);
int link_info(struct hxnl *nl);

#endif /* _HEXOCTL_MODULES_H */

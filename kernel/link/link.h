/* SPDX-License-Identifier: GPL-2.0 */
/* hexo_link's module-wide state, for its own files. */
#ifndef _HXL_LINK_H
#define _HXL_LINK_H

#include <linux/types.h>

/* Random at each load: tells servers this host's earlier sessions are dead. */
extern u64 hxl_boot_id;

int hxl_genl_init(void);
void hxl_genl_uninit(void);

#endif /* _HXL_LINK_H */

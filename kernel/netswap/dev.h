/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _NSW_DEV_H
#define _NSW_DEV_H

#include <linux/types.h>
#include <hexo/netswap.h>

/* A snapshot of a device, for replies. */
struct nsw_dev_info {
	u32 index;
};

int nsw_dev_init(void);
void nsw_dev_uninit(void);

int nsw_dev_get(u32 index, struct nsw_dev_info *info);
/* The first device whose index is >= *index; advances *index past it. */
int nsw_dev_next(u32 *index, struct nsw_dev_info *info);
u32 nsw_dev_count(void);

#endif /* _NSW_DEV_H */

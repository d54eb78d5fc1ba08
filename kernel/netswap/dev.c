// SPDX-License-Identifier: GPL-2.0
/*
 * The table of /dev/netswapN devices.
 */
#include <linux/mutex.h>
#include <linux/xarray.h>

#include "dev.h"

struct nsw_dev {
	u32 index;
};

static DEFINE_XARRAY(nsw_devs);
static DEFINE_MUTEX(nsw_devs_lock);

static void nsw_dev_fill(const struct nsw_dev *dev, struct nsw_dev_info *info)
{
	info->index = dev->index;
}

int nsw_dev_get(u32 index, struct nsw_dev_info *info)
{
	struct nsw_dev *dev;
	int ret = -ENODEV;

	mutex_lock(&nsw_devs_lock);
	dev = xa_load(&nsw_devs, index);
	if (dev) {
		nsw_dev_fill(dev, info);
		ret = 0;
	}
	mutex_unlock(&nsw_devs_lock);
	return ret;
}

int nsw_dev_next(u32 *index, struct nsw_dev_info *info)
{
	unsigned long i = *index;
	struct nsw_dev *dev;
	int ret = -ENODEV;

	mutex_lock(&nsw_devs_lock);
	dev = xa_find(&nsw_devs, &i, NETSWAP_MAX_DEVS - 1, XA_PRESENT);
	if (dev) {
		nsw_dev_fill(dev, info);
		*index = dev->index + 1;
		ret = 0;
	}
	mutex_unlock(&nsw_devs_lock);
	return ret;
}

u32 nsw_dev_count(void)
{
	struct nsw_dev *dev;
	unsigned long i;
	u32 n = 0;

	mutex_lock(&nsw_devs_lock);
	xa_for_each(&nsw_devs, i, dev)
		n++;
	mutex_unlock(&nsw_devs_lock);
	return n;
}

int nsw_dev_init(void)
{
	return 0;
}

void nsw_dev_uninit(void)
{
	xa_destroy(&nsw_devs);
}

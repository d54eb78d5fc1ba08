/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where HEXO's modules meet kernel API differences. HEXO
 * targets Linux 6.1 as Debian 12 packages it; anything that changed shape in
 * later kernels is wrapped here so the rest of the code reads the same.
 */
#ifndef _HEXO_COMPAT_H
#define _HEXO_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0)
#error "HEXO needs Linux 6.1 or later"
#endif

#include <linux/blk-mq.h>

/* blk_mq_alloc_disk() takes queue limits from 6.9 on. */
static inline struct gendisk *hexo_alloc_disk(struct blk_mq_tag_set *set, void *data)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
	return blk_mq_alloc_disk(set, NULL, data);
#else
	return blk_mq_alloc_disk(set, data);
#endif
}

#include <linux/mm.h>

/* pin_user_pages_remote() lost its vmas argument in 6.5. mmap_lock held. */
static inline long hexo_pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
					      unsigned long nr, unsigned int gup_flags,
					      struct page **pages)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL);
#else
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL, NULL);
#endif
}

#endif /* _HEXO_COMPAT_H */

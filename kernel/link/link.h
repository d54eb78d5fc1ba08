/* SPDX-License-Identifier: GPL-2.0 */
/* hexo_link's module-wide state, for its own files. */
#ifndef _HXL_LINK_H
#define _HXL_LINK_H

#include <linux/types.h>

/* Random at each load: tells servers this host's earlier sessions are dead. */
extern u64 hxl_boot_id;

/*
 * The receive reserves (reserve.c): armed while a user (a client channel)
 * holds them. Process context.
 */
int hxl_reserve_get(void);
void hxl_reserve_put(void);
/* Whether drivers may receive into the reserves now (any SOCK_MEMALLOC socket). */
bool hxl_reserve_armed(void);

/* Chooses the CRC-32C code by timing it (crc.c). Process context. */
int __init hxl_crc_init(void);

int hxl_genl_init(void);
void hxl_genl_uninit(void);

#endif /* _HXL_LINK_H */

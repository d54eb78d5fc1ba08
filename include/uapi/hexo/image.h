/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The HEXO checkpoint image: a guest stopped at a migration point, as
 * hexovm writes it on one ISA and restores it on the other. This header is
 * the contract; Documentation/guest.rst describes the model.
 *
 * An image is, in this order:
 *
 *   struct hexo_image_hdr                   hdr_size bytes
 *   struct hexo_image_region[nregions]      where the memory goes
 *   the regions' bytes                      each at its region's offset
 *   struct hexo_image_trailer               the last 8 bytes of the file
 *
 * Every region is page-aligned in guest memory and in the file, lies inside
 * guest memory and inside the parts of the layout that mean the same on
 * both ISAs (the control block, .data/.bss, the heap: include/uapi/hexo/
 * guest.h), and no two overlap. What an image does not hold is zero, or
 * comes from the application's ELF of the restoring ISA (code, constants).
 *
 * All fields are little-endian. A reader refuses an image whose magic,
 * version, size, regions or checksum are wrong, and says which.
 */
#ifndef _UAPI_HEXO_IMAGE_H
#define _UAPI_HEXO_IMAGE_H

#include <linux/types.h>
#include <hexo/guest.h>

#define HEXO_IMAGE_MAGIC	"HEXOIMG"	/* 8 bytes with its NUL */
#define HEXO_IMAGE_VERSION	1
#define HEXO_IMAGE_TRAILER_MAGIC 0x444e4548	/* "HEND" */
#define HEXO_IMAGE_MAX_REGIONS	16

enum hexo_region_kind {
	HEXO_REGION_CB = 1,	/* the control block page */
	HEXO_REGION_DATA = 2,	/* .data and .bss */
	HEXO_REGION_HEAP = 3,	/* the heap in use */
};

struct hexo_image_hdr {
	char magic[8];		/* HEXO_IMAGE_MAGIC */
	__u32 version;		/* HEXO_IMAGE_VERSION */
	__u32 hdr_size;		/* sizeof(struct hexo_image_hdr) */
	__u32 source_isa;	/* enum hexo_isa that wrote the image */
	__u32 nregions;		/* 1 to HEXO_IMAGE_MAX_REGIONS */
	__u64 image_size;	/* bytes in the whole file, trailer included */
	__u64 mem_size;		/* guest memory size: the restore uses it */
	__u32 layout_crc;	/* digest of the application's .data/.bss
				 * symbols (names, addresses, sizes): the
				 * restoring ELF must have the same
				 */
	__u32 flags;		/* zero */
	char app[HEXO_APP_NAME_MAX];	/* application name, NUL-terminated */
	struct hexo_cont cont;	/* where the guest carries on */
};

struct hexo_image_region {
	__u64 gpa;		/* guest-physical start, page-aligned */
	__u64 size;		/* bytes, a multiple of HEXO_PAGE_SIZE */
	__u64 offset;		/* of the bytes in the file, page-aligned */
	__u32 kind;		/* enum hexo_region_kind */
	__u32 crc;		/* CRC-32C of the region's bytes */
};

struct hexo_image_trailer {
	__u32 magic;		/* HEXO_IMAGE_TRAILER_MAGIC */
	__u32 crc;		/* CRC-32C of every byte before the trailer */
};

#endif /* _UAPI_HEXO_IMAGE_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checkpoint images (include/uapi/hexo/image.h): writing one from guest
 * memory and validating one before any of it reaches a guest. Pure file
 * format code, no KVM: the host unit tests link it as it is.
 */
#ifndef _HEXOVM_IMAGE_H
#define _HEXOVM_IMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <hexo/image.h>

/* A region to write: its place in the guest and its bytes. */
struct hexovm_image_src {
	uint32_t kind;		/* enum hexo_region_kind */
	uint64_t gpa;
	uint64_t size;
	const void *bytes;
};

/* A validated image in memory (usually mmap()ed): regions point into it. */
struct hexovm_image {
	const struct hexo_image_hdr *hdr;
	const struct hexo_image_region *regions;
	const uint8_t *base;
	size_t len;
};

/*
 * Writes an image to fd: hdr supplies source_isa, mem_size, layout_crc, app
 * and cont; the rest is filled in. 0, or a negative errno with errno set.
 */
int hexovm_image_write(int fd, const struct hexo_image_hdr *hdr,
		       const struct hexovm_image_src *src, unsigned int nsrc);

/*
 * Validates buf[0..len) as a whole image: magic, version, size, checksums,
 * regions. 0 and img filled in, or -EINVAL/-EPROTO/-EBADMSG with a message
 * for a person in err (what is wrong, and what to do).
 */
int hexovm_image_parse(const void *buf, size_t len, struct hexovm_image *img,
		       char *err, size_t errlen);

const char *hexovm_isa_name(uint32_t isa);
const char *hexovm_region_name(uint32_t kind);

/* CRC-32C with the usual inversions (user/lib/crc32c.c does the update). */
uint32_t hexovm_crc32c(uint32_t crc, const void *p, size_t len);

#endif /* _HEXOVM_IMAGE_H */

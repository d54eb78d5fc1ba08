// SPDX-License-Identifier: GPL-2.0
/*
 * Checkpoint images: the writer and the validating reader. The reader
 * trusts nothing: every length, offset and address is checked against the
 * file and the guest layout before a restore may copy a byte, and every
 * refusal says what is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

uint32_t hexo_crc32c_update(uint32_t crc, const void *p, size_t len);

#define HEXOVM_PAGE_ALIGNED(x)	(!((x) & (HEXO_PAGE_SIZE - 1)))
#define HEXOVM_PAGE_UP(x)	(((x) + HEXO_PAGE_SIZE - 1) & ~(uint64_t)(HEXO_PAGE_SIZE - 1))

uint32_t hexovm_crc32c(uint32_t crc, const void *p, size_t len)
{
	return ~hexo_crc32c_update(~crc, p, len);
}

const char *hexovm_isa_name(uint32_t isa)
{
	switch (isa) {
	case HEXO_ISA_X86_64:
		return "x86_64";
	case HEXO_ISA_ARM64:
		return "arm64";
	}
	return "unknown";
}

const char *hexovm_region_name(uint32_t kind)
{
	switch (kind) {
	case HEXO_REGION_CB:
		return "control block";
	case HEXO_REGION_DATA:
		return "data";
	case HEXO_REGION_HEAP:
		return "heap";
	}
	return "unknown";
}

/* write() all of it, retrying short writes; keeps a running CRC. */
static int hexovm_image_put(int fd, const void *p, size_t len, uint32_t *crc)
{
	const char *b = p;

	*crc = hexo_crc32c_update(*crc, p, len);
	while (len) {
		ssize_t n = write(fd, b, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		b += n;
		len -= n;
	}
	return 0;
}

static int hexovm_image_pad(int fd, uint64_t *off, uint32_t *crc)
{
	static const char zeros[HEXO_PAGE_SIZE];
	uint64_t pad = HEXOVM_PAGE_UP(*off) - *off;

	*off += pad;
	return pad ? hexovm_image_put(fd, zeros, pad, crc) : 0;
}

int hexovm_image_write(int fd, const struct hexo_image_hdr *in,
		       const struct hexovm_image_src *src, unsigned int nsrc)
{
	struct hexo_image_region regions[HEXO_IMAGE_MAX_REGIONS] = { 0 };
	struct hexo_image_trailer trailer = { .magic = HEXO_IMAGE_TRAILER_MAGIC };
	struct hexo_image_hdr hdr = *in;
	uint32_t crc = ~0u;
	uint64_t off;
	int ret;

	if (!nsrc || nsrc > HEXO_IMAGE_MAX_REGIONS) {
		errno = EINVAL;
		return -EINVAL;
	}
	memcpy(hdr.magic, HEXO_IMAGE_MAGIC, sizeof(hdr.magic));
	hdr.version = HEXO_IMAGE_VERSION;
	hdr.hdr_size = sizeof(hdr);
	hdr.nregions = nsrc;
	hdr.flags = 0;
	off = HEXOVM_PAGE_UP(sizeof(hdr) + nsrc * sizeof(regions[0]));
	for (unsigned int i = 0; i < nsrc; i++) {
		regions[i].kind = src[i].kind;
		regions[i].gpa = src[i].gpa;
		regions[i].size = src[i].size;
		regions[i].offset = off;
		regions[i].crc = hexovm_crc32c(0, src[i].bytes, src[i].size);
		off += HEXOVM_PAGE_UP(src[i].size);
	}
	hdr.image_size = off + sizeof(trailer);

	off = sizeof(hdr) + nsrc * sizeof(regions[0]);
	ret = hexovm_image_put(fd, &hdr, sizeof(hdr), &crc);
	if (!ret)
		ret = hexovm_image_put(fd, regions, nsrc * sizeof(regions[0]), &crc);
	if (!ret)
		ret = hexovm_image_pad(fd, &off, &crc);
	for (unsigned int i = 0; i < nsrc && !ret; i++) {
		ret = hexovm_image_put(fd, src[i].bytes, src[i].size, &crc);
		off += src[i].size;
		if (!ret)
			ret = hexovm_image_pad(fd, &off, &crc);
	}
	if (ret) {
		errno = -ret;
		return ret;
	}
	trailer.crc = ~crc;
	return hexovm_image_put(fd, &trailer, sizeof(trailer), &crc);
}

static int hexovm_image_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* The parts of guest memory an image may fill: those both ISAs share. */
static bool hexovm_region_allowed(const struct hexo_image_region *r, uint64_t mem_size)
{
	uint64_t end = r->gpa + r->size;

	switch (r->kind) {
	case HEXO_REGION_CB:
		return r->gpa == HEXO_GPA_CB && r->size == HEXO_PAGE_SIZE;
	case HEXO_REGION_DATA:
		return r->gpa >= HEXO_GPA_DATA && end <= HEXO_GPA_HEAP;
	case HEXO_REGION_HEAP:
		return r->gpa >= HEXO_GPA_HEAP && end <= mem_size;
	}
	return false;
}

int hexovm_image_parse(const void *buf, size_t len, struct hexovm_image *img,
		       char *err, size_t errlen)
{
	const struct hexo_image_hdr *h = buf;
	const struct hexo_image_trailer *t;
	const struct hexo_image_region *r;
	uint64_t table_end;
	uint32_t crc;
	bool has_cb = false;

	if (len < sizeof(h->magic) || memcmp(h->magic, HEXO_IMAGE_MAGIC, sizeof(h->magic)))
		return hexovm_image_err(err, errlen, -EINVAL,
					"not a HEXO checkpoint image (no \"%s\" magic at the start)",
					HEXO_IMAGE_MAGIC);
	if (len < offsetof(struct hexo_image_hdr, hdr_size) + sizeof(h->hdr_size))
		return hexovm_image_err(err, errlen, -EINVAL,
					"image truncated: %zu bytes, not even a header", len);
	if (h->version != HEXO_IMAGE_VERSION)
		return hexovm_image_err(err, errlen, -EPROTO,
					"image format version %u, but this hexovm reads version %u: "
					"restore it with the hexovm that matches the one that wrote it",
					h->version, HEXO_IMAGE_VERSION);
	if (len < sizeof(*h) + sizeof(*t))
		return hexovm_image_err(err, errlen, -EINVAL,
					"image truncated: %zu bytes, less than a header and trailer",
					len);
	if (h->hdr_size != sizeof(*h))
		return hexovm_image_err(err, errlen, -EINVAL,
					"bad header size %u (version %u headers are %zu bytes)",
					h->hdr_size, HEXO_IMAGE_VERSION, sizeof(*h));
	if (h->image_size != len)
		return hexovm_image_err(err, errlen, -EINVAL,
					h->image_size > len ?
					"image truncated: the file has %zu bytes of the %llu its header "
					"announces; copy it again" :
					"image has %zu bytes, more than the %llu its header announces",
					len, (unsigned long long)h->image_size);
	t = (const struct hexo_image_trailer *)((const char *)buf + len - sizeof(*t));
	crc = hexovm_crc32c(0, buf, len - sizeof(*t));
	if (t->magic != HEXO_IMAGE_TRAILER_MAGIC || t->crc != crc)
		return hexovm_image_err(err, errlen, -EBADMSG,
					"image corrupted: checksum %08x, computed %08x%s; take the "
					"checkpoint again", t->crc, crc,
					t->magic != HEXO_IMAGE_TRAILER_MAGIC ? ", bad trailer" : "");

	/* The checksum is right: from here on, a bad field is a bad writer. */
	if (h->source_isa != HEXO_ISA_X86_64 && h->source_isa != HEXO_ISA_ARM64)
		return hexovm_image_err(err, errlen, -EINVAL, "unknown source ISA %u",
					h->source_isa);
	if (h->mem_size < HEXO_MEM_MIN || h->mem_size > HEXO_MEM_MAX ||
	    !HEXOVM_PAGE_ALIGNED(h->mem_size))
		return hexovm_image_err(err, errlen, -EINVAL, "bad guest memory size %llu",
					(unsigned long long)h->mem_size);
	if (!memchr(h->app, '\0', sizeof(h->app)) || !h->app[0])
		return hexovm_image_err(err, errlen, -EINVAL, "bad application name");
	if (!h->nregions || h->nregions > HEXO_IMAGE_MAX_REGIONS)
		return hexovm_image_err(err, errlen, -EINVAL, "%u regions (1 to %u allowed)",
					h->nregions, HEXO_IMAGE_MAX_REGIONS);
	table_end = sizeof(*h) + (uint64_t)h->nregions * sizeof(*r);
	if (table_end > len - sizeof(*t))
		return hexovm_image_err(err, errlen, -EINVAL, "region table past the end");
	r = (const struct hexo_image_region *)(h + 1);
	for (uint32_t i = 0; i < h->nregions; i++) {
		const struct hexo_image_region *a = &r[i];

		if (!a->size || !HEXOVM_PAGE_ALIGNED(a->gpa) || !HEXOVM_PAGE_ALIGNED(a->size) ||
		    !HEXOVM_PAGE_ALIGNED(a->offset) || a->gpa + a->size < a->gpa)
			return hexovm_image_err(err, errlen, -EINVAL,
						"region %u: not page-aligned or empty", i);
		if (!hexovm_region_allowed(a, h->mem_size))
			return hexovm_image_err(err, errlen, -EINVAL,
						"region %u (%s) at %#llx+%#llx is outside the "
						"layout both ISAs share", i,
						hexovm_region_name(a->kind),
						(unsigned long long)a->gpa,
						(unsigned long long)a->size);
		if (a->offset < table_end || a->offset + a->size < a->offset ||
		    a->offset + a->size > len - sizeof(*t))
			return hexovm_image_err(err, errlen, -EINVAL,
						"region %u: bytes outside the file", i);
		for (uint32_t j = 0; j < i; j++)
			if (a->gpa < r[j].gpa + r[j].size && r[j].gpa < a->gpa + a->size)
				return hexovm_image_err(err, errlen, -EINVAL,
							"regions %u and %u overlap", j, i);
		if (hexovm_crc32c(0, (const char *)buf + a->offset, a->size) != a->crc)
			return hexovm_image_err(err, errlen, -EBADMSG,
						"region %u (%s): checksum mismatch", i,
						hexovm_region_name(a->kind));
		has_cb |= a->kind == HEXO_REGION_CB;
	}
	if (!has_cb)
		return hexovm_image_err(err, errlen, -EINVAL, "no control block region");
	if (h->cont.state_gpa < HEXO_GPA_DATA || h->cont.state_size > h->mem_size ||
	    h->cont.state_gpa + h->cont.state_size > h->mem_size)
		return hexovm_image_err(err, errlen, -EINVAL,
					"continuation state at %#llx+%#llx is not in guest data",
					(unsigned long long)h->cont.state_gpa,
					(unsigned long long)h->cont.state_size);

	img->hdr = h;
	img->regions = r;
	img->base = buf;
	img->len = len;
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the checkpoint image format (user/hexovm/image.c,
 * include/uapi/hexo/image.h): what the writer writes, the reader takes back,
 * and every kind of damage is refused with a message that names it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "image.h"

#define MEM	(64ull << 20)

FIXTURE(image) {
	uint8_t *buf;
	size_t len;
	uint8_t cb[HEXO_PAGE_SIZE], data[3 * HEXO_PAGE_SIZE], heap[2 * HEXO_PAGE_SIZE];
	struct hexovm_image img;
	char err[256];
};

FIXTURE_SETUP(image)
{
	struct hexo_image_hdr hdr = {
		.source_isa = HEXO_ISA_X86_64, .mem_size = MEM, .layout_crc = 0x12345678,
		.app = "ep",
		.cont = { .point = 2, .isa = HEXO_ISA_X86_64, .state_gpa = HEXO_GPA_DATA + 64,
			  .state_size = 128, .seq = 99 },
	};
	struct hexovm_image_src src[3] = {
		{ HEXO_REGION_CB, HEXO_GPA_CB, sizeof(self->cb), self->cb },
		{ HEXO_REGION_DATA, HEXO_GPA_DATA, sizeof(self->data), self->data },
		{ HEXO_REGION_HEAP, HEXO_GPA_HEAP, sizeof(self->heap), self->heap },
	};
	int fd = memfd_create("image", 0);

	for (size_t i = 0; i < sizeof(self->data); i++)
		self->data[i] = (uint8_t)(i * 7);
	memset(self->cb, 0xcb, sizeof(self->cb));
	memset(self->heap, 0x5a, sizeof(self->heap));
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, hexovm_image_write(fd, &hdr, src, 3));
	self->len = lseek(fd, 0, SEEK_END);
	self->buf = malloc(self->len);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ((ssize_t)self->len, pread(fd, self->buf, self->len, 0));
	close(fd);
}

FIXTURE_TEARDOWN(image)
{
	free(self->buf);
}

static struct hexo_image_hdr *hdr_of(uint8_t *buf)
{
	return (struct hexo_image_hdr *)buf;
}

static struct hexo_image_region *region_of(uint8_t *buf, int i)
{
	return (struct hexo_image_region *)(buf + sizeof(struct hexo_image_hdr)) + i;
}

/* Re-seals the image after a deliberate edit, as a buggy writer would. */
static void reseal(uint8_t *buf, size_t len)
{
	struct hexo_image_trailer *t = (void *)(buf + len - sizeof(*t));

	t->crc = hexovm_crc32c(0, buf, len - sizeof(*t));
}

TEST_F(image, round_trip)
{
	const struct hexo_image_region *r;

	ASSERT_EQ(0, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					sizeof(self->err)));
	EXPECT_EQ((uint32_t)HEXO_IMAGE_VERSION, self->img.hdr->version);
	EXPECT_EQ((uint32_t)HEXO_ISA_X86_64, self->img.hdr->source_isa);
	EXPECT_EQ(MEM, self->img.hdr->mem_size);
	EXPECT_EQ(0x12345678u, self->img.hdr->layout_crc);
	EXPECT_STREQ("ep", self->img.hdr->app);
	EXPECT_EQ(2u, self->img.hdr->cont.point);
	EXPECT_EQ(99u, self->img.hdr->cont.seq);
	ASSERT_EQ(3u, self->img.hdr->nregions);
	/* Page-aligned regions, trailer last: the documented layout. */
	EXPECT_EQ(HEXO_PAGE_SIZE + sizeof(self->cb) + sizeof(self->data) + sizeof(self->heap) +
		  sizeof(struct hexo_image_trailer), self->len);
	r = &self->img.regions[1];
	EXPECT_EQ((uint32_t)HEXO_REGION_DATA, r->kind);
	EXPECT_EQ((uint64_t)HEXO_GPA_DATA, r->gpa);
	EXPECT_EQ(0u, r->offset % HEXO_PAGE_SIZE);
	EXPECT_EQ(0, memcmp(self->img.base + r->offset, self->data, sizeof(self->data)));
	r = &self->img.regions[2];
	EXPECT_EQ(0, memcmp(self->img.base + r->offset, self->heap, sizeof(self->heap)));
}

TEST_F(image, corrupted_byte)
{
	self->buf[HEXO_PAGE_SIZE + 100] ^= 1;
	EXPECT_EQ(-EBADMSG, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "image corrupted: checksum"));
}

TEST_F(image, corrupted_header)
{
	hdr_of(self->buf)->cont.point = 3;
	EXPECT_EQ(-EBADMSG, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					       sizeof(self->err)));
}

TEST_F(image, truncated)
{
	for (size_t cut = 1; cut < self->len; cut += 1 + cut / 2) {
		EXPECT_NE(0, hexovm_image_parse(self->buf, self->len - cut, &self->img, self->err,
						sizeof(self->err)));
	}
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len - 8, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "image truncated"));
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, 12, &self->img, self->err,
					      sizeof(self->err)));
}

TEST_F(image, wrong_version)
{
	hdr_of(self->buf)->version = HEXO_IMAGE_VERSION + 1;
	EXPECT_EQ(-EPROTO, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "format version 2, but this hexovm reads version 1"));
}

TEST_F(image, bad_magic)
{
	self->buf[0] = 'X';
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "not a HEXO checkpoint image"));
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, 3, &self->img, self->err,
					      sizeof(self->err)));
}

TEST_F(image, trailing_bytes)
{
	uint8_t *longer = calloc(1, self->len + 10);

	ASSERT_NE(NULL, longer);
	memcpy(longer, self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(longer, self->len + 10, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "more than"));
	free(longer);
}

/* Sealed but wrong: the reader must not trust a well-formed checksum. */
TEST_F(image, region_outside_shared_layout)
{
	region_of(self->buf, 1)->gpa = HEXO_GPA_TEXT;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "outside the layout both ISAs share"));
}

TEST_F(image, region_past_memory)
{
	region_of(self->buf, 2)->gpa = MEM - HEXO_PAGE_SIZE;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
}

TEST_F(image, region_bytes_outside_file)
{
	region_of(self->buf, 2)->offset = (self->len + HEXO_PAGE_SIZE) & ~(uint64_t)(HEXO_PAGE_SIZE - 1);
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "bytes outside the file"));
}

TEST_F(image, overlapping_regions)
{
	region_of(self->buf, 1)->kind = HEXO_REGION_HEAP;
	region_of(self->buf, 1)->gpa = HEXO_GPA_HEAP + HEXO_PAGE_SIZE;
	region_of(self->buf, 1)->size = HEXO_PAGE_SIZE;
	region_of(self->buf, 1)->crc = hexovm_crc32c(0, self->buf + region_of(self->buf, 1)->offset,
						     HEXO_PAGE_SIZE);
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "overlap"));
}

TEST_F(image, region_checksum)
{
	region_of(self->buf, 1)->crc ^= 1;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EBADMSG, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "region 1 (data): checksum mismatch"));
}

TEST_F(image, unknown_isa_and_sizes)
{
	hdr_of(self->buf)->source_isa = 7;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "unknown source ISA 7"));
	hdr_of(self->buf)->source_isa = HEXO_ISA_ARM64;
	hdr_of(self->buf)->mem_size = MEM + 1;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	hdr_of(self->buf)->mem_size = MEM;
	hdr_of(self->buf)->cont.state_gpa = HEXO_GPA_TEXT;
	reseal(self->buf, self->len);
	EXPECT_EQ(-EINVAL, hexovm_image_parse(self->buf, self->len, &self->img, self->err,
					      sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "continuation state"));
}

TEST(writer_refuses_bad_counts)
{
	struct hexo_image_hdr hdr = { 0 };

	EXPECT_EQ(-EINVAL, hexovm_image_write(-1, &hdr, NULL, 0));
	EXPECT_EQ(-EINVAL, hexovm_image_write(-1, &hdr, NULL, HEXO_IMAGE_MAX_REGIONS + 1));
}

TEST(crc32c_check_value)
{
	/* The CRC-32C check value of "123456789" (RFC 3720, B.4). */
	EXPECT_EQ(0xe3069283u, hexovm_crc32c(0, "123456789", 9));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/* Host-side unit tests of the tools' argument parsing (user/lib/parse.c). */
#include <errno.h>

#include "kselftest_harness.h"
#include "parse.h"

TEST(sizes)
{
	uint64_t v;

	ASSERT_EQ(0, parse_size("4096", &v));
	EXPECT_EQ(4096u, v);
	ASSERT_EQ(0, parse_size("64K", &v));
	EXPECT_EQ(65536u, v);
	ASSERT_EQ(0, parse_size("2G", &v));
	EXPECT_EQ(2ull << 30, v);
	ASSERT_EQ(0, parse_size("512MiB", &v));
	EXPECT_EQ(512ull << 20, v);
	ASSERT_EQ(0, parse_size("1t", &v));
	EXPECT_EQ(1ull << 40, v);
	EXPECT_EQ(-EINVAL, parse_size("", &v));
	EXPECT_EQ(-EINVAL, parse_size("-1G", &v));
	EXPECT_EQ(-EINVAL, parse_size("G", &v));
	EXPECT_EQ(-EINVAL, parse_size("2X", &v));
	EXPECT_EQ(-EINVAL, parse_size("2GBB", &v));
	EXPECT_EQ(-ERANGE, parse_size("99999999999T", &v));
}

TEST(numbers)
{
	uint32_t v;

	ASSERT_EQ(0, parse_u32("0x10", 100, &v));
	EXPECT_EQ(16u, v);
	EXPECT_EQ(-ERANGE, parse_u32("101", 100, &v));
	EXPECT_EQ(-EINVAL, parse_u32("12abc", 100, &v));
	EXPECT_EQ(-EINVAL, parse_u32(" 1", 100, &v));
	EXPECT_EQ(-EINVAL, parse_u32("-1", 100, &v));
}

TEST(macs)
{
	uint8_t m[6];
	char buf[18];

	ASSERT_EQ(0, parse_mac("52:54:00:48:58:0a", m));
	EXPECT_EQ(0x0a, m[5]);
	EXPECT_STREQ("52:54:00:48:58:0a", fmt_mac(m, buf, sizeof(buf)));
	ASSERT_EQ(0, parse_mac("52-54-00-48-58-0A", m));
	EXPECT_EQ(-EINVAL, parse_mac("52:54:00:48:58", m));
	EXPECT_EQ(-EINVAL, parse_mac("52:54:00:48:58:0g", m));
	EXPECT_EQ(-EINVAL, parse_mac("52:54:00:48:58:0a:", m));
	EXPECT_EQ(-EINVAL, parse_mac("5:254:00:48:58:0a", m));
}

TEST(size_formatting)
{
	char b[32];

	EXPECT_STREQ("512", fmt_size(512, b, sizeof(b)));
	EXPECT_STREQ("4K", fmt_size(4096, b, sizeof(b)));
	EXPECT_STREQ("1.5K", fmt_size(1536, b, sizeof(b)));
	EXPECT_STREQ("2G", fmt_size(2ull << 30, b, sizeof(b)));
}

TEST(keys_in_base64)
{
	uint8_t k[32], back[32];
	char b[48];

	/* 32 zero bytes, and a pattern, both ways. */
	memset(k, 0, sizeof(k));
	fmt_key(k, b);
	EXPECT_STREQ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", b);
	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)(i * 37 + 11);
	fmt_key(k, b);
	EXPECT_EQ(44u, strlen(b));
	ASSERT_EQ(0, parse_key(b, back));
	EXPECT_EQ(0, memcmp(k, back, sizeof(k)));
	/* A trailing newline is fine; anything else is not a key. */
	strcat(b, "\n");
	EXPECT_EQ(0, parse_key(b, back));
	EXPECT_EQ(-EINVAL, parse_key("AAAA", back));
	EXPECT_EQ(-EINVAL, parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", back));
	EXPECT_EQ(-EINVAL, parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*=", back));
	/* Not canonical: the last character's spare bits set. */
	EXPECT_EQ(-EINVAL, parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=", back));
	EXPECT_EQ(-EINVAL, parse_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", back));
}

TEST_HARNESS_MAIN

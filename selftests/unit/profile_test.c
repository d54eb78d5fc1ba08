// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the offload policy's profile format (user/policy/
 * profile.c): what it takes, and every kind of bad line refused with its
 * line number and what is wrong.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "policy.h"

TEST(a_good_profile)
{
	struct hxp_profile p = { 0 };
	const struct hxp_prof_entry *e;
	char err[256] = "";

	ASSERT_EQ(0, hxp_profile_parse(&p,
		"# a comment\n"
		"\n"
		"ep A x86_64 100 llc=2e5 mem=64M   # and another\n"
		"\tep  A  arm64  45.5\n"
		"ra 256 x86_64 80 mem=320M\n"
		"ra 256 arm64+netswap 9\n"
		"ra 256 arm64 30 mem=320M", "t", err, sizeof(err)));
	EXPECT_STREQ("", err);
	ASSERT_EQ(2u, p.n);
	e = hxp_profile_find(&p, "ep", "A");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(100.0, e->rate[HXP_ISA_X86_64]);
	EXPECT_EQ(45.5, e->rate[HXP_ISA_ARM64]);
	EXPECT_EQ(0.0, e->rate[HXP_ISA_ARM64_NETSWAP]);
	EXPECT_EQ(2e5, e->llc);
	EXPECT_EQ(64ull << 20, e->mem);
	EXPECT_EQ(3u, e->line[HXP_ISA_X86_64]);
	EXPECT_EQ(4u, e->line[HXP_ISA_ARM64]);
	e = hxp_profile_find(&p, "ra", "256");
	ASSERT_NE(NULL, e);
	EXPECT_EQ(9.0, e->rate[HXP_ISA_ARM64_NETSWAP]);
	EXPECT_EQ(320ull << 20, e->mem);
	EXPECT_EQ(NULL, hxp_profile_find(&p, "ra", "A"));
	hxp_profile_free(&p);
}

TEST(the_example_profile_parses)
{
	struct hxp_profile p = { 0 };
	char err[256] = "";
	unsigned int i;

	/* The tests run in selftests/unit. */
	ASSERT_EQ(0, hxp_profile_load(&p, "../../user/policy/example.profile", err,
				      sizeof(err))) {
		TH_LOG("%s", err);
	}
	ASSERT_EQ(4u, p.n);
	for (i = 0; i < p.n; i++) {
		EXPECT_LT(0, p.e[i].rate[HXP_ISA_X86_64]);
		EXPECT_LT(0, p.e[i].rate[HXP_ISA_ARM64]);
		EXPECT_NE(0u, p.e[i].mem);
	}
	hxp_profile_free(&p);
}

TEST(a_missing_file)
{
	struct hxp_profile p = { 0 };
	char err[256] = "";

	EXPECT_EQ(-ENOENT, hxp_profile_load(&p, "/nonexistent/x.profile", err, sizeof(err)));
	EXPECT_STREQ("/nonexistent/x.profile: No such file or directory", err);
	hxp_profile_free(&p);
}

/* Each bad text, and the error it must give, whole. */
static const struct {
	const char *text, *err;
} bad[] = {
	{ "ep A x86_64\n", "p:1: 3 fields; a line is KERNEL CLASS ISA RATE "
	  "[llc=REFS_PER_S] [mem=SIZE]" },
	{ "# one\nep\n", "p:2: 1 field; a line is KERNEL CLASS ISA RATE "
	  "[llc=REFS_PER_S] [mem=SIZE]" },
	{ "ep A arm65 10\n", "p:1: ISA 'arm65': x86_64, arm64 or arm64+netswap" },
	{ "ep A x86_64 -10\n", "p:1: rate '-10': not a positive number (iterations per second)" },
	{ "ep A x86_64 0\n", "p:1: rate '0': not a positive number (iterations per second)" },
	{ "ep A x86_64 10x\n", "p:1: rate '10x': not a positive number (iterations per second)" },
	{ "ep A x86_64 nan\n", "p:1: rate 'nan': not a positive number (iterations per second)" },
	{ "ep A x86_64 1e999\n",
	  "p:1: rate '1e999': not a positive number (iterations per second)" },
	{ "ep A x86_64 10 llc=abc\n",
	  "p:1: llc 'abc': not a positive number (LLC references per second)" },
	{ "ep A x86_64 10 llc=1 llc=2\n", "p:1: llc= given twice" },
	{ "ep A arm64 10 llc=5\n", "p:1: llc= is the server's LLC references per second: "
	  "on x86_64 lines only" },
	{ "ep A x86_64 10 mem=lots\n", "p:1: mem 'lots': not a size (64M, 1G, ...)" },
	{ "ep A x86_64 10 mem=0\n", "p:1: mem '0': not a size (64M, 1G, ...)" },
	{ "ep A x86_64 10 mem=1M mem=1M\n", "p:1: mem= given twice" },
	{ "ep A x86_64 10 speed=3\n", "p:1: 'speed=3': unknown field (llc=, mem=)" },
	{ "ep A x86_64 10\n\nep A x86_64 11\n",
	  "p:3: ep A x86_64 given twice (first at line 1)" },
	{ "ep A x86_64 10 mem=64M\nep A arm64 4 mem=32M\n",
	  "p:2: mem 32M of ep A differs from line 1's (67108864 bytes)" },
	{ "averyveryverylongname A x86_64 10\n",
	  "p:1: kernel 'averyveryverylongname': longer than 15 characters" },
	{ "ep A/B x86_64 10\n", "p:1: class 'A/B': only letters, digits, '_', '-' and '.'" },
	{ "ep A x86_64 1 a b c d e\n", "p:1: more than 8 fields" },
};

TEST(bad_lines_name_their_line_and_fault)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hxp_profile p = { 0 };
		char err[256] = "";

		EXPECT_EQ(-EINVAL, hxp_profile_parse(&p, bad[i].text, "p", err, sizeof(err)));
		EXPECT_STREQ(bad[i].err, err);
		hxp_profile_free(&p);
	}
}

TEST(a_line_too_long)
{
	struct hxp_profile p = { 0 };
	char text[400], err[256] = "";

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	EXPECT_EQ(-EINVAL, hxp_profile_parse(&p, text, "p", err, sizeof(err)));
	EXPECT_STREQ("p:1: longer than 255 characters", err);
	hxp_profile_free(&p);
}

TEST(a_nul_byte_in_a_file)
{
	struct hxp_profile p = { 0 };
	char path[] = "/tmp/hxp_profile_XXXXXX", err[256] = "";
	int fd = mkstemp(path);

	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "ep\0 A", 5));
	close(fd);
	EXPECT_EQ(-EINVAL, hxp_profile_load(&p, path, err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "not a text file"));
	unlink(path);
	hxp_profile_free(&p);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the policy daemon's configuration (user/policy/
 * conf.c): what it takes, its defaults, and every kind of bad line refused
 * with its line number and what is wrong.
 */
#include <errno.h>
#include <string.h>

#include "kselftest_harness.h"
#include "conf.h"

TEST(a_good_configuration)
{
	struct hxp_conf c;
	char err[256] = "";

	hxp_conf_default(&c);
	ASSERT_EQ(0, hxp_conf_parse(&c,
		"# the server's view\n"
		"dev eth0\n"
		"board 52:54:00:48:58:02 cores 2 mem 200M swap 512M\n"
		"board 52:54:00:48:58:03 mem 1G cores 4   # no Netswap\n"
		"profile /etc/hexo/profile\n"
		"server cores 2\n"
		"interval 500\n"
		"timeout 30000\n"
		"hold 10\n"
		"reclaim-after 2.5\n"
		"min-gain 0.2\n"
		"horizon 60\n"
		"probe 45\n"
		"probe-ratio 0.5\n"
		"hexovm /hexo/bin/hexovm\n"
		"board-rates profile\n"
		"state /tmp/p.json\n", "t", err, sizeof(err)));
	EXPECT_STREQ("", err);
	EXPECT_STREQ("eth0", c.dev);
	ASSERT_EQ(2u, c.nr_boards);
	EXPECT_EQ(0x03, c.boards[1].mac[5]);
	EXPECT_EQ(2u, c.boards[0].cores);
	EXPECT_EQ(200ull << 20, c.boards[0].mem);
	EXPECT_EQ(512ull << 20, c.boards[0].swap);
	EXPECT_EQ(0ull, c.boards[1].swap);
	EXPECT_EQ(4u, c.boards[1].cores);
	EXPECT_STREQ("/etc/hexo/profile", c.profile);
	EXPECT_EQ(2u, c.server_cores);
	EXPECT_EQ(500u, c.interval_ms);
	EXPECT_EQ(30000u, c.timeout_ms);
	EXPECT_EQ(10.0, c.params.hold_s);
	EXPECT_EQ(2.5, c.params.reclaim_after_s);
	EXPECT_EQ(0.2, c.params.min_gain);
	EXPECT_EQ(60.0, c.params.horizon_s);
	EXPECT_EQ(45.0, c.params.probe_s);
	EXPECT_EQ(0.5, c.params.probe_ratio);
	EXPECT_STREQ("/hexo/bin/hexovm", c.hexovm);
	EXPECT_STREQ("/tmp/p.json", c.state);
	EXPECT_FALSE(c.board_rates);
}

TEST(defaults)
{
	struct hxp_conf c;
	struct hxp_params p;
	char err[256] = "";

	hxp_conf_default(&c);
	hxp_params_default(&p);
	ASSERT_EQ(0, hxp_conf_parse(&c, "dev eth0\nboard 52:54:00:00:00:01 cores 1 mem 64M",
				    "t", err, sizeof(err)));
	EXPECT_EQ(2000u, c.interval_ms);
	EXPECT_EQ(20000u, c.timeout_ms);
	EXPECT_EQ(0u, c.server_cores);
	EXPECT_STREQ("hexovm", c.hexovm);
	EXPECT_STREQ("", c.profile);
	EXPECT_TRUE(c.board_rates);
	EXPECT_EQ(p.hold_s, c.params.hold_s);
	EXPECT_EQ(p.reclaim_after_s, c.params.reclaim_after_s);
	EXPECT_EQ(p.probe_s, c.params.probe_s);
	EXPECT_EQ(p.probe_ratio, c.params.probe_ratio);
}

/* Each bad text and the start of the message it must give. */
TEST(bad_lines_are_refused_with_their_line)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "dev eth0\nboard 52:54:00:00:00:01 cores 1 mem 64M\nfrobnicate 1",
		  "t:3: 'frobnicate': unknown setting" },
		{ "dev eth0\nboard 52:54:00:00:00:01 cores 1", "t:2: board 52:54:00:00:00:01: "
		  "cores and mem are needed" },
		{ "board 52:54:00:00:00:0g cores 1 mem 1G", "t:1: board: a MAC first" },
		{ "board 52:54:00:00:00:01 cores 0 mem 1G", "t:1: board cores '0': 1 to 1024" },
		{ "board 52:54:00:00:00:01 cores 1 mem 0", "t:1: board mem '0': a size" },
		{ "board 52:54:00:00:00:01 cores 1 mem 1G swap lots", "t:1: board swap 'lots'" },
		{ "board 52:54:00:00:00:01 cores 1 mem 1G ram 1G",
		  "t:1: board: 'ram' is not cores, mem or swap" },
		{ "board 52:54:00:00:00:01 cores", "t:1: board: 'cores' needs a value" },
		{ "board 52:54:00:00:00:01 cores 1 mem 1G\nboard 52:54:00:00:00:01 cores 2 mem 1G",
		  "t:2: board 52:54:00:00:00:01: given twice" },
		{ "interval 99", "t:1: interval '99': milliseconds, 100 to 600000" },
		{ "probe-ratio 65", "t:1: probe-ratio '65': a number, 0 to 64" },
		{ "timeout 1e3", "t:1: timeout '1e3': milliseconds" },
		{ "hold -1", "t:1: hold '-1': a number, 0 to 86400" },
		{ "min-gain nan", "t:1: min-gain 'nan': a number" },
		{ "dev", "t:1: 'dev' takes one value" },
		{ "dev a-name-much-too-long", "t:1: dev 'a-name-much-too-long': not an interface" },
		{ "server cores", "t:1: server: 'server cores N'" },
		{ "board-rates guessed", "t:1: board-rates 'guessed': measured or profile" },
		{ "board-rates", "t:1: 'board-rates' takes one value" },
		{ "dev eth0", "t: needs 'dev IFNAME' and at least one 'board MAC ...'" },
		{ "board 52:54:00:00:00:01 cores 1 mem 1G", "t: needs 'dev IFNAME'" },
		{ "dev eth0\nboard 52:54:00:00:00:01 cores 1 mem 1G\nhorizon 0",
		  "t: horizon must be more than 0" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hxp_conf c;
		char err[256] = "";

		hxp_conf_default(&c);
		EXPECT_EQ(-EINVAL, hxp_conf_parse(&c, bad[i].text, "t", err, sizeof(err)));
		EXPECT_EQ(0, strncmp(err, bad[i].msg, strlen(bad[i].msg))) {
			TH_LOG("case %u: got \"%s\", wanted \"%s...\"", i, err, bad[i].msg);
		}
	}
}

TEST(a_missing_file_says_which)
{
	struct hxp_conf c;
	char err[256] = "";

	hxp_conf_default(&c);
	EXPECT_EQ(-ENOENT, hxp_conf_load(&c, "/nonexistent/policy.conf", err, sizeof(err)));
	EXPECT_STREQ("/nonexistent/policy.conf: No such file or directory", err);
}

TEST_HARNESS_MAIN

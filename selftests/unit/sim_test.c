// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of hexosim's simulation (user/policy/sim.c) and of
 * its reader of bench-offload results (offcost.c): the same seed gives the
 * same run, runs without contention end when arithmetic says they must,
 * and the oracle is HEXO's policy when the profile is the truth.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "sim.h"

/* Made up for the tests. */
static const char prof_text[] =
	"ep A x86_64 100 llc=2e5 mem=64M\n"
	"ep A arm64  50\n"
	"cg A x86_64 20  llc=6e7 mem=128M\n"
	"cg A arm64  4\n"
	"ra 64 x86_64 80 llc=9e7 mem=96M\n"
	"ra 64 arm64 30\n";

FIXTURE(sim) {
	struct hxp_profile prof;
	struct hxp_sim_config c;
	char err[256];
};

FIXTURE_SETUP(sim)
{
	memset(&self->prof, 0, sizeof(self->prof));
	ASSERT_EQ(0, hxp_profile_parse(&self->prof, prof_text, "t", self->err,
				       sizeof(self->err)));
	hxp_sim_config_default(&self->c);
	self->c.prof = &self->prof;
	/* Small enough to run in a blink. */
	self->c.servers = 2;
	self->c.server_cores = 4;
	self->c.boards = 4;
	self->c.jobs = 200;
	self->c.job_s = 300;
	self->c.arrival_s = self->c.job_s / (1.5 * 2 * 4);
}

FIXTURE_TEARDOWN(sim)
{
	hxp_profile_free(&self->prof);
}

TEST_F(sim, the_same_seed_gives_the_same_run)
{
	struct hxp_sim_result a, b;
	int p;

	for (p = 0; p < HXP_SIM_NR_POLICY; p++) {
		ASSERT_EQ(0, hxp_sim_run(&self->c, p, &a, self->err, sizeof(self->err)));
		ASSERT_EQ(0, hxp_sim_run(&self->c, p, &b, self->err, sizeof(self->err)));
		EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
		EXPECT_EQ(200u, a.jobs);
	}
	/* And another seed another one. */
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &a, self->err, sizeof(self->err)));
	self->c.seed = 2;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &b, self->err, sizeof(self->err)));
	EXPECT_NE(a.makespan_s, b.makespan_s);
}

/*
 * A server core for every job, all arriving at 0, all as long: each runs
 * alone, and all end at job_s. Energy: every server busy all along.
 */
TEST_F(sim, no_contention_is_the_arithmetic)
{
	struct hxp_sim_result r;

	self->c.servers = 8;
	self->c.server_cores = 1;
	self->c.jobs = 8;
	self->c.arrival_s = 0;
	self->c.job_spread = 0;
	self->c.noise = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_SERVER_ONLY, &r, self->err,
				 sizeof(self->err)));
	EXPECT_EQ(8u, r.jobs);
	EXPECT_LT(fabs(r.makespan_s - 300), 1e-6);
	EXPECT_LT(fabs(r.jobs_per_h - 8 * 3600.0 / 300), 1e-6);
	EXPECT_LT(fabs(r.energy_j - 8 * 300.0 * 300), 1e-3);
	EXPECT_LT(fabs(r.jobs_per_kwh - 8 / (8 * 300.0 * 300 / 3.6e6)), 1e-6);
	/* No server over-committed: HEXO moves nothing, and only adds boards' idle power. */
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &r, self->err, sizeof(self->err)));
	EXPECT_EQ(0u, r.offloads);
	EXPECT_LT(fabs(r.makespan_s - 300), 1e-6);
	EXPECT_LT(fabs(r.energy_j - (8 * 300.0 + 4 * 1.6) * 300), 1e-3);
}

/* Twice as many jobs as cores, all at 0: fair shares end them all at 2 job_s. */
TEST_F(sim, shared_cores_take_proportionally_longer)
{
	struct hxp_sim_result r;

	self->c.servers = 1;
	self->c.jobs = 8;
	self->c.arrival_s = 0;
	self->c.job_spread = 0;
	self->c.noise = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_SERVER_ONLY, &r, self->err,
				 sizeof(self->err)));
	EXPECT_LT(fabs(r.makespan_s - 600), 1e-6);
}

/* With no boards, every policy is server-only. */
TEST_F(sim, no_boards_no_difference)
{
	struct hxp_sim_result base, r;
	int p;

	self->c.boards = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_SERVER_ONLY, &base, self->err,
				 sizeof(self->err)));
	for (p = HXP_SIM_HEXO; p < HXP_SIM_NR_POLICY; p++) {
		ASSERT_EQ(0, hxp_sim_run(&self->c, p, &r, self->err, sizeof(self->err)));
		/* The same, but for rounding: the ticks split the steps. */
		EXPECT_LT(fabs(base.makespan_s - r.makespan_s), 1e-9 * base.makespan_s);
		EXPECT_LT(fabs(base.energy_j - r.energy_j), 1e-9 * base.energy_j);
		EXPECT_EQ(0u, r.offloads);
	}
}

/* When the profile is every job's truth, HEXO knows what the oracle knows. */
TEST_F(sim, without_noise_hexo_is_the_oracle)
{
	struct hxp_sim_result h, o;

	self->c.noise = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &h, self->err, sizeof(self->err)));
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_ORACLE, &o, self->err, sizeof(self->err)));
	EXPECT_EQ(0, memcmp(&h, &o, sizeof(h)));
	EXPECT_LT(0u, h.offloads);
}

/* With noise, the oracle knows what HEXO has to estimate: the runs differ. */
TEST_F(sim, with_noise_the_oracle_knows_more)
{
	struct hxp_sim_result h, o;

	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &h, self->err, sizeof(self->err)));
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_ORACLE, &o, self->err, sizeof(self->err)));
	EXPECT_NE(0, memcmp(&h, &o, sizeof(h)));
}

/* Boards add capacity to over-committed servers: every policy that uses them gains. */
TEST_F(sim, boards_add_throughput)
{
	struct hxp_sim_result base, r;
	int p;

	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_SERVER_ONLY, &base, self->err,
				 sizeof(self->err)));
	for (p = HXP_SIM_HEXO; p < HXP_SIM_NR_POLICY; p++) {
		ASSERT_EQ(0, hxp_sim_run(&self->c, p, &r, self->err, sizeof(self->err)));
		EXPECT_LT(base.jobs_per_h, r.jobs_per_h) {
			TH_LOG("%s", hxp_sim_policy_name(p));
		}
		EXPECT_LT(0u, r.offloads);
	}
}

/*
 * Half the jobs of kernels the policies do not know, and no PMU (no LLC
 * rates) to place them by: HEXO probes them, and gets more done than
 * without probes, which offloads none of them. The oracle knows every job
 * whatever the share: its run is the same.
 */
TEST_F(sim, unknown_kernels_are_probed)
{
	static const char no_llc[] =
		"ep A x86_64 100 mem=64M\n"
		"ep A arm64  50\n"
		"cg A x86_64 20  mem=128M\n"
		"cg A arm64  4\n"
		"ra 64 x86_64 80 mem=96M\n"
		"ra 64 arm64 30\n";
	struct hxp_sim_result known, probes, none, o1, o2;
	struct hxp_profile prof = { 0 };

	ASSERT_EQ(0, hxp_profile_parse(&prof, no_llc, "t", self->err, sizeof(self->err)));
	self->c.prof = &prof;
	self->c.noise = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &known, self->err,
				 sizeof(self->err)));
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_ORACLE, &o1, self->err, sizeof(self->err)));
	EXPECT_EQ(0u, known.probes);
	self->c.unknown = 0.5;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &probes, self->err,
				 sizeof(self->err)));
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_ORACLE, &o2, self->err, sizeof(self->err)));
	EXPECT_EQ(0, memcmp(&o1, &o2, sizeof(o1)));
	self->c.params.probe_s = 0;
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_HEXO, &none, self->err, sizeof(self->err)));
	EXPECT_LT(0u, probes.probes);
	EXPECT_LE(probes.probes, probes.offloads);
	EXPECT_EQ(0u, none.probes);
	EXPECT_LT(none.jobs_per_h, probes.jobs_per_h);
	TH_LOG("jobs/h: all known %.1f, half unknown %.1f with probes (%u), %.1f without; "
	       "oracle %.1f", known.jobs_per_h, probes.jobs_per_h, probes.probes,
	       none.jobs_per_h, o2.jobs_per_h);
	hxp_profile_free(&prof);
}

TEST_F(sim, bad_configurations)
{
	struct hxp_sim_result r;
	struct hxp_profile empty = { 0 };
	double weight[3] = { 0, 0, 0 };

	self->c.server_cores = 0;
	EXPECT_EQ(-EINVAL, hxp_sim_run(&self->c, HXP_SIM_HEXO, &r, self->err,
				       sizeof(self->err)));
	EXPECT_STREQ("at least one server with at least one core", self->err);
	self->c.server_cores = 4;
	self->c.unknown = 1.5;
	EXPECT_EQ(-EINVAL, hxp_sim_run(&self->c, HXP_SIM_HEXO, &r, self->err,
				       sizeof(self->err)));
	EXPECT_STREQ("the share of unknown jobs must be in [0, 1]", self->err);
	self->c.unknown = 0;
	self->c.prof = &empty;
	EXPECT_EQ(-EINVAL, hxp_sim_run(&self->c, HXP_SIM_HEXO, &r, self->err,
				       sizeof(self->err)));
	EXPECT_NE(NULL, strstr(self->err, "no job to run"));
	self->c.prof = &self->prof;
	self->c.weight = weight;
	EXPECT_EQ(-EINVAL, hxp_sim_run(&self->c, HXP_SIM_HEXO, &r, self->err,
				       sizeof(self->err)));
	weight[1] = 1;		/* cg only */
	ASSERT_EQ(0, hxp_sim_run(&self->c, HXP_SIM_SERVER_ONLY, &r, self->err,
				 sizeof(self->err)));
	EXPECT_EQ(200u, r.jobs);
}

/* ------------------------------------------------------------ offcost */

TEST(offload_costs_from_bench_results)
{
	struct hxp_offcost oc;
	char err[256] = "";
	/* Two post-copy offloads, one stop-and-copy, an error line, the link. */
	const char *text =
		"{\"kind\":\"setup\",\"dev\":\"testbed\",\"result\":{\"rounds\":1}}\n"
		"{\"kind\":\"link_bulk\",\"dev\":\"raw\",\"result\":{\"mb_per_s\": 13.8}}\n"
		"{\"kind\":\"offload\",\"dev\":\"ra-16-postcopy\",\"result\":{\"pages\": 5000, "
		"\"stop_pages\": 2, \"downtime_us\": 100000, \"duration_us\": 2100000, "
		"\"parking_us\": 0, \"mode\": \"postcopy\"}}\n"
		"{\"kind\":\"offload\",\"dev\":\"ra-16-postcopy\",\"result\":{\"pages\": 2502, "
		"\"stop_pages\": 2, \"downtime_us\": 200000, \"duration_us\": 1300000, "
		"\"parking_us\": 100000, \"mode\": \"postcopy\"}}\n"
		"{\"kind\":\"offload\",\"dev\":\"ra-16-stopcopy\",\"result\":{\"pages\": 4096, "
		"\"stop_pages\": 4096, \"downtime_us\": 9000000, \"duration_us\": 9000000, "
		"\"parking_us\": 0, \"mode\": \"stopcopy\"}}\n"
		"{\"kind\": \"error\", \"dev\": \"offload\", \"result\": {\"what\": \"x\"}}\n";

	ASSERT_EQ(0, hxp_offcost_parse(text, "r", &oc, err, sizeof(err))) {
		TH_LOG("%s", err);
	}
	EXPECT_EQ(2u, oc.offloads);
	EXPECT_EQ(1u, oc.errors);
	/* Medians of two: (0.1 + 0.2) / 2 s; pages after the hand-off over their time. */
	EXPECT_LT(fabs(oc.downtime_s - 0.15), 1e-12);
	EXPECT_LT(fabs(oc.link_bps - (4998 * 4096 / 2.0 + 2500 * 4096 / 1.0) / 2), 1e-6);
}

TEST(bad_bench_results)
{
	struct hxp_offcost oc;
	char err[256] = "";

	EXPECT_EQ(-EINVAL, hxp_offcost_parse("{\"kind\":\"setup\"}\nnot json\n", "r", &oc, err,
					     sizeof(err)));
	EXPECT_STREQ("r:2: not a bench result (a JSON object with \"kind\")", err);
	EXPECT_EQ(-EINVAL, hxp_offcost_parse("{\"kind\":\"offload\",\"result\":{\"mode\": "
					     "\"postcopy\", \"pages\": 3}}\n", "r", &oc, err,
					     sizeof(err)));
	EXPECT_STREQ("r:1: an offload without \"downtime_us\"", err);
	EXPECT_EQ(-EINVAL, hxp_offcost_parse("{\"kind\":\"setup\"}\n", "r", &oc, err,
					     sizeof(err)));
	EXPECT_STREQ("r: no post-copy offload with pages moved after the hand-off", err);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of the offload policy's decisions (user/policy/
 * decide.c, baseline.c, model.c) on described states: over-commit, idle
 * cores, hysteresis, a board out of memory, a board that is gone.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "kselftest_harness.h"
#include "policy.h"

#define MIB	(1ull << 20)
#define MAXD	32

/* Made up for the tests: ep runs at 0.5 of a server core on a board, cg 0.2. */
static const char prof_text[] =
	"ep   A x86_64 100 llc=2e5 mem=64M\n"
	"ep   A arm64  50\n"
	"cg   A x86_64 20  llc=6e7 mem=128M\n"
	"cg   A arm64  4\n"
	"slow A x86_64 100 mem=64M\n"
	"slow A arm64  2\n";

struct world {
	struct hxp_profile prof;
	struct hxp_params p;
	struct hxp_server srv[2];
	struct hxp_board brd[2];
	struct hxp_vm vms[16];
	struct hxp_state st;
	struct hxp_decision d[MAXD];
	char err[256];
};

static int world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	hxp_params_default(&w->p);
	w->srv[0] = (struct hxp_server){ .cores = 4 };
	w->srv[1] = (struct hxp_server){ .cores = 4 };
	w->brd[0] = (struct hxp_board){ .cores = 4, .present = true, .mem_free = 1024 * MIB };
	w->brd[1] = (struct hxp_board){ .cores = 4, .present = true, .mem_free = 1024 * MIB };
	w->st = (struct hxp_state){ .servers = w->srv, .nr_servers = 1, .boards = w->brd,
				    .nr_boards = 1, .vms = w->vms };
	return hxp_profile_parse(&w->prof, prof_text, "test", w->err, sizeof(w->err));
}

/* Adds a VM of kernel k (class A) where it runs; home is server 0. */
static struct hxp_vm *add_vm(struct world *w, const char *k, enum hxp_where where,
			     unsigned int node)
{
	struct hxp_vm *v = &w->vms[w->st.nr_vms];

	*v = (struct hxp_vm){ .id = 100 + w->st.nr_vms, .vcpus = 1, .where = where,
			      .node = node, .since_move_s = HXP_NEVER,
			      .mem = strcmp(k, "cg") ? 64 * MIB : 128 * MIB };
	strcpy(v->kernel, k);
	strcpy(v->cls, "A");
	w->st.nr_vms++;
	return v;
}

static int count(const struct hxp_decision *d, int n, enum hxp_action a)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += d[i].action == a;
	return c;
}

static int decide(struct world *w)
{
	return hxp_decide(&w->st, &w->prof, &w->p, w->d, MAXD);
}

TEST(overcommit_offloads_the_best_fit_until_it_is_not)
{
	struct world w;
	int n, i;

	ASSERT_EQ(0, world_init(&w));
	/* 6 VMs on 4 cores: cg first, so the choice is not by order. */
	for (i = 0; i < 3; i++)
		add_vm(&w, "cg", HXP_ON_SERVER, 0);
	for (i = 0; i < 3; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	n = decide(&w);
	ASSERT_EQ(2, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(HXP_OFFLOAD, (int)w.d[i].action);
		EXPECT_EQ(0u, w.d[i].board);
		EXPECT_EQ(0u, w.d[i].server);
		/* ep runs at 0.5 on a board, cg at 0.2: ep goes. */
		EXPECT_STREQ("ep", w.vms[w.d[i].vm].kernel);
		EXPECT_LT(0.45, w.d[i].gain);
		EXPECT_NE(NULL, strstr(w.d[i].reason, "(profile)"));
		EXPECT_NE(NULL, strstr(w.d[i].reason, "6 vCPUs on 4 cores") ?:
			  strstr(w.d[i].reason, "5 vCPUs on 4 cores"));
	}
	EXPECT_NE(w.d[0].vm, w.d[1].vm);
	hxp_profile_free(&w.prof);
}

TEST(a_full_but_not_overcommitted_server_moves_nothing)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 4; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "4 vCPUs on 4 cores: nothing to do"));
	hxp_profile_free(&w.prof);
}

TEST(a_gain_below_the_threshold_moves_nothing)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	/* slow runs at 0.02 of a server core on a board: below min_gain 0.05. */
	for (i = 0; i < 5; i++)
		add_vm(&w, "slow", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "gains 0.02 cores < 0.05"));
	/* The same VMs go when the threshold is lower. */
	w.p.min_gain = 0.01;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	hxp_profile_free(&w.prof);
}

TEST(the_move_cost_counts)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 5; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	ASSERT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	/* 64 MiB at 200 KB/s: 335 s standing still, more than the horizon. */
	w.p.link_bps = 200e3;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "the best offload"));
	hxp_profile_free(&w.prof);
}

TEST(idle_cores_reclaim_the_worst_fit_first)
{
	struct world w;
	int n;

	ASSERT_EQ(0, world_init(&w));
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	add_vm(&w, "ep", HXP_ON_BOARD, 0);
	add_vm(&w, "cg", HXP_ON_BOARD, 0);
	add_vm(&w, "ep", HXP_ON_BOARD, 0);
	add_vm(&w, "ep", HXP_ON_BOARD, 0);
	w.brd[0].mem_free = 1024 * MIB - 320 * MIB;
	/* 3 idle cores for a minute. */
	w.srv[0].free_for_s = 60;
	n = decide(&w);
	ASSERT_EQ(3, n);
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_STREQ("cg", w.vms[w.d[0].vm].kernel);	/* 0.2 on the board */
	EXPECT_EQ(0u, w.d[0].board);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "3 idle cores for 60 s"));
	EXPECT_EQ(3, count(w.d, n, HXP_RECLAIM));
	hxp_profile_free(&w.prof);
}

TEST(a_vm_as_fast_on_its_board_stays_there)
{
	struct world w;
	struct hxp_vm *v;

	ASSERT_EQ(0, world_init(&w));
	v = add_vm(&w, "cg", HXP_ON_BOARD, 0);
	v->rate[HXP_ISA_X86_64] = 20;
	v->rate[HXP_ISA_ARM64] = 20;	/* measured: as fast as on the server */
	w.srv[0].free_for_s = 100;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "the best reclaim, vm 100, gains -0."));
	/* At 0.8 there, the server's idle core is worth the move. */
	v->rate[HXP_ISA_ARM64] = 16;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	hxp_profile_free(&w.prof);
}

TEST(reclaims_wait_for_the_idle_cores_to_last)
{
	struct world w;

	ASSERT_EQ(0, world_init(&w));
	add_vm(&w, "cg", HXP_ON_BOARD, 0);
	w.srv[0].free_for_s = 10;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "reclaims wait for 30 s"));
	w.srv[0].free_for_s = 30;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	hxp_profile_free(&w.prof);
}

/*
 * A VM offloaded from an over-committed server, which then frees up: it
 * stays on the board for the hold time, and only then comes back.
 */
TEST(hysteresis_no_bounce)
{
	struct world w;
	struct hxp_vm moved;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 5; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	ASSERT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	/* 10 s later it runs on the board; two of the four left have ended. */
	moved = w.vms[w.d[0].vm];
	moved.where = HXP_ON_BOARD;
	moved.node = 0;
	moved.since_move_s = 10;
	w.vms[0] = moved;
	w.st.nr_vms = 1;
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	w.srv[0].free_for_s = 40;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "1 of its VMs on boards, 1 of them held"));
	/* The hold time over, it comes back. */
	w.vms[0].since_move_s = w.p.hold_s;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_EQ(0u, w.d[0].vm);
	/* Back, with the server over-committed again: it stays for the hold time. */
	w.vms[0].where = HXP_ON_SERVER;
	w.vms[0].since_move_s = 5;
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	for (i = 1; i < 5; i++)
		w.vms[i].since_move_s = 5;	/* the others moved lately too */
	w.srv[0].free_for_s = 0;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "no VM can go (5 held"));
	hxp_profile_free(&w.prof);
}

TEST(a_board_out_of_memory_takes_nothing)
{
	struct world w;
	int i, n;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 6; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);	/* 64 MiB each */
	w.st.nr_boards = 2;
	w.brd[0].mem_free = 32 * MIB;
	n = decide(&w);
	ASSERT_EQ(2, n);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(HXP_OFFLOAD, (int)w.d[i].action);
		EXPECT_EQ(1u, w.d[i].board);
	}
	/* Only the full board, no Netswap: nothing goes. */
	w.st.nr_boards = 1;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "6 fit on no board"));
	/* Netswap smaller than the excess (32 MiB): still nothing. */
	w.brd[0].swap_free = 16 * MIB;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	/* Netswap covers the excess: it goes, swapping, at the swap factor. */
	w.brd[0].swap_free = 1024 * MIB;
	n = decide(&w);
	ASSERT_LE(1, n);
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "on the board 0.25 of a server core"));
	EXPECT_NE(NULL, strstr(w.d[0].reason, "with Netswap"));
	hxp_profile_free(&w.prof);
}

TEST(a_board_that_is_gone)
{
	struct world w;
	int i, n;

	ASSERT_EQ(0, world_init(&w));
	w.st.nr_boards = 2;
	add_vm(&w, "ep", HXP_ON_BOARD, 1);
	add_vm(&w, "cg", HXP_ON_BOARD, 1);
	for (i = 0; i < 6; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	w.brd[1].present = false;
	n = decide(&w);
	ASSERT_EQ(4, n);
	EXPECT_EQ(2, count(w.d, n, HXP_LOST));
	EXPECT_EQ(2, count(w.d, n, HXP_OFFLOAD));
	for (i = 0; i < n; i++) {
		if (w.d[i].action == HXP_LOST) {
			EXPECT_EQ(1u, w.d[i].board);
			EXPECT_EQ(HXP_ON_BOARD, (int)w.vms[w.d[i].vm].where);
			EXPECT_NE(NULL, strstr(w.d[i].reason, "board 1 is gone"));
		} else {
			EXPECT_EQ(0u, w.d[i].board);	/* never the one that is gone */
		}
	}
	/* With idle cores, the lost VMs are not reclaimed from it either. */
	w.st.nr_vms = 2;
	w.srv[0].free_for_s = 100;
	n = decide(&w);
	EXPECT_EQ(2, count(w.d, n, HXP_LOST));
	EXPECT_EQ(0, count(w.d, n, HXP_RECLAIM));
	/* Every policy keeps it. */
	w.st.nr_vms = 8;
	n = hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(w.d[i].action == HXP_LOST || w.d[i].board == 0);
	n = hxp_decide_random(&w.st, &w.prof, &w.p, w.d, MAXD);
	for (i = 0; i < n; i++)
		EXPECT_TRUE(w.d[i].action == HXP_LOST || w.d[i].board == 0);
	hxp_profile_free(&w.prof);
}

TEST(estimates_prefer_measured_then_profile_then_llc)
{
	struct world w;
	struct hxp_estimate e;
	struct hxp_vm *v;

	ASSERT_EQ(0, world_init(&w));
	v = add_vm(&w, "cg", HXP_ON_SERVER, 0);
	hxp_estimate(v, &w.prof, &w.p, &e);
	EXPECT_EQ(HXP_EST_PROFILE, (int)e.src);
	EXPECT_EQ(0.2, e.ratio);
	EXPECT_EQ(0.5, e.swap);		/* nothing measured: the default */
	v->rate[HXP_ISA_X86_64] = 10;
	v->rate[HXP_ISA_ARM64] = 9;
	hxp_estimate(v, &w.prof, &w.p, &e);
	EXPECT_EQ(HXP_EST_MEASURED, (int)e.src);
	EXPECT_EQ(0.9, e.ratio);
	/* Not in the profile: the entry nearest in LLC references/s. */
	v = add_vm(&w, "mystery", HXP_ON_SERVER, 0);
	hxp_estimate(v, &w.prof, &w.p, &e);
	EXPECT_EQ(HXP_EST_NONE, (int)e.src);
	v->llc = 3e7;			/* nearer cg's 6e7 than ep's 2e5 */
	hxp_estimate(v, &w.prof, &w.p, &e);
	EXPECT_EQ(HXP_EST_LLC, (int)e.src);
	EXPECT_STREQ("cg", e.near->kernel);
	EXPECT_EQ(0.2, e.ratio);
	v->llc = 1e6;
	hxp_estimate(v, &w.prof, &w.p, &e);
	EXPECT_STREQ("ep", e.near->kernel);
	hxp_profile_free(&w.prof);
}

TEST(measured_rates_decide_over_the_profile)
{
	struct world w;
	struct hxp_vm *v;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 4; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	v = add_vm(&w, "cg", HXP_ON_SERVER, 0);	/* the profile says 0.2 */
	v->rate[HXP_ISA_X86_64] = 20;
	v->rate[HXP_ISA_ARM64] = 18;		/* it ran at 0.9 there */
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	EXPECT_EQ(4u, w.d[0].vm);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "(measured)"));
	hxp_profile_free(&w.prof);
}

TEST(no_estimate_and_no_probes_no_offload)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	w.p.probe_s = 0;
	for (i = 0; i < 5; i++)
		add_vm(&w, "mystery", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "5 without an estimate"));
	hxp_profile_free(&w.prof);
}

/*
 * Nothing known of a kernel: once their rates here are measured, one VM
 * goes as a probe, judged at the prior, with the move back counted too.
 */
TEST(no_estimate_a_probe)
{
	struct world w;
	double cost;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 5; i++)
		add_vm(&w, "mystery", HXP_ON_SERVER, 0);
	/* No rate here yet: the probe could never be measured against it. */
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "5 without an estimate"));
	for (i = 0; i < 5; i++)
		w.vms[i].rate[HXP_ISA_X86_64] = 100;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_PROBE, (int)w.d[0].action);
	EXPECT_EQ(0u, w.d[0].board);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "0.25 of a server core (prior)"));
	EXPECT_NE(NULL, strstr(w.d[0].reason, "a probe, it may come back"));
	cost = hxp_move_cost_s(64 * MIB, &w.p);
	EXPECT_LT(fabs(w.d[0].gain - (0.25 - 0.25 * 2 * cost / w.p.horizon_s)), 1e-9);
	/* A known kernel that gains more (0.5) goes first, as an offload. */
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	EXPECT_EQ(5u, w.d[0].vm);
	EXPECT_EQ(HXP_PROBE, (int)w.d[1].action);
	hxp_profile_free(&w.prof);
}

/* A probe measures the VM in RAM: with Netswap only, none goes. */
TEST(a_probe_goes_only_where_the_vm_fits_in_ram)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	w.brd[0].mem_free = 32 * MIB;
	w.brd[0].swap_free = 1024 * MIB;
	for (i = 0; i < 5; i++)
		add_vm(&w, "mystery", HXP_ON_SERVER, 0)->rate[HXP_ISA_X86_64] = 100;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "5 fit on no board"));
	/* A known kernel does go, with Netswap. */
	add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "with Netswap"));
	hxp_profile_free(&w.prof);
}

/*
 * Board 0's RAM full with one VM of kernel k, measured at arm64 on it (100
 * here), while 5 ep VMs over-commit server 0's 4 cores.
 */
static struct hxp_vm *full_board(struct world *w, const char *k, double arm64)
{
	struct hxp_vm *x;
	int i;

	w->brd[0].mem_free = 0;
	for (i = 0; i < 5; i++)
		add_vm(w, "ep", HXP_ON_SERVER, 0);
	x = add_vm(w, k, HXP_ON_BOARD, 0);
	x->rate[HXP_ISA_X86_64] = 100;
	x->rate[HXP_ISA_ARM64] = arm64;
	return x;
}

/*
 * A board full (its RAM) with a probe that measured badly (0.02 of a server
 * core) while ep (0.5) waits on the over-committed server: once the probe's
 * hold is over, the two exchange places. A VM offloaded as such is held for
 * hold_s; one whose probe has no rate yet is not judged at its prior.
 */
TEST(a_probe_that_measured_badly_gives_its_place_up)
{
	struct world w;
	struct hxp_vm *x;

	ASSERT_EQ(0, world_init(&w));
	x = full_board(&w, "mystery", 2);
	x->probe = true;
	x->since_move_s = 10;
	/* Within the probe's hold: nothing. */
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	/* Past it: x goes home, an ep takes its place. */
	x->since_move_s = w.p.probe_s + 1;
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_EQ(5u, w.d[0].vm);
	EXPECT_EQ(0u, w.d[0].board);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "an exchange"));
	EXPECT_NE(NULL, strstr(w.d[0].reason, "0.02 of a server core (measured)"));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[1].action);
	EXPECT_STREQ("ep", w.vms[w.d[1].vm].kernel);
	EXPECT_EQ(0u, w.d[1].board);
	EXPECT_LT(0.4, w.d[1].gain);
	/* Not a probe: held for hold_s. */
	x->probe = false;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	x->since_move_s = w.p.hold_s + 1;
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	/* A probe not measured yet stays, whatever its prior says. */
	x->probe = true;
	x->since_move_s = w.p.probe_s + 1;
	x->rate[HXP_ISA_ARM64] = 0;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	hxp_profile_free(&w.prof);
}

/*
 * An exchange must pay for both moves: 0.44 against 0.5 does not (0.06
 * cores more, less the board idle for both moves, is under 0.05).
 */
TEST(an_exchange_pays_for_both_moves)
{
	struct world w;
	struct hxp_vm *x;

	ASSERT_EQ(0, world_init(&w));
	x = full_board(&w, "ep", 44);
	x->since_move_s = w.p.hold_s + 1;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	/* At 0.3 it does. */
	x->rate[HXP_ISA_ARM64] = 30;
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[1].action);
	/* The board runs neither while both move; x's server is full: 0 back. */
	EXPECT_LT(fabs(w.d[0].gain - (0.5 - 0.3 - 0.5 * 2 * hxp_move_cost_s(64 * MIB, &w.p) /
				      w.p.horizon_s)), 1e-9);
	/*
	 * A VM whose home server has an idle core is rule 2's, after its
	 * wait: no exchange sends it there at once.
	 */
	w.st.nr_servers = 2;
	w.srv[1].free_for_s = 1;
	x->home = 1;
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_EQ(HXP_NOTHING, (int)w.d[1].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "fit on no board") ?:
		  strstr(w.d[1].reason, "fit on no board"));
	w.srv[1].free_for_s = w.p.reclaim_after_s;
	ASSERT_EQ(2, decide(&w));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "idle cores"));
	hxp_profile_free(&w.prof);
}

TEST(an_overcommitted_board_is_worth_less)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	/* One board core: a second VM there halves the first one's share. */
	w.brd[0].cores = 1;
	for (i = 0; i < 8; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	/* Carried out: the next one would add nothing but its move's cost. */
	w.vms[w.d[0].vm].where = HXP_ON_BOARD;
	w.vms[w.d[0].vm].since_move_s = 1000;
	ASSERT_EQ(1, decide(&w));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "gains -0.01 cores < 0.05"));
	hxp_profile_free(&w.prof);
}

TEST(inconsistent_states_are_refused)
{
	struct world w;

	ASSERT_EQ(0, world_init(&w));
	add_vm(&w, "ep", HXP_ON_BOARD, 1);	/* only one board */
	EXPECT_EQ(-EINVAL, decide(&w));
	w.vms[0].node = 0;
	w.vms[0].home = 2;			/* only one server */
	EXPECT_EQ(-EINVAL, decide(&w));
	EXPECT_EQ(-EINVAL, hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD));
	w.vms[0].home = 0;
	EXPECT_EQ(1, decide(&w));
	hxp_profile_free(&w.prof);
}

TEST(decisions_stop_at_max)
{
	struct world w;
	int i;

	ASSERT_EQ(0, world_init(&w));
	for (i = 0; i < 7; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);
	EXPECT_EQ(3, decide(&w));
	EXPECT_EQ(1, hxp_decide(&w.st, &w.prof, &w.p, w.d, 1));
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	hxp_profile_free(&w.prof);
}

TEST(llc_heuristic_lowest_first_never_overcommits_a_board)
{
	struct world w;
	int i, n;

	ASSERT_EQ(0, world_init(&w));
	w.brd[0].cores = 2;
	add_vm(&w, "cg", HXP_ON_SERVER, 0);		/* 6e7 */
	add_vm(&w, "cg", HXP_ON_SERVER, 0);
	add_vm(&w, "mystery", HXP_ON_SERVER, 0);	/* no PMU */
	for (i = 0; i < 5; i++)
		add_vm(&w, "ep", HXP_ON_SERVER, 0);	/* 2e5 */
	for (i = 0; i < (int)w.st.nr_vms; i++)
		w.vms[i].llc = strcmp(w.vms[i].kernel, "cg") ? 2e5 : 6e7;
	w.vms[2].llc = 0;
	w.vms[5].llc = 1e5;				/* the lowest */
	/* Two board cores: two of the four VMs over go, no more. */
	n = hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD);
	ASSERT_EQ(2, n);
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[0].action);
	EXPECT_EQ(5u, w.d[0].vm);
	EXPECT_EQ(HXP_OFFLOAD, (int)w.d[1].action);
	EXPECT_STREQ("ep", w.vms[w.d[1].vm].kernel);
	/* Reclaims, highest LLC first, but only once idle cores have lasted. */
	w.st.nr_vms = 3;
	for (i = 0; i < 3; i++)
		w.vms[i].where = HXP_ON_BOARD;
	w.vms[2].llc = 7e7;
	w.srv[0].free_for_s = 10;
	ASSERT_EQ(1, hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	w.srv[0].free_for_s = 30;
	ASSERT_EQ(3, hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD));
	EXPECT_EQ(HXP_RECLAIM, (int)w.d[0].action);
	EXPECT_EQ(2u, w.d[0].vm);
	w.st.nr_vms = 8;
	for (i = 0; i < 3; i++)
		w.vms[i].where = HXP_ON_SERVER;
	w.srv[0].free_for_s = 0;
	/* No LLC count at all: nothing goes. */
	for (i = 0; i < (int)w.st.nr_vms; i++)
		w.vms[i].llc = 0;
	ASSERT_EQ(1, hxp_decide_llc(&w.st, &w.prof, &w.p, w.d, MAXD));
	EXPECT_EQ(HXP_NOTHING, (int)w.d[0].action);
	EXPECT_NE(NULL, strstr(w.d[0].reason, "no LLC count"));
	hxp_profile_free(&w.prof);
}

TEST(random_is_the_seeds_and_keeps_the_rules)
{
	struct world w;
	struct hxp_decision a[MAXD], b[MAXD];
	int i, n, m, differ = 0;
	uint64_t seed;

	ASSERT_EQ(0, world_init(&w));
	w.st.nr_boards = 2;
	w.brd[1].mem_free = 0;			/* board 1 takes nothing */
	for (i = 0; i < 8; i++)
		add_vm(&w, i % 2 ? "ep" : "cg", HXP_ON_SERVER, 0);
	for (seed = 1; seed < 20; seed++) {
		w.st.seed = seed;
		n = hxp_decide_random(&w.st, &w.prof, &w.p, a, MAXD);
		m = hxp_decide_random(&w.st, &w.prof, &w.p, b, MAXD);
		ASSERT_EQ(n, m);
		ASSERT_EQ(4, n);
		for (i = 0; i < n; i++) {
			EXPECT_EQ(a[i].vm, b[i].vm);
			EXPECT_EQ(HXP_OFFLOAD, (int)a[i].action);
			EXPECT_EQ(0u, a[i].board);
		}
		w.st.seed = seed + 1000;
		m = hxp_decide_random(&w.st, &w.prof, &w.p, b, MAXD);
		for (i = 0; i < n && i < m; i++)
			differ += a[i].vm != b[i].vm;
	}
	EXPECT_LT(0, differ);
	hxp_profile_free(&w.prof);
}

TEST(names)
{
	EXPECT_STREQ("offload", hxp_action_name(HXP_OFFLOAD));
	EXPECT_STREQ("reclaim", hxp_action_name(HXP_RECLAIM));
	EXPECT_STREQ("lost", hxp_action_name(HXP_LOST));
	EXPECT_STREQ("probe", hxp_action_name(HXP_PROBE));
	EXPECT_STREQ("nothing", hxp_action_name(HXP_NOTHING));
	EXPECT_STREQ("llc", hxp_source_name(HXP_EST_LLC));
	EXPECT_STREQ("prior", hxp_source_name(HXP_EST_PRIOR));
	EXPECT_STREQ("arm64+netswap", hxp_isa_name(HXP_ISA_ARM64_NETSWAP));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * hexosim: the trace-driven simulation of a HEXO deployment, every policy
 * on the same jobs (Documentation/policy.rst, "The simulator").
 *
 *	hexosim --profile FILE [OPTIONS]
 *
 * Prints a table, throughput (jobs/hour) and energy (jobs/kWh) per policy
 * and their ratios to server-only; --data FILE writes the same for gnuplot.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "sim.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hexosim --profile FILE [OPTIONS]\n"
		"\n"
		"Deployment:\n"
		"  --servers N          servers (4)          --server-cores N  cores each (16)\n"
		"  --boards N           boards (16)          --board-cores N   cores each (4)\n"
		"  --board-mem SIZE     RAM for VMs per board (3G)\n"
		"  --board-swap SIZE    Netswap capacity per board (4G)\n"
		"Jobs:\n"
		"  --jobs N             how many (2000)      --seed N          the draw (1)\n"
		"  --load X             arrivals, times the servers' capacity (1.5); 0: all at once\n"
		"  --job-s S            mean length alone on a server core (600)\n"
		"  --spread X           lengths uniform in job-s * (1 +- X) (0.5)\n"
		"  --noise X            log-normal deviation of a job's rates from the profile (0.15)\n"
		"  --mix K[:C]=W,...    weights by kernel or kernel:class (all alike)\n"
		"  --unknown X          share of jobs whose kernel the policies do not know (0)\n"
		"Policy:\n"
		"  --tick S (10)  --hold S (120)  --horizon S (300)  --min-gain X (0.05)\n"
		"  --reclaim-after S (30)  --swap-factor X (0.5)\n"
		"  --probe S (20; 0: no probes)  --probe-ratio X (0.25)\n"
		"  --downtime S (0.114)  --link-mbps X (9.7): offload cost, MB/s\n"
		"  --offload-results FILE  the cost from a make bench-offload results.jsonl\n"
		"Power (W):\n"
		"  --server-idle-w (100) --server-busy-w (300) --board-idle-w (1.6) --board-busy-w (5.0)\n"
		"Output:\n"
		"  --policies LIST      of server-only,hexo,llc,random,oracle (all)\n"
		"  --data FILE          the table for gnuplot\n");
}

enum {
	OPT_PROFILE = 256, OPT_SERVERS, OPT_SERVER_CORES, OPT_BOARDS, OPT_BOARD_CORES,
	OPT_BOARD_MEM, OPT_BOARD_SWAP, OPT_JOBS, OPT_SEED, OPT_LOAD, OPT_JOB_S, OPT_SPREAD,
	OPT_NOISE, OPT_MIX, OPT_TICK, OPT_HOLD, OPT_HORIZON, OPT_MIN_GAIN, OPT_RECLAIM_AFTER,
	OPT_SWAP_FACTOR, OPT_DOWNTIME, OPT_LINK, OPT_OFFLOAD_RESULTS, OPT_SERVER_IDLE,
	OPT_SERVER_BUSY, OPT_BOARD_IDLE, OPT_BOARD_BUSY, OPT_POLICIES, OPT_DATA, OPT_UNKNOWN,
	OPT_PROBE, OPT_PROBE_RATIO,
};

static const struct option opts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "servers", required_argument, NULL, OPT_SERVERS },
	{ "server-cores", required_argument, NULL, OPT_SERVER_CORES },
	{ "boards", required_argument, NULL, OPT_BOARDS },
	{ "board-cores", required_argument, NULL, OPT_BOARD_CORES },
	{ "board-mem", required_argument, NULL, OPT_BOARD_MEM },
	{ "board-swap", required_argument, NULL, OPT_BOARD_SWAP },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "load", required_argument, NULL, OPT_LOAD },
	{ "job-s", required_argument, NULL, OPT_JOB_S },
	{ "spread", required_argument, NULL, OPT_SPREAD },
	{ "noise", required_argument, NULL, OPT_NOISE },
	{ "mix", required_argument, NULL, OPT_MIX },
	{ "tick", required_argument, NULL, OPT_TICK },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "horizon", required_argument, NULL, OPT_HORIZON },
	{ "min-gain", required_argument, NULL, OPT_MIN_GAIN },
	{ "reclaim-after", required_argument, NULL, OPT_RECLAIM_AFTER },
	{ "swap-factor", required_argument, NULL, OPT_SWAP_FACTOR },
	{ "downtime", required_argument, NULL, OPT_DOWNTIME },
	{ "link-mbps", required_argument, NULL, OPT_LINK },
	{ "offload-results", required_argument, NULL, OPT_OFFLOAD_RESULTS },
	{ "server-idle-w", required_argument, NULL, OPT_SERVER_IDLE },
	{ "server-busy-w", required_argument, NULL, OPT_SERVER_BUSY },
	{ "board-idle-w", required_argument, NULL, OPT_BOARD_IDLE },
	{ "board-busy-w", required_argument, NULL, OPT_BOARD_BUSY },
	{ "policies", required_argument, NULL, OPT_POLICIES },
	{ "data", required_argument, NULL, OPT_DATA },
	{ "unknown", required_argument, NULL, OPT_UNKNOWN },
	{ "probe", required_argument, NULL, OPT_PROBE },
	{ "probe-ratio", required_argument, NULL, OPT_PROBE_RATIO },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *opt, const char *arg, const char *what)
{
	fprintf(stderr, "hexosim: --%s '%s': %s\n", opt, arg, what);
	return 2;
}

/* A finite number >= 0, the whole string. */
static int parse_num(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !*s || *end || errno || !isfinite(*out) || *out < 0 ? -EINVAL : 0;
}

/* "ep=2,cg:A=1": weights per profile entry, by kernel or kernel:class. */
static int parse_mix(const char *arg, const struct hxp_profile *prof, double *w)
{
	char *copy = strdup(arg), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (unsigned int k = 0; k < prof->n; k++)
		w[k] = 0;
	for (item = strtok_r(copy, ",", &save); item && !ret; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '='), *colon;
		unsigned int k, hits = 0;
		double v;

		if (!eq || parse_num(eq + 1, &v)) {
			fprintf(stderr, "hexosim: --mix '%s': KERNEL[:CLASS]=WEIGHT\n", item);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		colon = strchr(item, ':');
		if (colon)
			*colon = '\0';
		for (k = 0; k < prof->n; k++) {
			if (strcmp(prof->e[k].kernel, item) ||
			    (colon && strcmp(prof->e[k].cls, colon + 1)))
				continue;
			w[k] = v;
			hits++;
		}
		if (!hits) {
			fprintf(stderr, "hexosim: --mix: no %s%s%s in the profile\n", item,
				colon ? " " : "", colon ? colon + 1 : "");
			ret = -EINVAL;
		}
	}
	free(copy);
	return ret;
}

static int parse_policies(const char *arg, bool *on)
{
	char *copy = strdup(arg), *item, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	memset(on, 0, HXP_SIM_NR_POLICY * sizeof(*on));
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		int p;

		for (p = 0; p < HXP_SIM_NR_POLICY; p++)
			if (!strcmp(item, hxp_sim_policy_name(p)))
				break;
		if (p == HXP_SIM_NR_POLICY) {
			fprintf(stderr, "hexosim: --policies: no policy '%s' (server-only, hexo, "
				"llc, random, oracle)\n", item);
			ret = -EINVAL;
			break;
		}
		on[p] = true;
	}
	free(copy);
	return ret;
}

static void print_results(FILE *f, bool data, const bool *on,
			  const struct hxp_sim_result *r)
{
	const struct hxp_sim_result *base = on[HXP_SIM_SERVER_ONLY] ?
					    &r[HXP_SIM_SERVER_ONLY] : NULL;
	int p;

	if (data)
		fprintf(f, "# index policy jobs_per_h jobs_per_kwh tput_ratio energy_ratio "
			"offloads reclaims makespan_s probes\n");
	else
		fprintf(f, "%-12s %10s %10s %8s %8s %9s %9s %11s %7s\n", "policy", "jobs/h",
			"jobs/kWh", "x tput", "x energy", "offloads", "reclaims", "makespan s",
			"probes");
	for (p = 0; p < HXP_SIM_NR_POLICY; p++) {
		double rt = base ? r[p].jobs_per_h / base->jobs_per_h : NAN;
		double re = base ? r[p].jobs_per_kwh / base->jobs_per_kwh : NAN;

		if (!on[p])
			continue;
		if (data)
			fprintf(f, "%d %s %.3f %.3f %.4f %.4f %u %u %.1f %u\n", p,
				hxp_sim_policy_name(p), r[p].jobs_per_h, r[p].jobs_per_kwh, rt, re,
				r[p].offloads, r[p].reclaims, r[p].makespan_s, r[p].probes);
		else
			fprintf(f, "%-12s %10.1f %10.1f %8.3f %8.3f %9u %9u %11.0f %7u\n",
				hxp_sim_policy_name(p), r[p].jobs_per_h, r[p].jobs_per_kwh, rt, re,
				r[p].offloads, r[p].reclaims, r[p].makespan_s, r[p].probes);
	}
}

int main(int argc, char **argv)
{
	struct hxp_sim_result res[HXP_SIM_NR_POLICY] = { 0 };
	bool on[HXP_SIM_NR_POLICY] = { true, true, true, true, true };
	const char *profile = NULL, *data = NULL, *mix = NULL, *offres = NULL;
	struct hxp_profile prof = { 0 };
	struct hxp_sim_config c;
	double load = 1.5, v, *weight = NULL;
	char err[512], size[2][32];
	uint64_t u;
	int opt, p, ret = 1;

	hxp_sim_config_default(&c);
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *name = opt >= 256 ? opts[opt - 256].name : "";
		bool num = opt >= OPT_SERVERS && opt != OPT_MIX && opt != OPT_OFFLOAD_RESULTS &&
			   opt != OPT_POLICIES && opt != OPT_DATA && opt != OPT_BOARD_MEM &&
			   opt != OPT_BOARD_SWAP;

		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == '?') {
			usage(stderr);
			return 2;
		}
		if (num && parse_num(optarg, &v))
			return bad(name, optarg, "not a number (>= 0)");
		if ((opt == OPT_SERVERS || opt == OPT_SERVER_CORES || opt == OPT_BOARDS ||
		     opt == OPT_BOARD_CORES || opt == OPT_JOBS) && (v != floor(v) || v > 1e6))
			return bad(name, optarg, "not a whole number up to 1000000");
		switch (opt) {
		case OPT_PROFILE: profile = optarg; break;
		case OPT_SERVERS: c.servers = (unsigned int)v; break;
		case OPT_SERVER_CORES: c.server_cores = (unsigned int)v; break;
		case OPT_BOARDS: c.boards = (unsigned int)v; break;
		case OPT_BOARD_CORES: c.board_cores = (unsigned int)v; break;
		case OPT_BOARD_MEM:
		case OPT_BOARD_SWAP:
			if (parse_size(optarg, &u))
				return bad(name, optarg, "not a size (512M, 4G, ...)");
			*(opt == OPT_BOARD_MEM ? &c.board_mem : &c.board_swap) = u;
			break;
		case OPT_JOBS: c.jobs = (unsigned int)v; break;
		case OPT_SEED:
			if (parse_u64(optarg, UINT64_MAX, &c.seed))
				return bad(name, optarg, "not a whole number");
			break;
		case OPT_LOAD: load = v; break;
		case OPT_JOB_S: c.job_s = v; break;
		case OPT_SPREAD: c.job_spread = v; break;
		case OPT_NOISE: c.noise = v; break;
		case OPT_MIX: mix = optarg; break;
		case OPT_TICK: c.tick_s = v; break;
		case OPT_HOLD: c.params.hold_s = v; break;
		case OPT_HORIZON: c.params.horizon_s = v; break;
		case OPT_MIN_GAIN: c.params.min_gain = v; break;
		case OPT_RECLAIM_AFTER: c.params.reclaim_after_s = v; break;
		case OPT_SWAP_FACTOR: c.params.swap_factor = v; break;
		case OPT_DOWNTIME: c.params.downtime_s = v; break;
		case OPT_LINK: c.params.link_bps = v * 1e6; break;
		case OPT_OFFLOAD_RESULTS: offres = optarg; break;
		case OPT_SERVER_IDLE: c.server_idle_w = v; break;
		case OPT_SERVER_BUSY: c.server_busy_w = v; break;
		case OPT_BOARD_IDLE: c.board_idle_w = v; break;
		case OPT_BOARD_BUSY: c.board_busy_w = v; break;
		case OPT_POLICIES:
			if (parse_policies(optarg, on))
				return 2;
			break;
		case OPT_DATA: data = optarg; break;
		case OPT_UNKNOWN:
			if (v > 1)
				return bad(name, optarg, "a share, 0 to 1");
			c.unknown = v;
			break;
		case OPT_PROBE: c.params.probe_s = v; break;
		case OPT_PROBE_RATIO:
			if (v > 64)
				return bad(name, optarg, "a ratio, 0 to 64");
			c.params.probe_ratio = v;
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hexosim: '%s': not an option\n", argv[optind]);
		return 2;
	}
	if (!profile) {
		fprintf(stderr, "hexosim: --profile FILE is needed (user/policy/example.profile "
			"is an example)\n");
		return 2;
	}
	if (hxp_profile_load(&prof, profile, err, sizeof(err))) {
		fprintf(stderr, "hexosim: %s\n", err);
		goto out;
	}
	if (mix) {
		weight = calloc(prof.n + 1, sizeof(*weight));
		if (!weight || parse_mix(mix, &prof, weight))
			goto out;
		c.weight = weight;
	}
	if (offres) {
		struct hxp_offcost oc;

		if (hxp_offcost_load(offres, &oc, err, sizeof(err))) {
			fprintf(stderr, "hexosim: %s\n", err);
			goto out;
		}
		if (oc.errors)
			fprintf(stderr, "hexosim: warning: %s: the bench run has %u ERROR "
				"lines\n", offres, oc.errors);
		c.params.downtime_s = oc.downtime_s;
		c.params.link_bps = oc.link_bps;
	}
	c.prof = &prof;
	c.arrival_s = load > 0 ? c.job_s / (load * c.servers * c.server_cores) : 0;

	printf("hexosim: %u servers x %u cores, %u boards x %u cores (%s RAM, %s Netswap "
	       "each); %u jobs, load %.2f, %.0f s +- %.0f%%, noise %.2f, unknown %.2f, "
	       "seed %llu\n",
	       c.servers, c.server_cores, c.boards, c.board_cores,
	       fmt_size(c.board_mem, size[0], sizeof(size[0])),
	       fmt_size(c.board_swap, size[1], sizeof(size[1])), c.jobs, load, c.job_s,
	       c.job_spread * 100, c.noise, c.unknown, (unsigned long long)c.seed);
	printf("profile %s; offload cost: downtime %.3f s + memory at %.1f MB/s%s%s\n",
	       profile, c.params.downtime_s, c.params.link_bps / 1e6,
	       offres ? ", from " : " (defaults)", offres ? offres : "");
	printf("power: server %.0f-%.0f W, board %.1f-%.1f W (idle-busy)\n\n",
	       c.server_idle_w, c.server_busy_w, c.board_idle_w, c.board_busy_w);
	for (p = 0; p < HXP_SIM_NR_POLICY; p++) {
		if (on[p] && hxp_sim_run(&c, p, &res[p], err, sizeof(err))) {
			fprintf(stderr, "hexosim: %s\n", err);
			goto out;
		}
	}
	print_results(stdout, false, on, res);
	if (data) {
		FILE *f = fopen(data, "w");

		if (!f) {
			fprintf(stderr, "hexosim: %s: %s\n", data, strerror(errno));
			goto out;
		}
		print_results(f, true, on, res);
		if (fclose(f)) {
			fprintf(stderr, "hexosim: %s: %s\n", data, strerror(errno));
			goto out;
		}
	}
	ret = 0;
out:
	free(weight);
	hxp_profile_free(&prof);
	return ret;
}

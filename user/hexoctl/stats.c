// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl stats: what "netswap show", "kvm show" and "link show" report, as
 * Prometheus metrics (metrics.c), for node_exporter's textfile collector or
 * any scraper that runs a command. Loads nothing, as the show commands.
 */
#include "hexoctl.h"
#include "metrics.h"
#include "out.h"

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl stats [ prometheus ]\n"
		"\n"
		"  prometheus  Netswap's devices and serves, hexo_kvm's VMs and hexo_link's\n"
		"              ports as metrics in the Prometheus text format: pages in and\n"
		"              out, round-trip times, retransmits, errors, lost pages,\n"
		"              boards attached, offloads... (the default; loads no module)\n");
}

static int stats_prometheus(int argc, char **argv)
{
	static const struct {
		const char *source;
		int (*show)(int argc, char **argv);
	} sources[] = {
		{ "netswap", do_netswap },
		{ "kvm", do_kvm },
		{ "link", do_link },
	};
	char show[] = "show", *args[] = { show, NULL };
	struct metrics *m;
	int ret = 0;

	if (argc)
		return hexoctl_usage_err("stats", "prometheus takes no argument");
	if (out_json())
		return hexoctl_usage_err("stats", "prometheus has no JSON form (drop -j)");
	m = metrics_new();
	if (!m) {
		hexoctl_err("stats: out of memory");
		return HEXOCTL_EFAIL;
	}
	/* A source that fails says why on stderr; the others are still shown. */
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		int err;

		out_init_sink(metrics_source(m, sources[i].source));
		err = sources[i].show(1, args);
		metrics_source_done(m, sources[i].source, !err);
		if (err)
			ret = HEXOCTL_EFAIL;
	}
	out_init(false, false);
	metrics_print(m, stdout);
	metrics_free(m);
	return ret;
}

static const struct hexoctl_verb stats_verbs[] = {
	{ "prometheus", stats_prometheus },
	{}
};

int do_stats(int argc, char **argv)
{
	return hexoctl_dispatch("stats", stats_verbs, stats_usage, argc, argv);
}

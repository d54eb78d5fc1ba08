/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the show commands print, as Prometheus metrics: an out sink (out.h)
 * that keeps the values its table names, with labels from the objects they
 * belong to, and writes them in the Prometheus text format. No netlink here:
 * hexoctl stats (stats.c) runs the show commands into it, and the unit test
 * feeds it by hand.
 */
#ifndef _HEXOCTL_METRICS_H
#define _HEXOCTL_METRICS_H

#include <stdbool.h>
#include <stdio.h>

#include "out.h"

struct metrics;

struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/*
 * The sink for one source's show command ("netswap", "kvm", "link": the
 * first part of the table's paths); out_init_sink() it, run the command.
 */
const struct out_sink *metrics_source(struct metrics *m, const char *source);
/* Records whether reading source worked: hexo_stats_source_up{source}. */
void metrics_source_done(struct metrics *m, const char *source, bool up);

/* Writes every metric that has samples, each with its HELP and TYPE. */
void metrics_print(const struct metrics *m, FILE *f);

/*
 * The table, for the unit test's checks of names and units. A row names a
 * value by where it is (the source, then the keys of the objects and arrays
 * around it) and its key there, and makes it a metric (name, help, counter,
 * scale to the unit the name says, equals for a string that is 1 when it is
 * that, else 0; extra, a fixed label name="value") or a label (label) of
 * the samples of its object and of what that object holds. A metric's later
 * rows have no help.
 */
struct metric_def {
	const char *where, *key;
	const char *name, *help;
	bool counter;
	double scale;
	const char *equals, *extra;
	const char *label;
};

/* Ends with an empty row; the last before it has no where: source_up's. */
extern const struct metric_def metric_defs[];

#endif /* _HEXOCTL_METRICS_H */

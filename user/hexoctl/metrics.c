// SPDX-License-Identifier: GPL-2.0
/*
 * The show commands' values as Prometheus metrics (metrics.h). The keys are
 * the JSON keys of "hexoctl -j ... show" (Documentation/hexoctl.rst), so the
 * table below is the one place that knows which of them are metrics; names
 * follow Prometheus' conventions: hexo_<module>_<what>_<unit>, counters end
 * in _total, times are seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define NS	"netswap/board/devices"
#define SRV	"netswap/server"
#define US	1e-6
#define MS	1e-3

#define GAUGE(w, k, n, h, ...) \
	{ .where = (w), .key = (k), .name = (n), .help = (h), __VA_ARGS__ }
#define COUNTER(w, k, n, h, ...) \
	{ .where = (w), .key = (k), .name = (n), .help = (h), .counter = true, __VA_ARGS__ }
#define LABEL(w, k, l) \
	{ .where = (w), .key = (k), .label = (l) }

const struct metric_def metric_defs[] = {
	/* Netswap, on a board: one series per /dev/netswapN. */
	GAUGE("netswap/board", "ndevs", "hexo_netswap_devices",
	      "Netswap devices (/dev/netswapN) on this board."),
	LABEL(NS, "name", "device"),
	LABEL(NS, "server", "server"),
	LABEL(NS, "dev", "interface"),
	GAUGE(NS, "state", "hexo_netswap_up",
	      "1 while the device's server answers (state up), 0 while connecting or lost.",
	      .equals = "up"),
	GAUGE(NS, "size", "hexo_netswap_size_bytes",
	      "Swap space the server granted."),
	GAUGE(NS, "srtt_us", "hexo_netswap_rtt_seconds",
	      "Smoothed round-trip time to the server.", .scale = US),
	GAUGE(NS, "rttvar_us", "hexo_netswap_rtt_variation_seconds",
	      "Variation of the round-trip time.", .scale = US),
	GAUGE(NS, "min_rtt_us", "hexo_netswap_min_rtt_seconds",
	      "Smallest round-trip time seen.", .scale = US),
	GAUGE(NS, "rto_us", "hexo_netswap_rto_seconds",
	      "Retransmission timeout now.", .scale = US),
	GAUGE(NS, "cwnd", "hexo_netswap_cwnd_pages",
	      "Pages in flight the congestion window allows now."),
	GAUGE(NS, "inflight", "hexo_netswap_inflight_pages",
	      "Pages in flight."),
	GAUGE(NS, "queued", "hexo_netswap_queued_requests",
	      "Requests waiting for the window."),
	GAUGE(NS, "idle_ms", "hexo_netswap_idle_seconds",
	      "Time since the server was last heard.", .scale = MS),
	GAUGE(NS, "pages_stored", "hexo_netswap_stored_pages",
	      "Pages the server holds for this device."),
	GAUGE(NS, "pages_lost", "hexo_netswap_lost_pages",
	      "Pages stored once and lost since (server restart, failed write, server "
	      "answering absent): reading one fails with EIO until it is written again."),
	COUNTER(NS "/stats", "reads", "hexo_netswap_reads_total",
	      "Read requests done."),
	COUNTER(NS "/stats", "read_pages", "hexo_netswap_pages_in_total",
	      "Pages read from the server (swapped in)."),
	COUNTER(NS "/stats", "writes", "hexo_netswap_writes_total",
	      "Write requests done."),
	COUNTER(NS "/stats", "write_pages", "hexo_netswap_pages_out_total",
	      "Pages written to the server (swapped out)."),
	COUNTER(NS "/stats", "discards", "hexo_netswap_discards_total",
	      "Discard requests done."),
	COUNTER(NS "/stats", "discard_pages", "hexo_netswap_discarded_pages_total",
	      "Pages discarded."),
	COUNTER(NS "/stats", "flushes", "hexo_netswap_flushes_total",
	      "Flush requests done."),
	COUNTER(NS "/stats", "local_reads", "hexo_netswap_local_reads_total",
	      "Reads of never-written pages, answered without a round trip."),
	COUNTER(NS "/stats", "errors", "hexo_netswap_errors_total",
	      "Requests that failed with an I/O error."),
	COUNTER(NS "/stats", "retransmits", "hexo_netswap_retransmits_total",
	      "Frames sent again."),
	COUNTER(NS "/stats", "timeouts", "hexo_netswap_timeouts_total",
	      "Retransmission timeouts."),
	COUNTER(NS "/stats", "early", "hexo_netswap_early_retransmits_total",
	      "Frames sent again before their timeout: a later request was answered first."),
	COUNTER(NS "/stats", "spurious", "hexo_netswap_spurious_timeouts_total",
	      "Retransmissions (timeouts or early) that were only lateness."),
	COUNTER(NS "/stats", "csum_errors", "hexo_netswap_checksum_errors_total",
	      "Pages that arrived damaged, fetched or sent again."),
	COUNTER(NS "/stats", "busy", "hexo_netswap_busy_total",
	      "Answers from the server saying busy, retry."),
	COUNTER(NS "/stats", "dups", "hexo_netswap_ignored_replies_total",
	      "Duplicate, late or stray replies ignored."),
	COUNTER(NS "/stats", "reconnects", "hexo_netswap_reconnects_total",
	      "Connections to the server made again."),
	COUNTER(NS "/stats", "stranded", "hexo_netswap_stranded_total",
	      "Requests left waiting for the timer (a bug if not 0)."),
	COUNTER(NS "/stats", "tx_frames", "hexo_netswap_transmitted_frames_total",
	      "Frames sent to the server."),
	COUNTER(NS "/stats", "rx_frames", "hexo_netswap_received_frames_total",
	      "Frames received from the server."),

	/*
	 * A mirrored device: its state, and one series per replica (the
	 * server's MAC as "replica"). Unmirrored devices show neither.
	 */
	GAUGE(NS, "mirror", "hexo_netswap_mirror_state",
	      "1 for a mirrored device's state (healthy, degraded, resyncing), 0 for the others.",
	      .equals = "healthy", .extra = "state=\"healthy\""),
	GAUGE(NS, "mirror", "hexo_netswap_mirror_state", NULL,
	      .equals = "degraded", .extra = "state=\"degraded\""),
	GAUGE(NS, "mirror", "hexo_netswap_mirror_state", NULL,
	      .equals = "resyncing", .extra = "state=\"resyncing\""),
	LABEL(NS "/replicas", "server", "replica"),
	GAUGE(NS "/replicas", "state", "hexo_netswap_replica_up",
	      "1 while the replica's server answers (state up), 0 otherwise.", .equals = "up"),
	GAUGE(NS "/replicas", "in", "hexo_netswap_replica_in",
	      "1 while the replica is written to, 0 while it is left out (given up on or lost)."),
	GAUGE(NS "/replicas", "srtt_us", "hexo_netswap_replica_rtt_seconds",
	      "Smoothed round-trip time to the replica's server.", .scale = US),
	GAUGE(NS "/replicas", "lat_us", "hexo_netswap_replica_latency_seconds",
	      "How fast the replica answers the device's requests (reads go to the faster).",
	      .scale = US),
	GAUGE(NS "/replicas", "pages_missing", "hexo_netswap_replica_missing_pages",
	      "Stored pages the replica does not hold: what the resync has left to copy."),
	COUNTER(NS "/replicas", "pages_copied", "hexo_netswap_replica_copied_pages_total",
	      "Pages the resync copied to the replica."),
	COUNTER(NS "/replicas", "failovers", "hexo_netswap_replica_failovers_total",
	      "Times the replica was given up on."),
	COUNTER(NS "/replicas", "reads", "hexo_netswap_replica_reads_total",
	      "Read requests the replica answered."),
	COUNTER(NS "/replicas", "errors", "hexo_netswap_replica_errors_total",
	      "Requests that failed on the replica's channel."),
	COUNTER(NS "/replicas", "retransmits", "hexo_netswap_replica_retransmits_total",
	      "Frames sent again to the replica's server."),

	/* Netswap, on a server: per interface served, per board attached. */
	GAUGE(SRV, "nserves", "hexo_netswap_server_serves",
	      "Interfaces this server serves Netswap on."),
	LABEL(SRV "/serves", "dev", "interface"),
	GAUGE(SRV "/serves", "size", "hexo_netswap_server_size_bytes",
	      "RAM served on the interface."),
	GAUGE(SRV "/serves", "board_size", "hexo_netswap_server_board_limit_bytes",
	      "Most RAM one attachment gets."),
	GAUGE(SRV "/serves", "reserved", "hexo_netswap_server_reserved_bytes",
	      "RAM granted to the boards attached."),
	GAUGE(SRV "/serves", "stored", "hexo_netswap_server_stored_bytes",
	      "RAM holding the boards' pages."),
	GAUGE(SRV "/serves", "boards", "hexo_netswap_server_boards",
	      "Boards attached (sessions)."),
	GAUGE(SRV "/serves", "max_boards", "hexo_netswap_server_max_boards",
	      "Most boards attached at once."),
	LABEL(SRV "/boards", "mac", "board"),
	LABEL(SRV "/boards", "dev", "interface"),
	GAUGE(SRV "/boards", "size", "hexo_netswap_server_board_granted_bytes",
	      "Swap space granted to the board."),
	GAUGE(SRV "/boards", "stored", "hexo_netswap_server_board_stored_bytes",
	      "RAM holding the board's pages."),
	GAUGE(SRV "/boards", "idle_ms", "hexo_netswap_server_board_idle_seconds",
	      "Time since the board was last heard.", .scale = MS),
	COUNTER(SRV "/boards/stats", "reads", "hexo_netswap_server_reads_total",
	      "Read requests served."),
	COUNTER(SRV "/boards/stats", "writes", "hexo_netswap_server_writes_total",
	      "Write requests stored."),
	COUNTER(SRV "/boards/stats", "discards", "hexo_netswap_server_discards_total",
	      "Discard requests done."),
	COUNTER(SRV "/boards/stats", "flushes", "hexo_netswap_server_flushes_total",
	      "Flush requests done."),
	COUNTER(SRV "/boards/stats", "csum_errors", "hexo_netswap_server_checksum_errors_total",
	      "Pages received damaged, asked for again."),
	COUNTER(SRV "/boards/stats", "busy", "hexo_netswap_server_busy_total",
	      "Writes put off for want of memory."),
	COUNTER(SRV "/boards/stats", "stale", "hexo_netswap_server_stale_total",
	      "Late writes and discards ignored."),

	/* hexo_kvm: per VM attached; the stats are its last offload's. */
	GAUGE("kvm", "nvms", "hexo_kvm_vms",
	      "VMs attached to hexo_kvm."),
	LABEL("kvm/vms", "id", "vm"),
	LABEL("kvm/vms", "name", "name"),
	GAUGE("kvm/vms", "vcpus", "hexo_kvm_vcpus",
	      "The VM's vCPUs."),
	GAUGE("kvm/vms", "mem", "hexo_kvm_memory_bytes",
	      "The VM's memory."),
	COUNTER("kvm/vms", "offloads", "hexo_kvm_offloads_total",
	      "Offloads of the VM completed."),
	GAUGE("kvm/vms", "state", "hexo_kvm_handed_off",
	      "1 while the VM is handed off to another node.", .equals = "handed-off"),
	GAUGE("kvm/vms", "lending", "hexo_kvm_lending",
	      "1 while a post-copy target still pulls the VM's memory from here."),
	GAUGE("kvm/vms/stats", "bytes", "hexo_kvm_last_offload_bytes",
	      "Guest memory the last offload sent."),
	GAUGE("kvm/vms/stats", "pages", "hexo_kvm_last_offload_pages",
	      "Pages the last offload sent (pages of zeros not counted)."),
	GAUGE("kvm/vms/stats", "zero_pages", "hexo_kvm_last_offload_zero_pages",
	      "Pages of zeros the last offload answered without data."),
	GAUGE("kvm/vms/stats", "demand_pages", "hexo_kvm_last_offload_demand_pages",
	      "Post-copy: pages the target pulled at a guest's fault."),
	GAUGE("kvm/vms/stats", "background_pages", "hexo_kvm_last_offload_background_pages",
	      "Post-copy: pages the target pulled in the background."),
	GAUGE("kvm/vms/stats", "precopy_pages", "hexo_kvm_last_offload_precopy_pages",
	      "Pre-copy: pages sent while the guest ran."),
	GAUGE("kvm/vms/stats", "dirty_pages", "hexo_kvm_last_offload_dirty_pages",
	      "Pre-copy: pages that changed meanwhile."),
	GAUGE("kvm/vms/stats", "parking_us", "hexo_kvm_last_offload_parking_seconds",
	      "The last offload's request until the guest parked.", .scale = US),
	GAUGE("kvm/vms/stats", "downtime_us", "hexo_kvm_last_offload_downtime_seconds",
	      "The last offload's downtime: parked until the target took the VM.", .scale = US),
	GAUGE("kvm/vms/stats", "duration_us", "hexo_kvm_last_offload_duration_seconds",
	      "The last offload's request until the source let go of the last page.", .scale = US),

	/* hexo_link: per port (interface). */
	GAUGE("link", "nports", "hexo_link_ports",
	      "Interfaces hexo_link uses."),
	LABEL("link/ports", "dev", "interface"),
	GAUGE("link/ports", "channels", "hexo_link_channels",
	      "Client channels on the port."),
	GAUGE("link/ports", "services", "hexo_link_services",
	      "Services (servers) on the port."),
	COUNTER("link/ports/stats", "rx_frames", "hexo_link_received_frames_total",
	      "HEXO frames received."),
	COUNTER("link/ports/stats", "rx_bytes", "hexo_link_received_bytes_total",
	      "Bytes of HEXO frames received."),
	COUNTER("link/ports/stats", "rx_pfmemalloc", "hexo_link_received_reserve_frames_total",
	      "HEXO frames received in memory from the reserves."),
	COUNTER("link/ports/stats", "tx_frames", "hexo_link_transmitted_frames_total",
	      "HEXO frames sent."),
	COUNTER("link/ports/stats", "tx_bytes", "hexo_link_transmitted_bytes_total",
	      "Bytes of HEXO frames sent."),
	COUNTER("link/ports/stats", "tx_errors", "hexo_link_transmit_errors_total",
	      "HEXO frames the interface did not take."),
	COUNTER("link/ports/stats", "rx_runt", "hexo_link_dropped_frames_total",
	      "HEXO frames dropped on receipt, by reason.", .extra = "reason=\"runt\""),
	COUNTER("link/ports/stats", "rx_bad_version", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"version\""),
	COUNTER("link/ports/stats", "rx_bad_hdr_len", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"hdr-len\""),
	COUNTER("link/ports/stats", "rx_bad_data_len", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"data-len\""),
	COUNTER("link/ports/stats", "rx_bad_hdr_crc", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"hdr-crc\""),
	COUNTER("link/ports/stats", "rx_bad_service", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"service\""),
	COUNTER("link/ports/stats", "rx_no_service", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"not-served\""),
	COUNTER("link/ports/stats", "rx_no_chan", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"no-channel\""),
	COUNTER("link/ports/stats", "rx_bad_auth", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"bad-mac\""),
	COUNTER("link/ports/stats", "rx_replay", "hexo_link_dropped_frames_total",
	      NULL, .extra = "reason=\"replayed\""),

	/* Not from a show command: whether hexoctl could read each source. */
	GAUGE(NULL, NULL, "hexo_stats_source_up",
	      "1 if hexoctl read the source (a module not loaded reads as nothing), 0 if it failed."),
	{}
};

#define METRICS_DEPTH	16
#define LABELS_MAX	4

/*
 * The labels of an object in an array (a device, a VM...), and of what is
 * nested in it through parent: filled as its values come, read at the end.
 */
struct labels {
	struct labels *parent, *next;	/* next: every set, for freeing */
	int n;
	const char *name[LABELS_MAX];
	char *value[LABELS_MAX];
};

struct sample {
	const struct metric_def *def;
	const struct labels *labels;
	uint64_t value;		/* in the unit of the show command's key */
};

struct metrics {
	struct out_sink sink;
	const char *source;
	int depth;
	struct {
		char path[128];
		struct labels *labels;
		bool array;
	} frame[METRICS_DEPTH];
	struct labels *all;
	struct sample *samples;
	size_t nsamples, cap;
};

static struct labels *labels_new(struct metrics *m, struct labels *parent)
{
	struct labels *l = calloc(1, sizeof(*l));

	if (!l)
		return parent;
	l->parent = parent;
	l->next = m->all;
	m->all = l;
	return l;
}

static void labels_add(struct labels *l, const char *name, const char *value)
{
	if (!l || l->n == LABELS_MAX)
		return;
	l->value[l->n] = strdup(value);
	if (l->value[l->n])
		l->name[l->n++] = name;
}

static void sample_add(struct metrics *m, const struct metric_def *d, const struct labels *l,
		       uint64_t v)
{
	if (m->nsamples == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		struct sample *s = realloc(m->samples, cap * sizeof(*s));

		if (!s)
			return;
		m->samples = s;
		m->cap = cap;
	}
	m->samples[m->nsamples++] = (struct sample){ d, l, v };
}

static void sink_open(void *ctx, const char *key, bool array)
{
	struct metrics *m = ctx;
	int d = m->depth;

	if (d >= METRICS_DEPTH) {	/* deeper than any path in the table */
		m->depth++;
		return;
	}
	if (!d) {
		snprintf(m->frame[0].path, sizeof(m->frame[0].path), "%s", m->source);
		m->frame[0].labels = labels_new(m, NULL);
	} else if (!key && m->frame[d - 1].array) {
		/* an element: its own labels, under the array's */
		memcpy(m->frame[d].path, m->frame[d - 1].path, sizeof(m->frame[d].path));
		m->frame[d].labels = labels_new(m, m->frame[d - 1].labels);
	} else {
		char path[sizeof(m->frame[d].path)];

		snprintf(path, sizeof(path), "%s/%s", m->frame[d - 1].path, key ? key : "");
		memcpy(m->frame[d].path, path, sizeof(path));
		m->frame[d].labels = m->frame[d - 1].labels;
	}
	m->frame[d].array = array;
	m->depth++;
}

static void sink_close(void *ctx)
{
	struct metrics *m = ctx;

	if (m->depth > 0)
		m->depth--;
}

static void sink_value(void *ctx, const char *key, enum out_kind kind, const char *s,
		       uint64_t n)
{
	struct metrics *m = ctx;
	const struct metric_def *d;
	const char *path;
	struct labels *l;
	char num[24];

	if (!m->depth || m->depth > METRICS_DEPTH || !key)
		return;
	path = m->frame[m->depth - 1].path;
	l = m->frame[m->depth - 1].labels;
	for (d = metric_defs; d->key || d->name; d++) {
		if (!d->where || strcmp(d->where, path) || strcmp(d->key, key))
			continue;
		if (d->label) {
			if (kind != OUT_STR)
				snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
			labels_add(l, d->label, kind == OUT_STR ? s : num);
		} else if (d->equals) {
			if (kind == OUT_STR)
				sample_add(m, d, l, !strcmp(s, d->equals));
		} else if (kind != OUT_STR) {
			sample_add(m, d, l, n);
		}
	}
}

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->sink = (struct out_sink){ sink_open, sink_close, sink_value, m };
	return m;
}

void metrics_free(struct metrics *m)
{
	struct labels *l, *next;

	if (!m)
		return;
	for (l = m->all; l; l = next) {
		next = l->next;
		for (int i = 0; i < l->n; i++)
			free(l->value[i]);
		free(l);
	}
	free(m->samples);
	free(m);
}

const struct out_sink *metrics_source(struct metrics *m, const char *source)
{
	m->source = source;
	m->depth = 0;
	return &m->sink;
}

void metrics_source_done(struct metrics *m, const char *source, bool up)
{
	const struct metric_def *d;
	struct labels *l;

	for (d = metric_defs; d->where; d++)
		;
	l = labels_new(m, NULL);
	labels_add(l, "source", source);
	sample_add(m, d, l, up);
}

/* A label value as the text format wants it: \, " and newline escaped. */
static void print_label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* name{labels} value: the outermost object's labels first. */
static void print_sample(FILE *f, const struct sample *s)
{
	const struct labels *chain[METRICS_DEPTH + 1];
	const char *sep = "{";
	int n = 0;

	for (const struct labels *l = s->labels; l && n < METRICS_DEPTH + 1; l = l->parent)
		chain[n++] = l;
	fputs(s->def->name, f);
	while (n--) {
		for (int i = 0; i < chain[n]->n; i++) {
			fprintf(f, "%s%s=\"", sep, chain[n]->name[i]);
			print_label_value(f, chain[n]->value[i]);
			fputc('"', f);
			sep = ",";
		}
	}
	if (s->def->extra) {
		fprintf(f, "%s%s", sep, s->def->extra);
		sep = ",";
	}
	fputs(*sep == ',' ? "} " : " ", f);
	if (s->def->scale)
		fprintf(f, "%.9g\n", s->value * s->def->scale);
	else
		fprintf(f, "%llu\n", (unsigned long long)s->value);
}

void metrics_print(const struct metrics *m, FILE *f)
{
	for (const struct metric_def *d = metric_defs; d->key || d->name; d++) {
		bool any = false;

		/* Each metric once, where its first row (the one with help) is. */
		if (d->label || !d->help)
			continue;
		for (size_t i = 0; i < m->nsamples; i++) {
			if (strcmp(m->samples[i].def->name, d->name))
				continue;
			if (!any)
				fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help, d->name,
					d->counter ? "counter" : "gauge");
			any = true;
			print_sample(f, &m->samples[i]);
		}
	}
}

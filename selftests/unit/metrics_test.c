// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side unit tests of hexoctl stats' metrics (user/hexoctl/metrics.c):
 * values given through out.h's sink mode, as the show commands give them,
 * come out in the Prometheus text format with their labels, units and one
 * HELP and TYPE per metric; and the table's names follow the conventions.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "metrics.h"
#include "out.h"

/* The text metrics_print() writes (the caller frees it). */
static char *print(struct metrics *m)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	metrics_print(m, f);
	fclose(f);
	return buf;
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* One board device as "netswap show" gives it (netswap.c), in its order. */
static void netswap_device(const char *name, uint64_t lost, uint64_t srtt_us,
			   const char *state, uint64_t read_pages)
{
	out_obj_begin(NULL);
	out_u64("index", NULL, name[7] - '0');
	out_str("name", NULL, name);
	out_str("server", NULL, "52:54:00:48:58:01");
	out_str("dev", NULL, "eth0");
	out_u64("size", NULL, 64 << 20);
	out_str("state", NULL, state);
	out_u64("srtt_us", NULL, srtt_us);
	out_u64("idle_ms", NULL, 1500);
	out_bool("keyed", NULL, false);
	out_u64("pages_stored", NULL, 100);
	out_u64("pages_lost", NULL, lost);
	out_obj_begin("stats");
	out_u64("read_pages", NULL, read_pages);
	out_u64("write_pages", NULL, 7);
	out_u64("retransmits", NULL, 2);
	out_obj_end();
	out_obj_end();
}

static struct metrics *netswap_show(int ndevs)
{
	struct metrics *m = metrics_new();

	if (!m)
		return NULL;
	out_init_sink(metrics_source(m, "netswap"));
	out_obj_begin(NULL);
	out_obj_begin("board");
	out_str("version", NULL, "0.1");
	out_u64("ndevs", NULL, ndevs);
	out_arr_begin("devices");
	if (ndevs > 0)
		netswap_device("netswap0", 3, 250, "up", 11);
	if (ndevs > 1)
		netswap_device("netswap1", 0, 1200, "lost", 12);
	out_arr_end();
	out_obj_end();
	out_obj_end();
	out_init(false, false);
	metrics_source_done(m, "netswap", true);
	return m;
}

#define DEV0 "{device=\"netswap0\",server=\"52:54:00:48:58:01\",interface=\"eth0\"}"
#define DEV1 "{device=\"netswap1\",server=\"52:54:00:48:58:01\",interface=\"eth0\"}"

TEST(a_device_with_its_labels_and_units)
{
	struct metrics *m = netswap_show(1);
	char *t;

	ASSERT_NE(NULL, m);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "# HELP hexo_netswap_lost_pages Pages stored once and lost"));
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_netswap_lost_pages gauge\n"
				  "hexo_netswap_lost_pages" DEV0 " 3\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_devices 1\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_up" DEV0 " 1\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_size_bytes" DEV0 " 67108864\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_rtt_seconds" DEV0 " 0.00025\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_idle_seconds" DEV0 " 1.5\n"));
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_netswap_pages_in_total counter\n"
				  "hexo_netswap_pages_in_total" DEV0 " 11\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_pages_out_total" DEV0 " 7\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_retransmits_total" DEV0 " 2\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_stats_source_up{source=\"netswap\"} 1\n"));
	/* Keys the table does not name are left out: no index, no version. */
	EXPECT_EQ(NULL, strstr(t, "index"));
	EXPECT_EQ(NULL, strstr(t, "version"));
	free(t);
	metrics_free(m);
}

TEST(a_metric_s_samples_follow_its_one_help_and_type)
{
	struct metrics *m = netswap_show(2);
	char *t;

	ASSERT_NE(NULL, m);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(1, count(t, "# HELP hexo_netswap_lost_pages "));
	EXPECT_EQ(1, count(t, "# TYPE hexo_netswap_lost_pages "));
	EXPECT_NE(NULL, strstr(t, "hexo_netswap_lost_pages" DEV0 " 3\n"
				  "hexo_netswap_lost_pages" DEV1 " 0\n"));
	EXPECT_NE(NULL, strstr(t, "hexo_netswap_up" DEV0 " 1\n"
				  "hexo_netswap_up" DEV1 " 0\n"));
	EXPECT_NE(NULL, strstr(t, "hexo_netswap_rtt_seconds" DEV1 " 0.0012\n"));
	/* Every line is a comment or a sample: name, labels, one number. */
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		regex_t re;

		ASSERT_EQ(0, regcomp(&re, "^(# (HELP|TYPE) hexo_[a-z_]+ .+|hexo_[a-z_]+"
				     "(\\{([a-z_]+=\"[^\"]*\",)*[a-z_]+=\"[^\"]*\"\\})? "
				     "[0-9][0-9.e+-]*)$", REG_EXTENDED | REG_NOSUB));
		EXPECT_EQ(0, regexec(&re, line, 0, NULL, 0)) {
			TH_LOG("not a Prometheus line: %s", line);
		}
		regfree(&re);
	}
	free(t);
	metrics_free(m);
}

/* A mirrored device, degraded: its first replica out, as netswap.c gives it. */
TEST(a_mirrored_device_s_state_and_replicas)
{
	static const char *const mac[] = { "52:54:00:48:58:01", "52:54:00:48:58:03" };
	struct metrics *m = metrics_new();
	char *t;

	ASSERT_NE(NULL, m);
	out_init_sink(metrics_source(m, "netswap"));
	out_obj_begin(NULL);
	out_obj_begin("board");
	out_u64("ndevs", NULL, 1);
	out_arr_begin("devices");
	out_obj_begin(NULL);
	out_str("name", NULL, "netswap0");
	out_str("server", NULL, mac[0]);
	out_str("dev", NULL, "eth0");
	out_str("state", NULL, "up");
	out_str("mirror", NULL, "degraded");
	out_u64("failover_ms", NULL, 500);
	out_arr_begin("replicas");
	for (int i = 0; i < 2; i++) {
		out_obj_begin(NULL);
		out_str("server", NULL, mac[i]);
		out_str("state", NULL, i ? "up" : "lost");
		out_bool("in", NULL, i);
		out_u64("srtt_us", NULL, 1500);
		out_u64("lat_us", NULL, i ? 2000 : 0);
		out_u64("pages_missing", NULL, i ? 0 : 4096);
		out_u64("pages_copied", NULL, 10);
		out_u64("failovers", NULL, !i);
		out_u64("reads", NULL, i ? 300 : 200);
		out_u64("errors", NULL, i ? 0 : 5);
		out_u64("retransmits", NULL, 9);
		out_obj_end();
	}
	out_arr_end();
	out_obj_end();
	out_arr_end();
	out_obj_end();
	out_obj_end();
	out_init(false, false);
	t = print(m);
	ASSERT_NE(NULL, t);
#define MDEV "device=\"netswap0\",server=\"52:54:00:48:58:01\",interface=\"eth0\""
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_netswap_mirror_state gauge\n"
		  "hexo_netswap_mirror_state{" MDEV ",state=\"healthy\"} 0\n"
		  "hexo_netswap_mirror_state{" MDEV ",state=\"degraded\"} 1\n"
		  "hexo_netswap_mirror_state{" MDEV ",state=\"resyncing\"} 0\n"));
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_netswap_replica_up gauge\n"
		  "hexo_netswap_replica_up{" MDEV ",replica=\"52:54:00:48:58:01\"} 0\n"
		  "hexo_netswap_replica_up{" MDEV ",replica=\"52:54:00:48:58:03\"} 1\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_replica_in{" MDEV
				  ",replica=\"52:54:00:48:58:01\"} 0\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_replica_latency_seconds{" MDEV
				  ",replica=\"52:54:00:48:58:03\"} 0.002\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_replica_missing_pages{" MDEV
				  ",replica=\"52:54:00:48:58:01\"} 4096\n"));
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_netswap_replica_failovers_total counter\n"
		  "hexo_netswap_replica_failovers_total{" MDEV ",replica=\"52:54:00:48:58:01\"} 1\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_replica_reads_total{" MDEV
				  ",replica=\"52:54:00:48:58:03\"} 300\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_replica_errors_total{" MDEV
				  ",replica=\"52:54:00:48:58:01\"} 5\n"));
#undef MDEV
	/* The device's own up is its state (up while either replica is). */
	EXPECT_NE(NULL, strstr(t, "\nhexo_netswap_up{device=\"netswap0\""));
	free(t);
	metrics_free(m);
}

TEST(an_unmirrored_device_has_no_mirror_series)
{
	struct metrics *m = netswap_show(2);
	char *t;

	ASSERT_NE(NULL, m);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_EQ(NULL, strstr(t, "mirror"));
	EXPECT_EQ(NULL, strstr(t, "replica"));
	free(t);
	metrics_free(m);
}

TEST(labels_that_come_after_the_values)
{
	struct metrics *m = metrics_new();
	char *t;

	ASSERT_NE(NULL, m);
	out_init_sink(metrics_source(m, "link"));
	out_obj_begin(NULL);
	out_u64("nports", NULL, 1);
	out_arr_begin("ports");
	out_obj_begin(NULL);
	out_obj_begin("stats");
	out_u64("rx_runt", NULL, 4);
	out_u64("rx_replay", NULL, 5);
	out_u64("tx_bytes", NULL, 1000);
	out_obj_end();
	out_str("dev", NULL, "eth1");
	out_obj_end();
	out_arr_end();
	out_obj_end();
	out_init(false, false);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "# HELP hexo_link_dropped_frames_total HEXO frames dropped"));
	EXPECT_NE(NULL, strstr(t, "# TYPE hexo_link_dropped_frames_total counter\n"
		  "hexo_link_dropped_frames_total{interface=\"eth1\",reason=\"runt\"} 4\n"
		  "hexo_link_dropped_frames_total{interface=\"eth1\",reason=\"replayed\"} 5\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_link_transmitted_bytes_total{interface=\"eth1\"} 1000\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_link_ports 1\n"));
	EXPECT_EQ(1, count(t, "# HELP hexo_link_dropped_frames_total "));
	free(t);
	metrics_free(m);
}

TEST(vms_offloads_and_a_label_value_escaped)
{
	struct metrics *m = metrics_new();
	char *t;

	ASSERT_NE(NULL, m);
	out_init_sink(metrics_source(m, "kvm"));
	out_obj_begin(NULL);
	out_u64("nvms", NULL, 1);
	out_arr_begin("vms");
	out_obj_begin(NULL);
	out_u64("id", NULL, 3);
	out_str("name", NULL, "a\"b\\c\nd");
	out_str("state", NULL, "handed-off");
	out_u64("offloads", NULL, 2);
	out_obj_begin("stats");
	out_u64("downtime_us", NULL, 63000);
	out_obj_end();
	out_obj_end();
	out_arr_end();
	out_obj_end();
	out_init(false, false);
	metrics_source_done(m, "kvm", false);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, "\nhexo_kvm_offloads_total{vm=\"3\",name=\"a\\\"b\\\\c\\nd\"} 2\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_kvm_handed_off{vm=\"3\",name=\"a\\\"b\\\\c\\nd\"} 1\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_kvm_last_offload_downtime_seconds{vm=\"3\","
				  "name=\"a\\\"b\\\\c\\nd\"} 0.063\n"));
	EXPECT_NE(NULL, strstr(t, "\nhexo_stats_source_up{source=\"kvm\"} 0\n"));
	free(t);
	metrics_free(m);
}

TEST(nothing_loaded_prints_only_the_sources)
{
	struct metrics *m = metrics_new();
	char *t;

	ASSERT_NE(NULL, m);
	metrics_source_done(m, "netswap", true);
	t = print(m);
	ASSERT_NE(NULL, t);
	EXPECT_STREQ("# HELP hexo_stats_source_up 1 if hexoctl read the source (a module not "
		     "loaded reads as nothing), 0 if it failed.\n"
		     "# TYPE hexo_stats_source_up gauge\n"
		     "hexo_stats_source_up{source=\"netswap\"} 1\n", t);
	free(t);
	metrics_free(m);
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), e = strlen(end);

	return n >= e && !strcmp(s + n - e, end);
}

TEST(the_table_follows_the_naming_conventions)
{
	regex_t name;
	int rows = 0;

	ASSERT_EQ(0, regcomp(&name, "^hexo_[a-z]+_[a-z_]+[a-z]$", REG_EXTENDED | REG_NOSUB));
	for (const struct metric_def *d = metric_defs; d->key || d->name; d++) {
		const char *k = d->key ? d->key : "";

		rows++;
		if (d->label) {
			EXPECT_EQ(NULL, d->name);
			continue;
		}
		EXPECT_EQ(0, regexec(&name, d->name, 0, NULL, 0)) TH_LOG("name %s", d->name);
		/* counters, and only counters, end in _total */
		EXPECT_EQ(d->counter, ends_with(d->name, "_total")) TH_LOG("%s", d->name);
		/* microseconds and milliseconds become seconds */
		if (ends_with(k, "_us") || ends_with(k, "_ms")) {
			EXPECT_EQ(ends_with(k, "_us") ? 1e-6 : 1e-3, d->scale) TH_LOG("%s", d->name);
			EXPECT_NE(NULL, strstr(d->name, "_seconds")) TH_LOG("%s", d->name);
		} else {
			EXPECT_EQ(0, d->scale) TH_LOG("%s", d->name);
		}
		if (d->help) {
			EXPECT_EQ(NULL, strpbrk(d->help, "\\\n")) TH_LOG("%s", d->name);
			EXPECT_TRUE(ends_with(d->help, ".")) TH_LOG("%s", d->name);
			/* a metric is described once, by its first row */
			for (const struct metric_def *e = metric_defs; e < d; e++)
				EXPECT_FALSE(e->name && !strcmp(e->name, d->name))
					TH_LOG("%s described twice", d->name);
		} else {
			/* a row that adds to a metric follows the rows before it */
			ASSERT_TRUE(d > metric_defs);
			EXPECT_STREQ(d[-1].name, d->name);
			EXPECT_EQ(d[-1].counter, d->counter);
			EXPECT_NE(NULL, d->extra);
		}
	}
	regfree(&name);
	EXPECT_GT(rows, 50);
}

/* Documentation/monitoring.rst, found from this file's own path. */
static char *monitoring_rst(void)
{
	char path[4096], *buf = NULL;
	const char *dir = __FILE__;
	size_t len = strrchr(dir, '/') ? (size_t)(strrchr(dir, '/') - dir) : 1;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%.*s/../../Documentation/monitoring.rst", (int)len,
		 strrchr(dir, '/') ? dir : ".");
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		buf = calloc(1, n + 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

TEST(the_monitoring_page_names_every_metric)
{
	char *doc = monitoring_rst(), want[128];

	ASSERT_NE(NULL, doc) TH_LOG("no Documentation/monitoring.rst beside %s", __FILE__);
	for (const struct metric_def *d = metric_defs; d->key || d->name; d++) {
		if (!d->name)
			continue;
		snprintf(want, sizeof(want), "``%s``", d->name);
		if (!strstr(doc, want))
			snprintf(want, sizeof(want), "``%s{", d->name);
		EXPECT_NE(NULL, strstr(doc, want)) TH_LOG("monitoring.rst lacks %s", d->name);
	}
	free(doc);
}

TEST_HARNESS_MAIN

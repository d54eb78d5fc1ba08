// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl netswap, the board side: netswap.ko's swap devices (attach, detach,
 * show), and what the object's verbs share (usage, show, monitor, genkey,
 * and the parsing of their arguments). The server side is netswap_server.c.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <hexo/netswap.h>
#include <hexo/netswap_server.h>
#include <hexo/wire.h>

#include "hexoctl.h"
#include "modules.h"
#include "netswap.h"
#include "out.h"
#include "parse.h"

static void netswap_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl netswap show [ DEVICE ]\n"
		"       hexoctl netswap attach dev IFNAME server MAC size SIZE\n"
		"                              [ timeout SECONDS ] [ connect SECONDS ] [ window PAGES ]\n"
		"                              [ key FILE ] [ hold SECONDS ]\n"
		"                              [ mirror MAC ] [ failover MS ] [ resync-rate PAGES ]\n"
		"       hexoctl netswap detach DEVICE\n"
		"       hexoctl netswap replace DEVICE old MAC new MAC\n"
		"                               [ connect SECONDS ] [ resync-rate PAGES ]\n"
		"       hexoctl netswap serve dev IFNAME size SIZE [ board-size SIZE ] [ expire SECONDS ]\n"
		"                             [ max-boards N ] [ key FILE ]\n"
		"       hexoctl netswap genkey\n"
		"       hexoctl netswap unserve dev IFNAME\n"
		"       hexoctl netswap boards [ dev IFNAME ]\n"
		"       hexoctl netswap monitor\n"
		"DEVICE := { netswapN | N }    SIZE := BYTES[K|M|G|T]\n"
		"\n"
		"On a board:\n"
		"  attach   create /dev/netswapN, a swap device in the server's RAM; the\n"
		"           server (MAC) must serve on the link (see serve). I/O fails with\n"
		"           EIO once the server is silent for timeout (default 10) seconds.\n"
		"           With key, the session is keyed: every frame is authenticated\n"
		"           with the pre-shared key in FILE, and only a server with that key\n"
		"           is taken. With hold, a server silent for less (a link outage)\n"
		"           fails nothing: I/O waits for it. With mirror, every page is on\n"
		"           both servers: a write completes when both hold it, or when one\n"
		"           does and the other gave no answer for failover (default 500) ms;\n"
		"           the device is then degraded, and the other server is filled in\n"
		"           the background (at most resync-rate pages a second) once it\n"
		"           answers again. Reads go to the faster server, to the other when\n"
		"           it fails\n"
		"  detach   remove a device (swapoff first)\n"
		"  replace  put server new in the place of server old in a mirrored\n"
		"           device, and fill it from the other while I/O goes on\n"
		"  show     the devices, their state, round-trip estimates and counters\n"
		"           (and, on a server, what is served); loads no module\n"
		"On a server:\n"
		"  serve    serve SIZE bytes of this machine's RAM to boards on IFNAME, at\n"
		"           most board-size to each; a board silent for expire (default 30)\n"
		"           seconds is declared gone and its pages freed; at most max-boards\n"
		"           (default 64) boards at once; with key FILE, keyed boards with\n"
		"           that key only\n"
		"  genkey   print a new random key (base64) for key FILE\n"
		"  unserve  stop serving on IFNAME and free every board's pages\n"
		"  boards   the boards served, with their pages and counters\n"
		"Both:\n"
		"  monitor  print events (boards appearing and going, servers lost and back)\n");
}

static int netswap_parse_dev(const char *s, uint32_t *index)
{
	if (!strncmp(s, "netswap", 7))
		s += 7;
	return parse_u32(s, NETSWAP_MAX_DEVS - 1, index);
}

static const char *fmt_us(uint32_t us, char *buf, int len)
{
	if (us >= 10000)
		snprintf(buf, len, "%.0fms", us / 1000.0);
	else if (us >= 1000)
		snprintf(buf, len, "%.1fms", us / 1000.0);
	else
		snprintf(buf, len, "%uus", us);
	return buf;
}

/* ------------------------------------------------------------ board side */

static const char *const netswap_states[] = {
	[NETSWAP_STATE_CONNECTING]	= "connecting",
	[NETSWAP_STATE_UP]		= "up",
	[NETSWAP_STATE_LOST]		= "lost",
	[NETSWAP_STATE_GONE]		= "gone",
};

static int netswap_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[NETSWAP_A_VERSION] || !tb[NETSWAP_A_NDEVS] || !tb[NETSWAP_A_MAX_DEVS])
		return -EPROTO;
	out_str("version", "%s", nla_get_string(tb[NETSWAP_A_VERSION]));
	out_u64("ndevs", "  devices %llu", nla_get_u32(tb[NETSWAP_A_NDEVS]));
	out_u64("max_devs", "/%llu\n", nla_get_u32(tb[NETSWAP_A_MAX_DEVS]));
	return 0;
}

int netswap_info(struct hxnl *nl)
{
	struct nl_msg *msg = hxnl_msg(nl, NETSWAP_CMD_GET_INFO, false);

	if (!msg)
		return -ENOMEM;
	return hxnl_call(nl, msg, NETSWAP_A_MAX, netswap_info_cb, NULL);
}

static void netswap_dev_stats(struct nlattr *nest)
{
	static const struct {
		int attr;
		const char *key, *fmt;
	} st[] = {
		{ NETSWAP_STAT_READS, "reads", "    reads %llu" },
		{ NETSWAP_STAT_READ_PAGES, "read_pages", " (%llu pages)" },
		{ NETSWAP_STAT_WRITES, "writes", " writes %llu" },
		{ NETSWAP_STAT_WRITE_PAGES, "write_pages", " (%llu pages)" },
		{ NETSWAP_STAT_DISCARDS, "discards", " discards %llu" },
		{ NETSWAP_STAT_DISCARD_PAGES, "discard_pages", " (%llu pages)" },
		{ NETSWAP_STAT_FLUSHES, "flushes", " flushes %llu" },
		{ NETSWAP_STAT_LOCAL_READS, "local_reads", " local-reads %llu\n" },
		{ NETSWAP_STAT_ERRORS, "errors", "    errors %llu" },
		{ NETSWAP_STAT_RETRANSMITS, "retransmits", " retransmits %llu" },
		{ NETSWAP_STAT_TIMEOUTS, "timeouts", " timeouts %llu" },
		{ NETSWAP_STAT_SPURIOUS, "spurious", " (spurious %llu)" },
		{ NETSWAP_STAT_EARLY, "early", " early %llu" },
		{ NETSWAP_STAT_CSUM_ERRORS, "csum_errors", " csum-errors %llu" },
		{ NETSWAP_STAT_BUSY, "busy", " busy %llu" },
		{ NETSWAP_STAT_DUPS, "dups", " dups %llu" },
		{ NETSWAP_STAT_STRANDED, "stranded", " stranded %llu" },
		{ NETSWAP_STAT_RECONNECTS, "reconnects", " reconnects %llu\n" },
		{ NETSWAP_STAT_TX_FRAMES, "tx_frames", "    frames tx %llu" },
		{ NETSWAP_STAT_RX_FRAMES, "rx_frames", " rx %llu\n" },
	};
	static const struct {
		int attr;
		const char *key, *word;
	} timed[] = {
		{ NETSWAP_STAT_TIMED_READS, "timed_reads", NULL },
		{ NETSWAP_STAT_TIMED_QUEUE_NS, "timed_queue_ns", "queue" },
		{ NETSWAP_STAT_TIMED_WIRE_NS, "timed_wire_ns", "round-trip" },
		{ NETSWAP_STAT_TIMED_END_NS, "timed_end_ns", "end" },
	};
	struct nlattr *tb[NETSWAP_STAT_MAX + 1] = {};
	uint64_t n;

	if (!nest || nla_parse_nested(tb, NETSWAP_STAT_MAX, nest, NULL))
		return;
	out_obj_begin("stats");
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		out_u64(st[i].key, st[i].fmt, nla_u64_or0(tb[st[i].attr]));
	/* The stages of one-page reads, where netswap.time_reads timed them. */
	n = nla_u64_or0(tb[NETSWAP_STAT_TIMED_READS]);
	for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++)
		out_u64(timed[i].key, NULL, nla_u64_or0(tb[timed[i].attr]));
	if (n) {
		out_text("    timed reads %llu, mean us:", (unsigned long long)n);
		for (size_t i = 1; i < sizeof(timed) / sizeof(timed[0]); i++)
			out_text(" %s %.1f", timed[i].word,
				 nla_u64_or0(tb[timed[i].attr]) / 1e3 / n);
		out_text("\n");
	}
	out_obj_end();
}

void netswap_out_session(const struct nlattr *a, const char *end)
{
	if (a) {
		out_u64("session", NULL, nla_get_u32(a));
		out_text(" session %08x", nla_get_u32(a));
	}
	out_text("%s", end);
}

static const char *const netswap_mirrors[] = {
	[NETSWAP_MIRROR_NONE]		= "none",
	[NETSWAP_MIRROR_HEALTHY]	= "healthy",
	[NETSWAP_MIRROR_DEGRADED]	= "degraded",
	[NETSWAP_MIRROR_RESYNCING]	= "resyncing",
};

static const char *netswap_mirror_name(uint32_t m)
{
	return m <= NETSWAP_MIRROR_RESYNCING ? netswap_mirrors[m] : "?";
}

/* A mirrored device's replicas, one line each. */
static void netswap_dev_replicas(struct nlattr *nest)
{
	struct nlattr *tb[NETSWAP_R_MAX + 1], *a;
	char mac[18], b1[32], b2[32];
	uint32_t state;
	int rem;

	out_arr_begin("replicas");
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != NETSWAP_A_REPLICA ||
		    nla_parse_nested(tb, NETSWAP_R_MAX, a, NULL) ||
		    !tb[NETSWAP_R_SERVER_MAC] || nla_len(tb[NETSWAP_R_SERVER_MAC]) != 6)
			continue;
		state = nla_u32_or0(tb[NETSWAP_R_STATE]);
		out_obj_begin(NULL);
		out_str("server", "    replica %s",
			fmt_mac(nla_data(tb[NETSWAP_R_SERVER_MAC]), mac, sizeof(mac)));
		out_str("state", " state %s",
			state <= NETSWAP_STATE_GONE ? netswap_states[state] : "?");
		out_bool("in", " in %s", tb[NETSWAP_R_IN] && nla_get_u8(tb[NETSWAP_R_IN]));
		netswap_out_session(tb[NETSWAP_R_SESSION], "");
		out_bool("holding", " holding %s",
			 tb[NETSWAP_R_HOLDING] && nla_get_u8(tb[NETSWAP_R_HOLDING]));
		out_u64("srtt_us", NULL, nla_u32_or0(tb[NETSWAP_R_SRTT_US]));
		out_u64("lat_us", NULL, nla_u32_or0(tb[NETSWAP_R_LAT_US]));
		out_text(" rtt %s latency %s\n",
			 fmt_us(nla_u32_or0(tb[NETSWAP_R_SRTT_US]), b1, sizeof(b1)),
			 fmt_us(nla_u32_or0(tb[NETSWAP_R_LAT_US]), b2, sizeof(b2)));
		out_u64("idle_ms", "      idle %llums", nla_u64_or0(tb[NETSWAP_R_IDLE_MS]));
		out_u64("pages_missing", " missing %llu", nla_u64_or0(tb[NETSWAP_R_PAGES_MISSING]));
		out_u64("pages_copied", " copied %llu", nla_u64_or0(tb[NETSWAP_R_PAGES_COPIED]));
		out_u64("failovers", " failovers %llu", nla_u64_or0(tb[NETSWAP_R_FAILOVERS]));
		out_u64("reads", " reads %llu", nla_u64_or0(tb[NETSWAP_R_READS]));
		out_u64("errors", " errors %llu", nla_u64_or0(tb[NETSWAP_R_ERRORS]));
		out_u64("retransmits", " retransmits %llu\n", nla_u64_or0(tb[NETSWAP_R_RETRANSMITS]));
		out_obj_end();
	}
	out_arr_end();
}

static int netswap_dev_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	char mac[18], size[32], b1[32], b2[32], b3[32], b4[32];
	uint32_t state;

	if (!tb[NETSWAP_A_DEV_INDEX] || !tb[NETSWAP_A_DEV_NAME] || !tb[NETSWAP_A_SERVER_MAC] ||
	    nla_len(tb[NETSWAP_A_SERVER_MAC]) != 6 || !tb[NETSWAP_A_STATE])
		return -EPROTO;
	state = nla_get_u32(tb[NETSWAP_A_STATE]);
	out_obj_begin(NULL);
	out_u64("index", NULL, nla_get_u32(tb[NETSWAP_A_DEV_INDEX]));
	out_str("name", "%s:", nla_get_string(tb[NETSWAP_A_DEV_NAME]));
	out_str("server", " server %s", fmt_mac(nla_data(tb[NETSWAP_A_SERVER_MAC]), mac,
						sizeof(mac)));
	out_str("dev", " dev %s", tb[NETSWAP_A_IFNAME] ? nla_get_string(tb[NETSWAP_A_IFNAME]) : "?");
	out_u64("size", NULL, nla_u64_or0(tb[NETSWAP_A_SIZE]));
	out_text(" size %s", fmt_size(nla_u64_or0(tb[NETSWAP_A_SIZE]), size, sizeof(size)));
	out_str("state", " state %s", state <= NETSWAP_STATE_GONE ? netswap_states[state] : "?");
	netswap_out_session(tb[NETSWAP_A_SESSION], "\n");
	out_u64("epoch", NULL, nla_u64_or0(tb[NETSWAP_A_EPOCH]));

	out_u64("srtt_us", NULL, nla_u32_or0(tb[NETSWAP_A_SRTT_US]));
	out_u64("rttvar_us", NULL, nla_u32_or0(tb[NETSWAP_A_RTTVAR_US]));
	out_u64("min_rtt_us", NULL, nla_u32_or0(tb[NETSWAP_A_MIN_RTT_US]));
	out_u64("rto_us", NULL, nla_u32_or0(tb[NETSWAP_A_RTO_US]));
	out_text("    rtt %s/%s min %s rto %s",
		 fmt_us(nla_u32_or0(tb[NETSWAP_A_SRTT_US]), b1, sizeof(b1)),
		 fmt_us(nla_u32_or0(tb[NETSWAP_A_RTTVAR_US]), b2, sizeof(b2)),
		 fmt_us(nla_u32_or0(tb[NETSWAP_A_MIN_RTT_US]), b3, sizeof(b3)),
		 fmt_us(nla_u32_or0(tb[NETSWAP_A_RTO_US]), b4, sizeof(b4)));
	out_u64("cwnd", " cwnd %llu", nla_u32_or0(tb[NETSWAP_A_CWND]));
	out_u64("window", "/%llu", nla_u32_or0(tb[NETSWAP_A_WINDOW]));
	out_u64("inflight", " inflight %llu", nla_u32_or0(tb[NETSWAP_A_INFLIGHT]));
	out_u64("queued", " queued %llu\n", nla_u32_or0(tb[NETSWAP_A_QUEUED]));
	out_u64("max_pages", "    pages/request %llu", nla_u32_or0(tb[NETSWAP_A_MAX_PAGES]));
	out_u64("frag", " bytes/frame %llu", nla_u32_or0(tb[NETSWAP_A_FRAG]));
	out_bool("keyed", " keyed %s", tb[NETSWAP_A_KEYED] && nla_get_u8(tb[NETSWAP_A_KEYED]));
	out_u64("timeout_ms", " timeout %llums", nla_u32_or0(tb[NETSWAP_A_TIMEOUT_MS]));
	if (nla_u32_or0(tb[NETSWAP_A_HOLD_MS]))
		out_u64("hold_ms", " hold %llums", nla_u32_or0(tb[NETSWAP_A_HOLD_MS]));
	if (tb[NETSWAP_A_HOLDING] && nla_get_u8(tb[NETSWAP_A_HOLDING])) {
		out_bool("holding", NULL, true);
		out_text(" holding");
	}
	out_u64("idle_ms", " idle %llums\n", nla_u64_or0(tb[NETSWAP_A_IDLE_MS]));
	out_u64("pages_stored", "    pages stored %llu", nla_u64_or0(tb[NETSWAP_A_PAGES_STORED]));
	out_u64("pages_lost", " lost %llu\n", nla_u64_or0(tb[NETSWAP_A_PAGES_LOST]));
	netswap_dev_stats(tb[NETSWAP_A_STATS]);
	if (tb[NETSWAP_A_MIRROR] && nla_get_u32(tb[NETSWAP_A_MIRROR]) != NETSWAP_MIRROR_NONE) {
		out_str("mirror", "    mirror %s", netswap_mirror_name(nla_get_u32(tb[NETSWAP_A_MIRROR])));
		out_u64("failover_ms", " failover %llums", nla_u32_or0(tb[NETSWAP_A_FAILOVER_MS]));
		out_u64("resync_rate", " resync-rate %llu\n", nla_u32_or0(tb[NETSWAP_A_RESYNC_RATE]));
		if (tb[NETSWAP_A_REPLICAS])
			netswap_dev_replicas(tb[NETSWAP_A_REPLICAS]);
	}
	out_obj_end();
	return 0;
}

/* The board side of "show": one device, or all. */
static int netswap_show_board(bool one, uint32_t index)
{
	struct nl_msg *msg;
	struct hxnl nl;
	bool loaded;
	int ret;

	if (hexoctl_open_loaded(&nl, NETSWAP_GENL_NAME, "netswap", &loaded))
		return HEXOCTL_EFAIL;
	if (!loaded) {
		if (!one)
			return 0;
		hexoctl_err("netswap show: the netswap module is not loaded");
		return HEXOCTL_EFAIL;
	}
	out_obj_begin("board");
	out_text("netswap ");
	ret = netswap_info(&nl);
	if (!ret) {
		out_arr_begin("devices");
		msg = hxnl_msg(&nl, NETSWAP_CMD_GET_DEV, !one);
		if (msg && one)
			nla_put_u32(msg, NETSWAP_A_DEV_INDEX, index);
		ret = msg ? hxnl_call(&nl, msg, NETSWAP_A_MAX, netswap_dev_cb, NULL) : -ENOMEM;
		out_arr_end();
	}
	out_obj_end();
	if (ret)
		hexoctl_nl_fail(&nl, "netswap show", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

/* Shows what is loaded, board side and server side; loads nothing. */
static int netswap_show(int argc, char **argv)
{
	bool one = false, board, server;
	uint32_t index = 0;
	int ret;

	if (argc > 0) {
		if (argc > 1 || netswap_parse_dev(argv[0], &index))
			return hexoctl_usage_err("netswap", "'%s' is not a netswap device "
						 "(netswapN, or N)", argv[0]);
		one = true;
	}
	if (hxnl_family_registered(NETSWAP_GENL_NAME, &board) ||
	    hxnl_family_registered(NETSWAP_SERVER_GENL_NAME, &server)) {
		hexoctl_err("cannot list generic netlink families");
		return HEXOCTL_EFAIL;
	}
	out_obj_begin(NULL);
	if (!one && !board && !server)
		out_text("netswap: not loaded (attach loads netswap, serve loads netswap_server)\n");
	ret = netswap_show_board(one, index);
	if (!ret && !one)
		ret = netswap_server_show();
	out_obj_end();
	return ret;
}

int netswap_kv(const char *verb, int argc, char **argv, struct kv *kv, int nkv)
{
	for (; argc > 0; argc -= 2, argv += 2) {
		int i;

		for (i = 0; i < nkv && strcmp(argv[0], kv[i].key); i++)
			;
		if (i == nkv)
			return hexoctl_usage_err("netswap", "%s: unexpected '%s'", verb, argv[0]);
		if (argc < 2)
			return hexoctl_usage_err("netswap", "%s: '%s' needs a value", verb, argv[0]);
		kv[i].val = argv[1];
	}
	return 0;
}

int netswap_seconds(const char *verb, const char *what, const char *s, uint32_t lo,
		    uint32_t hi, uint32_t *ms)
{
	uint32_t v;

	if (parse_u32(s, hi, &v) || v < lo)
		return hexoctl_usage_err("netswap", "%s: %s must be %u to %u seconds", verb, what,
					 lo, hi);
	*ms = v * 1000;
	return 0;
}

/* The key in file path, or a usage error that says what is wrong. */
int netswap_key(const char *verb, const char *path, uint8_t key[HEXO_KEY_LEN])
{
	int ret = read_key_file(path, key);

	if (ret == -EINVAL)
		return hexoctl_usage_err("netswap", "%s: %s holds no key: one line of base64, "
					 "as 'hexoctl netswap genkey' writes", verb, path);
	if (ret)
		return hexoctl_usage_err("netswap", "%s: key %s: %s", verb, path, strerror(-ret));
	return 0;
}

static int netswap_genkey(int argc, char **argv)
{
	uint8_t key[HEXO_KEY_LEN];
	char b64[48];

	if (argc)
		return hexoctl_usage_err("netswap", "genkey takes no arguments");
	if (getrandom(key, sizeof(key), 0) != sizeof(key)) {
		hexoctl_err("netswap genkey: getrandom: %s", strerror(errno));
		return HEXOCTL_EFAIL;
	}
	fmt_key(key, b64);
	printf("%s\n", b64);
	memset(key, 0, sizeof(key));
	return 0;
}

static int netswap_attach(int argc, char **argv)
{
	struct kv kv[] = { { "dev", NULL }, { "server", NULL }, { "size", NULL },
			   { "timeout", NULL }, { "connect", NULL }, { "window", NULL },
			   { "key", NULL }, { "hold", NULL }, { "mirror", NULL },
			   { "failover", NULL }, { "resync-rate", NULL } };
	uint32_t timeout_ms = 0, connect_ms = 0, window = 0, hold_ms = 0, failover_ms = 0;
	uint32_t rate = 0;
	uint8_t mac[6], mirror[6], key[HEXO_KEY_LEN];
	struct nl_msg *msg;
	struct hxnl nl;
	uint64_t size;
	int ret;

	ret = netswap_kv("attach", argc, argv, kv, 11);
	if (ret)
		return ret;
	if (!kv[0].val || !kv[1].val || !kv[2].val)
		return hexoctl_usage_err("netswap", "attach needs 'dev IFNAME server MAC size SIZE'");
	if (parse_mac(kv[1].val, mac))
		return hexoctl_usage_err("netswap", "attach: '%s' is not a MAC address", kv[1].val);
	if (parse_size(kv[2].val, &size) || size % HEXO_PAGE_SIZE || size < NETSWAP_MIN_SIZE ||
	    size > NETSWAP_MAX_SIZE)
		return hexoctl_usage_err("netswap", "attach: size '%s' must be a multiple of 4K, "
					 "at least 1M and at most 1T", kv[2].val);
	if (kv[3].val && netswap_seconds("attach", "timeout", kv[3].val,
					 NETSWAP_MIN_TIMEOUT_MS / 1000,
					 NETSWAP_MAX_TIMEOUT_MS / 1000, &timeout_ms))
		return HEXOCTL_EUSAGE;
	/* In whole seconds: the first one at or above the kernel's minimum. */
	if (kv[4].val && netswap_seconds("attach", "connect", kv[4].val,
					 (NETSWAP_MIN_CONNECT_MS + 999) / 1000,
					 NETSWAP_MAX_CONNECT_MS / 1000, &connect_ms))
		return HEXOCTL_EUSAGE;
	if (kv[5].val && (parse_u32(kv[5].val, NETSWAP_MAX_WINDOW, &window) || !window))
		return hexoctl_usage_err("netswap", "attach: window must be 1 to %u pages",
					 NETSWAP_MAX_WINDOW);
	if (kv[7].val && netswap_seconds("attach", "hold", kv[7].val, 0,
					 NETSWAP_MAX_HOLD_MS / 1000, &hold_ms))
		return HEXOCTL_EUSAGE;
	if (kv[8].val && parse_mac(kv[8].val, mirror))
		return hexoctl_usage_err("netswap", "attach: mirror '%s' is not a MAC address",
					 kv[8].val);
	if (kv[8].val && !memcmp(mirror, mac, 6))
		return hexoctl_usage_err("netswap", "attach: the mirror must be another server "
					 "than the server");
	if ((kv[9].val || kv[10].val) && !kv[8].val)
		return hexoctl_usage_err("netswap", "attach: failover and resync-rate are for "
					 "mirrored devices (mirror MAC)");
	if (kv[9].val && (parse_u32(kv[9].val, NETSWAP_MAX_FAILOVER_MS, &failover_ms) ||
			  failover_ms < NETSWAP_MIN_FAILOVER_MS))
		return hexoctl_usage_err("netswap", "attach: failover must be %u to %u ms",
					 NETSWAP_MIN_FAILOVER_MS, NETSWAP_MAX_FAILOVER_MS);
	if (kv[10].val && parse_u32(kv[10].val, NETSWAP_MAX_RESYNC_RATE, &rate))
		return hexoctl_usage_err("netswap", "attach: resync-rate must be 0 (no bound) to "
					 "%u pages a second", NETSWAP_MAX_RESYNC_RATE);
	if (kv[6].val && netswap_key("attach", kv[6].val, key))
		return HEXOCTL_EUSAGE;

	if (hexoctl_open(&nl, NETSWAP_GENL_NAME, "netswap"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_CMD_ATTACH, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, NETSWAP_A_IFNAME, kv[0].val);
	nla_put(msg, NETSWAP_A_SERVER_MAC, 6, mac);
	nla_put_u64(msg, NETSWAP_A_SIZE, size);
	if (timeout_ms)
		nla_put_u32(msg, NETSWAP_A_TIMEOUT_MS, timeout_ms);
	if (connect_ms)
		nla_put_u32(msg, NETSWAP_A_CONNECT_MS, connect_ms);
	if (window)
		nla_put_u32(msg, NETSWAP_A_WINDOW, window);
	if (kv[6].val)
		nla_put(msg, NETSWAP_A_KEY, HEXO_KEY_LEN, key);
	if (kv[7].val)
		nla_put_u32(msg, NETSWAP_A_HOLD_MS, hold_ms);
	if (kv[8].val)
		nla_put(msg, NETSWAP_A_MIRROR_MAC, 6, mirror);
	if (kv[9].val)
		nla_put_u32(msg, NETSWAP_A_FAILOVER_MS, failover_ms);
	if (kv[10].val)
		nla_put_u32(msg, NETSWAP_A_RESYNC_RATE, rate);
	memset(key, 0, sizeof(key));
	ret = hxnl_call(&nl, msg, NETSWAP_A_MAX, netswap_dev_cb, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "netswap attach", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int netswap_detach(int argc, char **argv)
{
	struct nl_msg *msg;
	struct hxnl nl;
	uint32_t index;
	int ret;

	if (argc != 1 || netswap_parse_dev(argv[0], &index))
		return hexoctl_usage_err("netswap", "detach takes one device (netswapN, or N)");
	if (hexoctl_open(&nl, NETSWAP_GENL_NAME, "netswap"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_CMD_DETACH, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_u32(msg, NETSWAP_A_DEV_INDEX, index);
	ret = hxnl_call(&nl, msg, NETSWAP_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "netswap detach", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int netswap_replace(int argc, char **argv)
{
	struct kv kv[] = { { "old", NULL }, { "new", NULL }, { "connect", NULL },
			   { "resync-rate", NULL } };
	uint8_t old[6], new[6];
	uint32_t index, connect_ms = 0, rate = 0;
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	if (argc < 1 || netswap_parse_dev(argv[0], &index))
		return hexoctl_usage_err("netswap", "replace takes a device (netswapN, or N) first");
	ret = netswap_kv("replace", argc - 1, argv + 1, kv, 4);
	if (ret)
		return ret;
	if (!kv[0].val || !kv[1].val)
		return hexoctl_usage_err("netswap", "replace needs 'old MAC new MAC'");
	if (parse_mac(kv[0].val, old))
		return hexoctl_usage_err("netswap", "replace: old '%s' is not a MAC address",
					 kv[0].val);
	if (parse_mac(kv[1].val, new))
		return hexoctl_usage_err("netswap", "replace: new '%s' is not a MAC address",
					 kv[1].val);
	if (kv[2].val && netswap_seconds("replace", "connect", kv[2].val,
					 (NETSWAP_MIN_CONNECT_MS + 999) / 1000,
					 NETSWAP_MAX_CONNECT_MS / 1000, &connect_ms))
		return HEXOCTL_EUSAGE;
	if (kv[3].val && parse_u32(kv[3].val, NETSWAP_MAX_RESYNC_RATE, &rate))
		return hexoctl_usage_err("netswap", "replace: resync-rate must be 0 (no bound) to "
					 "%u pages a second", NETSWAP_MAX_RESYNC_RATE);

	if (hexoctl_open(&nl, NETSWAP_GENL_NAME, "netswap"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_CMD_REPLACE, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_u32(msg, NETSWAP_A_DEV_INDEX, index);
	nla_put(msg, NETSWAP_A_SERVER_MAC, 6, old);
	nla_put(msg, NETSWAP_A_NEW_SERVER_MAC, 6, new);
	if (connect_ms)
		nla_put_u32(msg, NETSWAP_A_CONNECT_MS, connect_ms);
	if (kv[3].val)
		nla_put_u32(msg, NETSWAP_A_RESYNC_RATE, rate);
	ret = hxnl_call(&nl, msg, NETSWAP_A_MAX, netswap_dev_cb, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "netswap replace", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

/* ------------------------------------------------------------ events */

static int netswap_event_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	static const char *const ev[] = {
		[NETSWAP_EV_UP] = "up", [NETSWAP_EV_DOWN] = "down", [NETSWAP_EV_BACK] = "back",
		[NETSWAP_EV_RESTARTED] = "restarted", [NETSWAP_EV_GONE] = "gone",
		[NETSWAP_EV_DEGRADED] = "degraded", [NETSWAP_EV_RESYNCING] = "resyncing",
		[NETSWAP_EV_HEALTHY] = "healthy",
	};
	uint32_t e = nla_u32_or0(tb[NETSWAP_A_EVENT]);
	char mac[18] = "?";

	if (tb[NETSWAP_A_SERVER_MAC] && nla_len(tb[NETSWAP_A_SERVER_MAC]) == 6)
		fmt_mac(nla_data(tb[NETSWAP_A_SERVER_MAC]), mac, sizeof(mac));
	out_obj_begin(NULL);
	out_str("event", "%s", e <= NETSWAP_EV_HEALTHY && ev[e] ? ev[e] : "?");
	out_u64("index", " netswap%llu", nla_u32_or0(tb[NETSWAP_A_DEV_INDEX]));
	out_str("server", " server %s", mac);
	if (tb[NETSWAP_A_MIRROR])
		out_str("mirror", " mirror %s", netswap_mirror_name(nla_get_u32(tb[NETSWAP_A_MIRROR])));
	netswap_out_session(tb[NETSWAP_A_SESSION], "\n");
	out_obj_end();
	fflush(stdout);
	return 0;
}

static int netswap_monitor(int argc, char **argv)
{
	static const char *const fam[2][2] = {
		{ NETSWAP_GENL_NAME, NETSWAP_MCGRP_EVENTS },
		{ NETSWAP_SERVER_GENL_NAME, NETSWAP_SERVER_MCGRP_EVENTS },
	};
	struct hxnl nl[2];
	struct pollfd pfd[2];
	int n = 0, ret, err = 0;
	bool loaded;

	if (argc)
		return hexoctl_usage_err("netswap", "monitor takes no argument");
	/* Whichever sides are loaded here; loading none. */
	for (int i = 0; i < 2; i++) {
		if (hxnl_family_registered(fam[i][0], &loaded) || !loaded ||
		    hxnl_open(&nl[n], fam[i][0]))
			continue;
		ret = hxnl_subscribe(&nl[n], fam[i][1]);
		if (!ret) {
			n++;
		} else {
			err = ret;
			hxnl_close(&nl[n]);
		}
	}
	if (!n && err) {
		/* The event groups are CAP_NET_ADMIN's: events carry session IDs. */
		hexoctl_err("netswap monitor: cannot listen to events: %s%s", strerror(-err),
			    err == -EPERM ? " (it needs CAP_NET_ADMIN)" : "");
		return HEXOCTL_EFAIL;
	}
	if (!n) {
		hexoctl_err("netswap monitor: neither netswap nor netswap_server is loaded");
		return HEXOCTL_EFAIL;
	}
	for (int i = 0; i < n; i++)
		pfd[i] = (struct pollfd){ .fd = nl_socket_get_fd(nl[i].sk), .events = POLLIN };
	for (;;) {
		if (poll(pfd, n, -1) < 0)
			break;
		for (int i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			ret = strcmp(nl[i].name, NETSWAP_GENL_NAME) ?
				hxnl_recv(&nl[i], NETSWAP_SRV_A_MAX, netswap_server_event_cb, NULL) :
				hxnl_recv(&nl[i], NETSWAP_A_MAX, netswap_event_cb, NULL);
			if (ret)
				return HEXOCTL_EFAIL;
		}
	}
	return 0;
}

static const struct hexoctl_verb netswap_verbs[] = {
	{ "show", netswap_show },
	{ "list", netswap_show },
	{ "attach", netswap_attach },
	{ "detach", netswap_detach },
	{ "replace", netswap_replace },
	{ "serve", netswap_serve },
	{ "unserve", netswap_unserve },
	{ "boards", netswap_boards },
	{ "monitor", netswap_monitor },
	{ "genkey", netswap_genkey },
	{}
};

int do_netswap(int argc, char **argv)
{
	return hexoctl_dispatch("netswap", netswap_verbs, netswap_usage, argc, argv);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl link: hexo_link's ports (the interfaces HEXO uses) and their
 * counters, including the frames its header checks dropped; and echo, the
 * link's round trip measured in the kernel at both ends.
 */
#include <errno.h>
#include <string.h>
#include <hexo/hexo_link.h>
#include <hexo/wire.h>

#include "hexoctl.h"
#include "modules.h"
#include "out.h"
#include "parse.h"

static void link_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl link show\n"
		"       hexoctl link set dev IFNAME echo { on | off }\n"
		"       hexoctl link echo MAC dev IFNAME [ count N ] [ size BYTES | page ]\n"
		"                         [ timeout MS ]\n"
		"\n"
		"  show    hexo_link's version and its ports: the interfaces HEXO frames\n"
		"          (EtherType 0x88b5) use, with frame counters and drops by reason\n"
		"  set     echo on: answer echoes on IFNAME, in the kernel (off by default)\n"
		"  echo    the link's round trip to MAC, measured in the kernel at both ends:\n"
		"          N echoes (1), one at a time, each of BYTES data (0) or answered\n"
		"          with a page as a swap-in is (page); each waits MS for its answer\n"
		"          (1000). MAC answers where its echo is on\n");
}

static int link_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[HEXO_LINK_A_VERSION] || !tb[HEXO_LINK_A_NPORTS])
		return -EPROTO;
	out_str("version", "%s", nla_get_string(tb[HEXO_LINK_A_VERSION]));
	out_u64("wire_version", "  wire v%llu", tb[HEXO_LINK_A_WIRE_VERSION] ?
		nla_get_u32(tb[HEXO_LINK_A_WIRE_VERSION]) : 0);
	out_u64("ethertype", NULL, tb[HEXO_LINK_A_ETHERTYPE] ?
		nla_get_u32(tb[HEXO_LINK_A_ETHERTYPE]) : 0);
	out_u64("nports", "  ports %llu", nla_get_u32(tb[HEXO_LINK_A_NPORTS]));
	out_bool("reserves", "  receive reserves %s\n",
		 tb[HEXO_LINK_A_RESERVES] && nla_get_u32(tb[HEXO_LINK_A_RESERVES]));
	return 0;
}

int link_info(struct hxnl *nl)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_LINK_CMD_GET_INFO, false);

	if (!msg)
		return -ENOMEM;
	return hxnl_call(nl, msg, HEXO_LINK_A_MAX, link_info_cb, NULL);
}

static int link_port_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	static const struct {
		int attr;
		const char *key, *fmt;
	} st[] = {
		{ HEXO_LINK_STAT_RX_FRAMES, "rx_frames", "    rx %llu frames" },
		{ HEXO_LINK_STAT_RX_BYTES, "rx_bytes", " %llu bytes" },
		{ HEXO_LINK_STAT_RX_PFMEMALLOC, "rx_pfmemalloc", " (%llu from reserves)" },
		{ HEXO_LINK_STAT_TX_FRAMES, "tx_frames", "  tx %llu frames" },
		{ HEXO_LINK_STAT_TX_BYTES, "tx_bytes", " %llu bytes" },
		{ HEXO_LINK_STAT_TX_ERRORS, "tx_errors", " %llu errors\n" },
		{ HEXO_LINK_STAT_RX_RUNT, "rx_runt", "    dropped: runt %llu" },
		{ HEXO_LINK_STAT_RX_BAD_VERSION, "rx_bad_version", " version %llu" },
		{ HEXO_LINK_STAT_RX_BAD_HDR_LEN, "rx_bad_hdr_len", " hdr-len %llu" },
		{ HEXO_LINK_STAT_RX_BAD_DATA_LEN, "rx_bad_data_len", " data-len %llu" },
		{ HEXO_LINK_STAT_RX_BAD_HDR_CRC, "rx_bad_hdr_crc", " hdr-crc %llu" },
		{ HEXO_LINK_STAT_RX_BAD_SERVICE, "rx_bad_service", " service %llu" },
		{ HEXO_LINK_STAT_RX_NO_SERVICE, "rx_no_service", " not-served %llu" },
		{ HEXO_LINK_STAT_RX_NO_CHAN, "rx_no_chan", " no-channel %llu" },
		{ HEXO_LINK_STAT_RX_BAD_AUTH, "rx_bad_auth", " bad-mac %llu" },
		{ HEXO_LINK_STAT_RX_REPLAY, "rx_replay", " replayed %llu\n" },
	};
	struct nlattr *stb[HEXO_LINK_STAT_MAX + 1] = {};

	if (!tb[HEXO_LINK_A_PORT_IFNAME] || !tb[HEXO_LINK_A_PORT_STATS] ||
	    nla_parse_nested(stb, HEXO_LINK_STAT_MAX, tb[HEXO_LINK_A_PORT_STATS], NULL))
		return -EPROTO;
	out_obj_begin(NULL);
	out_str("dev", "%s:", nla_get_string(tb[HEXO_LINK_A_PORT_IFNAME]));
	out_u64("mtu", " mtu %llu", tb[HEXO_LINK_A_PORT_MTU] ?
		nla_get_u32(tb[HEXO_LINK_A_PORT_MTU]) : 0);
	out_u64("channels", " channels %llu", tb[HEXO_LINK_A_PORT_NCHANS] ?
		nla_get_u32(tb[HEXO_LINK_A_PORT_NCHANS]) : 0);
	out_u64("services", " services %llu", tb[HEXO_LINK_A_PORT_NSRVS] ?
		nla_get_u32(tb[HEXO_LINK_A_PORT_NSRVS]) : 0);
	out_bool("echo", " echo %s\n", tb[HEXO_LINK_A_PORT_ECHO] &&
		 nla_get_u8(tb[HEXO_LINK_A_PORT_ECHO]));
	out_obj_begin("stats");
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		out_u64(st[i].key, st[i].fmt, stb[st[i].attr] ? nla_get_u64(stb[st[i].attr]) : 0);
	out_obj_end();
	out_obj_end();
	return 0;
}

static int link_show(int argc, char **argv)
{
	struct nl_msg *msg;
	bool loaded;
	struct hxnl nl;
	int ret;

	if (argc)
		return hexoctl_usage_err("link", "show takes no argument");
	if (hexoctl_open_loaded(&nl, HEXO_LINK_GENL_NAME, "hexo_link", &loaded))
		return HEXOCTL_EFAIL;
	if (!loaded) {
		out_obj_begin(NULL);
		out_text("hexo_link: not loaded (netswap and netswap_server load it)\n");
		out_obj_end();
		return 0;
	}
	out_obj_begin(NULL);
	out_text("hexo_link ");
	ret = link_info(&nl);
	if (!ret) {
		out_arr_begin("ports");
		msg = hxnl_msg(&nl, HEXO_LINK_CMD_GET_PORT, true);
		ret = msg ? hxnl_call(&nl, msg, HEXO_LINK_A_MAX, link_port_cb, NULL) : -ENOMEM;
		out_arr_end();
	}
	out_obj_end();
	if (ret)
		hexoctl_nl_fail(&nl, "link show", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int link_set(int argc, char **argv)
{
	const char *dev = NULL, *echo = NULL;
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return hexoctl_usage_err("link", "set: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "dev"))
			dev = argv[i + 1];
		else if (!strcmp(argv[i], "echo"))
			echo = argv[i + 1];
		else
			return hexoctl_usage_err("link", "set: unexpected '%s'", argv[i]);
	}
	if (!dev || !echo)
		return hexoctl_usage_err("link", "set needs 'dev IFNAME echo on|off'");
	if (strcmp(echo, "on") && strcmp(echo, "off"))
		return hexoctl_usage_err("link", "set: echo is on or off, not '%s'", echo);
	if (hexoctl_open(&nl, HEXO_LINK_GENL_NAME, "hexo_link"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, HEXO_LINK_CMD_SET_PORT, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, HEXO_LINK_A_PORT_IFNAME, dev);
	nla_put_u8(msg, HEXO_LINK_A_PORT_ECHO, !strcmp(echo, "on"));
	ret = hxnl_call(&nl, msg, HEXO_LINK_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "link set", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

static void link_out_ms(const char *key, const char *fmt, struct nlattr *a)
{
	char text[32];

	if (out_json()) {
		out_u64(key, NULL, nla_u64_or0(a));
		return;
	}
	snprintf(text, sizeof(text), "%.3f", nla_u64_or0(a) / 1e6);
	out_str(key, fmt, text);
}

static int link_echo_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint32_t *answered = arg;

	if (!tb[HEXO_LINK_A_ECHO_SENT] || !tb[HEXO_LINK_A_ECHO_ANSWERED])
		return -EPROTO;
	answered[0] = nla_get_u32(tb[HEXO_LINK_A_ECHO_ANSWERED]);
	answered[1] = nla_u32_or0(tb[HEXO_LINK_A_ECHO_BAD]);
	out_u64("frag", " (%llu data bytes a frame)\n", nla_u32_or0(tb[HEXO_LINK_A_ECHO_FRAG]));
	out_u64("sent", "%llu sent", nla_get_u32(tb[HEXO_LINK_A_ECHO_SENT]));
	out_u64("answered", ", %llu answered", answered[0]);
	out_u64("bad", ", %llu bad\n", answered[1]);
	if (!answered[0])
		return 0;
	link_out_ms("rtt_min_ns", "rtt min/median/p99/max %s", tb[HEXO_LINK_A_ECHO_RTT_MIN]);
	link_out_ms("rtt_median_ns", "/%s", tb[HEXO_LINK_A_ECHO_RTT_MEDIAN]);
	link_out_ms("rtt_p99_ns", "/%s", tb[HEXO_LINK_A_ECHO_RTT_P99]);
	link_out_ms("rtt_max_ns", "/%s ms\n", tb[HEXO_LINK_A_ECHO_RTT_MAX]);
	return 0;
}

static int link_echo(int argc, char **argv)
{
	uint32_t count = 1, size = 0, timeout = HEXO_LINK_ECHO_TIMEOUT_MS, res[2] = {};
	const char *dev = NULL;
	bool page = false, sized = false;
	struct nl_msg *msg;
	uint8_t mac[6];
	struct hxnl nl;
	int ret;

	if (argc < 1 || parse_mac(argv[0], mac))
		return hexoctl_usage_err("link", "echo needs the peer's MAC address first");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "page")) {
			page = true;
			continue;
		}
		if (i + 1 >= argc)
			return hexoctl_usage_err("link", "echo: '%s' needs a value", argv[i]);
		if (!strcmp(argv[i], "dev")) {
			dev = argv[++i];
		} else if (!strcmp(argv[i], "count")) {
			if (parse_u32(argv[++i], HEXO_LINK_ECHO_MAX_COUNT, &count) || !count)
				return hexoctl_usage_err("link", "echo: count must be 1 to %u",
							 HEXO_LINK_ECHO_MAX_COUNT);
		} else if (!strcmp(argv[i], "size")) {
			if (parse_u32(argv[++i], HEXO_PAGE_SIZE, &size))
				return hexoctl_usage_err("link", "echo: size must be 0 to %u bytes "
							 "(at most what a frame carries)",
							 HEXO_PAGE_SIZE);
			sized = true;
		} else if (!strcmp(argv[i], "timeout")) {
			if (parse_u32(argv[++i], HEXO_LINK_ECHO_MAX_TIMEOUT_MS, &timeout) ||
			    !timeout)
				return hexoctl_usage_err("link", "echo: timeout must be 1 to %u ms",
							 HEXO_LINK_ECHO_MAX_TIMEOUT_MS);
		} else {
			return hexoctl_usage_err("link", "echo: unexpected '%s'", argv[i]);
		}
	}
	if (!dev)
		return hexoctl_usage_err("link", "echo needs 'dev IFNAME', the interface to MAC");
	if (page && sized)
		return hexoctl_usage_err("link", "echo: size or page, not both (a page echo's "
					 "request carries no data)");

	if (hexoctl_open(&nl, HEXO_LINK_GENL_NAME, "hexo_link"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, HEXO_LINK_CMD_ECHO, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, HEXO_LINK_A_PORT_IFNAME, dev);
	nla_put(msg, HEXO_LINK_A_ECHO_PEER, 6, mac);
	nla_put_u32(msg, HEXO_LINK_A_ECHO_COUNT, count);
	nla_put_u32(msg, HEXO_LINK_A_ECHO_TIMEOUT_MS, timeout);
	if (page)
		nla_put_flag(msg, HEXO_LINK_A_ECHO_PAGE);
	else
		nla_put_u32(msg, HEXO_LINK_A_ECHO_SIZE, size);
	out_obj_begin(NULL);
	out_str("peer", "echo %s", argv[0]);
	out_str("dev", " dev %s", dev);
	out_bool("page", NULL, page);
	if (page)
		out_text(": a page in answer");
	else
		out_u64("size", ": %llu bytes each way", size);
	ret = hxnl_call(&nl, msg, HEXO_LINK_A_MAX, link_echo_cb, res);
	out_obj_end();
	if (ret)
		hexoctl_nl_fail(&nl, "link echo", ret);
	hxnl_close(&nl);
	if (ret)
		return HEXOCTL_EFAIL;
	if (res[1]) {
		hexoctl_err("link echo: %u answers failed their check (damaged, or refused: "
			    "a page in more frames than %s's peer carries?)", res[1], dev);
		return HEXOCTL_EFAIL;
	}
	if (!res[0]) {
		hexoctl_err("link echo: no answer from %s: is its echo on (hexoctl link set dev "
			    "IFNAME echo on, there), on this link?", argv[0]);
		return HEXOCTL_EFAIL;
	}
	return 0;
}

static const struct hexoctl_verb link_verbs[] = {
	{ "show", link_show },
	{ "set", link_set },
	{ "echo", link_echo },
	{ "list", link_show },
	{}
};

int do_link(int argc, char **argv)
{
	return hexoctl_dispatch("link", link_verbs, link_usage, argc, argv);
}

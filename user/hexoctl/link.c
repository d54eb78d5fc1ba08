// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl link: hexo_link's ports (the interfaces HEXO uses) and their
 * counters, including the frames its header checks dropped.
 */
#include <errno.h>
#include <hexo/hexo_link.h>

#include "hexoctl.h"
#include "modules.h"
#include "out.h"

static void link_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl link show\n"
		"\n"
		"  show    hexo_link's version and its ports: the interfaces HEXO frames\n"
		"          (EtherType 0x88b5) use, with frame counters and drops by reason\n");
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
	out_u64("services", " services %llu\n", tb[HEXO_LINK_A_PORT_NSRVS] ?
		nla_get_u32(tb[HEXO_LINK_A_PORT_NSRVS]) : 0);
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

static const struct hexoctl_verb link_verbs[] = {
	{ "show", link_show },
	{ "list", link_show },
	{}
};

int do_link(int argc, char **argv)
{
	return hexoctl_dispatch("link", link_verbs, link_usage, argc, argv);
}

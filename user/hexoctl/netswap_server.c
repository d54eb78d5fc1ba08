// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl netswap, the server side: netswap_server.ko serving this machine's
 * RAM to boards (serve, unserve), and the boards it serves (boards, show).
 */
#include <errno.h>
#include <hexo/netswap_server.h>
#include <hexo/wire.h>

#include "hexoctl.h"
#include "modules.h"
#include "netswap.h"
#include "out.h"
#include "parse.h"

static int netswap_server_info_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[NETSWAP_SRV_A_VERSION] || !tb[NETSWAP_SRV_A_NSERVES])
		return -EPROTO;
	out_str("version", "%s", nla_get_string(tb[NETSWAP_SRV_A_VERSION]));
	out_u64("nserves", "  serving on %llu interfaces\n", nla_get_u32(tb[NETSWAP_SRV_A_NSERVES]));
	return 0;
}

int netswap_server_info(struct hxnl *nl)
{
	struct nl_msg *msg = hxnl_msg(nl, NETSWAP_SRV_CMD_GET_INFO, false);

	if (!msg)
		return -ENOMEM;
	return hxnl_call(nl, msg, NETSWAP_SRV_A_MAX, netswap_server_info_cb, NULL);
}

static int netswap_serve_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	char b1[32], b2[32], b3[32], b4[32];

	if (!tb[NETSWAP_SRV_A_IFNAME] || !tb[NETSWAP_SRV_A_SIZE])
		return -EPROTO;
	out_obj_begin(NULL);
	out_str("dev", "serving %s:", nla_get_string(tb[NETSWAP_SRV_A_IFNAME]));
	out_u64("size", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_SIZE]));
	out_u64("board_size", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_BOARD_SIZE]));
	out_u64("reserved", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_RESERVED]));
	out_u64("stored", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_STORED]));
	out_text(" size %s board-size %s reserved %s stored %s",
		 fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_SIZE]), b1, sizeof(b1)),
		 fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_BOARD_SIZE]), b2, sizeof(b2)),
		 fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_RESERVED]), b3, sizeof(b3)),
		 fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_STORED]), b4, sizeof(b4)));
	out_u64("boards", " boards %llu", nla_u32_or0(tb[NETSWAP_SRV_A_NBOARDS]));
	out_u64("expire_ms", " expire %llums", nla_u32_or0(tb[NETSWAP_SRV_A_EXPIRE_MS]));
	out_u64("max_boards", " max-boards %llu", nla_u32_or0(tb[NETSWAP_SRV_A_MAX_BOARDS]));
	out_bool("keyed", " keyed %s", tb[NETSWAP_SRV_A_KEYED] && nla_get_u8(tb[NETSWAP_SRV_A_KEYED]));
	out_u64("epoch", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_EPOCH]));
	out_text(" epoch %016llx\n", (unsigned long long)nla_u64_or0(tb[NETSWAP_SRV_A_EPOCH]));
	out_obj_end();
	return 0;
}

static int netswap_board_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	static const struct {
		int attr;
		const char *key, *fmt;
	} st[] = {
		{ NETSWAP_SRV_STAT_READS, "reads", "    reads %llu" },
		{ NETSWAP_SRV_STAT_WRITES, "writes", " writes %llu" },
		{ NETSWAP_SRV_STAT_DISCARDS, "discards", " discards %llu" },
		{ NETSWAP_SRV_STAT_FLUSHES, "flushes", " flushes %llu" },
		{ NETSWAP_SRV_STAT_CSUM_ERRORS, "csum_errors", " csum-errors %llu" },
		{ NETSWAP_SRV_STAT_BUSY, "busy", " busy %llu" },
		{ NETSWAP_SRV_STAT_STALE, "stale", " stale %llu\n" },
	};
	struct nlattr *stb[NETSWAP_SRV_STAT_MAX + 1] = {};
	char mac[18], b1[32], b2[32];

	if (!tb[NETSWAP_SRV_A_MAC] || nla_len(tb[NETSWAP_SRV_A_MAC]) != 6)
		return -EPROTO;
	out_obj_begin(NULL);
	out_str("mac", "board %s", fmt_mac(nla_data(tb[NETSWAP_SRV_A_MAC]), mac, sizeof(mac)));
	out_str("name", " name %s", tb[NETSWAP_SRV_A_NAME] ?
		nla_get_string(tb[NETSWAP_SRV_A_NAME]) : "");
	out_str("dev", " dev %s", tb[NETSWAP_SRV_A_IFNAME] ?
		nla_get_string(tb[NETSWAP_SRV_A_IFNAME]) : "?");
	netswap_out_session(tb[NETSWAP_SRV_A_SESSION], "");
	out_u64("size", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_SIZE]));
	out_u64("stored", NULL, nla_u64_or0(tb[NETSWAP_SRV_A_STORED]));
	out_text(" size %s stored %s", fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_SIZE]), b1, sizeof(b1)),
		 fmt_size(nla_u64_or0(tb[NETSWAP_SRV_A_STORED]), b2, sizeof(b2)));
	out_u64("idle_ms", " idle %llums\n", nla_u64_or0(tb[NETSWAP_SRV_A_IDLE_MS]));
	if (tb[NETSWAP_SRV_A_STATS] &&
	    !nla_parse_nested(stb, NETSWAP_SRV_STAT_MAX, tb[NETSWAP_SRV_A_STATS], NULL)) {
		out_obj_begin("stats");
		for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
			out_u64(st[i].key, st[i].fmt, nla_u64_or0(stb[st[i].attr]));
		out_obj_end();
	}
	out_obj_end();
	return 0;
}

int netswap_server_show(void)
{
	struct nl_msg *msg;
	struct hxnl nl;
	bool loaded;
	int ret;

	if (hexoctl_open_loaded(&nl, NETSWAP_SERVER_GENL_NAME, "netswap_server", &loaded))
		return HEXOCTL_EFAIL;
	if (!loaded)
		return 0;
	out_obj_begin("server");
	out_text("netswap_server ");
	ret = netswap_server_info(&nl);
	if (!ret) {
		out_arr_begin("serves");
		msg = hxnl_msg(&nl, NETSWAP_SRV_CMD_GET_SERVE, true);
		ret = msg ? hxnl_call(&nl, msg, NETSWAP_SRV_A_MAX, netswap_serve_cb, NULL) :
			    -ENOMEM;
		out_arr_end();
	}
	if (!ret) {
		out_arr_begin("boards");
		msg = hxnl_msg(&nl, NETSWAP_SRV_CMD_GET_BOARD, true);
		ret = msg ? hxnl_call(&nl, msg, NETSWAP_SRV_A_MAX, netswap_board_cb, NULL) :
			    -ENOMEM;
		out_arr_end();
	}
	out_obj_end();
	if (ret)
		hexoctl_nl_fail(&nl, "netswap show (server side)", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

int netswap_serve(int argc, char **argv)
{
	struct kv kv[] = { { "dev", NULL }, { "size", NULL }, { "board-size", NULL },
			   { "expire", NULL }, { "max-boards", NULL }, { "key", NULL } };
	uint64_t size, board_size = 0;
	uint32_t expire_ms = 0, max_boards = 0;
	uint8_t key[HEXO_KEY_LEN];
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	ret = netswap_kv("serve", argc, argv, kv, 6);
	if (ret)
		return ret;
	if (!kv[0].val || !kv[1].val)
		return hexoctl_usage_err("netswap", "serve needs 'dev IFNAME size SIZE'");
	if (parse_size(kv[1].val, &size) || size % HEXO_PAGE_SIZE || size < NETSWAP_SRV_MIN_SIZE)
		return hexoctl_usage_err("netswap", "serve: size '%s' must be a multiple of 4K, "
					 "at least 1M", kv[1].val);
	if (kv[2].val && (parse_size(kv[2].val, &board_size) || board_size % HEXO_PAGE_SIZE ||
			  board_size < NETSWAP_SRV_MIN_SIZE || board_size > size))
		return hexoctl_usage_err("netswap", "serve: board-size must be a multiple of 4K, "
					 "at least 1M and at most size");
	if (kv[3].val && netswap_seconds("serve", "expire", kv[3].val,
					 NETSWAP_SRV_MIN_EXPIRE_MS / 1000,
					 NETSWAP_SRV_MAX_EXPIRE_MS / 1000, &expire_ms))
		return HEXOCTL_EUSAGE;
	if (kv[4].val && (parse_u32(kv[4].val, NETSWAP_SRV_MAX_MAX_BOARDS, &max_boards) ||
			  !max_boards))
		return hexoctl_usage_err("netswap", "serve: max-boards must be 1 to %u",
					 NETSWAP_SRV_MAX_MAX_BOARDS);
	if (kv[5].val && netswap_key("serve", kv[5].val, key))
		return HEXOCTL_EUSAGE;

	if (hexoctl_open(&nl, NETSWAP_SERVER_GENL_NAME, "netswap_server"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_SRV_CMD_SERVE, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, NETSWAP_SRV_A_IFNAME, kv[0].val);
	nla_put_u64(msg, NETSWAP_SRV_A_SIZE, size);
	if (board_size)
		nla_put_u64(msg, NETSWAP_SRV_A_BOARD_SIZE, board_size);
	if (expire_ms)
		nla_put_u32(msg, NETSWAP_SRV_A_EXPIRE_MS, expire_ms);
	if (max_boards)
		nla_put_u32(msg, NETSWAP_SRV_A_MAX_BOARDS, max_boards);
	if (kv[5].val)
		nla_put(msg, NETSWAP_SRV_A_KEY, HEXO_KEY_LEN, key);
	memset(key, 0, sizeof(key));
	out_obj_begin(NULL);
	ret = hxnl_call(&nl, msg, NETSWAP_SRV_A_MAX, netswap_serve_cb, NULL);
	out_obj_end();
	if (ret)
		hexoctl_nl_fail(&nl, "netswap serve", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

int netswap_unserve(int argc, char **argv)
{
	struct kv kv[] = { { "dev", NULL } };
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	ret = netswap_kv("unserve", argc, argv, kv, 1);
	if (ret)
		return ret;
	if (!kv[0].val)
		return hexoctl_usage_err("netswap", "unserve needs 'dev IFNAME'");
	if (hexoctl_open(&nl, NETSWAP_SERVER_GENL_NAME, "netswap_server"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_SRV_CMD_UNSERVE, false);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	nla_put_string(msg, NETSWAP_SRV_A_IFNAME, kv[0].val);
	ret = hxnl_call(&nl, msg, NETSWAP_SRV_A_MAX, NULL, NULL);
	if (ret)
		hexoctl_nl_fail(&nl, "netswap unserve", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

int netswap_boards(int argc, char **argv)
{
	struct kv kv[] = { { "dev", NULL } };
	struct nl_msg *msg;
	struct hxnl nl;
	int ret;

	ret = netswap_kv("boards", argc, argv, kv, 1);
	if (ret)
		return ret;
	if (hexoctl_open(&nl, NETSWAP_SERVER_GENL_NAME, "netswap_server"))
		return HEXOCTL_EFAIL;
	msg = hxnl_msg(&nl, NETSWAP_SRV_CMD_GET_BOARD, true);
	if (!msg) {
		hxnl_close(&nl);
		return HEXOCTL_EFAIL;
	}
	if (kv[0].val)
		nla_put_string(msg, NETSWAP_SRV_A_IFNAME, kv[0].val);
	out_arr_begin(NULL);
	ret = hxnl_call(&nl, msg, NETSWAP_SRV_A_MAX, netswap_board_cb, NULL);
	out_arr_end();
	if (ret)
		hexoctl_nl_fail(&nl, "netswap boards", ret);
	hxnl_close(&nl);
	return ret ? HEXOCTL_EFAIL : 0;
}

int netswap_server_event_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	uint32_t e = nla_u32_or0(tb[NETSWAP_SRV_A_EVENT]);
	char mac[18] = "?";

	if (tb[NETSWAP_SRV_A_MAC] && nla_len(tb[NETSWAP_SRV_A_MAC]) == 6)
		fmt_mac(nla_data(tb[NETSWAP_SRV_A_MAC]), mac, sizeof(mac));
	out_obj_begin(NULL);
	out_str("event", "%s", e == NETSWAP_SRV_EV_BOARD_NEW ? "board-new" :
			       e == NETSWAP_SRV_EV_BOARD_GONE ? "board-gone" : "?");
	out_str("board", " board %s", mac);
	out_str("dev", " dev %s", tb[NETSWAP_SRV_A_IFNAME] ?
		nla_get_string(tb[NETSWAP_SRV_A_IFNAME]) : "?");
	netswap_out_session(tb[NETSWAP_SRV_A_SESSION], "\n");
	out_obj_end();
	fflush(stdout);
	return 0;
}

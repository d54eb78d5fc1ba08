// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl netswap: the board side (netswap.ko, /dev/netswapN).
 */
#include <errno.h>
#include <string.h>
#include <hexo/netswap.h>

#include "hexoctl.h"
#include "modules.h"
#include "out.h"
#include "parse.h"

static void netswap_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl netswap show [ DEVICE ]\n"
		"DEVICE := { netswapN | N }\n"
		"\n"
		"  show    the netswap module's version and its devices\n");
}

static int netswap_parse_dev(const char *s, uint32_t *index)
{
	if (!strncmp(s, "netswap", 7))
		s += 7;
	return parse_u32(s, NETSWAP_MAX_DEVS - 1, index);
}

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

static int netswap_dev_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	if (!tb[NETSWAP_A_DEV_INDEX])
		return -EPROTO;
	out_obj_begin(NULL);
	out_u64("index", "netswap%llu\n", nla_get_u32(tb[NETSWAP_A_DEV_INDEX]));
	out_obj_end();
	return 0;
}

static int netswap_show(int argc, char **argv)
{
	bool one = false;
	struct nl_msg *msg;
	struct hxnl nl;
	uint32_t index;
	int ret;

	if (argc > 0) {
		if (argc > 1 || netswap_parse_dev(argv[0], &index))
			return hexoctl_usage_err("netswap", "'%s' is not a netswap device "
						 "(netswapN, or N)", argv[0]);
		one = true;
	}
	if (hexoctl_open(&nl, NETSWAP_GENL_NAME, "netswap"))
		return HEXOCTL_EFAIL;

	out_obj_begin(NULL);
	out_text("netswap ");
	ret = netswap_info(&nl);
	if (ret)
		goto fail;
	out_arr_begin("devices");
	msg = hxnl_msg(&nl, NETSWAP_CMD_GET_DEV, !one);
	if (!msg) {
		ret = -ENOMEM;
		goto fail;
	}
	if (one)
		nla_put_u32(msg, NETSWAP_A_DEV_INDEX, index);
	ret = hxnl_call(&nl, msg, NETSWAP_A_MAX, netswap_dev_cb, NULL);
	if (ret)
		goto fail;
	out_arr_end();
	out_obj_end();
	hxnl_close(&nl);
	return 0;

fail:
	hexoctl_nl_fail(&nl, "netswap show", ret);
	hxnl_close(&nl);
	return HEXOCTL_EFAIL;
}

static const struct hexoctl_verb netswap_verbs[] = {
	{ "show", netswap_show },
	{ "list", netswap_show },
	{}
};

int do_netswap(int argc, char **argv)
{
	return hexoctl_dispatch("netswap", netswap_verbs, netswap_usage, argc, argv);
}

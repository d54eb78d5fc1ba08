// SPDX-License-Identifier: GPL-2.0
/*
 * The policy daemon's configuration (conf.h). One setting a line:
 *
 *	dev IFNAME
 *	board MAC cores N mem SIZE [swap SIZE]	(one line per board)
 *	profile PATH
 *	server cores N
 *	interval MS | timeout MS
 *	hold S | horizon S | reclaim-after S | min-gain CORES
 *	hexovm PATH | state PATH
 *	board-rates measured|profile
 *
 * '#' starts a comment. Anything else is an error naming its line.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "parse.h"
#include "text.h"

void hxp_conf_default(struct hxp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	strcpy(conf->hexovm, "hexovm");
	conf->board_rates = true;
	strcpy(conf->state, "/run/hexo-policy.json");
	conf->interval_ms = 2000;
	conf->timeout_ms = 20000;
	hxp_params_default(&conf->params);
}

/* A non-negative, finite decimal number, the whole string. */
static int conf_number(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int conf_path(struct hxp_text *c, char *dst, size_t len, const char *key,
		     const char *val)
{
	if (strlen(val) >= len)
		return hxp_text_err(c, "%s: longer than %zu characters", key, len - 1);
	strcpy(dst, val);
	return 0;
}

static int conf_board(struct hxp_text *c, struct hxp_conf *conf, char **f, int nf)
{
	struct hxp_conf_board b = { 0 };
	uint32_t cores;
	unsigned int i;
	int k;

	if (conf->nr_boards == HXP_CONF_MAX_BOARDS)
		return hxp_text_err(c, "more than %d boards", HXP_CONF_MAX_BOARDS);
	if (nf < 2 || parse_mac(f[1], b.mac))
		return hxp_text_err(c, "board: a MAC first (board 52:54:00:12:34:56 cores N "
				    "mem SIZE [swap SIZE])");
	for (i = 0; i < conf->nr_boards; i++)
		if (!memcmp(conf->boards[i].mac, b.mac, sizeof(b.mac)))
			return hxp_text_err(c, "board %s: given twice", f[1]);
	for (k = 2; k < nf; k += 2) {
		if (k + 1 == nf)
			return hxp_text_err(c, "board: '%s' needs a value", f[k]);
		if (!strcmp(f[k], "cores")) {
			if (parse_u32(f[k + 1], 1024, &cores) || !cores)
				return hxp_text_err(c, "board cores '%s': 1 to 1024", f[k + 1]);
			b.cores = cores;
		} else if (!strcmp(f[k], "mem")) {
			if (parse_size(f[k + 1], &b.mem) || !b.mem)
				return hxp_text_err(c, "board mem '%s': a size (512M, 2G, ...)",
						    f[k + 1]);
		} else if (!strcmp(f[k], "swap")) {
			if (parse_size(f[k + 1], &b.swap))
				return hxp_text_err(c, "board swap '%s': a size (0, 1G, ...)",
						    f[k + 1]);
		} else {
			return hxp_text_err(c, "board: '%s' is not cores, mem or swap", f[k]);
		}
	}
	if (!b.cores || !b.mem)
		return hxp_text_err(c, "board %s: cores and mem are needed", f[1]);
	conf->boards[conf->nr_boards++] = b;
	return 0;
}

static int conf_line(struct hxp_text *c, char **f, int nf, void *arg)
{
	static const struct {
		const char *key;
		size_t off;
		double max;
	} nums[] = {
		{ "hold", offsetof(struct hxp_conf, params.hold_s), 86400 },
		{ "horizon", offsetof(struct hxp_conf, params.horizon_s), 86400 * 7 },
		{ "reclaim-after", offsetof(struct hxp_conf, params.reclaim_after_s), 86400 },
		{ "min-gain", offsetof(struct hxp_conf, params.min_gain), 1024 },
		{ "probe", offsetof(struct hxp_conf, params.probe_s), 86400 },
		{ "probe-ratio", offsetof(struct hxp_conf, params.probe_ratio), 64 },
	};
	struct hxp_conf *conf = arg;
	uint32_t v;
	double d;
	size_t i;

	if (!strcmp(f[0], "board"))
		return conf_board(c, conf, f, nf);
	if (!strcmp(f[0], "server")) {
		if (nf != 3 || strcmp(f[1], "cores") || parse_u32(f[2], 1024, &v) || !v)
			return hxp_text_err(c, "server: 'server cores N', N 1 to 1024");
		conf->server_cores = v;
		return 0;
	}
	if (nf != 2)
		return hxp_text_err(c, "'%s' takes one value", f[0]);
	if (!strcmp(f[0], "dev")) {
		if (strlen(f[1]) >= sizeof(conf->dev))
			return hxp_text_err(c, "dev '%s': not an interface name", f[1]);
		strcpy(conf->dev, f[1]);
	} else if (!strcmp(f[0], "profile")) {
		return conf_path(c, conf->profile, sizeof(conf->profile), f[0], f[1]);
	} else if (!strcmp(f[0], "hexovm")) {
		return conf_path(c, conf->hexovm, sizeof(conf->hexovm), f[0], f[1]);
	} else if (!strcmp(f[0], "state")) {
		return conf_path(c, conf->state, sizeof(conf->state), f[0], f[1]);
	} else if (!strcmp(f[0], "board-rates")) {
		if (strcmp(f[1], "measured") && strcmp(f[1], "profile"))
			return hxp_text_err(c, "board-rates '%s': measured or profile", f[1]);
		conf->board_rates = f[1][0] == 'm';
	} else if (!strcmp(f[0], "interval") || !strcmp(f[0], "timeout")) {
		if (parse_u32(f[1], 600000, &v) || v < 100)
			return hxp_text_err(c, "%s '%s': milliseconds, 100 to 600000", f[0], f[1]);
		*(f[0][0] == 'i' ? &conf->interval_ms : &conf->timeout_ms) = v;
	} else {
		for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
			if (!strcmp(f[0], nums[i].key))
				break;
		if (i == sizeof(nums) / sizeof(nums[0]))
			return hxp_text_err(c, "'%s': unknown setting (dev, board, profile, server, "
					    "interval, timeout, hold, horizon, reclaim-after, "
					    "min-gain, probe, probe-ratio, hexovm, state, "
					    "board-rates)", f[0]);
		if (conf_number(f[1], &d) || d > nums[i].max)
			return hxp_text_err(c, "%s '%s': a number, 0 to %g", f[0], f[1],
					    nums[i].max);
		*(double *)((char *)conf + nums[i].off) = d;
	}
	return 0;
}

int hxp_conf_parse(struct hxp_conf *conf, const char *text, const char *name, char *err,
		   size_t errlen)
{
	int ret = hxp_text_parse(text, name, err, errlen, conf_line, conf);

	if (ret)
		return ret;
	if (!conf->dev[0] || !conf->nr_boards) {
		snprintf(err, errlen, "%s: needs 'dev IFNAME' and at least one 'board MAC ...'",
			 name);
		return -EINVAL;
	}
	if (conf->params.horizon_s <= 0) {
		snprintf(err, errlen, "%s: horizon must be more than 0", name);
		return -EINVAL;
	}
	return 0;
}

int hxp_conf_load(struct hxp_conf *conf, const char *path, char *err, size_t errlen)
{
	char *text;
	int ret;

	ret = hxp_text_load(path, &text, err, errlen);
	if (ret)
		return ret;
	ret = hxp_conf_parse(conf, text, path, err, errlen);
	free(text);
	return ret;
}

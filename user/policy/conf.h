/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy daemon's configuration (hexoctl policy run config FILE;
 * Documentation/policy.rst, "The daemon"): the boards it may offload to,
 * the profile, the interface, the policy's parameters.
 */
#ifndef _HEXO_POLICY_CONF_H
#define _HEXO_POLICY_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

#define HXP_CONF_MAX_BOARDS	16
#define HXP_CONF_PATH_MAX	128

struct hxp_conf_board {
	uint8_t mac[6];
	unsigned int cores;
	uint64_t mem;			/* RAM a VM can have there */
	uint64_t swap;			/* its Netswap capacity */
};

struct hxp_conf {
	char profile[HXP_CONF_PATH_MAX];	/* "": none */
	char dev[16];			/* the interface offloads go through */
	char hexovm[HXP_CONF_PATH_MAX];	/* run to take a VM reclaimed */
	char state[HXP_CONF_PATH_MAX];	/* where "policy show" reads from */
	unsigned int interval_ms;
	unsigned int timeout_ms;	/* each offload's and reclaim's */
	unsigned int server_cores;	/* 0: this machine's */
	/*
	 * board-rates: whether a board's report of a guest's rate there
	 * replaces the profile's (true, the default), or the profile's board
	 * rates stand (false: "board-rates profile").
	 */
	bool board_rates;
	struct hxp_conf_board boards[HXP_CONF_MAX_BOARDS];
	unsigned int nr_boards;
	struct hxp_params params;
};

/* The defaults (hxp_params_default() for the parameters). */
void hxp_conf_default(struct hxp_conf *conf);
/*
 * Parses a configuration onto conf (defaults first: hxp_conf_default()).
 * 0, or -EINVAL with "NAME:LINE: what is wrong" in err. The result has a
 * dev and at least one board.
 */
int hxp_conf_parse(struct hxp_conf *conf, const char *text, const char *name, char *err,
		   size_t errlen);
int hxp_conf_load(struct hxp_conf *conf, const char *path, char *err, size_t errlen);

#endif /* _HEXO_POLICY_CONF_H */

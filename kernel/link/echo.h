/* SPDX-License-Identifier: GPL-2.0 */
/* ECHO (HEXO_SVC_LINK): the link's round trip, measured in the kernel (echo.c). */
#ifndef _HXL_ECHO_H
#define _HXL_ECHO_H

#include <linux/netlink.h>
#include <hexo/hexo_link.h>

#include "port.h"

/* One HEXO_LINK_CMD_ECHO call: what to send. */
struct hxl_echo_cfg {
	u32 count;		/* requests, one at a time */
	u32 timeout_ms;		/* for each answer */
	u32 size;		/* data bytes per request, answered with the same */
	bool page;		/* requests without data, answered with a page */
};

/* What it measured. */
struct hxl_echo_result {
	u32 sent;
	u32 answered;		/* whole and checked */
	u32 bad;		/* answered, but an error, or damaged */
	u32 frag;		/* data bytes per answer frame */
	u64 rtt_min, rtt_median, rtt_p99, rtt_max;	/* ns, of the answered */
};

/*
 * Runs the echoes of cfg to peer through port. Process context; sleeps up
 * to HEXO_LINK_ECHO_MAX_MS and a timeout, or until the caller is killed.
 */
int hxl_echo_run(struct hxl_port *port, const u8 *peer, const struct hxl_echo_cfg *cfg,
		 struct hxl_echo_result *res, struct netlink_ext_ack *extack);

/* A HEXO_SVC_LINK frame that passed the header checks. Softirq; takes skb. */
void hxl_echo_rx(struct hxl_port *port, struct sk_buff *skb, size_t data_at);

void __init hxl_echo_init(void);

#endif /* _HXL_ECHO_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the policies share (work.c): a working copy of the state that each
 * decision updates, so that the next one sees the VMs already moved, and
 * the rules every policy keeps: lost VMs, the hold time, memory, when a
 * reclaim is due.
 */
#ifndef _HEXO_POLICY_WORK_H
#define _HEXO_POLICY_WORK_H

#include "policy.h"

struct hxp_work {
	const struct hxp_state *st;
	const struct hxp_params *p;
	unsigned int *srv_busy;		/* runnable vCPUs per server */
	unsigned int *brd_busy;		/* vCPUs per board */
	uint64_t *brd_mem, *brd_swap;	/* RAM and Netswap left per board */
	enum hxp_where *where;		/* per VM, after the decisions so far */
	unsigned int *node;
	bool *swapping;
	bool *done;			/* per VM: decided on (moved or lost) */
	bool *acted;			/* per server: a decision concerned it */
	char (*why)[HXP_REASON_MAX];	/* per server: why nothing moved */
	struct hxp_decision *out;
	unsigned int n, max;
};

/* 0, -EINVAL (a node index out of range), -ENOMEM. */
int hxp_work_init(struct hxp_work *w, const struct hxp_state *st, const struct hxp_params *p,
		  struct hxp_decision *out, unsigned int max);
void hxp_work_free(struct hxp_work *w);

/* A decision, its reason printf-style; false when out[] is full. */
bool hxp_work_add(struct hxp_work *w, enum hxp_action a, unsigned int vm, unsigned int server,
		  unsigned int board, double gain, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Sets server s's reason for doing nothing, printf-style. */
void hxp_work_why(struct hxp_work *w, unsigned int s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The NOTHING decisions of the servers no decision concerned; returns w->n. */
int hxp_work_finish(struct hxp_work *w);

/* LOST for every VM on a board that is gone. */
void hxp_work_lost(struct hxp_work *w);
/* Moved within the hold time, or decided on already. */
bool hxp_work_held(const struct hxp_work *w, unsigned int vm);
/* Whether vm fits on board b: 0 in RAM, 1 only with Netswap, -1 not. */
int hxp_work_fit(const struct hxp_work *w, unsigned int vm, unsigned int b);
/* Server s has had an idle core for reclaim_after_s: its idle cores, else 0. */
unsigned int hxp_work_reclaim_room(const struct hxp_work *w, unsigned int s);
/* Carries a decision out in the working copy. */
void hxp_work_offload(struct hxp_work *w, unsigned int vm, unsigned int b, bool swap);
void hxp_work_reclaim(struct hxp_work *w, unsigned int vm);

#endif /* _HEXO_POLICY_WORK_H */

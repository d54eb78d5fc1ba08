/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Offloads, target side: the offers this node was sent, and pulling an
 * offered guest's memory from its source into the caller's memory.
 */
#ifndef _HKVM_PULL_H
#define _HKVM_PULL_H

#include <linux/if_ether.h>
#include <linux/types.h>
#include <hexo/wire.h>

struct net;
struct netlink_ext_ack;

/* An offer as replies show it. */
struct hkvm_offer_info {
	u32 id;
	u8 peer[ETH_ALEN];
	int ifindex;
	u32 isa;
	u64 mem_size;
	u64 heap_top;
	u32 layout;
	u32 point;
	char app[32];
	u32 timeout_ms;			/* PRECOPY's: the source's bound after COPIED */
	bool precopy;			/* in its pre-copy round: the guest runs there */
	bool precopied;			/* the final offer after a pre-copy round */
	u16 export;			/* the source's, and its token: not shown */
	u64 token;
};

/* An OFFER or a PRECOPY arrived (softirq); false when it is malformed. */
int hkvm_pull_offered(const u8 *peer, int ifindex, const struct hexo_kvm_msg *msg);
/* A WITHDRAW arrived (softirq): the offer goes unless taken; false if none matched. */
bool hkvm_pull_withdrawn(const u8 *peer, const struct hexo_kvm_msg *msg);

int hkvm_pull_get(u32 id, struct hkvm_offer_info *info);
/* The first offer whose id is >= *id; advances *id past it. -ENOENT at the end. */
int hkvm_pull_next(u32 *id, struct hkvm_offer_info *info);
/*
 * HEXO_KVM_CMD_PULL, in the caller's context: addr is its memory. With
 * dirty, only the pages the source's dirty map names; *pulled counts the
 * pages pulled.
 */
int hkvm_pull(struct net *net, u32 id, u64 gpa, u64 len, u64 addr, bool background,
	      bool dirty, u64 *pulled, struct netlink_ext_ack *extack);
/*
 * Answers offer id with type (HEXO_KVM_MSG_DONE, TAKE, RELEASE, ABORT or
 * COPIED): HEXO_KVM_CMD_ACCEPT, its post-copy and pre-copy forms, RELEASE
 * and REJECT.
 */
int hkvm_pull_answer(struct net *net, u32 id, int type, struct netlink_ext_ack *extack);
void hkvm_pull_init(void);
void hkvm_pull_uninit(void);

#endif /* _HKVM_PULL_H */

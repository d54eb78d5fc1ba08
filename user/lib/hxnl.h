/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hxnl: HEXO's generic netlink client, over libnl-genl-3. Shared by hexoctl,
 * hexovm and the selftests.
 */
#ifndef _HXNL_H
#define _HXNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

struct hxnl {
	struct nl_sock *sk;
	int family;
	const char *name;
	/* Set by the last failed request: the kernel's extack report. */
	char ext_msg[256];
	int ext_miss_type;	/* a missing attribute's type, or -1 */
	int ext_offset;		/* offset of the offending attribute, or -1 */
};

/*
 * Opens a socket and resolves family (loading its module if the kernel can).
 * Returns 0, -ENOENT when no such family exists, or another -errno.
 */
int hxnl_open(struct hxnl *nl, const char *family);
void hxnl_close(struct hxnl *nl);

/* Whether a family is registered now; never loads a module. */
int hxnl_family_registered(const char *family, bool *registered);

/* A request for cmd; dump requests get NLM_F_DUMP. NULL when out of memory. */
struct nl_msg *hxnl_msg(struct hxnl *nl, uint8_t cmd, bool dump);

/*
 * Called for each reply message with its attributes parsed into tb[0..maxattr].
 * A negative return aborts the request with that error.
 */
typedef int (*hxnl_cb)(struct nlattr **tb, uint8_t cmd, void *arg);

/*
 * Sends msg (consumed) and processes replies until the kernel's ACK or the end
 * of the dump. Returns 0 or -errno; on failure nl->ext_* hold the kernel's
 * explanation, if it gave one.
 */
int hxnl_call(struct hxnl *nl, struct nl_msg *msg, int maxattr, hxnl_cb cb, void *arg);

/* Receives one message from a multicast group subscription (see hxnl_subscribe). */
int hxnl_subscribe(struct hxnl *nl, const char *group);
int hxnl_recv(struct hxnl *nl, int maxattr, hxnl_cb cb, void *arg);

/* "Invalid argument: missing NETSWAP_A_SIZE" style text for an error. */
const char *hxnl_strerror(const struct hxnl *nl, int err, char *buf, size_t len);
/*
 * A failed request on stderr through hx_err() (err.h): "PROG: what: " and
 * hxnl_strerror()'s text, the kernel's extack message included. Returns err.
 */
int hxnl_fail(const struct hxnl *nl, const char *what, int err);

#endif /* _HXNL_H */

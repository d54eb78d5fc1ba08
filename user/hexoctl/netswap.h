/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hexoctl netswap: the board side (netswap.c: netswap.ko's devices, and the
 * object's show, monitor and argument parsing) and the server side
 * (netswap_server.c: netswap_server.ko's serves and boards).
 */
#ifndef _HEXOCTL_NETSWAP_H
#define _HEXOCTL_NETSWAP_H

#include <stdint.h>
#include <hexo/wire.h>

#include "hxnl.h"

/* Key-value arguments: "dev eth0 size 1G". */
struct kv {
	const char *key;
	const char *val;
};

/* Fills kv's values from argv's "key value" pairs; a usage error for others. */
int netswap_kv(const char *verb, int argc, char **argv, struct kv *kv, int nkv);
/* s seconds, lo to hi, into *ms; else a usage error that names the bounds. */
int netswap_seconds(const char *verb, const char *what, const char *s, uint32_t lo,
		    uint32_t hi, uint32_t *ms);
/* The key in file path, or a usage error that says what is wrong. */
int netswap_key(const char *verb, const char *path, uint8_t key[HEXO_KEY_LEN]);
/*
 * A session ID, then end. The kernel gives it to CAP_NET_ADMIN callers only:
 * without it, neither the text nor the JSON has a session.
 */
void netswap_out_session(const struct nlattr *a, const char *end);

/* netswap_server.c */
/* The server side of "show"; nothing when netswap_server is not loaded. */
int netswap_server_show(void);
int netswap_serve(int argc, char **argv);
int netswap_unserve(int argc, char **argv);
int netswap_boards(int argc, char **argv);
/* One of netswap_server's events, for monitor. */
int netswap_server_event_cb(struct nlattr **tb, uint8_t cmd, void *arg);

#endif /* _HEXOCTL_NETSWAP_H */

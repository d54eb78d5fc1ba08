/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hexolink's parts: frame I/O on an AF_PACKET socket (frame.c), the
 * measurements a frame at a time (measure.c) and in bulk (bulk.c), hostile
 * and forged frames (forge.c), and the command line (hexolink.c).
 */
#ifndef _HEXOLINK_H
#define _HEXOLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/if_ether.h>

#include "err.h"
#include "proto.h"

#define FRAME_MAX 9216

/* The interface, and the peer frames go to (--to) or come from (--from). */
struct link {
	int fd;
	int ifindex;
	uint8_t mac[ETH_ALEN];
	uint8_t peer[ETH_ALEN];
	bool have_peer;
};

/* The command line's options (hexolink.c), read by every command. */
struct hexolink_opts {
	const char *ifname;
	uint32_t count;
	uint32_t size;
	double timeout;
	double interval;
	bool json;
	uint32_t seed;
	uint32_t session;
	uint8_t op;
	uint64_t index;
	uint32_t nr;
	uint32_t window;
	uint8_t as[ETH_ALEN];	/* --as: the source MAC claimed */
	bool have_as;
};
extern struct hexolink_opts opt;

/* "hexolink: " and the message on stderr, then exit 1: hx_die() (err.h). */
#define die hx_die

/* frame.c */
double now(void);
/* Opens the socket on opt.ifname: HEXO frames only, not our own. Dies on failure. */
void link_open(struct link *l);
/* Attaches a filter to fd: HEXO frames this host sends (outgoing), or all others. */
int frame_filter(int fd, bool outgoing);
/* The data of frame tag: what recv and ping check arriving data against. */
void pattern(uint8_t *p, uint32_t len, uint32_t tag);
/* Builds an Ethernet frame with a sealed HEXO header; returns its length. */
size_t frame_build(uint8_t *f, const struct link *l, uint8_t op, uint8_t flags,
		   uint32_t tag, const uint8_t *data, uint32_t len);
void frame_send(const struct link *l, const uint8_t *f, size_t len);
/*
 * Receives one valid HEXO frame within the deadline. Returns its length (0 on
 * timeout); counts frames that fail the checks in *bad.
 */
size_t frame_recv(struct link *l, uint8_t *f, double deadline, uint32_t *bad);

/* measure.c: a frame at a time. */
int do_send(struct link *l);
int do_recv(struct link *l);
int do_echo(struct link *l);
int do_ping(struct link *l);

/* bulk.c: a windowed stream over PACKET_MMAP rings. */
int do_sink(struct link *l);
int do_source(struct link *l);

/* forge.c: malformed, forged and replayed frames. */
int do_fuzz(struct link *l);
int do_forge(struct link *l);
int do_replay(struct link *l);
int do_grant(struct link *l);
int do_offers(struct link *l);

#endif /* _HEXOLINK_H */

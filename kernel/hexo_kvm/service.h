/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HEXO_SVC_KVM on hexo_link (include/uapi/hexo/wire.h): the interfaces a
 * node serves it on, what its sessions read (exports) and write (the
 * inbox), and the one-message client side.
 */
#ifndef _HKVM_SERVICE_H
#define _HKVM_SERVICE_H

#include <linux/types.h>
#include <hexo/wire.h>

struct hxl_chan;
struct page;
struct net;
struct netlink_ext_ack;

int hkvm_service_serve(struct net *net, int ifindex, struct netlink_ext_ack *extack);
int hkvm_service_unserve(struct net *net, int ifindex);
bool hkvm_service_serves(struct net *net, int ifindex);
int hkvm_service_init(void);
void hkvm_service_uninit(void);

/* No events wanted: hexo_kvm's channels live for one exchange or one pull. */
extern const struct hxl_chan_ops hkvm_chan_ops;

/*
 * Sends msg to the inbox of the hexo_kvm at peer: a session of its own,
 * within timeout_ms. 0, or -EIO, -ETIMEDOUT, -ENODEV ...
 */
int hkvm_service_send(struct net *net, int ifindex, const u8 *peer,
		      const struct hexo_kvm_msg *msg, u32 timeout_ms);
/*
 * A session of its own with the hexo_kvm at peer, of size bytes (the inbox:
 * HEXO_PAGE_SIZE), up within timeout_ms; hxl_chan_destroy() it after use.
 */
struct hxl_chan *hkvm_service_connect(struct net *net, int ifindex, const u8 *peer,
				      u64 size, u32 timeout_ms, struct netlink_ext_ack *extack);
/* Writes msg to the inbox of chan's server; waits for its answer. */
int hkvm_chan_send(struct hxl_chan *chan, const struct hexo_kvm_msg *msg);
/*
 * One page of chan's server, read into page or written from it (op); waits
 * for the answer. absent (may be NULL): a read the server answered ABSENT.
 */
int hkvm_chan_page(struct hxl_chan *chan, u8 op, u64 index, struct page *page, bool *absent);

#endif /* _HKVM_SERVICE_H */

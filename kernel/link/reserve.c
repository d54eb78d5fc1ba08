// SPDX-License-Identifier: GPL-2.0
/*
 * The memory reserves for receiving, while a client channel exists. Under
 * memory pressure a NIC driver refills its receive ring from the reserves
 * only while some socket is SOCK_MEMALLOC (sk_memalloc_socks()): without one
 * the board's driver cannot take in the very replies that swap-out waits
 * for. NBD and NVMe/TCP mark their sockets so; hexo_link has none, so it
 * holds a kernel socket marked SOCK_MEMALLOC for as long as any channel is
 * open. (hexo_link takes its frames at the ingress hook, before the stack
 * drops reserve frames of protocols other than IP: see port.h.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/net.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "link.h"

static DEFINE_MUTEX(hxl_reserve_lock);
static struct socket *hxl_reserve_sock;
static unsigned int hxl_reserve_users;

int hxl_reserve_get(void)
{
	int ret = 0;

	mutex_lock(&hxl_reserve_lock);
	if (!hxl_reserve_users) {
		ret = sock_create_kern(&init_net, PF_INET, SOCK_DGRAM, IPPROTO_UDP,
				       &hxl_reserve_sock);
		if (ret)
			goto out;
		sk_set_memalloc(hxl_reserve_sock->sk);
	}
	hxl_reserve_users++;
out:
	mutex_unlock(&hxl_reserve_lock);
	return ret;
}

void hxl_reserve_put(void)
{
	mutex_lock(&hxl_reserve_lock);
	if (!--hxl_reserve_users) {
		sk_clear_memalloc(hxl_reserve_sock->sk);
		sock_release(hxl_reserve_sock);
		hxl_reserve_sock = NULL;
	}
	mutex_unlock(&hxl_reserve_lock);
}

bool hxl_reserve_armed(void)
{
	return sk_memalloc_socks();
}

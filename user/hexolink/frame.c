// SPDX-License-Identifier: GPL-2.0
/*
 * hexolink's frame I/O: the AF_PACKET socket, and HEXO frames built and
 * checked by the kernel's own protocol code (kernel/link/proto.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "hexolink.h"

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int frame_filter(int fd, bool outgoing)
{
	/* HEXO frames only: this host's outgoing ones, or all but those. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, HEXO_ETH_P, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, outgoing ? 0 : 1,
			 outgoing ? 1 : 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

void link_open(struct link *l)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ifreq ifr = {};

	/* ETH_P_ALL: frames that a loaded hexo_link consumes at ingress are
	 * still seen (taps run before ingress hooks). */
	l->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (l->fd < 0)
		die("AF_PACKET socket: %s (needs CAP_NET_RAW)", strerror(errno));
	if (frame_filter(l->fd, false))
		die("SO_ATTACH_FILTER: %s", strerror(errno));
	l->ifindex = if_nametoindex(opt.ifname);
	if (!l->ifindex)
		die("no interface %s: %s", opt.ifname, strerror(errno));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", opt.ifname);
	if (ioctl(l->fd, SIOCGIFHWADDR, &ifr))
		die("SIOCGIFHWADDR %s: %s", opt.ifname, strerror(errno));
	memcpy(l->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = l->ifindex;
	if (bind(l->fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind to %s: %s", opt.ifname, strerror(errno));
}

void pattern(uint8_t *p, uint32_t len, uint32_t tag)
{
	for (uint32_t j = 0; j < len; j++)
		p[j] = (uint8_t)(tag * 31 + j * 7 + (j >> 8));
}

size_t frame_build(uint8_t *f, const struct link *l, uint8_t op, uint8_t flags,
		   uint32_t tag, const uint8_t *data, uint32_t len)
{
	struct ethhdr *eth = (struct ethhdr *)f;
	struct hexo_hdr *h = (struct hexo_hdr *)(f + ETH_HLEN);

	memcpy(eth->h_dest, l->peer, ETH_ALEN);
	memcpy(eth->h_source, l->mac, ETH_ALEN);
	eth->h_proto = htons(HEXO_ETH_P);
	hxp_hdr_init(h, HEXO_SVC_LINK, op, 0, tag);
	h->flags = flags;
	h->index = cpu_to_be64(tag);
	h->data_len = cpu_to_be16(len);
	memcpy(f + ETH_HLEN + HEXO_HDR_LEN, data, len);
	h->data_crc = cpu_to_be32(hxp_data_crc(tag, data, len));
	hxp_hdr_seal(h);
	return ETH_HLEN + HEXO_HDR_LEN + len;
}

void frame_send(const struct link *l, const uint8_t *f, size_t len)
{
	if (send(l->fd, f, len, 0) != (ssize_t)len)
		die("send on %s: %s", opt.ifname, strerror(errno));
}

size_t frame_recv(struct link *l, uint8_t *f, double deadline, uint32_t *bad)
{
	for (;;) {
		struct pollfd p = { .fd = l->fd, .events = POLLIN };
		double left = deadline - now();
		const struct hexo_hdr *h;
		size_t data_at;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			return 0;
		n = recv(l->fd, f, FRAME_MAX, 0);
		if (n < ETH_HLEN)
			continue;
		if (l->have_peer && memcmp(((struct ethhdr *)f)->h_source, l->peer, ETH_ALEN))
			continue;
		h = (const struct hexo_hdr *)(f + ETH_HLEN);
		if (hxp_hdr_check(h, n - ETH_HLEN, &data_at) != HXP_OK) {
			(*bad)++;
			continue;
		}
		/* Another service's frame: its data follows that service's rules. */
		if (h->service != HEXO_SVC_LINK)
			return n;
		if (be32_to_cpu(h->data_crc) != hxp_data_crc(be64_to_cpu(h->index),
							     (const uint8_t *)h + data_at,
							     be16_to_cpu(h->data_len))) {
			(*bad)++;
			continue;
		}
		return n;
	}
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Swap survives the receive path's reserve rule. Under memory pressure the
# board's network driver fills its receive ring from the memory reserves,
# and once any socket is marked SOCK_MEMALLOC (here NBD's, as on any board
# that also swaps to NBD or NFS) net/core/dev.c drops such frames for every
# protocol but ARP, IP and VLAN (skb_pfmemalloc_protocol()). HEXO takes its
# frames at the netdev ingress hook, before that rule: the board swaps 3x its
# RAM while the rule is armed, every byte checks out, and hexo_link counts
# the frames it kept that came from the reserves.
#
# Usage: pfmemalloc.sh BOARD_RAM_MIB
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

RAM=${1:-128}
MIB=$((RAM * 3))

ktap_plan 5
serve size 900M
attach board $((MIB + 128))M
ktap_check "an NBD device is connected: a SOCK_MEMALLOC socket arms the rule" \
	eval 'on server "dd if=/dev/zero of=/tmp/nbd.img bs=1M count=0 seek=64 2>/dev/null &&
		printf \"[generic]\nuser = root\ngroup = root\n[t]\nexportname = /tmp/nbd.img\n\" >/tmp/nbd.conf &&
		nbd-server -C /tmp/nbd.conf" &&
	on board "modprobe nbd && sleep 1 && nbd-client $HEXO_SERVER_IP -N t /dev/nbd0 -b 4096 >/dev/null"'
ktap_check "swap on /dev/netswap0" \
	on board "mkswap /dev/netswap0 >/dev/null && swapon -d /dev/netswap0"
ktap_expect "a ${MIB} MiB workload on ${RAM} MiB of RAM checks every byte" "memstress: OK" \
	on board "$B/memstress $MIB 5000"
ktap_expect "no request failed, no page lost" "\"pages_lost\":0,.*\"errors\":0," \
	on board "hexoctl -j netswap show netswap0"
r=$(on board "hexoctl -j link show" | sed -n 's/.*"rx_pfmemalloc":\([0-9]*\).*/\1/p')
if [ "${r:-0}" -gt 0 ]; then
	ktap_pass "hexo_link kept $r frames that came from the reserves"
else
	ktap_skip "frames from the reserves" "none arrived in this run (the pressure never reached the reserves)"
fi
on board "swapoff /dev/netswap0; nbd-client -d /dev/nbd0; rmmod nbd" >/dev/null 2>&1
on server "killall nbd-server" >/dev/null 2>&1
netswap_cleanup
ktap_finish

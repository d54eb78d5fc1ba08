#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Swap survives the receive path's reserve rule. Under memory pressure a
# board's NIC driver fills its receive ring from the memory reserves, and
# while any socket is SOCK_MEMALLOC (NBD or NFS swap), net/core/dev.c drops
# such frames for every protocol but ARP, IP, IPv6 and VLAN
# (skb_pfmemalloc_protocol()), after the ingress hooks. HEXO takes its frames
# at the netdev ingress hook, before that rule.
#
# Whether real pressure ever produces such a frame is a matter of timing, so
# the test module hexo_test_pfm (selftests/netswap/kmod/) forces the worst
# case: it arms the rule, proves it armed with control frames, and turns
# every HEXO frame the board receives into a reserve frame. The board then
# swaps 3x its RAM with nothing else, and every byte checks out.
#
# Usage: pfmemalloc.sh BOARD_RAM_MIB
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

RAM=${1:-128}
MIB=$((RAM * 3))
P=/sys/module/hexo_test_pfm/parameters

param() { on board "cat $P/$1"; }

ktap_plan 6
serve size $((MIB + 256))M
attach board $((MIB + 128))M
ktap_check "hexo_test_pfm arms the rule and turns HEXO frames into reserve frames" \
	on board "modprobe hexo_test_pfm ifname=eth0"
sleep 1
plain=$(param ctl_plain) reserve=$(param ctl_reserve) seen=$(param ctl_seen)
if [ -n "$plain" ] && [ "$reserve" -gt 0 ] && [ "$seen" = "$plain" ]; then
	ktap_pass "the rule is armed: $seen of $plain ordinary control frames arrived, none of $reserve reserve ones"
else
	ktap_fail "the rule is armed: control frames ordinary $plain, reserve $reserve, arrived $seen (want $plain)"
fi
ktap_check "swap on /dev/netswap0" \
	on board "mkswap /dev/netswap0 >/dev/null && swapon -d /dev/netswap0"
ktap_expect "a ${MIB} MiB workload on ${RAM} MiB of RAM checks every byte" "memstress: OK" \
	on board "$B/memstress $MIB 5000"
on board "swapoff /dev/netswap0" >/dev/null
ktap_expect "no request failed, no page lost" "\"pages_lost\":0,.*\"errors\":0," \
	on board "hexoctl -j netswap show netswap0"
marked=$(param hexo_marked)
got=$(on board "hexoctl -j link show" | sed -n 's/.*"rx_pfmemalloc":\([0-9]*\).*/\1/p')
# The swap run moves hundreds of MiB: tens of thousands of frames. Frames
# still queued when the counters are read make the only difference.
if [ "${marked:-0}" -ge 10000 ] && [ "${got:-0}" -ge $((marked * 99 / 100)) ] &&
   [ "$got" -le "$marked" ]; then
	ktap_pass "hexo_link took $got reserve frames ($marked made reserve frames)"
else
	ktap_fail "hexo_link took ${got:-?} reserve frames of ${marked:-?} made"
fi
netswap_cleanup
ktap_finish

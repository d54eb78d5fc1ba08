#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Swap under real memory pressure: the board swaps to the server's RAM while
# a workload touching MULT times the board's RAM fills its memory in order,
# rewrites pages at random, and checks every byte at the end. Nothing confines
# it: the whole board is under pressure, the way a small board running a big
# VM would be. No task may hang (the runner fails the test on a hung-task
# report) and no byte may differ. No test module helps either: the receive
# reserves are the ones hexo_link arms for every netswap device.
#
# Usage: swap.sh MULT RANDOM_UPDATES BOARD_RAM_MIB SERVE_SIZE
#   (BOARD_RAM_MIB: the board VM's memory, as its topology in tests.txt says)
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

MULT=${1:-3}
UPDATES=${2:-20000}
RAM=${3:-256}
MIB=$((RAM * MULT))

ktap_plan 9
ktap_expect "the board has at most ${RAM} MiB of RAM" "^ok" \
	on board "[ \$(awk '/MemTotal/ { print \$2 }' /proc/meminfo) -le $((RAM * 1024)) ] && echo ok"
serve size "${4:-900M}"
attach board $((MIB + 128))M
ktap_check "mkswap and swapon /dev/netswap0 ($((MIB + 128)) MiB), with discard" \
	on board "mkswap /dev/netswap0 >/dev/null && swapon -d /dev/netswap0 && grep -q netswap0 /proc/swaps"
ktap_expect "receive reserves armed by hexo_link itself, no test module loaded" \
	"^armed-alone$" on board "hexoctl -j link show | grep -q '\"reserves\":true' &&
		! grep -q hexo_test_pfm /proc/modules && echo armed-alone"
ktap_expect "a ${MIB} MiB workload ($MULT x ${RAM} MiB of RAM) checks every byte" \
	"memstress: OK $MIB MiB" on board "$B/memstress $MIB $UPDATES"
ktap_expect "it swapped: hundreds of MiB went to the server and came back" \
	"\"write_pages\":[0-9]{5,},.*" on board "hexoctl -j netswap show netswap0"
ktap_expect "no request failed, no page lost" "\"pages_lost\":0,.*\"errors\":0," \
	on board "hexoctl -j netswap show netswap0"
ktap_expect "freed swap is discarded: the server keeps under a quarter of the pages written" \
	"^ok" on board "sleep 2; j=\$(hexoctl -j netswap show netswap0);
		s=\$(echo \"\$j\" | sed -n 's/.*\"pages_stored\":\([0-9]*\).*/\1/p');
		w=\$(echo \"\$j\" | sed -n 's/.*\"write_pages\":\([0-9]*\).*/\1/p');
		echo \"\$s of \$w\"; [ \$((s * 4)) -lt \$w ] && echo ok"
ktap_check "swapoff brings everything back" on board "swapoff /dev/netswap0"
ktap_expect "and the board swaps no more" "^Swap: +0 " on board "free -m"
on board "hexoctl netswap show" | sed 's/^/# /'
netswap_cleanup
ktap_finish

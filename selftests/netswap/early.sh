#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Early retransmission (kernel/link/chan.c, hxl_chan_early()): with several
# requests in flight, the answer to a later one says that an earlier one
# still unanswered was lost, and it goes again at once instead of a
# retransmission timeout later (10 ms at least). The server's answers lose
# 0.5% of their frames (netem on its eth0, no reordering); random reads and
# writes at depth 16 through it: every page verifies, no I/O error, and
# most losses were found early ("early" above "timeouts" in show).
#
#   server (x86_64) eth0 ---- eth0 board (arm64)
#   netswap_server             netswap: /dev/netswap0
#
# Usage: early.sh [SECONDS]   (each run's time, 8 unless given)
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

SECS=${1:-8}
BB=/hexo/selftests/bench/blkbench
SEED=$((RANDOM * 32768 + RANDOM))
SPAN=4096

ktap_plan 6
serve
attach board 64M
ktap_expect "the span written with its pattern" "errors\":0" \
	on board "$BB -p -V $SEED -t 1 -s $SPAN -j /dev/netswap0"
ktap_check "netem on the server: 0.5% of its frames lost" netem server "loss 0.5%"
ktap_expect "random reads at depth 16 through the loss: every page verified, no error" \
	'"errors":0,.*"mismatches":0' \
	on board "$BB -q 16 -t $SECS -s $SPAN -V $SEED -j /dev/netswap0"
ktap_expect "random writes at depth 16 through the loss: no error" '"errors":0,' \
	on board "$BB -w -q 16 -t $SECS -s $SPAN -V $SEED -j /dev/netswap0"
netem server off >/dev/null
ktap_expect "the whole span verifies after" "errors\":0" \
	on board "$BB -c -V $SEED -s $SPAN -j /dev/netswap0"
stats=$(on board "hexoctl -j netswap show netswap0")
ktap_diag "$(grep -o '"retransmits":[0-9]*,"timeouts":[0-9]*,"spurious":[0-9]*,"early":[0-9]*' <<<"$stats")"
early=$(grep -o '"early":[0-9]*' <<<"$stats" | cut -d: -f2)
timeouts=$(grep -o '"timeouts":[0-9]*' <<<"$stats" | cut -d: -f2)
[ -n "$early" ] && [ -n "$timeouts" ] && [ "$early" -gt "$timeouts" ] &&
	ktap_pass "most losses were found early: early $early, timeouts $timeouts" ||
	ktap_fail "most losses were found early: early ${early:-none}, timeouts ${timeouts:-none}"
netswap_cleanup
ktap_finish

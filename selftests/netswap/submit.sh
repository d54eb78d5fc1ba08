#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexo_link's submit path from two CPUs at once: a submitter that finds the
# channel's lock taken hands its request in and goes, and the holder must
# queue it before it lets go (kernel/link/chan.c, hxl_chan_unlock()). One
# left behind waits for the channel's timer, up to 100 ms, which counts it
# ("stranded"). Two verified workloads, one on each of the board's CPUs,
# each request followed by a random pause so that the channel goes idle
# between requests, where a request left behind would wait: every page
# verifies, no I/O error, and the timer found nothing left behind.
#
# What it cannot show: a race of a few instructions. A build whose holder
# did not look again after letting go (the bug the second look prevents)
# passed it too (20 s, 13000 requests): a request left behind there is
# queued by whoever takes the lock next, the other CPU's next request or a
# reply, within milliseconds, and never waits for the timer. The counter
# stays in every run of every test and bench (hexoctl netswap show).
#
#   server (x86_64) eth0 ---- eth0 board (arm64, 2 CPUs)
#   netswap_server             netswap: /dev/netswap0
#
# Usage: submit.sh [SECONDS]   (each workload's time, 20 unless given)
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

SECS=${1:-20}
BB=/hexo/selftests/bench/blkbench
SEED=$((RANDOM * 32768 + RANDOM))
SPAN=4096

ktap_plan 5
[ "$(on board nproc)" -ge 2 ] || bail "the board has one CPU: nothing to race"
serve
attach board 64M
ktap_expect "the span written with its pattern" "errors\":0" \
	on board "$BB -p -V $SEED -t 1 -s $SPAN -j /dev/netswap0"
# Reads on CPU 0, writes (of the same pattern) on CPU 1; each request
# waits up to 2 ms after the last one's end, most often less than a round
# trip, so that hand-ins meet both a busy and an idle channel.
on_bg board rd "taskset -c 0 $BB -q 1 -g 2000 -t $SECS -s $SPAN -V $SEED -j /dev/netswap0" >/dev/null
on_bg board wr "taskset -c 1 $BB -w -q 1 -g 2000 -t $SECS -s $SPAN -V $SEED -j /dev/netswap0" >/dev/null
rd=$(on_wait board rd $((SECS + 60)))
rs=$?
wr=$(on_wait board wr $((SECS + 60)))
ws=$?
ktap_diag "reads: $rd"
ktap_diag "writes: $wr"
[ $rs -eq 0 ] && grep -q '"errors":0,' <<<"$rd" && grep -q '"mismatches":0' <<<"$rd" &&
	ktap_pass "CPU 0's reads: every page verified, no error" ||
	ktap_fail "CPU 0's reads: every page verified, no error (status $rs)"
[ $ws -eq 0 ] && grep -q '"errors":0,' <<<"$wr" &&
	ktap_pass "CPU 1's writes: no error" || ktap_fail "CPU 1's writes: no error (status $ws)"
ktap_expect "the whole span verifies after" "errors\":0" \
	on board "$BB -c -V $SEED -s $SPAN -j /dev/netswap0"
ktap_expect "no request left behind for the timer (stranded 0)" '"stranded":0,' \
	on board "hexoctl -j netswap show netswap0"
netswap_cleanup
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, test 3: resync to a fresh server, then the loss of the other.
# A mirrored device under a verifying workload; server2's netswap_server is
# unloaded and served again (a fresh, empty server on the same MAC: the
# board's channel gets a new session, so every page is copied again, at a
# bounded rate, while the workload runs); then, once the device is healthy,
# server 1 is killed. Nothing is lost. Then "replace" with server2 served
# anew once more, by hand this time.
#
# Usage: mirror_resync.sh [UPDATES]   (the workload's random page updates,
# 4000000 unless given: it must outlast the resync). Needs server2
# (tests.txt: pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

mib=$(($(board_mem) * 3))
UPDATES=${1:-4000000}

ktap_plan 9
on board "dmesg -c" >/dev/null
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE timeout 5 resync-rate 20000
ktap_expect "healthy" "^[0-9]" wait_mirror healthy 10
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
start_memstress $mib $UPDATES
ktap_check "the workload swaps" on_ready board work "memstress: random" 600
ktap_check "server2 restarts empty" on server2 "hexoctl netswap unserve dev eth0 &&
	hexoctl netswap serve dev eth0 size $SERVE_SIZE"
ktap_expect "the board sees it back with a new session and fills it" "^[0-9]" \
	wait_mirror resyncing 15
t=$(wait_mirror healthy 600)
rc=$?
ktap_diag "resync took ${t} s; $(on board "hexoctl netswap show netswap0" | grep -E 'replica|mirror' | tr '\n' ' ')"
[ $rc -eq 0 ] && ktap_pass "healthy again: server2 holds every stored page" ||
	ktap_fail "healthy again: server2 holds every stored page"
# The kill must find the workload running (its random rounds, or its last
# check), or nothing would be read from server2's copy under load.
ktap_check "server 1 is killed, the workload still running" eval "work_running && kill_vm server"
ktap_expect "degraded" "^[0-9]" wait_mirror degraded 15
out=$(on_wait board work 1800)
workload_verified "every byte verified, on server2's copy" "$out" $?
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
mirror_cleanup
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, test 5: both servers of a mirrored device die. The board gets
# bounded errors, never a hang: the workload dies of its lost pages, swap
# comes off. With the documented setup (the agent's memory out of swap: a
# memory cgroup with memory.swap.max=0 for everything but the workload), the
# board's agent stays alive and answers.
#
# Needs server2 (tests.txt: pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

BOUND=5
mib=$(($(board_mem) * 3))

ktap_plan 6
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE timeout $BOUND
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 &&
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p /sys/fs/cgroup/system /sys/fs/cgroup/work &&
	echo 0 >/sys/fs/cgroup/system/memory.swap.max &&
	for p in \$(cat /sys/fs/cgroup/cgroup.procs); do echo \$p >/sys/fs/cgroup/system/cgroup.procs 2>/dev/null; done;
	true" >/dev/null
on_bg board work "echo 0 >/sys/fs/cgroup/work/cgroup.procs && exec $B/memstress $mib 1000000" >/dev/null
ktap_check "the workload swaps to both" on_ready board work "memstress: random" 600
ktap_check "both servers are killed" eval "kill_vm server && kill_vm server2"
out=$(on_wait board work 120)
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && ! grep -q FAILED <<<"$out" &&
	ktap_pass "the workload died of its lost pages (status $rc), it did not hang" ||
	ktap_fail "the workload died of its lost pages (status $rc), it did not hang"
ktap_check "the board's agent answers" on board "true"
ktap_check "swap comes off" on board "swapoff /dev/netswap0"
ktap_check "the device detaches" on board "hexoctl netswap detach netswap0"
on board "rmdir /sys/fs/cgroup/work" >/dev/null 2>&1
mirror_cleanup
ktap_finish

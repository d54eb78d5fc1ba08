#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, test 5: both servers of a mirrored device die. The board gets
# bounded errors, never a hang: the workload dies of its lost pages, swap
# comes off. With the documented setup (Documentation/netswap.rst, "Both
# replicas lost": the workload that swaps in a memory cgroup bounded below
# the board's RAM, everything else in one with memory.swap.max=0), the
# board's agent and init stay alive and answer. Without the bound, global
# reclaim swaps out what init and the agent touched before they moved to
# their cgroup (a page stays charged where it was first charged): init then
# dies of SIGBUS with both servers, and the kernel panics.
#
# Needs server2 (tests.txt: pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

BOUND=5

ktap_plan 7
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE timeout $BOUND
# The workload's bound: half of what the board has available now; its size
# four times that, so that three quarters of it are out on the servers.
work_max=$(on board "awk '/^MemAvailable:/ { print int(\$2 / 2048) }' /proc/meminfo")
mib=$((work_max * 4))
ktap_diag "the workload: $mib MiB, bounded to ${work_max} MiB of RAM"
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 &&
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p /sys/fs/cgroup/system && echo 0 >/sys/fs/cgroup/system/memory.swap.max &&
	for p in \$(cat /sys/fs/cgroup/cgroup.procs); do echo \$p >/sys/fs/cgroup/system/cgroup.procs 2>/dev/null; done;
	true" >/dev/null
start_memstress $mib 1000000 $work_max
ktap_check "the workload swaps to both" on_ready board work "memstress: random" 600
ktap_check "both servers are killed" eval "kill_vm server && kill_vm server2"
out=$(on_wait board work 120)
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && ! grep -q FAILED <<<"$out" &&
	ktap_pass "the workload died of its lost pages (status $rc), it did not hang" ||
	ktap_fail "the workload died of its lost pages (status $rc), it did not hang"
ktap_check "the board's agent answers" on board "true"
ktap_check "... and still does 20 s later" eval "sleep 20 && on board true"
ktap_check "swap comes off" on board "swapoff /dev/netswap0"
ktap_check "the device detaches" on board "hexoctl netswap detach netswap0"
mirror_cleanup
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The server goes away in the middle of a swapping workload: its module is
# unloaded (HOW=unload) or its VM is killed (HOW=kill). The board must turn
# I/O into errors within the bound it was attached with (5 s here), never
# hang and never panic; the processes whose pages were on the server die (a
# page that cannot be read back cannot be made up); swap comes off and the
# device detaches cleanly.
#
# The workload runs in a memory cgroup so only its pages swap: the rest of
# the board (the test's own agent) stays in RAM and survives to report.
#
# Usage: server_loss.sh unload|kill
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

HOW=${1:-unload}
BOUND=5

ktap_plan 8
serve
attach board 256M timeout $BOUND
on_bg board events "hexoctl netswap monitor" >/dev/null
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 &&
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
	mkdir -p /sys/fs/cgroup/work && echo 48M >/sys/fs/cgroup/work/memory.max" >/dev/null
on_bg board work "echo 0 >/sys/fs/cgroup/work/cgroup.procs && exec $B/memstress 160 1000000" >/dev/null
# Once it reads its pages back at random, most of them are on the server.
ktap_check "the workload swaps to the server, and reads back from it" \
	on_ready board work "memstress: random" 300

if [ "$HOW" = kill ]; then
	ktap_check "the server VM is killed" kill_vm server
else
	ktap_check "the server's netswap_server is unloaded" on server "rmmod netswap_server"
fi
t0=$(date +%s.%N)
ktap_expect "the board declares the server lost within the bound ($BOUND s and a ping)" \
	"^[0-9]" wait_state board lost $((BOUND + 3))
t1=$(date +%s.%N)
ktap_diag "lost after $(echo "$t1 - $t0" | bc) s"

on_wait board work 120 >/tmp/netswap-work.$$
rc=$?
sed 's/^/# /' /tmp/netswap-work.$$ | tail -3
# memstress exits 1 on bad data: that is the failure this test guards.
bad=$(grep -c FAILED /tmp/netswap-work.$$)
rm -f /tmp/netswap-work.$$
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ "$bad" = 0 ]; then
	ktap_pass "the workload died of its lost pages (status $rc), it did not hang"
else
	ktap_fail "the workload died of its lost pages (status $rc), it did not hang"
fi
ktap_expect "the board turned I/O into errors, and says the server is lost" \
	"\"state\":\"lost\".*\"errors\":[1-9]" on board "hexoctl -j netswap show netswap0"
ktap_check "swap comes off (nothing left on it)" on board "swapoff /dev/netswap0"
ktap_check "the device detaches" on board "hexoctl netswap detach netswap0"
ktap_expect "the monitor saw the server go down" "down netswap0 server $S" \
	on board "killall hexoctl; cat /tmp/job.events.out"
on board "rmdir /sys/fs/cgroup/work; rmmod netswap hexo_link" >/dev/null 2>&1
netswap_cleanup
ktap_finish

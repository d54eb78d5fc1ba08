#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, tests 1 and 2: the whole board under swap pressure (no memory
# cgroup), a memory-verifying workload of three times its RAM on a mirrored
# device, and one server VM killed in the middle of it (server 1 or 2). The
# workload completes with every byte verified: no I/O error, no hung task,
# no panic; the device says it is degraded, and the monitor saw it. A
# reader of the device (the probe) times its reads: the longest stall from
# the kill on (within as long after it as the probe ran before it) must be
# under 1 s longer than the longest the same load caused before the kill
# (0 if none): the failover adds under 1 s (on the testbed's emulated
# CPUs a saturated device stalls a read for 1 to 3 s with both servers up,
# 5 s on a busy host; a failover that waited for the timeout, 5 s here,
# would add that).
#
#   board --- server  (MAC $S)
#         \-- server2 (MAC $S2)
#
# Usage: mirror.sh 1|2 [UPDATES]   (the server to kill; the workload's
# random page updates, 2000000 unless given). Needs server2 (tests.txt:
# pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

WHICH=${1:-1}
UPDATES=${2:-2000000}
victim=server
[ "$WHICH" = 2 ] && victim=server2
mib=$(($(board_mem) * 3))

ktap_plan 10
on board "dmesg -c" >/dev/null
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE timeout 5
ktap_expect "both servers hold the device: healthy" "^[0-9]" wait_mirror healthy 10
on_bg board events "hexoctl netswap monitor" >/dev/null
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
start_probe
on_bg board work "exec $B/memstress $mib $UPDATES" >/dev/null
ktap_check "the workload ($mib MiB) swaps to both, and reads back" \
	on_ready board work "memstress: random" 600
# One server's death is what is tested: the kill finds both holding every
# page. A replica given up on before it (slow, not dead: freeze.sh)
# and not yet filled again would leave pages on the victim alone.
if waited=$(wait_mirror healthy 120); then
	ktap_pass "healthy when the kill comes (waited ${waited} s)"
else
	printf '%s\n' "$waited" | ktap_quote
	ktap_fail "healthy when the kill comes (not within 120 s)"
fi
on board "hexoctl netswap show netswap0 | grep -E '^ *(mirror|replica)'" | ktap_quote
kill_at=$(on board "cut -d' ' -f1 /proc/uptime | tr -d .")
ktap_check "$victim is killed mid-run" kill_vm "$victim"
ktap_expect "the device is degraded within a few seconds" "^[0-9]" wait_mirror degraded 15
out=$(on_wait board work 1200)
workload_verified "the workload completed, every byte verified" "$out" $?
probe_slow
split=$(stall_split "$kill_at")
before=${split% *}
after=${split#* }
stall=$(stop_probe)
prc=$?
ktap_diag "longest stall a reader of netswap0 saw: ${stall} ms; before the kill ${before} ms, from the kill on ${after} ms (as long after it as before)"
# The load alone (a saturated device on emulated CPUs) stalls a read for
# seconds before any server dies: what the failover adds to it is judged.
# A read caught by the kill waits out the failover (500 ms) on top of the
# load's own stall.
if [ $prc -eq 0 ] && [ "${after:-99999}" -lt $((${before:-0} + 1000)) ]; then
	ktap_pass "no read of the device failed; the failover added under 1 s to the longest stall the load caused before it (${after} ms after the kill, ${before} ms before)"
else
	ktap_fail "no read of the device failed; the failover added under 1 s to the longest stall the load caused before it (${after} ms after the kill, ${before} ms before)"
fi
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
ktap_expect "the board reports no error and one replica out" \
	"\"mirror\":\"degraded\"" on board "hexoctl -j netswap show netswap0"
ktap_expect "the monitor saw it degrade" "degraded netswap0" \
	on board "killall hexoctl; cat /tmp/job.events.out"
mirror_cleanup
ktap_finish

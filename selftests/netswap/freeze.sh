#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A board that its host does not run for a while has lost no server. The
# board VM is stopped (testbed freeze: its QEMU gets SIGSTOP, then SIGCONT)
# again and again while a workload swaps to Netswap. When it runs again its
# clock has jumped ahead, its servers' answers wait unread, and those that
# came while its host's buffers were full are gone until sent again.
#
#   mirror: a mirrored device (failover 500 ms), stopped for 1.5 s, eight
#           times by default. Neither replica is given up on: the device
#           stays healthy all along (the monitor sees no state change). A
#           board that judged the servers by that silence gave one up
#           (degraded, its pages on the other alone until a resync), and a
#           kill of the other then would lose pages.
#   single: one server, timeout 4 s, stopped for 5 s, four times by
#           default: longer than the timeout, which counts the board's
#           running time only. A board that counted the stall failed every
#           request in flight with EIO when it ran again.
#
# Either way the workload completes with every byte verified, and the
# board's log has no I/O error.
#
# Usage: freeze.sh single|mirror [UPDATES [FREEZES]] (the workload's random
# page updates, 10000). mirror needs server2 (pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

MODE=${1:-mirror}
UPDATES=${2:-10000}
mib=$(($(board_mem) * 2))
if [ "$MODE" = mirror ]; then
	. ./mirror_lib.sh
	FREEZES=${3:-8}
	FREEZE_S=1.5
else
	FREEZES=${3:-4}
	FREEZE_S=5
fi

# swapped_kib: the board's swap in use, KiB.
swapped_kib() {
	on board "awk '/^SwapTotal/ { t = \$2 } /^SwapFree/ { f = \$2 } END { print t - f }' /proc/meminfo"
}

# wait_swapped KIB: until the board has KIB of swap in use (5 min at most).
wait_swapped() {
	local t=0

	until [ "$(swapped_kib)" -ge "$1" ]; do
		[ $t -ge 600 ] && return 1
		sleep 0.5
		t=$((t + 1))
	done
}

if [ "$MODE" = mirror ]; then
	ktap_plan 7
else
	ktap_plan 5
fi
on board "dmesg -c" >/dev/null
if [ "$MODE" = mirror ]; then
	serve_both "size $SERVE_SIZE"
	attach_mirror $DEV_SIZE timeout 5
	ktap_expect "both servers hold the device: healthy" "^[0-9]" wait_mirror healthy 10
	on_bg board events "hexoctl netswap monitor" >/dev/null
else
	serve "size $SERVE_SIZE"
	attach board $DEV_SIZE timeout 4
fi
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
start_memstress $mib $UPDATES
ktap_check "the workload swaps out (32 MiB)" wait_swapped 32768
# Each freeze with requests in flight: the workload still fills its
# memory, or updates it at random, all along.
done_n=0
for i in $(seq "$FREEZES"); do
	"$HEXO_TESTBED" freeze board "$FREEZE_S" && done_n=$((done_n + 1))
	sleep 2
done
ktap_diag "swap in use after the freezes: $(swapped_kib) KiB"
# The last freeze must find the workload running, or the test proved less.
work_running || ktap_diag "the workload ended before the last freeze"
if [ "$done_n" -eq "$FREEZES" ] && work_running; then
	ktap_pass "the board is stopped for $FREEZE_S s, $FREEZES times, under swap I/O"
else
	ktap_fail "the board is stopped for $FREEZE_S s, $FREEZES times, under swap I/O ($done_n)"
fi
out=$(on_wait board work 1200)
workload_verified "the workload completed, every byte verified" "$out" $?
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
if [ "$MODE" = mirror ]; then
	ktap_expect "still healthy: no replica was given up on" \
		"\"mirror\":\"healthy\"" on board "hexoctl -j netswap show netswap0"
	events=$(on board "killall hexoctl; cat /tmp/job.events.out")
	printf '%s\n' "$events" | grep -E "degraded|resyncing|healthy" | head -5 | ktap_quote
	if grep -qE "degraded|resyncing" <<<"$events"; then
		netswap_log
		ktap_fail "the monitor saw no state change"
	else
		ktap_pass "the monitor saw no state change"
	fi
	mirror_cleanup
else
	ktap_expect "the device counts no failed request" "\"errors\":0[,}]" \
		on board "hexoctl -j netswap show netswap0"
	netswap_cleanup
fi
ktap_finish

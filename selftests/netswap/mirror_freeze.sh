#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A board that its host does not run for a while has lost no server. The
# board VM is stopped (testbed freeze: its QEMU gets SIGSTOP, then SIGCONT)
# for 1.5 s, again and again, while a workload swaps to a mirrored device.
# When it runs again its clock has jumped three failover bounds ahead, and
# its servers' answers still wait unread: a board that judged the servers
# by that silence would give one up (degraded, its pages on the other
# alone, until a resync), and a kill of the other server would then lose
# pages (a read error that mirror.sh 1 met in CI). Neither is given up on:
# the device stays healthy all along (the monitor sees no state change),
# and every byte checks out.
#
# Usage: mirror_freeze.sh [UPDATES [FREEZES]] (the workload's random page
# updates, 10000; the freezes, 8). Needs server2 (pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

UPDATES=${1:-10000}
FREEZES=${2:-8}
mib=$(($(board_mem) * 2))

# swapped_kib: the board's swap in use, KiB.
swapped_kib() {
	on board "awk '/^SwapTotal/ { t = \$2 } /^SwapFree/ { f = \$2 } END { print t - f }' /proc/meminfo"
}

ktap_plan 7
on board "dmesg -c" >/dev/null
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE timeout 5
ktap_expect "both servers hold the device: healthy" "^[0-9]" wait_mirror healthy 10
on_bg board events "hexoctl netswap monitor" >/dev/null
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
on_bg board work "exec $B/memstress $mib $UPDATES" >/dev/null
ktap_check "the workload swaps out (32 MiB)" \
	on board "t=0; until [ \$(awk '/^SwapTotal/ { t = \$2 } /^SwapFree/ { f = \$2 }
		END { print t - f }' /proc/meminfo) -ge 32768 ]; do
		[ \$t -ge 3000 ] && exit 1; sleep 0.1; t=\$((t + 1)); done"
# Each freeze with writes in flight to both servers: the workload still
# fills its memory, or updates it at random, all along.
done_n=0
for i in $(seq "$FREEZES"); do
	"$HEXO_TESTBED" freeze board 1.5 && done_n=$((done_n + 1))
	sleep 2
done
ktap_diag "swap in use after the freezes: $(swapped_kib) KiB"
if [ "$done_n" -eq "$FREEZES" ]; then
	ktap_pass "the board is stopped for 1.5 s, $FREEZES times, under swap I/O"
else
	ktap_fail "the board is stopped for 1.5 s, $FREEZES times, under swap I/O ($done_n)"
fi
out=$(on_wait board work 1200)
rc=$?
printf '%s\n' "$out" | tail -3 | ktap_quote
if [ $rc -eq 0 ] && grep -q "memstress: OK" <<<"$out"; then
	ktap_pass "the workload completed, every byte verified"
else
	ktap_fail "the workload completed, every byte verified (status $rc)"
fi
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
ktap_expect "still healthy: no replica was given up on" \
	"\"mirror\":\"healthy\"" on board "hexoctl -j netswap show netswap0"
events=$(on board "killall hexoctl; cat /tmp/job.events.out")
printf '%s\n' "$events" | grep -E "degraded|resyncing|healthy" | head -5 | ktap_quote
if grep -qE "degraded|resyncing" <<<"$events"; then
	on board "dmesg | grep -E 'netswap|hexo_link' | tail -30" | ktap_quote
	ktap_fail "the monitor saw no state change"
else
	ktap_pass "the monitor saw no state change"
fi
mirror_cleanup
ktap_finish

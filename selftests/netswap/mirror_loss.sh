#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, test 6: a mirrored device over a link that loses 5% of the
# frames (netem on the board's eth0, both ways through it): every byte of a
# verifying workload checks out, and no request reaches the block layer as
# an error.
#
# Usage: mirror_loss.sh [UPDATES [MIB]]   (the workload's random page
# updates, 500000 unless given; its size, twice the board's RAM unless
# given). Needs server2 (tests.txt: pair:servers=2).
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh
. ./mirror_lib.sh

UPDATES=${1:-500000}
mib=${2:-$(($(board_mem) * 2))}

ktap_plan 4
on board "dmesg -c" >/dev/null
serve_both "size $SERVE_SIZE"
attach_mirror $DEV_SIZE
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
ktap_check "netem: 5% loss on the board" netem board loss 5%
start_memstress $mib $UPDATES
out=$(on_wait board work 1800)
workload_verified "every byte verified" "$out" $?
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
netem board off >/dev/null
ktap_diag "$(on board "hexoctl netswap show netswap0" | grep -E 'mirror|replica')"
ktap_expect "healthy at the end, or resyncing what a give-up missed" \
	'"mirror":"(healthy|resyncing)"' on board "hexoctl -j netswap show netswap0"
mirror_cleanup
ktap_finish

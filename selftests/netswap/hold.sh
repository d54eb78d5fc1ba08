#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Issue #13, test 4: a link outage of 10 s with hold 30: the board's eth0 goes
# down and up again (the testbed's agent does not use it) under a verifying
# workload. I/O stalls, nothing fails, every byte checks out.
#
# Usage: hold.sh single|mirror [UPDATES]. "single" is an unmirrored device
# against the one server; "mirror" needs server2 (tests.txt:
# pair:servers=2). UPDATES: the workload's random page updates, 1000000
# unless given.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

MODE=${1:-single}
UPDATES=${2:-1000000}
mib=$(($(board_mem) * 2))

ktap_plan 5
on board "dmesg -c" >/dev/null
if [ "$MODE" = mirror ]; then
	. ./mirror_lib.sh
	serve_both "size $SERVE_SIZE"
	attach_mirror $DEV_SIZE timeout 5 hold 30
else
	serve "size $SERVE_SIZE"
	attach board $DEV_SIZE timeout 5 hold 30
fi
on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0" >/dev/null
start_memstress $mib $UPDATES
ktap_check "the workload swaps ($mib MiB)" on_ready board work "memstress: random" 600
# The outage must find the workload running, or it tested nothing.
ktap_check "the link goes down for 10 s under the workload, and up again" \
	eval 'work_running && on board "ip link set eth0 down && sleep 10 && ip link set eth0 up" &&
		work_running'

out=$(on_wait board work 1200)
workload_verified "the workload completed, every byte verified" "$out" $?
ktap_expect "the device counts no failed request" "\"errors\":0[,}]" \
	on board "hexoctl -j netswap show netswap0"
ktap_check "no I/O error, hung task or panic in the board's log" no_kernel_trouble
on board "swapoff -a; hexoctl netswap detach 0" >/dev/null 2>&1
[ "$MODE" = mirror ] && mirror_cleanup || netswap_cleanup
ktap_finish

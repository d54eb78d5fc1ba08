#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Frames of HEXO's EtherType cross the testbed's link in both directions,
# intact, between the x86_64 server and the arm64 board:
#
#   +-----------------+   virtio-net <-> UDP <-> virtio-net   +----------------+
#   | server (x86_64) | eth0 ------------------------- eth0   | board (arm64)  |
#   | 52:54:00:48:58:01                             52:54:00:48:58:02          |
#   +-----------------+                                       +----------------+
. ../lib/ktap.sh
. ../lib/host.sh

N=200

# crosses FROM TO: FROM sends N DATA frames, TO receives and checks them.
crosses() {
	local from=$1 to=$2 from_mac to_mac
	from_mac=$(eval echo "\$HEXO_${from^^}_MAC")
	to_mac=$(eval echo "\$HEXO_${to^^}_MAC")
	on_bg "$to" recv "hexolink recv -n $N -t 60 --from $from_mac" >/dev/null
	# The receiver must be listening before the first frame leaves.
	on_ready "$to" recv listening >/dev/null
	on "$from" "hexolink send --to $to_mac -n $N -s 1400 -w 0.002" >/dev/null &&
		on_wait "$to" recv 90
}

ktap_plan 3
ktap_expect "board -> server: $N frames arrive intact" "received $N of $N frames \\(0 failed" crosses board server
ktap_expect "server -> board: $N frames arrive intact" "received $N of $N frames \\(0 failed" crosses server board
on_bg board echo "hexolink echo -n 50 -t 60" >/dev/null
on_ready board echo listening >/dev/null
ktap_expect "server <-> board: 50 echo round trips" "50 sent, 50 received, 0 lost; rtt" \
	on server "hexolink ping --to $HEXO_BOARD_MAC -n 50 -s 1400"
on_wait board echo 10 >/dev/null
ktap_finish

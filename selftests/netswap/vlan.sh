#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# HEXO over a VLAN: a port takes the frames of its own interface only, so
# netswap served on eth0 and on eth0.100 are two serves, and a board on
# eth0.100 talks to the second one, tagged both ways.
#
#   server (x86_64) eth0, eth0.100 ---- eth0, eth0.100 board (arm64)
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

IP=/hexo/bin/ip	# iproute2's: busybox runs its own applets first

vlan_up() {
	on "$1" "modprobe 8021q && $IP link add link eth0 name eth0.100 type vlan id 100 &&
		$IP link set eth0.100 up"
}

ktap_plan 9
ktap_check "eth0.100 on both VMs" eval "vlan_up server && vlan_up board"
ktap_expect "the server serves eth0, at most 32M a board" "serving eth0: size 64M board-size 32M" \
	on server "hexoctl netswap serve dev eth0 size 64M board-size 32M"
ktap_expect "... and eth0.100, at most 128M a board" "serving eth0.100: size 128M board-size 128M" \
	on server "hexoctl netswap serve dev eth0.100 size 128M"
ktap_expect "the board attaches 64M over eth0.100 (only eth0.100's serve grants that)" \
	"netswap0: server $S dev eth0.100 size 64M state up" \
	on board "hexoctl netswap attach dev eth0.100 server $S size 64M connect 5"
ktap_check "data verifies over the VLAN" \
	on board "$B/blkpattern write /dev/netswap0 5 0 1024 && $B/blkpattern verify /dev/netswap0 5 0 1024"
ktap_expect "the server's session shows the board on eth0.100" \
	"\"mac\":\"$HEXO_BOARD_MAC\".*\"dev\":\"eth0.100\".*\"size\":67108864" \
	on server "hexoctl -j netswap boards"
ktap_check "the untagged link serves alongside: 16M over eth0, data verifies on both" \
	on board "hexoctl netswap attach dev eth0 server $S size 16M >/dev/null &&
		$B/blkpattern write /dev/netswap1 6 0 1024 && $B/blkpattern verify /dev/netswap1 6 0 1024 &&
		$B/blkpattern verify /dev/netswap0 5 0 1024"
ktap_expect "one board on each serve" \
	"serving eth0: .* boards 1.*serving eth0.100: .* boards 1" \
	on server "hexoctl netswap show | tr '\n' ' '"
cleanup() {
	on board "hexoctl netswap detach 0 && hexoctl netswap detach 1 && $IP link del eth0.100 &&
		rmmod netswap hexo_link" &&
		on server "hexoctl netswap unserve dev eth0.100 && $IP link del eth0.100 &&
			rmmod netswap_server hexo_link"
}
ktap_check "cleanup: detach, unserve, VLANs gone, unload" cleanup
netswap_cleanup
on board "$IP link del eth0.100" >/dev/null 2>&1
on server "$IP link del eth0.100" >/dev/null 2>&1
ktap_finish

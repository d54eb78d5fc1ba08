#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading either module, in every state, is safe: it succeeds and cleans
# up, or it is refused (busy) and everything keeps working.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

ktap_plan 13
serve
attach board 16M
ktap_check "board: unload netswap with an idle device attached" \
	on board "$B/blkpattern write /dev/netswap0 1 0 256 && rmmod netswap && [ ! -e /dev/netswap0 ]"
ktap_expect "the server frees that board's pages at once (BYE)" "\"boards\":0" \
	on server "sleep 1; hexoctl -j netswap show"

ktap_check "board: unload netswap while it waits for a server nobody runs" \
	on board "modprobe netswap attach=eth0,52:54:00:48:58:77,16M && sleep 1 &&
		hexoctl netswap show | grep -q 'state connecting' && rmmod netswap"

attach board 16M
ktap_expect_status "board: unload refused while the device is swapped on" 1 "" \
	on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 && rmmod netswap"
ktap_check "... and the device still works; after swapoff, unload succeeds" \
	on board "swapoff /dev/netswap0 && $B/blkpattern write /dev/netswap0 2 0 256 &&
		$B/blkpattern verify /dev/netswap0 2 0 256 && rmmod netswap"

attach board 16M timeout 2
on_bg server events "hexoctl netswap monitor" >/dev/null
ktap_check "server: unload netswap_server in the middle of the board's I/O" \
	on board "($B/blkpattern -b 1 write /dev/netswap0 3 >/tmp/w.out 2>&1 &); sleep 2; pidof blkpattern"
ktap_check "... the server unloads" on server "rmmod netswap_server"
# The family goes last, so its listeners hear of the boards the unload drops.
ktap_expect "... and its monitor heard the board go" "board-gone board $HEXO_BOARD_MAC dev eth0" \
	on server "sleep 0.5; killall hexoctl; cat /tmp/job.events.out"
ktap_expect "... the board's I/O fails within its bound, no hang" "write at page|Input/output" \
	on board "sleep 5; cat /tmp/w.out"
ktap_check "board: unload netswap with the server lost" \
	on board "hexoctl netswap show | grep -q 'state lost' && rmmod netswap"

ktap_expect_status "hexo_link: unload refused while netswap uses it" 1 "" \
	on board "modprobe netswap && rmmod hexo_link"

serve
attach board 16M timeout 2
ktap_check "board: the NIC is removed from under an attached device" \
	on board "echo 1 >\$(readlink -f /sys/class/net/eth0/device/..)/remove && sleep 4 &&
		hexoctl netswap show | grep -q 'state gone' &&
		! dd if=/dev/zero of=/dev/netswap0 bs=4k count=1 oflag=direct 2>/dev/null"
ktap_check "... the device detaches, the NIC comes back, and all unloads" \
	on board "hexoctl netswap detach 0 && echo 1 >/sys/bus/pci/rescan && sleep 1 &&
		ip link set eth0 up && rmmod netswap hexo_link"
netswap_cleanup
ktap_finish

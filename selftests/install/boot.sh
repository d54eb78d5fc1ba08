#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The boot-time commands of hexo-serve.service and hexo-netswap.service,
# run in the testbed as the units run them (user/boot/, in /hexo/bin): the
# server serves from its serve.conf, the board attaches, mkswaps and swaps
# on from its netswap.conf, pages go to the server; then down on both ends
# swaps off, detaches and unserves, leaving nothing behind.
#
#   server (x86_64) eth0 ---- eth0 board (arm64)
#   hexo-serve up/down          hexo-netswap up/down
. ../lib/ktap.sh
. ../lib/host.sh

ktap_plan 9
ktap_check "server: serve.conf written" \
	on server "mkdir -p /tmp/hexo && printf 'dev eth0\nsize 256M\nboard-size 128M\n' >/tmp/hexo/serve.conf"
ktap_expect "server: hexo-serve up serves what serve.conf says" "serving 256M on eth0" \
	on server "HEXO_RUNDIR=/tmp/hexo/run hexo-serve up /tmp/hexo/serve.conf"
# No priority: the testbed's swapon is busybox's, which has no -p (units.sh
# checks the -p that util-linux's takes against a recording stand-in).
ktap_check "board: netswap.conf written" \
	on board "mkdir -p /tmp/hexo && printf 'dev eth0\nserver %s\nsize 64M\n' $HEXO_SERVER_MAC >/tmp/hexo/netswap.conf"
ktap_expect "board: hexo-netswap up attaches, mkswaps and swaps on" "swapping on /dev/netswap0" \
	on board "HEXO_RUNDIR=/tmp/hexo/run hexo-netswap up /tmp/hexo/netswap.conf"
ktap_expect "board: /dev/netswap0 is swap" "^/dev/netswap0 " \
	on board "cat /proc/swaps"
ktap_expect "server: the board is served" "board-size 128M .* boards 1" \
	on server "hexoctl netswap show"
ktap_check "board: hexo-netswap down swaps off and detaches" \
	on board "HEXO_RUNDIR=/tmp/hexo/run hexo-netswap down && ! grep -q netswap0 /proc/swaps &&
		hexoctl netswap show | grep -q 'devices 0/'"
ktap_check "server: hexo-serve down unserves" \
	on server "HEXO_RUNDIR=/tmp/hexo/run hexo-serve down && ! hexoctl netswap show | grep -q '^serving'"
cleanup() {
	on board "rmmod netswap hexo_link" && on server "rmmod netswap_server; rmmod hexo_link"
}
ktap_check "cleanup: unload" cleanup
ktap_finish

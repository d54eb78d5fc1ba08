#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Board bring-up without hexoctl: the board boots with dts/netswap-virt.dts
# applied to its device tree (the hexo,netswap node names its virtio-mmio
# Ethernet, the server's MAC and 64 MiB), and netswap attaches on its own
# once the server serves. Then the same through the module parameter.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

ktap_plan 8
ktap_expect "the board's device tree has the hexo,netswap node" "^hexo,netswap" \
	on board "tr -d '\\0' </proc/device-tree/netswap/compatible; echo"
ktap_expect "netswap loads and waits for the server: no disk yet" \
	"netswap0: server $S dev eth0 size 64M state connecting" \
	on board "modprobe netswap && sleep 2 && hexoctl netswap show && [ ! -e /dev/netswap0 ]"
serve
ktap_expect "once the server serves, /dev/netswap0 appears, up" "^ok" \
	on board "t=0; until [ -b /dev/netswap0 ]; do [ \$t -ge 100 ] && exit 1; sleep 0.1;
		t=\$((t+1)); done; hexoctl -j netswap show | grep -q '\"state\":\"up\"' && echo ok"
ktap_check "it holds data" \
	on board "$B/blkpattern write /dev/netswap0 5 0 1024 && $B/blkpattern verify /dev/netswap0 5 0 1024"
ktap_check "and swaps" on board "mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 && swapoff /dev/netswap0"
ktap_check "unloading netswap removes it, and the server lets go" \
	on board "rmmod netswap && [ ! -e /dev/netswap0 ]"
ktap_expect "the server has no board left" "\"boards\":0" \
	on server "sleep 1; hexoctl -j netswap show"
ktap_expect "netswap.attach= adds a device beside the device tree's" \
	"size 16M state up.*size 64M state up|size 64M state up.*size 16M state up" \
	on board "modprobe netswap attach=eth0,$S,16M && sleep 3 && hexoctl netswap show | tr '\n' ' '"
netswap_cleanup
ktap_finish

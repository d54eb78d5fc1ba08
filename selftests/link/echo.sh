#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexoctl link echo: the link's round trip measured in the kernel at both
# ends (HEXO_LINK_CMD_ECHO, include/uapi/hexo/hexo_link.h). No interface
# answers until its echo is set on (hexoctl link set); answers come back
# checked, as data of the size sent or as a page in the fragments of a READ
# reply, in both directions; a peer that cannot carry the page's fragments
# refuses it and the refusal is reported; bad input gets a clear error; a
# caller killed mid-echo returns at once, and hexo_link unloads cleanly with
# echo on or after echoes.
. ../lib/ktap.sh
. ../lib/host.sh

S=$HEXO_SERVER_MAC
B=$HEXO_BOARD_MAC

# no_service VM: the rx_no_service counter of VM's port (0 without one).
no_service() {
	on "$1" "hexoctl -j link show" | grep -o '"rx_no_service":[0-9]*' | head -1 | cut -d: -f2
}

# both NAME PATTERN1 PATTERN2 VM COMMAND: COMMAND succeeds in VM and its
# output matches both patterns.
both() {
	local name=$1 p1=$2 p2=$3 out
	shift 3
	if out=$(on "$@" 2>&1) && grep -Eq -- "$p1" <<<"$out" && grep -Eq -- "$p2" <<<"$out"; then
		ktap_pass "$name"
	else
		printf '%s\n' "$out" | ktap_quote
		ktap_fail "$name"
	fi
}

ktap_plan 23

on server "modprobe hexo_link && hexoctl netswap serve dev eth0 size 64M" >/dev/null
ktap_expect "a port on the server's eth0, echo off by default" "eth0: .* echo no" \
	on server "hexoctl link show"

# Off: the request is counted as for no service and never answered.
before=$(no_service server)
ktap_expect_status "echo off: no answer, and advice on what to set" 1 \
	"no answer from .* is its echo on" \
	on board "hexoctl link echo $S dev eth0 count 3 timeout 200"
after=$(no_service server)
ktap_check "echo off: the server counted the 3 requests as not served" \
	test "$((${after:-0} - ${before:-0}))" -ge 3

ktap_check "hexoctl link set dev eth0 echo on" on server "hexoctl link set dev eth0 echo on"
both "board -> server, 1400 bytes each way: 200 of 200 answered, checked" \
	"1400 bytes each way" "200 sent, 200 answered, 0 bad" \
	board "hexoctl link echo $S dev eth0 count 200 size 1400"
both "board -> server, a page in answer: fragments of 1448 bytes at MTU 1500, 200 of 200" \
	"1448 data bytes a frame" "200 sent, 200 answered, 0 bad" \
	board "hexoctl link echo $S dev eth0 count 200 page"
ktap_expect "-j: answered and the round trips as numbers" \
	'"answered":50,"bad":0,"rtt_min_ns":[1-9][0-9]*,"rtt_median_ns":[1-9][0-9]*' \
	on board "hexoctl -j link echo $S dev eth0 count 50 page"

# Small frames: a page in 8 fragments of 552 bytes.
on board "ip link set eth0 mtu 600" >/dev/null
both "board at MTU 600: a page in 8 fragments of 552 bytes, all answered" \
	"552 data bytes a frame" "50 sent, 50 answered, 0 bad" \
	board "hexoctl link echo $S dev eth0 count 50 page"
# The server cannot send fragments as large as the board asks: it refuses.
on board "ip link set eth0 mtu 1500" >/dev/null
on server "ip link set eth0 mtu 1000" >/dev/null
ktap_expect_status "server at MTU 1000, board at 1500: the page is refused, and said so" 1 \
	"5 answers failed their check" \
	on board "hexoctl link echo $S dev eth0 count 5 page timeout 500"
on server "ip link set eth0 mtu 1500" >/dev/null

ktap_expect_status "count 0: a usage error" 2 "count must be 1 to 10000" \
	on board "hexoctl link echo $S dev eth0 count 0"
ktap_expect_status "size and page together: a usage error" 2 "size or page, not both" \
	on board "hexoctl link echo $S dev eth0 size 10 page"
ktap_expect_status "size 2000 at MTU 1500: the kernel refuses, saying why" 1 \
	"more than a frame of this interface carries" \
	on board "hexoctl link echo $S dev eth0 size 2000"
ktap_expect_status "a multicast peer: refused" 1 "unicast MAC address" \
	on board "hexoctl link echo 01:00:5e:00:00:01 dev eth0"
ktap_expect_status "no such interface: refused" 1 "no such network interface" \
	on board "hexoctl link echo $S dev nosuch0"
ktap_expect_status "echo as nobody: refused" 1 "Operation not permitted" \
	on board "su -s /bin/sh -c 'hexoctl link echo $S dev eth0' nobody"
ktap_expect_status "link set as nobody: refused" 1 "Operation not permitted" \
	on board "su -s /bin/sh -c 'hexoctl link set dev eth0 echo on' nobody"

# A caller killed while it waits for answers that never come returns at once.
ktap_check "hexoctl link set dev eth0 echo off" on server "hexoctl link set dev eth0 echo off"
ktap_expect "a caller killed mid-echo (10000 echoes of 5 s, unanswered) ends within 3 s" \
	"^killed 137, ended [0-2] s later$" \
	on board "hexoctl link echo $S dev eth0 count 10000 timeout 5000 >/dev/null 2>&1 & p=\$!;" \
		"sleep 1; s=\$(date +%s); kill -9 \$p; wait \$p; r=\$?;" \
		"echo killed \$r, ended \$((\$(date +%s) - s)) s later"
# The modules on top of hexo_link (an earlier test may have loaded them) go first.
ON_TOP="for m in hexo_kvm netswap netswap_server; do ! grep -q \"^\$m \" /proc/modules || rmmod \$m; done"
ktap_expect "then hexo_link unloads on the board: the echoes let go of their port" \
	"^unloaded$" on board "$ON_TOP && rmmod hexo_link && echo unloaded"

# The other way, to the board, where echo alone holds the port.
ktap_check "board: echo on, with no other HEXO user of eth0" \
	on board "hexoctl link set dev eth0 echo on && hexoctl link show | grep -q 'eth0: .* echo yes'"
both "server -> board, a page in answer" "1448 data bytes a frame" "200 sent, 200 answered, 0 bad" \
	server "hexoctl link echo $B dev eth0 count 200 page"
ktap_expect "board: hexo_link unloads with echo on (it lets go of the port)" "^unloaded$" \
	on board "$ON_TOP && rmmod hexo_link && echo unloaded"
on server "hexoctl netswap unserve dev eth0" >/dev/null
ktap_check "no kernel warning, oops or BUG on either end" \
	sh -c "! { $HEXO_TESTBED exec server -- dmesg; $HEXO_TESTBED exec board -- dmesg; } |
		grep -E 'WARNING:|BUG:|Oops|general protection'"
ktap_finish

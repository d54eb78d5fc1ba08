#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile input: a raw-socket program fires thousands of random and malformed
# frames of HEXO's EtherType at the server and at the board (truncated,
# oversized, wrong version, header length or checksum, unknown services and
# operations, foreign and random sessions, malformed requests inside a real
# session, garbage HELLOs, replies nobody asked for), and a READV asking
# for far more than the session's window (one small frame must not make the
# server build megabytes of replies). Neither kernel may
# crash or warn (the runner checks their logs), the counters must show the
# drops, the board's data must be intact and the accounting unchanged, and
# both modules must still unload.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

N=${1:-3000}

ktap_plan 12
serve
attach board 16M
mtu_case
on board "$B/blkpattern write /dev/netswap0 9 0 1024" >/dev/null
sess=$(dev_field board session)
ktap_expect "the board fires $N hostile frames at the server" "fuzz: sent $N frames" \
	on board "hexolink fuzz --to $S -n $N --seed 7 --session $sess"
ktap_expect "the server fires $N hostile frames at the board" "fuzz: sent $N frames" \
	on server "hexolink fuzz --to $HEXO_BOARD_MAC -n $N --seed 8 --session $sess"
ktap_expect "a READV within the window is answered with data" "reply ok, [1-9]" \
	on board "hexolink forge --to $S --session $sess --op readv -n 4 --index 0 --pages 1 -t 2"
ktap_expect "a READV for 60 x 21 pages (window 64) is refused, not answered" "reply status 6" \
	on board "hexolink forge --to $S --session $sess --op readv -n 60 --index 0 --pages 21 -t 2"
ktap_expect "the server's counters show the drops, by reason" \
	"\"rx_runt\":[1-9][0-9]*,\"rx_bad_version\":[1-9][0-9]*,\"rx_bad_hdr_len\":[1-9][0-9]*,\"rx_bad_data_len\":[1-9][0-9]*,\"rx_bad_hdr_crc\":[1-9][0-9]*,\"rx_bad_service\":[1-9]" \
	on server "hexoctl -j link show"
ktap_expect "the board's too" "\"rx_runt\":[1-9][0-9]*,.*\"rx_no_chan\":[1-9]" \
	on board "hexoctl -j link show"
ktap_check "the board's data is intact" on board "$B/blkpattern verify /dev/netswap0 9 0 1024"
ktap_expect "the server holds exactly the board's 1024 pages, no more" "\"stored\":4194304," \
	on server "hexoctl -j netswap boards"
ktap_check "the device still works both ways" \
	on board "$B/blkpattern write /dev/netswap0 10 1024 1024 && $B/blkpattern verify /dev/netswap0 10 1024 1024"
ktap_check "the board detaches and its modules unload" \
	on board "hexoctl netswap detach 0 && rmmod netswap hexo_link"
# hexo_link can refuse for a moment right after netswap_server went (EAGAIN:
# in use); basic.sh's cleanup waits for it the same way.
ktap_expect "the server frees everything and its modules unload" "^unloaded" \
	on server "sleep 1; hexoctl -j netswap show | grep -q '\"reserved\":0,\"stored\":0,' &&
		hexoctl netswap unserve dev eth0 && rmmod netswap_server &&
		for i in 1 2 3 4 5 6; do rmmod hexo_link 2>/dev/null && echo unloaded && break;
			sleep 0.5; done"
netswap_cleanup
ktap_finish

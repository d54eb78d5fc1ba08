#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two boards share one server and never see each other's pages: the same
# page numbers hold each board's own data; a request carrying one board's
# session from the other board's MAC is refused (HEXO_ST_SESSION, status 2),
# and so is its BYE; an attachment larger than the per-board limit is refused.
#
#   board  52:54:00:48:58:02 --+
#                              +-- server 52:54:00:48:58:01
#   board2 52:54:00:48:58:03 --+
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

ktap_plan 9
serve size 256M board-size 64M
attach board 32M
attach board2 32M
ktap_check "both boards write the same pages, each its own data" \
	on board "$B/blkpattern write /dev/netswap0 101 0 2048"
on board2 "$B/blkpattern write /dev/netswap0 202 0 2048" >/dev/null
ktap_check "board reads back its own data" on board "$B/blkpattern verify /dev/netswap0 101 0 2048"
ktap_check "board2 reads back its own data" on board2 "$B/blkpattern verify /dev/netswap0 202 0 2048"
ktap_expect "the server keeps two boards, 8M each" \
	"\"stored\":8388608,.*\"stored\":8388608," on server "hexoctl -j netswap boards"
sess=$(dev_field board session)
ktap_expect "board2 reading with board's session is refused" "reply status 2" \
	on board2 "hexolink forge --to $S --session $sess --op read --index 0 --pages 1 -t 2"
ktap_expect "board2 ending board's session is refused too" "reply status 2" \
	on board2 "hexolink forge --to $S --session $sess --op bye -t 2"
ktap_check "board is unaffected" on board "$B/blkpattern verify /dev/netswap0 101 0 2048"
ktap_expect_status "an attach past the per-board limit (board-size 64M) is refused" 1 "No space" \
	on board2 "hexoctl netswap attach dev eth0 server $S size 128M"
on board "hexoctl netswap detach 0" >/dev/null
ktap_check "board detached; board2 still reads its data" \
	on board2 "$B/blkpattern verify /dev/netswap0 202 0 2048"
on board2 "hexoctl netswap detach 0; rmmod netswap hexo_link" >/dev/null 2>&1
netswap_cleanup
ktap_finish

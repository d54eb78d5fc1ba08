#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every page of a netswap device holds what was written to it: distinct
# patterns over the whole device, read back in order and at random, then
# discards (pages read as zeros and the server frees them), then a rewrite
# with new patterns over the discarded and the kept pages.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

PAGES=8192	# 32M

ktap_plan 11
serve
attach board 32M
mtu_case
ktap_check "write distinct patterns over the whole device" \
	on board "$B/blkpattern -b 16 write /dev/netswap0 1"
ktap_check "read them back, in order" on board "$B/blkpattern -b 16 verify /dev/netswap0 1"
ktap_check "read them back, one page at a time, at random" \
	on board "$B/blkpattern -b 1 -r verify /dev/netswap0 1 0 2048"
ktap_expect "the server holds every page" "\"stored\":$((PAGES * 4096))," \
	on server "hexoctl -j netswap boards"
ktap_check "discard the second half" on board "$B/blkpattern discard /dev/netswap0 4096 4096"
ktap_check "discarded pages read as zeros, the others keep their data" \
	on board "$B/blkpattern zero /dev/netswap0 4096 4096 && $B/blkpattern verify /dev/netswap0 1 0 4096"
ktap_expect "the server freed the discarded pages" "\"stored\":$((4096 * 4096))," \
	on server "hexoctl -j netswap boards"
ktap_check "rewrite everything with new patterns" \
	on board "$B/blkpattern -b 8 -r write /dev/netswap0 2"
ktap_check "the new patterns read back, nothing of the old" \
	on board "$B/blkpattern -b 32 verify /dev/netswap0 2"
ktap_expect "no page lost, no request failed" "\"pages_lost\":0,.*\"errors\":0," \
	on board "hexoctl -j netswap show netswap0"
netswap_cleanup
ktap_finish

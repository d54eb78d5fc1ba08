#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A bad link loses, duplicates, reorders and corrupts frames (tc netem on both
# ends' eth0); Netswap retransmits, ignores, reassembles and refetches, and
# every byte reads back as written. LOSS is the loss rate in percent
# (1 in make check, 20 in make soak); corruption and duplication are 1%,
# reordering 25% of frames delayed behind the others.
#
# Usage: faults.sh LOSS [PAGES]
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

LOSS=${1:-1}
PAGES=${2:-2048}
SPEC="loss $LOSS% duplicate 1% corrupt 1% delay 1ms reorder 25% 50%"

ktap_plan 8
serve
attach board 32M timeout 30
ktap_check "netem on both ends: $SPEC" eval "netem board $SPEC && netem server $SPEC"
ktap_check "write $PAGES pages in batches, through the faults" \
	on board "$B/blkpattern -b 8 -r write /dev/netswap0 11 0 $PAGES"
ktap_check "read them back, through the faults: every byte right" \
	on board "$B/blkpattern -b 8 verify /dev/netswap0 11 0 $PAGES"
ktap_check "one page at a time too" on board "$B/blkpattern -b 1 -r verify /dev/netswap0 11 0 256"
ktap_expect "the board retransmitted and ignored duplicates" \
	"\"retransmits\":[1-9][0-9]*,.*\"dups\":[1-9]" on board "hexoctl -j netswap show netswap0"
ktap_expect "corrupted frames were caught by the header checksum" \
	"\"rx_bad_hdr_crc\":[1-9]" on board "hexoctl -j link show"
ktap_expect "no request failed, no page lost" "\"pages_lost\":0,.*\"errors\":0," \
	on board "hexoctl -j netswap show netswap0"
netem board off >/dev/null; netem server off >/dev/null
ktap_check "without netem, all reads back again" \
	on board "$B/blkpattern -b 16 verify /dev/netswap0 11 0 $PAGES"
netswap_cleanup
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Keyed sessions: a serve and an attach with the same pre-shared key. A host
# on the segment that knows the board's MAC and session ID forges reads,
# writes, discards, BYEs and HELLOs to the server, and replies to the board;
# it replays frames it captured. Every one is dropped and counted, never
# answered (a HELLO without a key is told the serve wants one), and the
# board's data verifies afterwards. Boards without the key, or with another
# one, do not attach, and the key never comes back out of the kernel.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

BM=$HEXO_BOARD_MAC
DEV=/dev/netswap0

# stat VM KEY: a counter of eth0's port from hexoctl -j link show.
stat() {
	on "$1" "hexoctl -j link show" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# shown: what hexoctl shows of Netswap and hexo_link, on both sides.
shown() {
	on board "hexoctl -j netswap show; hexoctl -j link show"
	on server "hexoctl -j netswap show; hexoctl -j netswap boards; hexoctl -j link show"
}

# key_shown: how many times the key appears in that (0).
key_shown() {
	shown | grep -cF "$key"
	true
}

# detached: the board detaches; prints the server's view a moment later.
detached() {
	on board "hexoctl netswap detach 0" >/dev/null
	sleep 1
	on server "hexoctl -j netswap show"
}

ktap_plan 18
key=$(on server "hexoctl netswap genkey")
other=$(on server "hexoctl netswap genkey")
ktap_expect "genkey writes 32 random bytes in base64, new each time" \
	"^[A-Za-z0-9+/]{43}= [A-Za-z0-9+/]{43}=$" echo "$key $other"
on server "echo $key > /tmp/key" >/dev/null
on board "echo $key > /tmp/key; echo $other > /tmp/other; echo garbage > /tmp/bad" >/dev/null
serve size 256M key /tmp/key
ktap_expect "the serve is keyed" '"keyed":true' on server "hexoctl -j netswap show"

ktap_expect_status "a board without a key is refused, told why" 1 "serves keyed boards only" \
	on board "hexoctl netswap attach dev eth0 server $S size 16M"
bad0=$(stat server rx_bad_auth)
ktap_expect_status "a board with another key gets no answer" 1 "with the same key" \
	on board "hexoctl netswap attach dev eth0 server $S size 16M connect 2 key /tmp/other"
ktap_expect "the server counted its HELLOs as forged" "^[1-9]" \
	echo $(($(stat server rx_bad_auth) - bad0))
ktap_expect_status "a key file that holds no key: usage error" 2 "holds no key" \
	on board "hexoctl netswap attach dev eth0 server $S size 16M key /tmp/bad"

attach board 16M key /tmp/key
ktap_expect "the keyed board attaches; its frames make room for the MAC" \
	'"frag":1424,"keyed":true' on board "hexoctl -j netswap show netswap0"
ktap_check "data written and read back through the keyed session" \
	on board "$B/blkpattern write $DEV 11 0 1024 && $B/blkpattern verify $DEV 11 0 1024"
ktap_expect "the key is nowhere in what hexoctl shows, on either side" "^0$" key_shown

sess=$(dev_field board session)
bad0=$(stat server rx_bad_auth)
ktap_expect "forged read, write, discard, readv and BYE with the board's MAC and session: no answer" \
	"^(forge: no reply ){5}$" on board "for op in read write discard readv bye; do
		hexolink forge --to $S --session $sess --op \$op --index 0 --pages 1 -n 1 -t 1
	done | tr '\n' ' '"
ktap_expect "a forged HELLO without the key is told the serve wants one" "reply status 9" \
	on board "hexolink forge --to $S --op hello --pages 256 -t 2"
ktap_expect "the server counted the five forgeries" "^[5-9]|^[1-9][0-9]" \
	echo $(($(stat server rx_bad_auth) - bad0))
bad0=$(stat board rx_bad_auth)
on server "hexolink fuzz --to $BM -n 500 --seed 5 --session $sess" >/dev/null
ktap_expect "500 hostile frames at the board in its session: the ones that reach it are dropped as forged" \
	"^[1-9]" echo $(($(stat board rx_bad_auth) - bad0))

rp0=$(stat server rx_replay)
on_bg board replay "hexolink replay --to $S -n 200 -t 20"
on_ready board replay "listening" 10 >/dev/null
# One page at a time (QD1): no burst for the link to drop, so the server got
# every original, and every copy is a replay.
on board "$B/blkpattern -b 1 write $DEV 12 1024 256" >/dev/null
out=$(on_wait board replay 40)
sleep 1
n=$(printf '%s' "$out" | sed -n 's/^replay: captured \([0-9]*\).*/\1/p')
ktap_expect "frames of 256 page writes, captured and sent again" "replay: captured [1-9]" \
	echo "$out"
sleep 1
ktap_expect "the server dropped every one as a replay ($n)" "^${n:-none}$" \
	echo $(($(stat server rx_replay) - rp0))
ktap_check "after all that, the board's data verifies" \
	on board "$B/blkpattern verify $DEV 11 0 1024 && $B/blkpattern verify $DEV 12 1024 256"
ktap_expect "its session never dropped: no error, no reconnect" \
	'"pages_lost":0,.*"errors":0,.*"reconnects":0[,}]' on board "hexoctl -j netswap show netswap0"
ktap_expect "the board detaches; the server frees its pages" '"reserved":0,"stored":0,' detached
netswap_cleanup
ktap_finish

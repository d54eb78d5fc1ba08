#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netswap's hardening, each case a defect that once lost data, corrupted
# memory or let one host hurt another:
#  - write order past 2^31: a page left alone while 3 x 2^30 other writes
#    went by, then rewritten, must read back new (a 32-bit order judged the
#    rewrite older, acknowledged it and dropped it);
#  - tag wrap: a write whose tag is 0 (tags wrap after 65535 generations)
#    must land in a never-used staging slot (it was ignored until timeout);
#  - a server granting more than the board asked is refused (the disk's
#    page bitmaps are sized for what was asked);
#  - a HELLO with the board's own MAC and a new boot value, even one whose
#    session is then used, does not erase the live board's swap; sessions
#    nobody uses go within seconds; max-boards refuses one board too many;
#  - a DISCARD larger than HEXO_MAX_DISCARD_PAGES is refused;
#  - two devices on one server whose HELLOs carry the same tag both find
#    their session again after an outage (answers went to the newer one);
#  - a wire version 1 HELLO gets a version 1 answer: HEXO_ST_VERSION;
#  - stable pages (a retransmission re-reads the page) and the receive
#    reserves armed while a device exists.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

BM=$HEXO_BOARD_MAC
DEV=/dev/netswap0
P=/sys/module/hexo_link/parameters

ktap_plan 24
serve size 256M

# --- write order past 2^31, starting just below 2^32 (a module another
# test left loaded, netlink_bad's by genl autoload, would keep its own)
on board "rmmod netswap hexo_kvm hexo_link 2>/dev/null;
	modprobe hexo_link seq_start=4294966296 seq_stride=1073741825" >/dev/null
ktap_expect "the board's channels start near 2^32 and step 2^30 + 1" "^4294966296 1073741825$" \
	on board "echo \$(cat $P/seq_start $P/seq_stride)"
attach board 16M
ktap_check "page 0 written, then pages 1 and 2 (3 x 2^30 later), then page 0 again reads new" \
	on board "$B/blkpattern -b 1 write $DEV 1 0 1 && $B/blkpattern -b 1 write $DEV 2 1 2 &&
		$B/blkpattern -b 1 write $DEV 3 0 1 && $B/blkpattern -b 1 verify $DEV 3 0 1 &&
		$B/blkpattern -b 1 verify $DEV 2 1 2"
ktap_expect "the server ignored no write as stale" '"stale":0[,}]' \
	on server "hexoctl -j netswap boards"
on board "hexoctl netswap detach 0; rmmod netswap hexo_link" >/dev/null

# --- tag 0 in a never-used slot (window 1: every request in slot 0)
on board "modprobe hexo_link tag_gen_start=65535" >/dev/null
attach board 16M window 1 timeout 2
ktap_expect "the first write's tag is 0 (generation 65535 + 1 wraps)" "^65535$" \
	on board "cat $P/tag_gen_start"
ktap_check "a write tagged 0 lands at once and verifies" \
	on board "$B/blkpattern -b 1 write $DEV 4 0 4 && $B/blkpattern -b 1 verify $DEV 4 0 4"
# An ignored write would time out for real; a slow TCG vCPU may only make
# one late (a spurious timeout: its first answer came after all).
ktap_expect "no I/O error, no write ignored (every timeout spurious)" \
	'"errors":0,.*"timeouts":([0-9]+),"spurious":\1,' \
	on board "hexoctl -j netswap show netswap0"

# --- stable pages, receive reserves
ktap_expect "the device asks for stable pages during writes" "^1$" \
	on board "cat /sys/block/netswap0/queue/stable_writes"
ktap_expect "hexo_link arms the receive reserves while a device exists" '"reserves":true' \
	on board "hexoctl -j link show"
on board "hexoctl netswap detach 0" >/dev/null
ktap_expect "and disarms them once none is left" '"reserves":false' \
	on board "hexoctl -j link show"
on board "rmmod netswap hexo_link" >/dev/null

# --- a server that grants more than asked (no real server on the link)
on server "hexoctl netswap unserve dev eth0; rmmod netswap_server hexo_link" >/dev/null
on_bg server grant "hexolink grant --to $BM -t 20"
sleep 1
ktap_expect_status "a grant of twice the size asked is refused, with the reason" 1 \
	"granted a size that was not asked for" \
	on board "hexoctl netswap attach dev eth0 server $S size 16M connect 10"
ktap_expect "the forger answered the board's HELLO" "grant: asked 16777216, granted 33554432" \
	on_wait server grant 30
ktap_check "no device was created" on board "! ls /sys/block | grep -q netswap"
on board "rmmod netswap hexo_link" >/dev/null

# --- spoofed HELLOs and the session limit
serve size 256M max-boards 3
attach board 16M
on board "$B/blkpattern write $DEV 5 0 1024" >/dev/null
ktap_expect "a HELLO with the board's MAC and a new boot value gets a session" \
	"reply ok, session [1-9]" \
	on board "hexolink forge --to $S --op hello --pages 256 --seed 41 -t 2"
sess=$(on board "hexolink forge --to $S --op hello --pages 256 --seed 42 -t 2" |
	sed -n 's/.*session \([0-9]*\).*/\1/p')
ktap_expect "one board too many (max-boards 3): refused with FULL" "reply status 8" \
	on board "hexolink forge --to $S --op hello --pages 256 --seed 43 -t 2"
ktap_expect "the forged session, used, answers like the board's own" "reply ok" \
	on board "hexolink forge --to $S --session ${sess:-0} --op read --index 0 --pages 1 -t 2"
sleep 7
ktap_check "7 s later the board's data is intact" \
	on board "$B/blkpattern verify $DEV 5 0 1024"
ktap_expect "its session was never lost or replaced" '"pages_lost":0,.*"reconnects":0[,}]' \
	on board "hexoctl -j netswap show netswap0"
ktap_expect "the unused forged session is gone; the board's and the used one stay" \
	'"boards":2,' on server "hexoctl -j netswap show"

# --- one HELLO tag for two channels to one server
netswap_cleanup
serve size 256M expire 120
on board "modprobe hexo_link ctl_tag=4660" >/dev/null
attach board 16M timeout 2
attach board 16M timeout 2
ktap_expect "every HELLO of both devices carries tag 4660" "^4660 2$" \
	on board "echo \$(cat $P/ctl_tag) \$(ls /sys/block | grep -c netswap)"
on board "$B/blkpattern write /dev/netswap0 6 0 64 && $B/blkpattern write /dev/netswap1 7 0 64" \
	>/dev/null
on server "ip link set eth0 down; sleep 4; ip link set eth0 up" >/dev/null
ktap_expect "both devices lose the server, and find their sessions again" "^up up$" \
	on board "t=0; until hexoctl netswap show | grep -q 'netswap1:.*state up' &&
		hexoctl netswap show | grep -q 'netswap0:.*state up'; do
		[ \$t -ge 150 ] && break; sleep 0.1; t=\$((t+1)); done
		echo \$(hexoctl -j netswap show | grep -o '\"state\":\"[a-z]*\"' | cut -d'\"' -f4)"
ktap_check "each is back in its own session, its data there" \
	on board "$B/blkpattern verify /dev/netswap0 6 0 64 && $B/blkpattern verify /dev/netswap1 7 0 64"
netswap_cleanup

# --- discard bound, wire version 1
serve size 256M max-boards 3
attach board 16M
on board "$B/blkpattern write $DEV 5 0 1024" >/dev/null
bsess=$(dev_field board session)
ktap_expect "a DISCARD of 1025 pages is refused as malformed" "reply status 6" \
	on board "hexolink forge --to $S --session $bsess --op discard --index 0 --pages 1025 -t 2"
ktap_expect "a DISCARD of 1024 pages is done" "reply ok" \
	on board "hexolink forge --to $S --session $bsess --op discard --index 2048 --pages 1024 -t 2"
ktap_expect "a wire version 1 HELLO is told VERSION, in version 1's format" \
	"version 1 reply status 1" \
	on board "hexolink forge --to $S --op hello-v1 -t 2"
netswap_cleanup
ktap_finish

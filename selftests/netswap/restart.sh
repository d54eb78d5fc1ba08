#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sessions and epochs. A link outage longer than the board's timeout but
# shorter than the server's expiry: I/O fails meanwhile, then the board finds
# the same session again and every page is still there. A server restart
# (unserve and serve: a new instance, no sessions): the board notices at its
# next exchange, gets a new session, and the pages the old one held are lost:
# reading them fails with EIO, never returns stale or foreign data, until
# they are written again.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

ktap_plan 13
serve size 256M expire 60
attach board 32M timeout 3
on_bg board events "hexoctl netswap monitor" >/dev/null
ktap_check "write 1024 pages" on board "$B/blkpattern write /dev/netswap0 1 0 1024"
s1=$(dev_field board session)
[ -n "$s1" ] || bail "netswap0 shows no session"

ktap_check "the server's link goes down" on server "ip link set eth0 down"
ktap_expect "the board declares the server lost (timeout 3 s)" "^[0-9]" wait_state board lost 6
ktap_expect "meanwhile I/O fails with EIO" "Input/output error|I/O error" \
	on board "dd if=/dev/netswap0 of=/dev/null bs=4k count=1 iflag=direct 2>&1; true"
ktap_check "the link comes back" on server "ip link set eth0 up"
ktap_expect "the board finds its server again, same session" "^[0-9]" wait_state board up 10
ktap_expect "same session: $s1" "^$s1\$" dev_field board session
ktap_check "every page is still there" on board "$B/blkpattern verify /dev/netswap0 1 0 1024"

ktap_check "the server restarts (unserve, serve)" \
	on server "hexoctl netswap unserve dev eth0 && hexoctl netswap serve dev eth0 size 256M >/dev/null"
ktap_expect "the board reconnects with a new session" "^ok" \
	on board "t=0; until [ \$(hexoctl -j netswap show netswap0 | sed -n 's/.*\"session\":\([0-9]*\).*/\1/p') != $s1 ] &&
		hexoctl -j netswap show | grep -q '\"state\":\"up\"'; do
		[ \$t -ge 100 ] && exit 1; sleep 0.1; t=\$((t+1)); done; echo ok"
ktap_expect "the old pages read as lost: EIO, all 1024 of them" "^1024 of 1024 pages failed with EIO" \
	on board "$B/blkpattern expect-eio /dev/netswap0 0 1024"
ktap_check "written again, they read back; the others stay lost" \
	on board "$B/blkpattern write /dev/netswap0 2 0 512 && $B/blkpattern verify /dev/netswap0 2 0 512 &&
		$B/blkpattern expect-eio /dev/netswap0 512 512 && hexoctl -j netswap show | grep -q '\"pages_lost\":512,'"
ktap_expect "the monitor saw: down, back, down, restarted" \
	"down netswap0.*back netswap0.*down netswap0.*restarted netswap0" \
	on board "killall hexoctl; cat /tmp/job.events.out | tr '\n' ' '"
netswap_cleanup
ktap_finish

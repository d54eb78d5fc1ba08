#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MTU changes under a live session. Raised on both ends while the session
# runs, the terms it agreed still fit and I/O goes on. Then, after each
# change, a link outage longer than the board's timeout makes the board
# reattach to its session (a HELLO naming it as prev_session): both ends
# must then fragment pages for the MTUs they have now (netswap0's frag is
# the smaller MTU's), not for those of the session's first HELLO. Changes:
# both ends at 9000 (the live change above), the server alone to 1500, the
# server alone back to 9000, the board alone to 1500, the server alone to
# 1500. After each reconnect: the same session, the new frag, every page
# written before reads back, new data writes and reads back, and no request
# failed (netswap0's error count is unchanged, no page lost).
#
# Until the server takes the terms of a reattaching HELLO, the steps that
# raise the agreed frag (to 4096) fail: the server still cuts and expects
# 1456-byte fragments, every read and write of the board times out (EIO).
# shellcheck disable=SC2317  # functions called through ktap_check
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

REGION=256		# pages each step writes: region N is pages N*256.., seed 20+N
written=()		# the regions written and read back whole
next=0

# set_mtu VM MTU
set_mtu() {
	on "$1" "ip link set eth0 mtu $2"
}

set_both() {
	set_mtu server "$1" && set_mtu board "$1"
}

# errors: netswap0's count of failed requests.
errors() {
	dev_field board errors
}

# write_region N: writes region N and reads it back.
write_region() {
	on board "$B/blkpattern -b 16 write /dev/netswap0 $((20 + $1)) $(($1 * REGION)) $REGION &&
		$B/blkpattern -b 16 verify /dev/netswap0 $((20 + $1)) $(($1 * REGION)) $REGION"
}

# new_region NAME: the case NAME, writing the next region and reading it
# back; a region that passed is verified by every later step.
new_region() {
	local r=$next fails=$KTAP_FAIL

	next=$((next + 1))
	ktap_check "$1" write_region "$r"
	[ "$KTAP_FAIL" = "$fails" ] && written+=("$r")
}

# verify_old: every region written so far reads back.
verify_old() {
	local r cmd=true

	for r in "${written[@]}"; do
		cmd="$cmd && $B/blkpattern -b 16 verify /dev/netswap0 $((20 + r)) $((r * REGION)) $REGION"
	done
	on board "$cmd"
}

# no_new_errors BEFORE: netswap0's error count is still BEFORE, no page lost.
no_new_errors() {
	local now lost

	now=$(errors)
	lost=$(dev_field board pages_lost)
	echo "errors $now (before: $1), pages lost $lost"
	[ "$now" = "$1" ] && [ "$lost" = 0 ]
}

# reconnect SERVER_MTU BOARD_MTU: the server's link goes down; meanwhile the
# MTUs change; the board declares the server lost; the link comes back and
# the board reattaches.
reconnect() {
	on server "ip link set eth0 down" &&
		set_mtu server "$1" && set_mtu board "$2" &&
		wait_state board lost 8 >/dev/null &&
		on server "ip link set eth0 up" &&
		wait_state board up 15 >/dev/null
}

# step WHAT SERVER_MTU BOARD_MTU: a reconnect at these MTUs and its checks.
step() {
	local s=$2 b=$3 m f e0 tag

	m=$((s < b ? s : b))
	f=$(frag_for "$m")
	tag="$1 (server $s, board $b):"
	e0=$(errors)
	ktap_check "$tag the board reattaches after an outage" reconnect "$s" "$b"
	ktap_expect "$tag the same session ($s1)" "^$s1\$" dev_field board session
	ktap_expect "$tag netswap0's frag is $f, the MTU-$m one" "^$f\$" dev_field board frag
	ktap_check "$tag every page written before reads back" verify_old
	new_region "$tag new data writes and reads back"
	ktap_check "$tag no request failed" no_new_errors "$e0"
}

ktap_plan 36
serve size 256M expire 120
attach board 16M timeout 3
s1=$(dev_field board session)
[ -n "$s1" ] || bail "netswap0 shows no session"
ktap_expect "at MTU 1500 on both ends, netswap0's frag is $(frag_for 1500)" \
	"^$(frag_for 1500)\$" dev_field board frag
new_region "at MTU 1500: data writes and reads back"

e0=$(errors)
ktap_check "both ends go to MTU 9000 while the session runs" set_both 9000
ktap_check "both at 9000, no reconnect: the pages read back" verify_old
new_region "both at 9000, no reconnect: new data writes and reads back"
ktap_check "both at 9000, no reconnect: no request failed" no_new_errors "$e0"

step "both at 9000 since the live change" 9000 9000
step "server alone to 1500" 1500 9000
step "server alone back to 9000" 9000 9000
step "board alone to 1500" 9000 1500
step "server alone to 1500" 1500 1500
netswap_cleanup
ktap_finish

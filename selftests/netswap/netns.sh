#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Network namespaces, on one VM over veth pairs: a namespace that goes takes
# its serves, ports and netswap devices with it (no crash, no warning, the
# other side's I/O fails cleanly, everything unloads), and each namespace's
# dumps show its own objects only, session IDs to CAP_NET_ADMIN only.
#
#   root: hxa ------ veth ------ hxb: namespace hxs, serves netswap
#   root: hxc, serves ---------- hxe: namespace hxd, netswap0 and netswap1
. ../lib/ktap.sh

IP=/hexo/bin/ip	# iproute2's: busybox runs its own applets first, without netns
A=02:48:58:00:00:0a
B=02:48:58:00:00:0b
C=02:48:58:00:00:0c
E=02:48:58:00:00:0e

# in_ns NS CMD...: CMD in network namespace NS.
in_ns() {
	_ns=$1
	shift
	nsenter --net="/run/netns/$_ns" "$@"
}

# nobody CMD: the shell command CMD as uid 65534, no capabilities.
nobody() {
	su -s /bin/sh -c "$1" nobody
}

# within SECONDS CMD...: waits until CMD succeeds.
within() {
	_t=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$_t" -gt 0 ] || return 1
		sleep 0.1
		_t=$((_t - 1))
	done
}

# gone_within SECONDS CMD...: waits until CMD fails.
fails() {
	! "$@"
}
gone_within() {
	_s=$1
	shift
	within "$_s" fails "$@"
}

modprobe veth && modprobe netswap_server && modprobe netswap ||
	{ echo "Bail out! cannot load the modules"; exit 1; }

ktap_plan 20
ktap_check "namespace hxs, with hxb of the veth pair hxa-hxb" sh -c "
	$IP netns add hxs && $IP link add hxa address $A type veth peer name hxb address $B netns hxs &&
	$IP link set hxa up && $IP -n hxs link set hxb up"
ktap_expect "hxs serves netswap on hxb" "serving hxb" \
	in_ns hxs hexoctl netswap serve dev hxb size 64M expire 2
ktap_check "the root namespace attaches over hxa; data verifies" sh -c "
	hexoctl netswap attach dev hxa server $B size 16M timeout 2 >/dev/null &&
	./blkpattern write /dev/netswap0 7 0 256 && ./blkpattern verify /dev/netswap0 7 0 256"

# Each namespace sees its own.
ktap_expect "hxs lists the board, with its session, to root" "board $A .* session [0-9a-f]{8}" \
	in_ns hxs hexoctl netswap boards
ktap_check "the root namespace sees neither hxs's serve nor its port" sh -c "
	! hexoctl -j netswap show | grep -q hxb && ! hexoctl link show | grep -q hxb"
own_only() {
	in_ns hxs hexoctl -j netswap show | grep -q '"devices":\[\]' &&
		! in_ns hxs hexoctl link show | grep -q hxa
}
ktap_check "hxs sees neither the root's device nor its port" own_only
no_session() {
	in_ns hxs su -s /bin/sh -c 'hexoctl -j netswap boards' nobody | grep "\"$A\"" |
		grep -vq session &&
	nobody 'hexoctl -j netswap show netswap0' | grep '"state"' | grep -vq session &&
	! nobody 'hexoctl netswap show netswap0' | grep -q session
}
ktap_check "nobody sees the board and the device, but no session ID" no_session
ktap_expect_status "nobody cannot listen to events (they carry session IDs)" 1 \
	"Operation not permitted" nobody "timeout 2 hexoctl netswap monitor"

# The serving namespace goes, the board attached.
ktap_check "hxs is deleted; its interfaces go" $IP netns del hxs
ktap_check "... hxa with them" gone_within 10 $IP link show hxa
ktap_check "the board's device fails its I/O cleanly" sh -c "
	hexoctl netswap show netswap0 | grep -q 'state gone' &&
	! dd if=/dev/zero of=/dev/netswap0 bs=4k count=1 oflag=direct 2>/dev/null &&
	! dd if=/dev/netswap0 of=/dev/null bs=4k count=1 iflag=direct 2>/dev/null"
# Past the serve's expiry: a serve left behind would close the session now,
# reporting it to the namespace that is gone.
ktap_check "the server side stays quiet past the session's expiry" sh -c "
	sleep 3 && hexoctl -j netswap show | grep -q '\"serves\":\[\]'"

# Devices attached from a namespace that goes.
ktap_check "namespace hxd, with hxe of the veth pair hxc-hxe; root serves on hxc" sh -c "
	$IP netns add hxd && $IP link add hxc address $C type veth peer name hxe address $E netns hxd &&
	$IP link set hxc up && $IP -n hxd link set hxe up &&
	hexoctl netswap serve dev hxc size 64M >/dev/null"
attach_hxd() {
	in_ns hxd hexoctl netswap attach dev hxe server $C size 8M >/dev/null &&
		in_ns hxd hexoctl netswap attach dev hxe server $C size 8M >/dev/null &&
		./blkpattern write /dev/netswap1 3 0 64 && ./blkpattern verify /dev/netswap1 3 0 64
}
ktap_check "hxd attaches netswap1 and netswap2; data verifies" attach_hxd
sleep 600 </dev/netswap2 &
HOLD=$!
# The namespace must not go before the holder has the device open: the
# shell opens it in the child, after the fork returned here.
opened() {
	[ "$(readlink "/proc/$HOLD/fd/0")" = /dev/netswap2 ]
}
ktap_check "a process holds netswap2 open" within 10 opened
ktap_check "hxd is deleted" $IP netns del hxd
ktap_check "... its idle device is detached" gone_within 10 ls /dev/netswap1
ktap_check "its open device stays, failing I/O, in the root namespace" sh -c "
	hexoctl netswap show netswap2 | grep -q 'state gone' &&
	! dd if=/dev/zero of=/dev/netswap2 bs=4k count=1 oflag=direct 2>/dev/null"
kill "$HOLD"
wait "$HOLD" 2>/dev/null
ktap_check "... and detaches once closed" hexoctl netswap detach 2
ktap_check "every module unloads" sh -c "
	hexoctl netswap detach 0 && rmmod netswap netswap_server && rmmod hexo_link"
ktap_finish

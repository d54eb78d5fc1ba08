#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A board and a server on one VM, over a veth pair: every frame the server
# receives is the very skb the board sent (kmalloc'd, not a driver's page
# fragment), freed as soon as the server is done with it. Run with freed
# memory zeroed (tests.txt: poison=1), a reply addressed from a frame after
# its free goes to 00:00:00:00:00:00 and the board's I/O fails: the server
# must copy the board's MAC before it lets go of the frame. Before it did
# (ac5c8d9), the first write here failed: "write at page 0: Input/output
# error". Between two VMs the driver's frames live in page fragments that
# outlive the free, and the same bug went unseen.
. ../lib/ktap.sh

IP=/hexo/bin/ip
A=02:48:58:00:01:0a
B=02:48:58:00:01:0b
P=/hexo/selftests/netswap/blkpattern

ktap_plan 3
$IP link add hxva address $A type veth peer name hxvb address $B &&
	$IP link set hxva up && $IP link set hxvb up
ktap_check "serve on one end of a veth pair, attach on the other" \
	sh -c "modprobe netswap_server && modprobe netswap &&
		hexoctl netswap serve dev hxva size 64M &&
		hexoctl netswap attach dev hxvb server $A size 16M timeout 3"
ktap_check "pages written over the veth pair read back the same" \
	sh -c "$P write /dev/netswap0 7 0 256 && $P verify /dev/netswap0 7 0 256"
ktap_check "detach, unserve, unload" \
	sh -c "hexoctl netswap detach 0 && hexoctl netswap unserve dev hxva &&
		rmmod netswap netswap_server hexo_link && $IP link del hxva"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Netswap's control path end to end: serve on the server, attach on the
# board, the device's geometry, show on both sides, errors that say what is
# wrong, detach and re-attach, unserve freeing the pages.
#
#   server (x86_64) eth0 ---- eth0 board (arm64)
#   netswap_server             netswap: /dev/netswap0
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

ktap_plan 26
# hexo_link timed the CRC-32C code at load and took the faster (crc.c).
for vm in server board; do
	ktap_expect "$vm: hexo_link names the CRC-32C code it chose" \
		"^(__crc32c_le|crc32c-[a-z0-9-]+)\$" \
		on "$vm" "modprobe hexo_link && cat /sys/module/hexo_link/parameters/crc32c"
done
ktap_expect "serve: the server serves 256M on eth0" \
	"serving eth0: size 256M board-size 128M reserved 0 stored 0 boards 0" \
	on server "hexoctl netswap serve dev eth0 size 256M board-size 128M"
ktap_expect_status "serve twice: refused" 1 "Device or resource busy.*served on this interface already" \
	on server "hexoctl netswap serve dev eth0 size 256M"
ktap_expect_status "serve on a missing interface: refused" 1 "No such device.*no such network interface" \
	on server "hexoctl netswap serve dev eth9 size 256M"
ktap_expect_status "serve more than the server's RAM: refused" 1 "more than this machine's RAM" \
	on server "hexoctl netswap serve dev lo size 64G"
ktap_expect_status "serve a bad size: usage error" 2 "multiple of 4K" \
	on server "hexoctl netswap serve dev eth0 size 1000000"

on_bg server events "hexoctl netswap monitor" >/dev/null
ktap_expect "attach: /dev/netswap0 is up with the granted size" \
	"netswap0: server $S dev eth0 size 64M state up" \
	on board "hexoctl netswap attach dev eth0 server $S size 64M"
mtu_case
ktap_expect "the disk: 64M, 4K blocks, not rotational, discard" "^67108864 4096 4096 0 4096$" \
	on board "echo \$(blockdev --getsize64 /dev/netswap0) \$(cat /sys/block/netswap0/queue/logical_block_size \
		/sys/block/netswap0/queue/physical_block_size /sys/block/netswap0/queue/rotational \
		/sys/block/netswap0/queue/discard_granularity)"
ktap_expect "the server lists the board with its grant" \
	"board $HEXO_BOARD_MAC name board dev eth0 session [0-9a-f]{8} size 64M" \
	on server "hexoctl netswap boards"
ktap_expect "show -j on the server: one board, 64M reserved" \
	"\"reserved\":67108864,\"stored\":0,\"boards\":1" on server "hexoctl -j netswap show"
ktap_expect_status "attach beyond the per-board limit: refused by the server" 1 \
	"No space left on device.*refused this size" \
	on board "hexoctl netswap attach dev eth0 server $S size 200M"
ktap_expect_status "attach to a MAC nobody serves from: times out with advice" 1 \
	"Connection timed out.*is it serving netswap" \
	on board "hexoctl netswap attach dev eth0 server 52:54:00:48:58:77 size 8M connect 2"
# A node that serves HEXO on the link, but not netswap (hexo_kvm on a veth
# pair's hxa, on the board itself): its refusal ends the attach at once.
ktap_expect "attach to a node that serves HEXO there but not netswap: refused at once, saying so" \
	"^refused in ([0-9]|[1-9][0-9]) cs: .*does not serve netswap on that link" \
	on board "modprobe veth && modprobe hexo_kvm && /hexo/bin/ip link add hxa \
		address 02:00:00:48:58:a1 type veth peer name hxb address 02:00:00:48:58:a2 &&
		ip link set hxa up && ip link set hxb up && hexoctl kvm serve dev hxa &&
		a=\$(cut -d' ' -f1 /proc/uptime | tr -d .);
		out=\$(hexoctl netswap attach dev hxb server 02:00:00:48:58:a1 size 8M connect 10 2>&1);
		rc=\$?; b=\$(cut -d' ' -f1 /proc/uptime | tr -d .);
		[ \$rc -eq 1 ] && echo \"refused in \$((b - a)) cs: \$out\";
		hexoctl kvm unserve dev hxa; ip link del hxa; rmmod hexo_kvm"
ktap_expect_status "attach with a bad MAC: usage error" 2 "not a MAC address" \
	on board "hexoctl netswap attach dev eth0 server 52:54:00:48:58 size 8M"
ktap_expect_status "attach without size: usage error" 2 "attach needs" \
	on board "hexoctl netswap attach dev eth0 server $S"

ktap_check "write and read back the first 1024 pages" \
	on board "$B/blkpattern write /dev/netswap0 7 0 1024 && $B/blkpattern verify /dev/netswap0 7 0 1024"
ktap_expect "show: 1024 pages stored, none lost, counters moving" \
	"pages stored 1024 lost 0.*writes [1-9]" on board "hexoctl netswap show netswap0 | tr '\n' ' '"
# time_reads: while on, each one-page read is timed stage by stage (queued,
# sent, answered, ended), every read counted, the round trip no shorter
# than the channel's least RTT, the stages within what the reader waited;
# once off, reads are not timed.
bbj=$(on board "echo 1 >/sys/module/netswap/parameters/time_reads &&
	/hexo/selftests/bench/blkbench -q 1 -t 1 -s 1024 -j /dev/netswap0;
	echo 0 >/sys/module/netswap/parameters/time_reads")
nsj=$(on board "hexoctl -j netswap show netswap0 && $B/blkpattern verify /dev/netswap0 7 0 64 &&
	hexoctl -j netswap show netswap0" | tr '\n' ' ')
ktap_expect "time_reads: each one-page read timed, its stages within what the reader waited" \
	"^timed [1-9][0-9]* of [1-9][0-9]* reads, then none: ok" python3 -c 'import json, re, sys
bb = json.loads(sys.argv[1])
def nums(k):
    return [int(x) for x in re.findall("\"%s\":([0-9]+)" % k, sys.argv[2])]
n, n2 = nums("timed_reads")
means = [nums(k)[0] / 1e3 / n for k in ("timed_queue_ns", "timed_wire_ns", "timed_end_ns")] if n else []
# The round trip is what the channel samples its RTT on: never below its least.
ok = (bb["pages"] > 0 and bb["pages"] <= n <= bb["pages"] + 8 and all(m > 0 for m in means) and
      means[1] >= nums("min_rtt_us")[0] - 1 and sum(means) < bb["mean_us"] and n2 == n)
print("timed %d of %d reads, then %s: %s; means us %s, the reader %.1f" % (n, bb["pages"],
      "none" if n2 == n else "more", "ok" if ok else "not ok",
      " ".join("%.1f" % m for m in means), bb["mean_us"]))' \
	"$bbj" "$nsj"
ktap_expect_status "detach while open: refused" 1 "Device or resource busy.*in use" \
	on board "exec 3</dev/netswap0; hexoctl netswap detach netswap0"
detach_frees() {
	on board "hexoctl netswap detach netswap0 && [ ! -e /dev/netswap0 ]" &&
		on server "t=0; until hexoctl -j netswap show |
			grep -q '\"reserved\":0,\"stored\":0,\"boards\":0'; do
			[ \$t -lt 50 ] || exit 1; sleep 0.1; t=\$((t+1)); done"
}
ktap_check "detach; the server frees the board's pages" detach_frees
ktap_expect "the server's monitor saw the board come and go" \
	"board-new board $HEXO_BOARD_MAC dev eth0.*board-gone board $HEXO_BOARD_MAC dev eth0" \
	on server "killall hexoctl; cat /tmp/job.events.out | tr '\n' ' '"
ktap_check "re-attach: a fresh device that reads zeros" \
	on board "hexoctl netswap attach dev eth0 server $S size 64M >/dev/null && $B/blkpattern zero /dev/netswap0 0 1024"
ktap_check "unserve: the board's pages are freed" \
	on server "hexoctl netswap unserve dev eth0 && ! hexoctl netswap show | grep -q 'serving eth0'"
cleanup() {
	on board "hexoctl netswap detach 0 && rmmod netswap hexo_link" &&
		on server "rmmod netswap_server; for i in 1 2 3 4 5 6; do rmmod hexo_link && echo gone \$i && break; cat /proc/modules | grep hexo; sleep 0.5; done"
}
ktap_check "cleanup: detach, unload" cleanup
ktap_finish

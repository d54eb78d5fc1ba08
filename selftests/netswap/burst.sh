#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Burst transmit (kernel/link/port.c, hxl_port_burst()): where eth0's
# queueing discipline is the one the kernel attached (fq_codel on Debian's
# kernel) or pfifo_fast, and idle, and no egress hook is set, hexo_link
# hands a request's or a reply's frames to the driver as one burst, one
# doorbell for all, and counts them in the discipline's statistics; pages
# written and read back are intact. Under a discipline a user set up
# (netem here) and with a tc egress filter, every frame passes the
# discipline or the filter (they count them), none in bursts; without the
# filter, bursts again. A packet tap sees the frames sent in bursts, as it
# sees those of dev_queue_xmit().
#
#   server (x86_64) eth0 ---- eth0 board (arm64)
#   netswap_server             netswap: /dev/netswap0
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

PAGES=2048

# link_stat VM KEY: a counter of eth0's port, from hexoctl -j link show.
link_stat() {
	on "$1" "hexoctl -j link show" | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" | head -n1
}

# snap VM: VM's eth0 frames and frames in bursts so far, as "FRAMES BURST".
snap() {
	echo "$(link_stat "$1" tx_frames) $(link_stat "$1" tx_burst)"
}

# roundtrip SEED FIRST COUNT: COUNT pages written (16 a write) and read back.
roundtrip() {
	on board "$B/blkpattern -b 16 write /dev/netswap0 $1 $2 $3 &&
		$B/blkpattern -b 16 verify /dev/netswap0 $1 $2 $3"
}

# grew BEFORE AFTER EXPR: with f and b the growth of frames and of frames in
# bursts from BEFORE to AFTER (snap's), EXPR (awk) holds; says the numbers.
grew() {
	local f b
	read -r f0 b0 <<<"$1"
	read -r f1 b1 <<<"$2"
	f=$((f1 - f0))
	b=$((b1 - b0))
	echo "frames +$f, in bursts +$b"
	awk -v f="$f" -v b="$b" "BEGIN { exit !($3) }"
}

# sent_pkts TCARGS: the packet count of the first "Sent N bytes M pkt" of
# tc -s TCARGS on the board.
sent_pkts() {
	on board "$TC -s $1" | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p' | head -n1
}

# round NAME SEED FIRST COUNT TCARGS EXPR: COUNT pages from FIRST written and
# read back (case "NAME: ... intact"), then the case "... EXPR" (grew's,
# with p the packets tc -s TCARGS counted meanwhile), both on the board.
# tc's count is read before the first and after the last of the frames'.
round() {
	local p0 p1 b0 b1
	p0=$(sent_pkts "$5")
	b0=$(snap board)
	ktap_check "$1: $4 pages written and read back, intact" roundtrip "$2" "$3" "$4"
	b1=$(snap board)
	p1=$(sent_pkts "$5")
	ktap_check "... $6 (tc counted $((p1 - p0)))" grew "$b0" "$b1" "$(expr_for "$6") && $p1 - $p0 >= f"
}

# expr_for TEXT: the awk expression of a case text of round's.
expr_for() {
	case $1 in
	"in bursts"*) echo "b >= f / 2 && b <= f" ;;
	"none in bursts"*) echo "b == 0 && f > 0" ;;
	esac
}

ktap_plan 14
netswap_cleanup
on board "dmesg -c" >/dev/null
ktap_check "eth0's discipline is the one the kernel attached (handle 0:), on both" \
	eval "on board '$TC qdisc show dev eth0' | grep -q '^qdisc [a-z_]* 0: root' &&
		on server '$TC qdisc show dev eth0' | grep -q '^qdisc [a-z_]* 0: root'"
serve size 256M
attach board 64M

s0=$(snap server)
round "the default discipline" 1 0 $PAGES "qdisc show dev eth0" \
	"in bursts, at least half the board's frames, every one counted by the discipline"
ktap_check "... the server sent its replies in bursts too" \
	grew "$s0" "$(snap server)" "b >= $PAGES && b <= f"

on board "$TC qdisc replace dev eth0 root netem delay 1ms" >/dev/null ||
	bail "netem on the board's eth0"
round "netem" 2 $PAGES 512 "qdisc show dev eth0" \
	"none in bursts: every frame through netem"

on board "$TC qdisc replace dev eth0 root pfifo_fast" >/dev/null ||
	bail "pfifo_fast on the board's eth0"
round "pfifo_fast set by tc (it lets frames bypass it)" 3 $((PAGES + 512)) 512 \
	"qdisc show dev eth0" "in bursts, counted by pfifo_fast"

on board "$TC qdisc del dev eth0 root && modprobe -a sch_ingress cls_matchall act_gact &&
	$TC qdisc add dev eth0 clsact && $TC filter add dev eth0 egress matchall action ok" \
	>/dev/null || bail "a tc egress filter on the board's eth0"
round "an egress filter" 4 $((PAGES + 1024)) 512 "filter show dev eth0 egress" \
	"none in bursts: every frame through the filter"

on board "$TC qdisc del dev eth0 clsact" >/dev/null || bail "clsact removed"
round "the filter removed" 5 $((PAGES + 1536)) 512 "qdisc show dev eth0" \
	"in bursts again"

# A tap (hexolink replay's packet socket, PACKET_OUTGOING) during 128 pages
# of writes: it sees what was sent, bursts included. Replayed afterwards to
# the server: the same data to the same pages, answered to no request.
on_bg board tap "hexolink replay --to $S -n 512 -t 15" >/dev/null
on_ready board tap listening >/dev/null || bail "hexolink replay listening"
b0=$(snap board)
on board "$B/blkpattern -b 16 write /dev/netswap0 5 0 128" >/dev/null || bail "128 pages written"
tap=$(on_wait board tap 60)
b1=$(snap board)
got=$(sed -n 's/^replay: captured \([0-9]*\).*/\1/p' <<<"$tap")
ktap_check "a tap saw the frames sent in bursts ($got captured)" \
	grew "$b0" "$b1" "b >= 128 * 3 / 2 && ${got:-0} >= b"
ktap_check "no I/O error, hung task or oops on the board" no_kernel_trouble
netswap_cleanup
on board "rmmod act_gact cls_matchall sch_ingress" >/dev/null 2>&1
ktap_finish

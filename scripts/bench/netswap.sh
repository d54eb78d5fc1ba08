#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-netswap: Netswap measured against the link, against its peers
# tuned as their users would tune them (NVMe/TCP, NBD, AoE) and against
# zram, all in one run of the testbed, with the same tools (hexolink and
# pktgen for the link, blkbench for block I/O, memstress for an application
# swapping 3x the board's RAM). Prints a table with the targets per queue
# depth and leaves the raw results (JSON lines) and the table in
# build/bench/. Any failed setup, failed or wrong I/O, or missing
# measurement is an ERROR line in the table, and the script then exits 1.
#
#   scripts/testbed pair --board-mem 256 --server-mem 2048 -- scripts/bench/netswap.sh
#
# Environment: BENCH_MTU (link MTU, default 1500), BENCH_SECONDS (per block
# run, default 5), BENCH_DEVS (default "netswap aoe nbd nvmet-tcp zram";
# also "netswap-keyed", netswap with a pre-shared key on both ends,
# "netswap-mirror", netswap mirrored on the server and a second server VM
# (make bench-netswap then boots one, scripts/testbed pair --servers 2), and
# "nbd-CN", NBD with N connections only), BENCH_PHASES (default "link
# block app readahead failover"; "echo" is link's round trips alone; BENCH_APP=0 drops app and readahead;
# failover runs only when BENCH_DEVS names netswap-mirror; also "keyed",
# keyed against unkeyed netswap side by side, BENCH_KEYED_SLICES of
# BENCH_KEYED_SECONDS per op and depth, default 8 of 2 s; also "profile",
# a kernel CPU profile of each device's QD32 runs on every VM), BENCH_ROUNDS
# (block runs per device and depth, default 3: the table shows their
# median and range), BENCH_APP_ROUNDS (application runs per device,
# default 1), BENCH_CLUSTERS (vm.page-cluster values the readahead phase
# compares on netswap, default "0 3 5"), BENCH_NBD_CONNS (the nbd-client -C
# counts "nbd" stands for, default "1 2 4"), BENCH_AOE_BUFS (vblade's -b
# and the board's aoe_maxout, default 128).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/host.sh"
. "$top/scripts/bench/pktgen.sh"
. "$top/scripts/bench/prof.sh"

MTU=${BENCH_MTU:-1500}
SECS=${BENCH_SECONDS:-5}
DEVS=${BENCH_DEVS:-netswap aoe nbd nvmet-tcp zram}
PHASES=${BENCH_PHASES:-link block app readahead failover}
ROUNDS=${BENCH_ROUNDS:-3}
APP_ROUNDS=${BENCH_APP_ROUNDS:-1}
KEYED_SLICES=${BENCH_KEYED_SLICES:-8}
KEYED_SECS=${BENCH_KEYED_SECONDS:-2}
[ "${BENCH_APP:-1}" = 0 ] && PHASES=$(echo "$PHASES" | sed 's/app//; s/readahead//')
CLUSTERS=${BENCH_CLUSTERS:-0 3 5}
NBD_CONNS=${BENCH_NBD_CONNS:-1 2 4}
# AoE at MTU 1500 carries 1 KiB a frame: 32 pages in flight are 128 frames.
AOE_BUFS=${BENCH_AOE_BUFS:-128}
SCHED=none		# every device under test runs with this I/O scheduler
SPAN=4096		# pages the random I/O covers (16 MiB)
# Every swap device: 900 MiB, or more if the workload (3x the board's RAM)
# needs it.
SIZE_MIB=$((HEXO_BOARD_MEM * 3 + 132)); [ $SIZE_MIB -lt 900 ] && SIZE_MIB=900
SIZE=${SIZE_MIB}M
out=$top/build/bench/netswap-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/results.jsonl
: >"$raw"
BB=/hexo/selftests/bench/blkbench
MS=/hexo/selftests/netswap/memstress
S=$HEXO_SERVER_MAC
SIP=$HEXO_SERVER_IP
S2=${HEXO_SERVER2_MAC:-}	# server2, in a testbed with two servers
SERVERS="server${S2:+ server2}"
NQN=nqn.2014-08.org.hexo:bench
CFS=/sys/kernel/config/nvmet

say() { printf '==> %s\n' "$*" >&2; }
want() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
# rec KIND DEV JSON: one result line
rec() { printf '{"kind":"%s","dev":"%s","result":%s}\n' "$1" "$2" "$3" >>"$raw"; }

# jstr TEXT: TEXT as a JSON string (control characters dropped, tabs as
# spaces).
jstr() {
	printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\010\013-\037' |
		sed 's/\\/\\\\/g; s/"/\\"/g; s/\t/ /g' | sed ':a;N;$!ba;s/\n/\\n/g')"
}

# rec_json KIND DEV OUTPUT [KEY=VALUE...]: one result line from a tool's
# OUTPUT: its last line that is a JSON object, or {"missing":true}; each
# KEY it lacks (VALUE a number, true, false, null or a [list] as it is,
# else a string); and what else the tool said, as "log".
rec_json() {
	local kind=$1 dev=$2 out=$3 res log kv k v
	shift 3
	res=$(printf '%s\n' "$out" | grep '^{.*}$' | tail -1)
	log=$(printf '%s\n' "$out" | grep -v '^{.*}$' | grep -v '^[[:space:]]*$' | tail -c 600)
	[ -n "$res" ] || res='{"missing":true}'
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $res in *"\"$k\":"*) continue ;; esac
		case $v in
		''|*[!0-9.-]*) case $v in true|false|null|\[*\]) ;; *) v=$(jstr "$v") ;; esac ;;
		esac
		res="${res%\}},\"$k\":$v}"
	done
	[ -n "$log" ] && res="${res%\}},\"log\":$(jstr "$log")}"
	[ "${res:0:2}" = "{," ] && res="{${res:2}"
	rec "$kind" "$dev" "$res"
}

# fail DEV WHAT...: an ERROR line in the table; the script exits 1.
fail() {
	local dev=$1
	shift
	say "ERROR: $dev: $*"
	rec_json error "$dev" '{}' what="$*"
}

# jlist WORD...: the words as a JSON list of strings.
jlist() {
	local w l=
	for w in "$@"; do l+="${l:+,}\"$w\""; done
	echo "[$l]"
}

# The block phase's devices: "nbd" is NBD at each count of NBD_CONNS.
block_devs() {
	local d n
	for d in $DEVS; do
		case $d in
		nbd) for n in $NBD_CONNS; do echo "nbd-C$n"; done ;;
		*) echo "$d" ;;
		esac
	done
}

board_ram=$(on board "awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo")
# shellcheck disable=SC2046,SC2086 # lists of words
rec_json setup testbed '{}' mtu="$MTU" seconds="$SECS" span_pages="$SPAN" \
	board_memtotal_mib="$board_ram" board_ram_mib="$HEXO_BOARD_MEM" rounds="$ROUNDS" \
	app_rounds="$APP_ROUNDS" size_mib="$SIZE_MIB" scheduler="$SCHED" \
	keyed_slices="$KEYED_SLICES" keyed_seconds="$KEYED_SECS" \
	phases="$(jlist $PHASES)" devices="$(jlist $(block_devs))" \
	nbd_conns="[$(echo $NBD_CONNS | tr ' ' ,)]" aoe_bufs="$AOE_BUFS" \
	logs="${HEXO_LOGS#"${HEXO_TOP:-}"/}"

for vm in board $SERVERS; do
	if ! on "$vm" "ip link set eth0 mtu $MTU"; then
		fail testbed "cannot set MTU $MTU on $vm"
		exit 1
	fi
done
frag=$(( (MTU - 48) / 8 * 8 )); [ $frag -gt 4096 ] && frag=4096

# ------------------------------------------------------------ the link
# link_echo SIZE: hexolink's echo round trips of SIZE data bytes.
link_echo() {
	local r
	on_bg server echo "hexolink echo -n 1000 -t 60" >/dev/null
	on_ready server echo listening >/dev/null
	r=$(on board "hexolink -j ping --to $S -n 500 -s $1")
	rec_json link_rtt raw "$r"
	on server "killall hexolink" >/dev/null 2>&1
}

# link_kernel_echo WHAT...: hexo_link's echo round trips to the server,
# measured in the kernel at both ends (hexoctl link echo): "page" answers a
# header with a page in the fragments of a READ reply, the frames of one
# 4 KiB swap-in without the swap device: the floor of a QD1 read.
link_kernel_echo() {
	local r
	if ! on server "hexoctl link set dev eth0 echo on" >/dev/null; then
		fail "link-echo" "cannot set echo on on the server"
		return
	fi
	r=$(on board "hexoctl -j link echo $S dev eth0 count 500 $*")
	rec_json link_kecho "$*" "$r"
	on server "hexoctl link set dev eth0 echo off" >/dev/null
}

# link_bulk FROM TO: hexolink's user-space bulk rate FROM -> TO in frames
# of $frag data bytes, the window doubled from 32 frames until two
# doublings in a row each add less than 5% to the best rate so far (the
# link is saturated: the window before them is recorded) or the window
# passes 8192. Every window's rate is recorded, then where it stopped
# (and whether the rate had stopped growing there).
link_bulk() {
	local from=$1 to=$2 dev=raw-$1-to-$2 mac w r rate best=0 knee=0 flat=0 last=0
	mac=$(eval echo "\$HEXO_${to^^}_MAC")
	for ((w = 32; w <= 8192 && flat < 2; w *= 2)); do
		on_bg "$to" sink "hexolink -j sink -t 30" >/dev/null
		on_ready "$to" sink listening >/dev/null
		on "$from" "hexolink source --to $mac -t $SECS -s $frag --window $w" >/dev/null
		r=$(on_wait "$to" sink 60)
		rec_json link_bulk "$dev" "$r" window=$w
		last=$w
		rate=$(printf '%s\n' "$r" | sed -n 's/.*"mb_per_s":\([0-9.]*\).*/\1/p' | tail -1)
		[ -n "$rate" ] || break	# an ERROR in the table: no rate, no verdict
		if awk -v r="$rate" -v b="$best" 'BEGIN { exit !(r > b * 1.05) }'; then
			knee=$w flat=0
		else
			flat=$((flat + 1))
		fi
		awk -v r="$rate" -v b="$best" 'BEGIN { exit !(r > b) }' && best=$rate
	done
	rec_json link_window "$dev" '{}' knee_window=$knee mb_per_s="$best" largest_window=$last \
		saturated="$([ $flat -ge 2 ] && echo true || echo false)" gain=0.05
}

# link_kernel FROM TO: the link's rate from the kernel (pktgen), in frames
# the size of Netswap's data frames (Ethernet, HEXO header, $frag bytes).
link_kernel() {
	local r mac
	mac=$(eval echo "\$HEXO_${2^^}_MAC")
	if r=$(pktgen_rate "$1" "$2" "$mac" "$SECS" $((14 + 48 + frag)) "$frag"); then
		rec_json link_kernel "pktgen-$1-to-$2" "$r"
	else
		fail "pktgen-$1-to-$2" "pktgen gave no rate"
	fi
}

if want link || want echo; then
	say "link: echo round trips of a HEXO header alone and of a full data frame ($frag bytes)"
	link_echo 0
	link_echo $frag
	say "link: echo round trips in the kernel (hexo_link): a header, and a page in answer"
	link_kernel_echo size 0
	link_kernel_echo page
fi
if want link; then
	for dir in "server board" "board server"; do
		# shellcheck disable=SC2086 # two words
		set -- $dir
		say "link: pktgen $1 -> $2, frames of $((14 + 48 + frag)) bytes (the kernel's rate)"
		link_kernel "$1" "$2"
		say "link: hexolink bulk $1 -> $2, the window doubled from 32 until the rate stops growing"
		link_bulk "$1" "$2"
	done
fi

# ------------------------------------------------------------ devices
# Netswap: the server serves SIZE of its RAM, the board attaches.
netswap_setup() {
	local keyed=${1:-} key=""
	if [ -n "$keyed" ]; then
		key=$(on server "hexoctl netswap genkey | tee /tmp/bench.key") &&
			on board "echo $key >/tmp/bench.key" || return 1
		key=" key /tmp/bench.key"
	fi
	on server "hexoctl netswap serve dev eth0 size $SIZE$key" >/dev/null &&
		on board "hexoctl netswap attach dev eth0 server $S size $SIZE$key" >/dev/null &&
		echo /dev/netswap0
}

# mirror_wait STATE SECONDS: until netswap0's mirror is in STATE; prints the
# seconds it took, to a tenth.
mirror_wait() {
	on board "t=0; until hexoctl -j netswap show netswap0 | grep -q '\"mirror\":\"$1\"'; do
		[ \$t -ge $(($2 * 10)) ] && exit 1; sleep 0.1; t=\$((t+1)); done
		echo \$((t / 10)).\$((t % 10))"
}

# Netswap mirrored: both servers serve SIZE, the board attaches with the
# server and server2 as its replicas and waits until the mirror is healthy.
netswap_mirror_setup() {
	[ -n "$S2" ] || { say "netswap-mirror needs a second server (BENCH_DEVS naming" \
		"it makes make bench-netswap boot one; scripts/testbed pair --servers 2)"; return 1; }
	on server "hexoctl netswap serve dev eth0 size $SIZE" >/dev/null &&
		on server2 "hexoctl netswap serve dev eth0 size $SIZE" >/dev/null &&
		on board "hexoctl netswap attach dev eth0 server $S mirror $S2 size $SIZE" >/dev/null &&
		mirror_wait healthy 30 >/dev/null && echo /dev/netswap0
}

# AoE: vblade on the server exports a file in its tmpfs with AOE_BUFS
# buffers (-b: the frames it takes in flight; the socket buffers it asks
# for, AOE_BUFS frames, allowed by rmem_max/wmem_max, as vblade's README
# says); the board's aoe takes min(-b, aoe_maxout) frames in flight, so
# aoe_maxout is AOE_BUFS too.
aoe_setup() {
	local buf=$((AOE_BUFS * (MTU + 100)))
	on server "for k in rmem_max wmem_max; do [ \$(sysctl -n net.core.\$k) -ge $buf ] ||
			sysctl -qw net.core.\$k=$buf || exit 1; done &&
		dd if=/dev/zero of=/tmp/aoe.img bs=1M count=0 seek=$SIZE_MIB 2>/dev/null &&
		(vblade -b $AOE_BUFS 0 0 eth0 /tmp/aoe.img >/tmp/vblade.log 2>&1 &)" >/dev/null &&
	on board "modprobe aoe aoe_maxout=$AOE_BUFS || exit 1; t=0; until [ -b /dev/etherd/e0.0 ]; do
		echo 1 >/dev/etherd/discover 2>/dev/null; [ \$t -ge 100 ] && exit 1;
		sleep 0.1; t=\$((t+1)); done" >/dev/null && echo /dev/etherd/e0.0
}

# NBD with N connections: nbd-server on the server exports a file in its
# tmpfs (it allows several connections: NBD_FLAG_CAN_MULTI_CONN), the
# board's nbd-client connects N sockets (-C N: one blk-mq queue each).
nbd_setup() {
	on server "dd if=/dev/zero of=/tmp/nbd.img bs=1M count=0 seek=$SIZE_MIB 2>/dev/null &&
		printf '[generic]\nuser = root\ngroup = root\n[bench]\nexportname = /tmp/nbd.img\n' >/tmp/nbd.conf &&
		nbd-server -C /tmp/nbd.conf" >/dev/null &&
	on board "modprobe nbd && sleep 1 && nbd-client $SIP -N bench /dev/nbd0 -b 4096 -C $1" >/dev/null &&
	echo /dev/nbd0
}

# NVMe/TCP: the server's nvmet exports a brd RAM disk of SIZE_MIB through
# nvmet-tcp on its IP, port 4420 (configfs); the board's nvme_tcp connects
# by writing the options to /dev/nvme-fabrics, as nvme-cli's connect does,
# and reads back its controller's instance, whose namespace is the device.
nvme_setup() {
	on server "modprobe brd rd_nr=1 rd_size=$((SIZE_MIB * 1024)) max_part=0 && modprobe nvmet_tcp &&
		{ grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs none /sys/kernel/config; } &&
		s=$CFS/subsystems/$NQN p=$CFS/ports/1 && mkdir \$s && echo 1 >\$s/attr_allow_any_host &&
		mkdir \$s/namespaces/1 && echo -n /dev/ram0 >\$s/namespaces/1/device_path &&
		echo 1 >\$s/namespaces/1/enable && mkdir \$p && echo tcp >\$p/addr_trtype &&
		echo ipv4 >\$p/addr_adrfam && echo $SIP >\$p/addr_traddr && echo 4420 >\$p/addr_trsvcid &&
		ln -s \$s \$p/subsystems/$NQN" >/dev/null &&
	on board "modprobe nvme_tcp && exec 3<>/dev/nvme-fabrics &&
		printf %s transport=tcp,traddr=$SIP,trsvcid=4420,nqn=$NQN >&3 && read -r r <&3 &&
		exec 3>&- && n=\${r#instance=} && n=\${n%%,*} && echo \$n >/tmp/nvme.ctrl && t=0 &&
		until ns=\$(ls /sys/class/nvme/nvme\$n 2>/dev/null | grep -E '^nvme[0-9]+(c[0-9]+)?n[0-9]+\$' |
			head -1 | sed 's/c[0-9]*n/n/') && [ -n \"\$ns\" ] && [ -b /dev/\$ns ]; do
			[ \$t -ge 100 ] && exit 1; sleep 0.1; t=\$((t+1)); done; echo /dev/\$ns"
}

# setup_dev NAME: sets up device NAME, prints its block device.
setup_dev() {
	case $1 in
	netswap) netswap_setup ;;
	netswap-keyed) netswap_setup keyed ;;
	netswap-mirror) netswap_mirror_setup ;;
	aoe) aoe_setup ;;
	nbd-C*) nbd_setup "${1#nbd-C}" ;;
	nvmet-tcp) nvme_setup ;;
	zram)
		on board "modprobe zram && echo $SIZE >/sys/block/zram0/disksize" >/dev/null &&
		echo /dev/zram0 ;;
	*) say "unknown device $1"; return 1 ;;
	esac
}

teardown_dev() {
	case $1 in
	netswap|netswap-keyed|netswap-mirror)
		on board "hexoctl netswap detach 0; rmmod netswap hexo_link"
		for vm in $SERVERS; do
			on "$vm" "hexoctl netswap unserve dev eth0; rmmod netswap_server hexo_link"
		done ;;
	aoe)
		on board "rmmod aoe"
		on server "killall vblade; rm -f /tmp/aoe.img" ;;
	nbd-C*)
		on board "nbd-client -d /dev/nbd0; sleep 1; rmmod nbd"
		on server "killall nbd-server; rm -f /tmp/nbd.img" ;;
	nvmet-tcp)
		on board "echo 1 >/sys/class/nvme/nvme\$(cat /tmp/nvme.ctrl)/delete_controller; sleep 1;
			rmmod nvme_tcp nvme_fabrics nvme_core"
		on server "s=$CFS/subsystems/$NQN p=$CFS/ports/1; rm -f \$p/subsystems/$NQN; rmdir \$p;
			echo 0 >\$s/namespaces/1/enable; rmdir \$s/namespaces/1 \$s; rmmod nvmet_tcp nvmet brd" ;;
	zram)
		on board "echo 1 >/sys/block/zram0/reset; rmmod zram" ;;
	esac
} >/dev/null 2>&1

# use_dev NAME DEV KEY=VALUE...: every device under test runs with the I/O
# scheduler $SCHED: set on DEV's queue (and, for NVMe, on its controller
# path's: DEV is then the multipath node), read back and recorded; and what
# the peer's tuning is in effect (AoE's frames in flight, NBD's queues,
# NVMe/TCP's queues).
use_dev() {
	local d=$1 dev=$2 q
	shift 2
	q=$(on board "set -- \$(stat -L -c '%t %T' $dev) && for f in /sys/dev/block/\$((0x\$1)):\$((0x\$2))/queue/scheduler \
		/sys/block/nvme*c*n*/queue/scheduler; do [ -e \$f ] || continue;
		echo $SCHED >\$f 2>/dev/null; echo \"\$f: \$(cat \$f)\"; done")
	rec_json sched "$d" '{}' queues="$q" "$@"
	case $d in
	aoe) rec_json peer "$d" '{}' "$@" aoe_nframes="$(on board "sed -n \
		's/^[0-9a-f]\{12\}:[0-9]*:[0-9]*:\([0-9]*\)\$/\1/p' /sys/kernel/debug/aoe/e0.0 | head -1")" ;;
	nbd-C*) rec_json peer "$d" '{}' "$@" hw_queues="$(on board "ls /sys/block/nbd0/mq | wc -l")" ;;
	nvmet-tcp)
		# shellcheck disable=SC2046 # KEY=VALUE words
		rec_json peer "$d" '{}' "$@" $(on board "c=/sys/class/nvme/nvme\$(cat /tmp/nvme.ctrl);
			echo queue_count=\$(cat \$c/queue_count) sqsize=\$(cat \$c/sqsize)") ;;
	esac
}

# ------------------------------------------------------------ block
# bb DEV ARGS...: blkbench on the board over the span of DEV, its output.
bb() {
	local dev=$1
	shift
	on board "$BB $* -s $SPAN -j $dev 2>&1"
}

# qd1_stages DEV ROUND SEED: Netswap's QD1 random reads once more, each
# timed stage by stage in the driver (netswap's time_reads: blk-mq handed it
# over, its frame sent, its answer checked, the request ended), beside what
# the reader waited: where the time of a QD1 read goes. Not one of the
# measured runs: the timing itself costs three clock reads a read.
qd1_stages() {
	local dev=$1 round=$2 seed=$3 a r z
	a=$(on board "echo 1 >/sys/module/netswap/parameters/time_reads &&
		hexoctl -j netswap show netswap0" | tr -d '\n')
	r=$(bb "$dev" -V "$seed" -q 1 -t "$SECS" | grep '^{.*}$' | tail -1)
	z=$(on board "hexoctl -j netswap show netswap0; echo 0 >/sys/module/netswap/parameters/time_reads" |
		tr -d '\n')
	rec stages netswap "{\"round\":$round,\"before\":${a:-null},\"after\":${z:-null},\"reader\":${r:-null}}"
}

# recovery_json DEV: the netswap device's counters and every link's of its
# run, as JSON members ("board", "link_board", "link_server", and
# "link_server2" for a mirror): retransmits, timeouts, drops.
recovery_json() {
	local c lb ls ls2=''
	c=$(on board "hexoctl -j netswap show" | tr -d '\n')
	lb=$(on board "hexoctl -j link show" | tr -d '\n')
	ls=$(on server "hexoctl -j link show" | tr -d '\n')
	if [ "$1" = netswap-mirror ]; then
		ls2=$(on server2 "hexoctl -j link show" | tr -d '\n')
		ls2=",\"link_server2\":${ls2:-null}"
	fi
	printf '"board":%s,"link_board":%s,"link_server":%s%s' "${c:-null}" "${lb:-null}" "${ls:-null}" "$ls2"
}

# block_round NAME ROUND: one round of device NAME. The span is written with
# a pattern of this round's seed (and read for 1 s), then random reads and
# random writes at depths 1, 16 and 32: every page read is verified, every
# page written is the pattern again, and the whole span is checked after.
block_round() {
	local d=$1 round=$2 dev seed op qd
	say "$d (round $round of $ROUNDS): 4 KiB random I/O, queue depths 1, 16 and 32, ${SECS}s each"
	if ! dev=$(setup_dev "$d"); then
		fail "$d" "round $round: setup failed"
		teardown_dev "$d"
		return
	fi
	use_dev "$d" "$dev" round="$round"
	seed=$((RANDOM * 32768 + RANDOM))
	rec_json prefill "$d" "$(bb "$dev" -p -V $seed -t 1)" round="$round"
	for op in randread randwrite; do
		for qd in 1 16 32; do
			rec_json block "$d" "$(bb "$dev" "$([ $op = randwrite ] && echo -w)" -V $seed -q $qd -t "$SECS")" \
				round="$round" op=$op depth=$qd
		done
	done
	[ "$d" = netswap ] && qd1_stages "$dev" "$round" "$seed"
	rec_json verify "$d" "$(bb "$dev" -c -V $seed)" round="$round"
	# What the round cost in recovery: retransmits, timeouts, drops.
	case $d in netswap*) rec counters "$d" "{\"round\":$round,$(recovery_json "$d")}" ;; esac
	teardown_dev "$d"
}

# Rounds of every device in turn (A B A B ...), so that a slow spell of the
# machine does not land on one device's runs only.
if want block; then
	for round in $(seq "$ROUNDS"); do
		for d in $(block_devs); do
			block_round "$d" "$round"
		done
	done
fi

# ------------------------------------------------------------ application
# app_run KIND DEV ROUND [SYSCTL]: memstress over 3x the board's RAM with
# swap on DEV, one result line. memstress times its own phases: sequential
# fill, random updates, sequential check, and the total on its OK line; it
# says FAILED with the count of wrong words if any.
mib=$((HEXO_BOARD_MEM * 3))
stuck=			# the device whose run left the board stuck, if one did
app_run() {
	local kind=$1 d=$2 round=$3 cluster=${4:-} dev o st total r c=''
	dev=$(setup_dev "$d") || {
		rec "$kind" "$d" "{\"status\":\"setup failed\",\"round\":$round}"; teardown_dev "$d"; return 1; }
	use_dev "$d" "$dev" phase=app round="$round"
	o=$(ON_TIMEOUT=960 on board "${cluster:+sysctl -qw vm.page-cluster=$cluster;}
		mkswap $dev >/dev/null && swapon $dev &&
		timeout 900 $MS $mib 20000; echo status=\$?; swapoff $dev 2>/dev/null;
		sysctl -qw vm.page-cluster=3")
	ph() { echo "$o" | sed -n "s/^memstress: $1.* in \([0-9.]*\)s$/\1/p" | tail -1; }
	total=$(echo "$o" | sed -n 's/^memstress: OK .*, \([0-9.]*\)s$/\1/p')
	st=$(echo "$o" | sed -n 's/^status=//p')
	# What the run cost netswap in recovery (the device is attached per run).
	case $d in netswap*) c=",\"counters\":{$(recovery_json "$d")}" ;; esac
	r=$(printf '{"status":%s,"ok":%s,"seconds":%s,"fill_s":%s,"random_s":%s,"check_s":%s,"mib":%s,"round":%s,"bad_words":%s%s}' \
		"${st:-null}" "$([ -n "$total" ] && echo true || echo false)" "${total:-null}" \
		"$(ph filled)" "$(ph '[0-9]* random')" "$(ph checked)" "$mib" "$round" \
		"$(echo "$o" | sed -n 's/^memstress: FAILED: \([0-9]*\) bad words$/\1/p')" \
		"${cluster:+,\"page_cluster\":$cluster}" | sed 's/:,/:null,/g; s/:}/:null}/')
	r="${r%\}}$c}"
	rec "$kind" "$d" "$r"
	# No status: not even memstress's own timeout ended the run, so the
	# kernel is stuck under it (NBD hung the board's reclaim so on
	# 2026-12-03, and its teardown then waited 600 s on it). Whatever ran
	# next on this boot would measure a stuck board: stop here.
	if [ -z "$st" ]; then
		stuck=$d
		fail board "stuck in $d's run (no end within $((900 + 60)) s):" \
			"the phases after it not run"
		ON_TIMEOUT=60 teardown_dev "$d"
		return 2
	fi
	teardown_dev "$d"
	# A device stuck with swap on it can leave the board unusable.
	ON_TIMEOUT=60 on board "true" >/dev/null 2>&1 ||
		{ stuck=$d; fail board "stopped answering after $d: the phases after it not run"; return 2; }
}

# The application's devices: NBD with the connection count best at most
# block measurements of this run (or the largest count, without them).
app_devs() {
	local d n
	for d in $DEVS; do
		case $d in
		nbd)
			n=$(python3 "$top/scripts/bench/summarize.py" --best-nbd "$raw")
			# shellcheck disable=SC2086 # a list of numbers
			echo "nbd-C${n:-$(printf '%s\n' $NBD_CONNS | sort -n | tail -1)}" ;;
		*) echo "$d" ;;
		esac
	done
}

if want app; then
	devs=$(app_devs)
	for round in $(seq "$APP_ROUNDS"); do
		for d in $devs; do
			say "$d: memstress ${mib} MiB (3x the board's RAM), swapping (timeout 900 s)," \
				"round $round of $APP_ROUNDS"
			app_run app "$d" "$round"; [ $? = 2 ] && break 2
		done
	done
fi

# ------------------------------------------------------------ readahead
# Swap readahead (vm.page-cluster: 2^N pages per swap-in, 0 = none) against
# a network round trip per page: the same workload on netswap per setting.
if want readahead && [ -z "$stuck" ]; then
	for c in $CLUSTERS; do
		say "netswap: memstress ${mib} MiB with vm.page-cluster=$c"
		app_run readahead netswap 1 "$c"; [ $? = 2 ] && break
	done
fi

# ------------------------------------------------------------ keyed
# Keyed against unkeyed side by side, for the keyed sessions' cost: the
# server serves on two VLANs of eth0, one with a key; the board attaches
# over each (netswap0 unkeyed, netswap1 keyed, both MTU 1500 payloads).
# Then short runs of the two in turn, KEYED_SLICES of KEYED_SECS per op
# and depth, the first of the two swapped each slice: this machine has slow
# spells of tens of seconds that, in whole rounds of one device after the
# other, made the rounds' ratios range from 0.5 to 2. Every page read is
# verified, and both spans are checked whole at the end.
keyed_teardown() {
	on board "hexoctl netswap detach 1; hexoctl netswap detach 0; rmmod netswap hexo_link
		ip link del eth0.102; ip link del eth0.101"
	on server "hexoctl netswap unserve dev eth0.102; hexoctl netswap unserve dev eth0.101
		rmmod netswap_server hexo_link; ip link del eth0.102; ip link del eth0.101"
} >/dev/null 2>&1

# keyed_setup: both devices attached, or 1.
keyed_setup() {
	local vm k
	for vm in server board; do
		on "$vm" "modprobe 8021q && for v in 101 102; do ip link add link eth0 name eth0.\$v \
			type vlan id \$v && ip link set eth0.\$v mtu 1500 up || exit 1; done" >/dev/null || return 1
	done
	k=$(on server "hexoctl netswap genkey | tee /tmp/bench.key") && on board "echo $k >/tmp/bench.key" &&
	on server "hexoctl netswap serve dev eth0.101 size $SIZE &&
		hexoctl netswap serve dev eth0.102 size $SIZE key /tmp/bench.key" >/dev/null &&
	on board "hexoctl netswap attach dev eth0.101 server $S size $SIZE &&
		hexoctl netswap attach dev eth0.102 server $S size $SIZE key /tmp/bench.key" >/dev/null &&
	# netswap1 is the keyed one: its interface says so.
	case $(on board "hexoctl netswap show netswap1") in *"dev eth0.102"*) ;; *) return 1 ;; esac
}

if [ -z "$stuck" ] && want keyed; then
	say "keyed against unkeyed side by side: $KEYED_SLICES slices of ${KEYED_SECS}s per op and depth"
	if keyed_setup; then
		declare -A kdev=([netswap]=/dev/netswap0 [netswap-keyed]=/dev/netswap1) kseed
		for d in netswap netswap-keyed; do
			use_dev "$d" "${kdev[$d]}" phase=keyed
			kseed[$d]=$((RANDOM * 32768 + RANDOM))
			rec_json prefill "$d" "$(bb "${kdev[$d]}" -p -V "${kseed[$d]}" -t 1)" round=keyed
		done
		for slice in $(seq "$KEYED_SLICES"); do
			order="netswap netswap-keyed"
			[ $((slice % 2)) = 0 ] && order="netswap-keyed netswap"
			for op in randread randwrite; do
				for qd in 1 16 32; do
					for d in $order; do
						rec_json keyed_slice "$d" "$(bb "${kdev[$d]}" \
							"$([ $op = randwrite ] && echo -w)" -V "${kseed[$d]}" \
							-q $qd -t "$KEYED_SECS")" slice="$slice" op=$op depth=$qd
					done
				done
			done
		done
		for d in netswap netswap-keyed; do
			rec_json verify "$d" "$(bb "${kdev[$d]}" -c -V "${kseed[$d]}")" round=keyed
		done
	else
		fail netswap-keyed "keyed side by side: setup failed"
	fi
	keyed_teardown
fi

# ------------------------------------------------------------ failover
# A mirrored device losing a replica and getting it back. QD1 writes run
# for FO_WRITE seconds, and 2 s into them the server's link goes down (the
# server VM and its pages stay): the longest write is the failover stall (a
# write waits failover ms for the silent replica, then completes on the
# other). More writes while it is out give the resync something to copy
# once the link is back: the pages copied and the time to healthy give its
# rate (resync-rate unbounded). The link is down about FO_WRITE seconds,
# below the server's expire (30 s), so the server keeps the session. Every
# write is the pattern of one seed, and the span is checked once healthy.
FO_WRITE=10

# replica_field MAC KEY: KEY of netswap0's replica on server MAC (-j show).
replica_field() {
	on board "hexoctl -j netswap show netswap0" | python3 -c '
import json, sys
def walk(o):
    if isinstance(o, dict):
        if o.get("server") == sys.argv[1] and "in" in o and sys.argv[2] in o:
            print(o[sys.argv[2]])
            sys.exit(0)
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(sys.stdin))
sys.exit(1)' "$1" "$2"
}

if [ -z "$stuck" ] && want failover && case " $DEVS " in *" netswap-mirror "*) true ;; *) false ;; esac; then
	say "netswap-mirror: the failover stall (the server's link down under QD1 writes), then the resync"
	if dev=$(setup_dev netswap-mirror); then
		use_dev netswap-mirror "$dev" phase=failover
		seed=$((RANDOM * 32768 + RANDOM))
		rec_json prefill netswap-mirror "$(bb "$dev" -p -V $seed -t 1)" round=failover
		c0=$(replica_field "$S" pages_copied)
		on_bg board fo "$BB -w -V $seed -q 1 -t $FO_WRITE -s $SPAN -j $dev" >/dev/null
		sleep 2
		on server "ip link set eth0 down" >/dev/null
		down=$(date +%s%N)
		deg=$(mirror_wait degraded 15)
		w=$(on_wait board fo 60 | grep '^{.*}$' | tail -1)
		# Pages written while the server is out: what the resync copies.
		on board "$BB -w -V $seed -q 16 -t 2 -s $((SPAN * 4)) $dev" >/dev/null
		miss=$(replica_field "$S" pages_missing)
		on server "ip link set eth0 up" >/dev/null
		down=$((($(date +%s%N) - down) / 100000000))
		t=$(mirror_wait healthy 300)
		c1=$(replica_field "$S" pages_copied)
		rec failover netswap-mirror "$(printf '{"down_s":%s,"write":%s,"degraded_s":%s,"missing_pages":%s,"copied_pages":%s,"resync_s":%s}' \
			"$((down / 10)).$((down % 10))" "${w:-null}" "${deg:-null}" "${miss:-null}" \
			"$([ -n "$c0" ] && [ -n "$c1" ] && echo $((c1 - c0)) || echo null)" "${t:-null}")"
		rec_json verify netswap-mirror "$(bb "$dev" -c -V $seed)" round=failover
	else
		fail netswap-mirror "failover: setup failed"
	fi
	on server "ip link set eth0 up" >/dev/null 2>&1
	teardown_dev netswap-mirror
fi

# ------------------------------------------------------------ profile
# Where the CPU time goes, per device: random reads, then random writes at
# QD32 for SECS with hexo_test_prof (selftests/netswap/kmod/, a sampling
# profiler: the emulated CPUs have no PMU) loaded on the board and the
# server(s). Each VM's samples are kept whole in profile-DEV-OP-VM.txt
# (with three callers each where the kernel has frame pointers: arm64);
# the record holds the share of each of the top symbols, summed by name,
# and the I/O rate of the run (scripts/bench/prof.sh).
if [ -z "$stuck" ] && want profile; then
	for d in $(block_devs); do
		say "$d: a CPU profile of QD32 random reads and writes (${SECS}s each), board and server"
		if ! dev=$(setup_dev "$d"); then
			fail "$d" "profile: setup failed"
			teardown_dev "$d"
			continue
		fi
		use_dev "$d" "$dev" phase=profile
		seed=$((RANDOM * 32768 + RANDOM))
		rec_json prefill "$d" "$(bb "$dev" -p -V $seed -t 1)" round=profile
		for op in randread randwrite; do
			# shellcheck disable=SC2086 # the VMs' names, split
			prof_start board $SERVERS ||
				fail "$d" "profile: hexo_test_prof does not load on board $SERVERS"
			r=$(bb "$dev" "$([ $op = randwrite ] && echo -w)" -V $seed -q 32 -t "$SECS")
			for vm in board $SERVERS; do
				f=$out/profile-$d-$op-$vm.txt
				prof_stop "$vm" "$f"
				rec profile "$d" "{\"op\":\"$op\",\"vm\":\"$vm\",\"file\":\"${f#"$top"/}\",\"top\":$(prof_top "$f")}"
			done
			rec_json profile_block "$d" "$r" op=$op depth=32
		done
		rec_json verify "$d" "$(bb "$dev" -c -V $seed)" round=profile
		teardown_dev "$d"
	done
fi

python3 "$top/scripts/bench/summarize.py" "$raw" >"$out/table.txt"
status=$?
# The plot: pages/s against queue depth per device (block.png).
if gp=$(python3 "$top/scripts/bench/summarize.py" --plot "$raw" "$out") && [ -n "$gp" ]; then
	if ! command -v gnuplot >/dev/null; then
		echo "ERROR: no gnuplot for the plot (scripts/deps.sh installs gnuplot-nox)" >>"$out/table.txt"
		status=1
	elif gnuplot "$gp" 2>"$out/gnuplot.err" && [ -s "$out/block.png" ]; then
		echo "plot: ${out#"$top"/}/block.png (gnuplot ${gp#"$top"/})" >>"$out/table.txt"
	else
		echo "ERROR: gnuplot could not draw the plot: $(tr '\n' ' ' <"$out/gnuplot.err")" >>"$out/table.txt"
		status=1
	fi
fi
cat "$out/table.txt"
echo "raw results: ${raw#"$top"/}" >&2
exit $status

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-netswap: Netswap measured against the raw link, AoE, NBD and
# zram, all in one run of the testbed, with the same tools (hexolink for the
# link, blkbench for block I/O, memstress for an application swapping 3x the
# board's RAM). Prints a table with the ratios and leaves the raw results
# (JSON lines) and the table in build/bench/.
#
#   scripts/testbed pair --board-mem 256 --server-mem 2048 -- scripts/bench/netswap.sh
#
# Environment: BENCH_MTU (link MTU, default 1500), BENCH_SECONDS (per block
# run, default 5), BENCH_DEVS (the devices, default "netswap aoe nbd zram";
# also "netswap-keyed", netswap with a pre-shared key on both ends, and
# "netswap-mirror", netswap mirrored on the server and a second server VM:
# make bench-netswap then boots one, scripts/testbed pair --servers 2),
# BENCH_PHASES (default "link block app readahead failover"; BENCH_APP=0
# drops app and readahead; failover runs only when BENCH_DEVS names
# netswap-mirror), BENCH_ROUNDS (block runs per device and depth, default 3: the
# table shows their median and range), BENCH_CLUSTERS (vm.page-cluster values the readahead phase
# compares on netswap, default "0 3 5").
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/host.sh"

MTU=${BENCH_MTU:-1500}
SECS=${BENCH_SECONDS:-5}
DEVS=${BENCH_DEVS:-netswap aoe nbd zram}
PHASES=${BENCH_PHASES:-link block app readahead failover}
ROUNDS=${BENCH_ROUNDS:-3}
[ "${BENCH_APP:-1}" = 0 ] && PHASES=$(echo "$PHASES" | sed 's/app//; s/readahead//')
CLUSTERS=${BENCH_CLUSTERS:-0 3 5}
SPAN=4096		# pages the random I/O covers (16 MiB)
# Every swap device: 900 MiB, or more if the workload (3x the board's RAM)
# needs it.
SIZE_MIB=$((HEXO_BOARD_MEM * 3 + 132)); [ $SIZE_MIB -lt 900 ] && SIZE_MIB=900
SIZE=${SIZE_MIB}M
out=$top/build/bench/netswap-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/results.jsonl
BB=/hexo/selftests/bench/blkbench
MS=/hexo/selftests/netswap/memstress
S=$HEXO_SERVER_MAC
SIP=$HEXO_SERVER_IP
S2=${HEXO_SERVER2_MAC:-}	# server2, in a testbed with two servers
SERVERS="server${S2:+ server2}"

say() { printf '==> %s\n' "$*" >&2; }
want() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }
# rec KIND DEV JSON: one result line
rec() { printf '{"kind":"%s","dev":"%s","result":%s}\n' "$1" "$2" "$3" >>"$raw"; }

board_ram=$(on board "awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo")
cfg_ram=$HEXO_BOARD_MEM
printf '{"kind":"setup","dev":"testbed","result":{"mtu":%s,"seconds":%s,"span_pages":%s,"board_memtotal_mib":%s,"board_ram_mib":%s}}\n' \
	"$MTU" "$SECS" "$SPAN" "$board_ram" "$cfg_ram" >"$raw"

for vm in board $SERVERS; do
	on "$vm" "ip link set eth0 mtu $MTU" || { echo "cannot set MTU $MTU on $vm" >&2; exit 1; }
done
frag=$(( (MTU - 48) / 8 * 8 )); [ $frag -gt 4096 ] && frag=4096

# ------------------------------------------------------------ the link
if want link; then
	say "link: echo round trips of a HEXO header alone and of a full data frame ($frag bytes)"
	for size in 0 $frag; do
		on_bg server echo "hexolink echo -n 1000 -t 60" >/dev/null
		on_ready server echo listening >/dev/null
		r=$(on board "hexolink -j ping --to $S -n 500 -s $size")
		rec link_rtt "raw" "$(echo "$r" | tail -1)"
		on server "killall hexolink" >/dev/null 2>&1
	done
	say "link: bulk frames of $frag bytes, each way, windows of 32 to 256 frames (the best counts)"
	for dir in "server board" "board server"; do
		set -- $dir
		from=$1 to=$2
		to_mac=$(eval echo "\$HEXO_${to^^}_MAC")
		for w in 32 64 128 256; do
			on_bg "$to" sink "hexolink -j sink -t 30" >/dev/null
			on_ready "$to" sink listening >/dev/null
			on "$from" "hexolink source --to $to_mac -t $SECS -s $frag --window $w" >/dev/null
			r=$(on_wait "$to" sink 60 | tail -1)
			rec link_bulk "raw-$from-to-$to" "${r%\}},\"window\":$w}"
		done
	done
fi

# ------------------------------------------------------------ devices
# mirror_wait STATE SECONDS: until netswap0's mirror is in STATE; prints the
# seconds it took, to a tenth.
mirror_wait() {
	on board "t=0; until hexoctl -j netswap show netswap0 | grep -q '\"mirror\":\"$1\"'; do
		[ \$t -ge $(($2 * 10)) ] && exit 1; sleep 0.1; t=\$((t+1)); done
		echo \$((t / 10)).\$((t % 10))"
}

setup_dev() {
	case $1 in
	netswap)
		on server "hexoctl netswap serve dev eth0 size $SIZE" >/dev/null &&
		on board "hexoctl netswap attach dev eth0 server $S size $SIZE" >/dev/null &&
		echo /dev/netswap0 ;;
	netswap-keyed)
		key=$(on server "hexoctl netswap genkey | tee /tmp/bench.key") &&
		on board "echo $key >/tmp/bench.key" &&
		on server "hexoctl netswap serve dev eth0 size $SIZE key /tmp/bench.key" >/dev/null &&
		on board "hexoctl netswap attach dev eth0 server $S size $SIZE key /tmp/bench.key" >/dev/null &&
		echo /dev/netswap0 ;;
	netswap-mirror)
		[ -n "$S2" ] || { say "netswap-mirror needs a second server (BENCH_DEVS naming" \
			"it makes make bench-netswap boot one; scripts/testbed pair --servers 2)"; return 1; }
		on server "hexoctl netswap serve dev eth0 size $SIZE" >/dev/null &&
		on server2 "hexoctl netswap serve dev eth0 size $SIZE" >/dev/null &&
		on board "hexoctl netswap attach dev eth0 server $S mirror $S2 size $SIZE" >/dev/null &&
		mirror_wait healthy 30 >/dev/null && echo /dev/netswap0 ;;
	aoe)
		on server "dd if=/dev/zero of=/tmp/aoe.img bs=1M count=0 seek=$SIZE_MIB 2>/dev/null &&
			(vblade 0 0 eth0 /tmp/aoe.img >/tmp/vblade.log 2>&1 &)" >/dev/null &&
		on board "modprobe aoe || exit 1; t=0; until [ -b /dev/etherd/e0.0 ]; do
			echo 1 >/dev/etherd/discover 2>/dev/null; [ \$t -ge 100 ] && exit 1;
			sleep 0.1; t=\$((t+1)); done" >/dev/null && echo /dev/etherd/e0.0 ;;
	nbd)
		on server "dd if=/dev/zero of=/tmp/nbd.img bs=1M count=0 seek=$SIZE_MIB 2>/dev/null &&
			printf '[generic]\nuser = root\ngroup = root\n[bench]\nexportname = /tmp/nbd.img\n' >/tmp/nbd.conf &&
			nbd-server -C /tmp/nbd.conf" >/dev/null &&
		on board "modprobe nbd && sleep 1 && nbd-client $SIP -N bench /dev/nbd0 -b 4096" >/dev/null &&
		echo /dev/nbd0 ;;
	zram)
		on board "modprobe zram && echo $SIZE >/sys/block/zram0/disksize" >/dev/null &&
		echo /dev/zram0 ;;
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
	nbd)
		on board "nbd-client -d /dev/nbd0; sleep 1; rmmod nbd"
		on server "killall nbd-server; rm -f /tmp/nbd.img" ;;
	zram)
		on board "echo 1 >/sys/block/zram0/reset; rmmod zram" ;;
	esac
} >/dev/null 2>&1

# Rounds of every device in turn (A B A B ...), so that a slow spell of the
# machine does not land on one device's runs only.
want block && for round in $(seq "$ROUNDS"); do
	for d in $DEVS; do
		say "$d (round $round of $ROUNDS): 4 KiB random I/O, queue depths 1, 16 and 32, ${SECS}s each"
		dev=$(setup_dev $d) || { say "$d: cannot set up"; rec error "$d" '"setup failed"'; teardown_dev $d; continue; }
		on board "$BB -p -s $SPAN -t 1 $dev" >/dev/null
		for op in "" "-w"; do
			for qd in 1 16 32; do
				r=$(on board "$BB $op -q $qd -t $SECS -s $SPAN -j $dev")
				[ -n "$r" ] || r='{"missing":true}'
				rec block "$d" "${r%\}},\"round\":$round}"
			done
		done
		# What the round cost in recovery: retransmits, timeouts, drops.
		case $d in netswap*)
			c=$(on board "hexoctl -j netswap show" | tr -d '\n')
			lb=$(on board "hexoctl -j link show" | tr -d '\n')
			ls=$(on server "hexoctl -j link show" | tr -d '\n')
			ls2=
			if [ "$d" = netswap-mirror ]; then
				ls2=$(on server2 "hexoctl -j link show" | tr -d '\n')
				ls2=",\"link_server2\":${ls2:-null}"
			fi
			rec counters "$d" "{\"round\":$round,\"board\":${c:-null},\"link_board\":${lb:-null},\"link_server\":${ls:-null}${ls2}}" ;;
		esac
		teardown_dev $d
	done
done

# ------------------------------------------------------------ application
# app_run KIND DEV [SYSCTL]: memstress over 3x the board's RAM with swap on
# DEV, one result line. memstress times its own phases: sequential fill,
# random updates, sequential check, and the total on its OK line.
mib=$((cfg_ram * 3))
app_run() {
	local kind=$1 d=$2 cluster=${3:-} dev o st total r
	dev=$(setup_dev $d) || { rec $kind "$d" '{"status":"setup failed"}'; teardown_dev $d; return 1; }
	o=$(ON_TIMEOUT=960 on board "${cluster:+sysctl -qw vm.page-cluster=$cluster;}
		mkswap $dev >/dev/null && swapon $dev &&
		timeout 900 $MS $mib 20000; echo status=\$?; swapoff $dev 2>/dev/null;
		sysctl -qw vm.page-cluster=3")
	ph() { echo "$o" | sed -n "s/^memstress: $1.* in \([0-9.]*\)s$/\1/p" | tail -1; }
	total=$(echo "$o" | sed -n 's/^memstress: OK .*, \([0-9.]*\)s$/\1/p')
	st=$(echo "$o" | sed -n 's/^status=//p')
	r=$(printf '{"status":%s,"ok":%s,"seconds":%s,"fill_s":%s,"random_s":%s,"check_s":%s,"mib":%s%s}' \
		"${st:-null}" "$([ -n "$total" ] && echo true || echo false)" "${total:-null}" \
		"$(ph filled)" "$(ph '[0-9]* random')" "$(ph checked)" "$mib" \
		"${cluster:+,\"page_cluster\":$cluster}" | sed 's/:,/:null,/g')
	rec $kind "$d" "$r"
	teardown_dev $d
	# A device stuck with swap on it can leave the board unusable.
	on board "true" >/dev/null 2>&1 || { say "the board stopped answering after $d"; return 2; }
}

if want app; then
	for d in $DEVS; do
		say "$d: memstress ${mib} MiB (3x the board's RAM), swapping (timeout 900 s)"
		app_run app $d; [ $? = 2 ] && break
	done
fi

# ------------------------------------------------------------ readahead
# Swap readahead (vm.page-cluster: 2^N pages per swap-in, 0 = none) against
# a network round trip per page: the same workload on netswap per setting.
if want readahead; then
	for c in $CLUSTERS; do
		say "netswap: memstress ${mib} MiB with vm.page-cluster=$c"
		app_run readahead netswap $c; [ $? = 2 ] && break
	done
fi

# ------------------------------------------------------------ failover
# A mirrored device losing a replica and getting it back. QD1 writes run
# for FO_WRITE seconds, and 2 s into them the server's link goes down (the
# server VM and its pages stay): the longest write is the failover stall (a
# write waits failover ms for the silent replica, then completes on the
# other). More writes while it is out give the resync something to copy
# once the link is back: the pages copied and the time to healthy give its
# rate (resync-rate unbounded). The link is down about FO_WRITE seconds,
# below the server's expire (30 s), so the server keeps the session.
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

if want failover && case " $DEVS " in *" netswap-mirror "*) true ;; *) false ;; esac; then
	say "netswap-mirror: the failover stall (the server's link down under QD1 writes), then the resync"
	if dev=$(setup_dev netswap-mirror); then
		on board "$BB -p -s $SPAN -t 1 $dev" >/dev/null
		c0=$(replica_field "$S" pages_copied)
		on_bg board fo "$BB -w -q 1 -t $FO_WRITE -s $SPAN -j $dev" >/dev/null
		sleep 2
		on server "ip link set eth0 down" >/dev/null
		down=$(date +%s%N)
		deg=$(mirror_wait degraded 15)
		w=$(on_wait board fo 60 | tail -1)
		# Pages written while the server is out: what the resync copies.
		on board "$BB -w -q 16 -t 2 -s $((SPAN * 4)) $dev" >/dev/null
		miss=$(replica_field "$S" pages_missing)
		on server "ip link set eth0 up" >/dev/null
		down=$((($(date +%s%N) - down) / 100000000))
		t=$(mirror_wait healthy 300)
		c1=$(replica_field "$S" pages_copied)
		case $w in "{"*) ;; *) w=null ;; esac
		rec failover netswap-mirror "$(printf '{"down_s":%s,"write":%s,"degraded_s":%s,"missing_pages":%s,"copied_pages":%s,"resync_s":%s}' \
			"$((down / 10)).$((down % 10))" "$w" "${deg:-null}" "${miss:-null}" \
			"$([ -n "$c0" ] && [ -n "$c1" ] && echo $((c1 - c0)) || echo null)" "${t:-null}")"
	else
		rec error netswap-mirror '"failover: setup failed"'
	fi
	on server "ip link set eth0 up" >/dev/null 2>&1
	teardown_dev netswap-mirror
fi

python3 "$top/scripts/bench/summarize.py" "$raw" | tee "$out/table.txt"
echo "raw results: ${raw#$top/}" >&2

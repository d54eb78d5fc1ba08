#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-offload: hexo_kvm offloads of a guest of growing memory from
# the x86_64 server to the arm64 board, post-copy, pre-copy and
# stop-and-copy, with
# the link's own rate measured in the same run (hexolink's bulk transfer,
# and pktgen's frames counted by the board's interface). The guest is ra (a table of
# SIZE MiB on its heap, built before the offload), offloaded mid-run; the
# board has Netswap attached, so a guest larger than its RAM fits. Each
# offload's numbers are the source's (hexoctl -j vm show: downtime, parking,
# duration, pages), with the share of the build machine's CPUs busy from
# the offload's start to its last page (host_busy: the emulators and their
# link). Prints a table (median and range of the rounds) and
# leaves raw results (JSON lines) and the table in build/bench/.
#
#   scripts/testbed pair --board-mem 256 --server-mem 2048 -- scripts/bench/offload.sh
#
# Environment: BENCH_SIZES (table MiB, powers of two, default "16 64 128
# 256": the last is more than the board's RAM), BENCH_MODES (default
# "postcopy precopy stopcopy"),
# BENCH_ROUNDS (offloads per size and mode, default 3), BENCH_SECONDS (per
# link measurement, default 5), BENCH_PROFILE=1 (a CPU profile of board and
# server from each offload's start to its last page, with
# scripts/bench/prof.sh: kept whole in profile-SIZE-MODE-ROUND-VM.txt, its
# top symbols in the table).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/host.sh"
. "$top/scripts/bench/pktgen.sh"
. "$top/scripts/bench/prof.sh"

SIZES=${BENCH_SIZES:-16 64 128 256}
MODES=${BENCH_MODES:-postcopy precopy stopcopy}
ROUNDS=${BENCH_ROUNDS:-3}
SECS=${BENCH_SECONDS:-5}
PROFILE=${BENCH_PROFILE:-0}
G=/hexo/guest
S=$HEXO_SERVER_MAC
B=$HEXO_BOARD_MAC
out=$top/build/bench/offload-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/results.jsonl
errors=0

say() { printf '==> %s\n' "$*" >&2; }
rec() { printf '{"kind":"%s","dev":"%s","result":%s}\n' "$1" "$2" "$3" >>"$raw"; }
fail() {
	say "ERROR: $*"
	python3 -c 'import json, sys
print(json.dumps({"kind": "error", "dev": "offload", "result": {"what": sys.argv[1]}}))' \
		"$*" >>"$raw"
	errors=$((errors + 1))
}

board_ram=$(on board "awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo")
printf '{"kind":"setup","dev":"testbed","result":{"board_memtotal_mib":%s,"board_ram_mib":%s,"rounds":%s}}\n' \
	"$board_ram" "$HEXO_BOARD_MEM" "$ROUNDS" >"$raw"

# ------------------------------------------------------------ the link
frag=1448
say "link: bulk frames of $frag bytes server -> board, windows 32 to 2048 (the best counts)"
for w in 32 64 128 256 512 1024 2048; do
	on_bg board sink "hexolink -j sink -t 30" >/dev/null
	on_ready board sink listening >/dev/null
	on server "hexolink source --to $B -t $SECS -s $frag --window $w" >/dev/null
	r=$(on_wait board sink 60 | tail -1)
	case $r in
	\{*) rec link_bulk "raw-server-to-board" "${r%\}},\"window\":$w}" ;;
	*) fail "link bulk at window $w gave no result" ;;
	esac
done
say "link: pktgen frames of 1514 bytes server -> board (the kernel's rate, no user space)"
if r=$(pktgen_rate server board "$B" "$SECS" 1514 "$frag"); then
	rec link_kernel "pktgen-server-to-board" "$r"
else
	fail "pktgen server -> board gave no result"
fi

# ------------------------------------------------------------ set up
say "setup: Netswap on the board (1 GiB of the server's RAM), hexo_kvm served on both"
on server "hexoctl netswap serve dev eth0 size 1200M board-size 1024M" >/dev/null ||
	{ fail "netswap serve"; exit 1; }
on board "hexoctl netswap attach dev eth0 server $S size 1024M && mkswap /dev/netswap0 >/dev/null &&
	swapon /dev/netswap0" >/dev/null || { fail "netswap attach"; exit 1; }
for vm in server board; do
	on "$vm" "modprobe hexo_kvm && hexoctl vm serve dev eth0" >/dev/null ||
		{ fail "hexo_kvm serve on $vm"; exit 1; }
done

# The fd of the VM in hexovm process $p.
vm_fd='for f in /proc/$p/fd/*; do [ "$(readlink $f)" = anon_inode:kvm-vm ] && { basename $f; break; }; done'

# offload SIZE MODE ROUND: one offload of ra SIZE, recorded.
offload() {
	local size=$1 mode=$2 round=$3 opts="" how="" n=4 id st r o prof='' f vm hc hb
	[ "$mode" = stopcopy ] && opts=--stop-and-copy
	# A pre-copy moves the table while ra runs on: ra runs 4 times longer,
	# so that it is still running when the round ends.
	[ "$mode" = precopy ] && how=precopy n=16
	# The board's profile starts now; the server's with the offload, in its
	# command (ra 16 ends 2 s after it starts: no time for another exec).
	if [ "$PROFILE" = 1 ]; then
		if prof_start board; then
			prof=1
		else
			fail "ra $size $mode round $round: hexo_test_prof does not load on the board"
		fi
	fi
	on_bg board incoming "hexovm --incoming --incoming-timeout 300 $opts 2>&1" >/dev/null
	on_bg server source "hexovm --mem $((size + 64))M $G/ra.elf $size $n 2>&1" >/dev/null
	# ra SIZE runs about SIZE/8 s on the server, the first tenth of it
	# writing its table: offload once that is done, long before the end.
	local ms=$((1000 + size * 25))
	id=$(on server "sleep $((ms / 1000)).$(printf %03d $((ms % 1000))); p=\$(pidof hexovm); fd=\$($vm_fd);
		hexoctl -j vm attach pid \$p fd \$fd name ra 2>&1 | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'")
	case $id in ''|*[!0-9]*) id= ;; esac
	if [ -z "$id" ]; then
		fail "ra $size $mode round $round: attach failed: hexovm: $(on server "pidof hexovm;
			cat /tmp/job.source.out; hexoctl vm show" | tr '\n' ' ')"
		on board "killall hexovm${prof:+; rmmod hexo_test_prof}" >/dev/null 2>&1
		return
	fi
	hc=$(host_cpu)
	if ! o=$(on server "${prof:+$PROF_LOAD >/dev/null &&} hexoctl vm offload id $id to $B dev eth0 timeout 120000 $how 2>&1"); then
		fail "ra $size $mode round $round: not handed off: $(echo "$o" | tr '\n' ' ')"
	else
		# Done when the board holds every page (post-copy: after its RELEASE).
		st=$(on server "for i in \$(seq 3000); do hexoctl vm show id $id | grep -q lending || break;
			sleep 0.1; done; hexoctl -j vm show id $id")
		hb=$(host_busy "$hc")
		for vm in ${prof:+board server}; do
			f=$out/profile-$size-$mode-$round-$vm.txt
			prof_stop "$vm" "$f"
			rec profile "ra-$size-$mode" "{\"size_mib\":$size,\"mode\":\"$mode\",\"round\":$round,\"vm\":\"$vm\",\"file\":\"${f#"$top"/}\",\"top\":$(prof_top "$f")}"
		done
		prof=
		r=$(python3 -c 'import json, sys
v = json.loads(sys.argv[1])["vms"][0]
s = v["stats"]
s.update(size_mib=int(sys.argv[2]), mode=sys.argv[3], round=int(sys.argv[4]),
         state=v["state"], lending=v.get("lending", False), host_busy=float(sys.argv[5]))
print(json.dumps(s))' "$st" "$size" "$mode" "$round" "$hb" 2>/dev/null)
		case $r in
		*'"state": "handed-off"'*'"lending": false'*) rec offload "ra-$size-$mode" "$r" ;;
		*) fail "ra $size $mode round $round: no complete statistics: $st" ;;
		esac
	fi
	# A profile of an offload that failed is not kept.
	for vm in ${prof:+board server}; do
		on "$vm" "! grep -q '^hexo_test_prof ' /proc/modules || rmmod hexo_test_prof" >/dev/null 2>&1
	done
	# Nothing of this round may be left for the next one to attach.
	for vm in board server; do
		on "$vm" "killall hexovm; while pidof hexovm; do sleep 0.2; done" >/dev/null 2>&1
	done
	on server "hexoctl vm detach id $id" >/dev/null 2>&1
	on_wait board incoming 30 >/dev/null
	on_wait server source 30 >/dev/null
}

for round in $(seq "$ROUNDS"); do
	for size in $SIZES; do
		for mode in $MODES; do
			say "round $round/$ROUNDS: ra $size MiB, $mode"
			offload "$size" "$mode" "$round"
		done
	done
done

on board "swapoff /dev/netswap0; hexoctl netswap detach netswap0" >/dev/null 2>&1
python3 "$top/scripts/bench/offload_summary.py" "$raw" | tee "$out/table.txt"
echo "raw results: ${raw#"$top"/}" >&2
[ "$errors" = 0 ] || { say "$errors ERROR(S): see above and $raw"; exit 1; }

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-calibrate: the offload policy's calibration (Documentation/
# policy.rst, "The calibration"). The project's guest kernels (EP, IS, CG
# in classes S, W and A; ra over two table sizes) run on the x86_64 server,
# on the arm64 board, and on the board with part of the VM's memory in
# Netswap. Each run's rate is the one the profile and the daemon mean: the
# migration points the guest crossed over the CPU seconds its VMM got
# (hexovm --stats: "progress"). Each run is verified: a whole run ends with
# the guest's own verification and the server's result; a class A run
# stops at a fixed migration point on every node (a bounded window of the
# same work) and its memory there (the image's .data/.bss and heap
# checksums) must be the server's bit for bit. Each round's rates go to a
# profile file; hexocal writes their median as the calibration profile and
# prints the rates and the prediction errors of the model and of the LLC
# heuristic. Raw results (JSON lines), the rounds, the profile and the
# tables go to build/bench/calibration-DATE/; the profile, when the run
# had no error, also to build/bench/calibration.profile.
#
#   scripts/testbed pair --board-mem 512 --server-mem 2048 -- scripts/bench/calibrate.sh
#
# Environment: BENCH_ROUNDS (default 3), BENCH_SETS (KERNEL:CLASS..., default
# "ep:S ep:W ep:A is:S is:W is:A cg:S cg:W cg:A ra:16 ra:128"; ra's class is
# its table in MiB), BENCH_WHERE (default "x86_64 arm64 arm64+netswap"; the
# server's run comes first, the others are checked against it), BENCH_KEEP
# (percent of the VM's resident memory, as the board's run measured it,
# that stays in RAM in the Netswap runs, default 50), BENCH_SLACK_MIB (what
# the Netswap runs' memory cgroup allows on top, for the VMM and the
# kernel's own use, default 8), BENCH_RUN_TIMEOUT (seconds, each run, 1800).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/host.sh"

ROUNDS=${BENCH_ROUNDS:-3}
SETS=${BENCH_SETS:-ep:S ep:W ep:A is:S is:W is:A cg:S cg:W cg:A ra:16 ra:128}
WHERE=${BENCH_WHERE:-x86_64 arm64 arm64+netswap}
KEEP=${BENCH_KEEP:-50}
SLACK=${BENCH_SLACK_MIB:-8}
RUN_TIMEOUT=${BENCH_RUN_TIMEOUT:-1800}
G=/hexo/guest
T=/tmp/cal
S=$HEXO_SERVER_MAC
cal=$top/build/host/bin/hexocal
out=$top/build/bench/calibration-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/results.jsonl
errors=0
start=$(date +%s)

say() { printf '==> %s\n' "$*" >&2; }
fail() {
	say "ERROR: $*"
	python3 -c 'import json, sys
print(json.dumps({"kind": "error", "dev": "calibration", "result": {"what": sys.argv[1]}}))' \
		"$*" >>"$raw"
	errors=$((errors + 1))
}

[ -x "$cal" ] || { say "ERROR: $cal is missing (make unit-build)"; exit 1; }

# spec KERNEL CLASS: the guest's arguments (commas for spaces), its memory,
# and where a bounded run stops (hexovm --checkpoint-at POINT:COUNT; "-": it
# runs to its end).
spec() {
	case $1:$2 in
	ep:S | ep:W | is:S | is:W | cg:S | cg:W) echo "$2 64M -" ;;
	# EP: 256 batches of 2^16 pairs (1/16 of class A; point 2 ends a batch).
	ep:A) echo "A 64M 2:256" ;;
	# IS: the 2^23 keys made and ranked twice (of 10 rankings; point 2).
	is:A) echo "A 256M 2:2" ;;
	# CG: the matrix built and the first of 15 outer iterations (point 3).
	cg:A) echo "A 256M 3:1" ;;
	ra:*) echo "$2,4 $(($2 + 64))M -" ;;
	*) return 1 ;;
	esac
}

for set in $SETS; do
	spec "${set%%:*}" "${set#*:}" >/dev/null || { say "ERROR: BENCH_SETS: no $set"; exit 2; }
done
for w in $WHERE; do
	case $w in x86_64 | arm64 | arm64+netswap) ;; *) say "ERROR: BENCH_WHERE: no $w"; exit 2 ;; esac
done
case " $WHERE " in *" x86_64 "*) ;; *) say "ERROR: BENCH_WHERE needs x86_64 (the reference)"; exit 2 ;; esac

# ------------------------------------------------------------ setup
# LLC references per second need the server's PMU. Say what there is.
pmu=$(on server "if [ -e /sys/bus/event_source/devices/cpu/events/cache-references ]; then
	echo cache-references; elif [ -d /sys/bus/event_source/devices/cpu ]; then echo cpu;
	else echo none; fi" | tr -d '\r')
case $pmu in
cache-references) llc_note="the server has a PMU with cache-references, but this script reads no counters (no perf in the testbed): llc= not measured" ;;
cpu) llc_note="the server's PMU has no cache-references event: llc= not measured" ;;
*) llc_note="the server has no PMU (the testbed's TCG CPUs have none): llc= not measured" ;;
esac
say "LLC references: $llc_note"
printf '{"kind":"setup","dev":"testbed","result":{"rounds":%s,"sets":"%s","where":"%s","keep_pct":%s,"slack_mib":%s,"pmu":"%s","llc":"%s","board_ram_mib":%s,"server_ram_mib":%s}}\n' \
	"$ROUNDS" "$SETS" "$WHERE" "$KEEP" "$SLACK" "$pmu" "$llc_note" "$HEXO_BOARD_MEM" \
	"$HEXO_SERVER_MEM" >"$raw"

for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T" >/dev/null || { fail "cannot prepare $vm"; exit 1; }
done
case " $WHERE " in *" arm64+netswap "*)
	say "setup: Netswap on the board (1 GiB of the server's RAM), a memory cgroup for the runs"
	on server "hexoctl netswap serve dev eth0 size 1200M board-size 1024M" >/dev/null ||
		{ fail "netswap serve"; exit 1; }
	on board "hexoctl netswap attach dev eth0 server $S size 1024M && mkswap /dev/netswap0 >/dev/null &&
		swapon /dev/netswap0 && echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
		mkdir -p /sys/fs/cgroup/cal" >/dev/null || { fail "netswap attach, or the cgroup"; exit 1; }
	;;
esac

# ------------------------------------------------------------ one run
# The image's checksums of what migrates (.data/.bss and heap): "kind:gpa:size:crc ...".
img_sums() {
	on "$1" "dd if=$2 bs=4096 count=1 2>/dev/null | base64" | python3 -c 'import base64, struct, sys
b = base64.b64decode("".join(sys.stdin.read().split()))
if b[:8] != b"HEXOIMG\0":
    sys.exit("not an image")
hdr_size, nreg = struct.unpack_from("<I", b, 12)[0], struct.unpack_from("<I", b, 20)[0]
out = []
for i in range(nreg):
    gpa, size, off, kind, crc = struct.unpack_from("<QQQII", b, hdr_size + 32 * i)
    if kind in (2, 3):
        out.append("%d:%x:%x:%08x" % (kind, gpa, size, crc))
print(" ".join(out))'
}

declare -A REF_RESULT REF_POINTS REF_SUMS RESIDENT
# run ROUND KERNEL CLASS WHERE: one run, recorded; its rate in RUN_RATE
# (empty if it failed: then an ERROR is counted).
run() {
	RUN_RATE=
	local round=$1 k=$2 c=$3 where=$4 args mem stop vm=server opts cmd o t0 t1 r sums="" \
		limit="" swap0=0 swap1=0 key=$2:$3
	read -r args mem stop <<<"$(spec "$k" "$c")"
	args=${args//,/ }
	[ "$where" != x86_64 ] && vm=board
	local img=$T/$k-$c.img
	opts="--stats --mem $mem"
	[ "$stop" != - ] && opts="$opts --checkpoint-at $stop -o $img"
	cmd="hexovm $opts $G/$k.elf $args"
	if [ "$where" = arm64+netswap ]; then
		if [ -z "${RESIDENT[$key]:-}" ]; then
			fail "$k $c $where round $round: no arm64 run of it to size its RAM from"
			return
		fi
		limit=$(( (RESIDENT[$key] * KEEP / 100 + SLACK * 1024) * 1024 ))
		cmd="echo $limit >/sys/fs/cgroup/cal/memory.max && (echo 0 >/sys/fs/cgroup/cal/cgroup.procs && exec $cmd)"
		swap0=$(on board "awk '/^pswpout/ { print \$2 }' /proc/vmstat")
		swap0=${swap0:-0}
	fi
	t0=$(date +%s.%N)
	o=$(ON_TIMEOUT=$RUN_TIMEOUT on "$vm" "rm -f $img; $cmd 2>&1; echo \"cal: exit \$?\"")
	t1=$(date +%s.%N)
	[ "$where" = arm64+netswap ] && swap1=$(on board "awk '/^pswpout/ { print \$2 }' /proc/vmstat")
	swap1=${swap1:-0}
	printf '%s\n' "$o" >"$out/run-$round-$k-$c-$where.log"
	if [ "$stop" != - ] && grep -q '^cal: exit 0$' <<<"$o"; then
		sums=$(img_sums "$vm" "$img") || sums=""
		on "$vm" "rm -f $img" >/dev/null
	fi
	r=$(python3 - "$o" "$k" "$c" "$where" "$round" "$stop" "$t0" "$t1" "$sums" "$limit" \
		"$swap0" "$swap1" <<'PY'
import json, re, sys
o, k, c, where, rnd, stop, t0, t1, sums, limit, s0, s1 = sys.argv[1:]
r = {"kernel": k, "class": c, "isa": where, "round": int(rnd), "wall_s": float(t1) - float(t0),
     "stop": stop}
m = re.search(r"^cal: exit (\d+)$", o, re.M)
r["exit"] = int(m.group(1)) if m else None
m = re.search(r"^hexovm: stats: progress: (\d+) migration points \((\d+) to (\d+)\) in ([0-9.]+) CPU-s", o, re.M)
if m:
    r.update(points=int(m.group(1)), cpu_s=float(m.group(4)))
    if r["cpu_s"] > 0:
        r["rate"] = r["points"] / r["cpu_s"]
m = re.search(r"resident (\d+) KiB", o)
if m:
    r["resident_kib"] = int(m.group(1))
m = re.search(r"^%s: result ([0-9a-f]+)$" % k, o, re.M)
if m:
    r["result"] = m.group(1)
r["verified"] = bool(re.search(r"^%s: class . verification SUCCESSFUL$" % k, o, re.M))
if sums:
    r["image_sums"] = sums
if limit:
    r.update(mem_max_bytes=int(limit), swapped_out_pages=int(s1) - int(s0))
print(json.dumps(r))
PY
)
	printf '{"kind":"run","dev":"%s","result":%s}\n' "$where" "$r" >>"$raw"
	python3 - "$r" <<'PY' >&2
import json, sys
r = json.loads(sys.argv[1])
print("    %s %s on %s: %s points in %.2f CPU-s = %s points/CPU-s (%.0f s)%s" % (
    r["kernel"], r["class"], r["isa"], r.get("points", "?"), r.get("cpu_s", 0),
    "%.4g" % r["rate"] if "rate" in r else "?", r["wall_s"],
    ", %d pages to Netswap" % r["swapped_out_pages"] if "swapped_out_pages" in r else ""))
PY
	# What the run must show, against the server's run of this round.
	local rate points result resident verified exit
	read -r rate points result resident verified exit <<<"$(python3 -c 'import json, sys
r = json.loads(sys.argv[1])
print(r.get("rate", "-"), r.get("points", "-"), r.get("result", "-"), r.get("resident_kib", "-"),
      r["verified"], r["exit"])' "$r")"
	if [ "$exit" != 0 ]; then
		fail "$k $c on $where round $round: hexovm exit status $exit (see $out/run-$round-$k-$c-$where.log)"
		return
	fi
	if [ "$rate" = - ]; then
		fail "$k $c on $where round $round: no progress line (points, CPU time) in hexovm --stats"
		return
	fi
	if [ "$stop" = - ]; then
		if [ "$verified" != True ] || [ "$result" = - ]; then
			fail "$k $c on $where round $round: the guest did not verify its result"
			return
		fi
		if [ "$where" = x86_64 ]; then
			REF_RESULT[$key]=$result
		elif [ "$result" != "${REF_RESULT[$key]:-none}" ]; then
			fail "$k $c on $where round $round: result $result, the server's ${REF_RESULT[$key]:-none}"
			return
		fi
	else
		if [ -z "$sums" ]; then
			fail "$k $c on $where round $round: no image at migration point $stop"
			return
		fi
		if [ "$where" = x86_64 ]; then
			REF_SUMS[$key]=$sums
			REF_POINTS[$key]=$points
		elif [ "$sums" != "${REF_SUMS[$key]:-none}" ] || [ "$points" != "${REF_POINTS[$key]:-none}" ]; then
			fail "$k $c on $where round $round: at $stop its memory (${sums}) or points ($points) differ from the server's (${REF_SUMS[$key]:-none}, ${REF_POINTS[$key]:-none})"
			return
		fi
	fi
	[ "$where" = arm64 ] && RESIDENT[$key]=$resident
	RUN_RATE=$rate
}

# ------------------------------------------------------------ the rounds
for round in $(seq "$ROUNDS"); do
	prof=$out/round-$round.profile
	printf '# round %s of make bench-calibrate (migration points per CPU-second)\n' "$round" >"$prof"
	for set in $SETS; do
		k=${set%%:*} c=${set#*:}
		read -r _ mem _ <<<"$(spec "$k" "$c")"
		say "round $round/$ROUNDS: $k $c"
		for where in $WHERE; do
			# Netswap's run is sized from the board's run of this round.
			run "$round" "$k" "$c" "$where"
			rate=$RUN_RATE
			[ -n "$rate" ] || continue
			if [ "$where" = x86_64 ]; then
				printf '%s %s %s %s mem=%s\n' "$k" "$c" "$where" "$rate" "$mem" >>"$prof"
			else
				printf '%s %s %s %s\n' "$k" "$c" "$where" "$rate" >>"$prof"
			fi
		done
	done
done

# ------------------------------------------------------------ the profile
case " $WHERE " in *" arm64+netswap "*)
	on board "swapoff /dev/netswap0; hexoctl netswap detach netswap0; rmdir /sys/fs/cgroup/cal" \
		>/dev/null 2>&1 ;;
esac
{
	echo "make bench-calibrate: $ROUNDS round(s) of $SETS on $WHERE"
	echo "LLC references: $llc_note"
	echo
	"$cal" --out "$out/calibration.profile" "$out"/round-*.profile
} 2>&1 | tee "$out/table.txt"
[ "${PIPESTATUS[0]}" = 0 ] || fail "hexocal could not make the profile from the rounds"
mins=$((($(date +%s) - start + 59) / 60))
echo "took $mins min; raw results: ${raw#$top/}" | tee -a "$out/table.txt" >&2
if [ "$errors" != 0 ]; then
	say "$errors ERROR(S): see above and $raw; build/bench/calibration.profile not updated"
	exit 1
fi
cp "$out/calibration.profile" "$top/build/bench/calibration.profile"
say "profile: build/bench/calibration.profile (and ${out#$top/}/)"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-policy (Documentation/policy.rst, "make bench-policy"):
#
# 1. live, in the pair testbed: a small job mix arrives on the server over
#    time (each guest attached to hexo_kvm as it starts); hexoctl policy run
#    decides by itself, on a server of one core and a board of one, and
#    carries out its offloads and reclaims. It must have carried out at
#    least one offload and one reclaim, and every job must end verified with
#    the result of its run that never moved.
# 2. on the host, scripts/bench/policy_sim.sh: hexosim on the calibration
#    profile, tables and a plot.
#
# Raw results (JSON lines), the daemon's log and decisions, the tables and
# the plot go to build/bench/policy-DATE/. Any failure is an ERROR line and
# exit status 1 (the simulation runs all the same).
#
#   scripts/testbed pair -- scripts/bench/policy.sh
#
# Environment: BENCH_LIVE_MIX (arrivals, "SECONDS:APP:ARGS" with commas
# for spaces; default below), BENCH_LIVE_PROFILE (the daemon's profile, a
# file here; default the script's own, made up: see below), BENCH_LIVE=0
# (the simulation only); and policy_sim.sh's.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/selftests/lib/host.sh"

MIX=${BENCH_LIVE_MIX:-0:ra:16,64 3:ra:8,32 20:cg:S 25:is:S 40:ra:8,32}
G=/hexo/guest
T=/tmp/policy-bench
B=$HEXO_BOARD_MAC
out=$top/build/bench/policy-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw=$out/results.jsonl
errors=0
: >"$raw"

say() { printf '==> %s\n' "$*" >&2; }
fail() {
	say "ERROR: $*"
	python3 -c 'import json, sys
print(json.dumps({"kind": "error", "dev": "policy", "result": {"what": sys.argv[1]}}))' \
		"$*" >>"$raw"
	errors=$((errors + 1))
}

# The daemon's profile. Its board rates are made up, as live.sh's are: the
# live part shows the daemon deciding and carrying out moves, which needs a
# board worth an offload of the long guest (ra 16) and worth less than an
# idle server core (so that it comes back); what offloading buys is the
# simulation's to show. Its x86_64 rates are not used: the daemon measures
# the server's. The daemon keeps these board rates (board-rates profile):
# the board's reports would replace them with the testbed's, where an
# emulated board core runs ra about as fast as an emulated server core.
LIVE_PROFILE='# make bench-policy, the live part: board rates MADE UP (see policy.sh)
ra 16 x86_64 1000
ra 16 arm64 400
ra 8 x86_64 1000
ra 8 arm64 40
cg S x86_64 1000
cg S arm64 40
is S x86_64 1000
is S arm64 40'
if [ -n "${BENCH_LIVE_PROFILE:-}" ]; then
	LIVE_PROFILE=$(cat "$BENCH_LIVE_PROFILE") || { say "ERROR: $BENCH_LIVE_PROFILE"; exit 1; }
fi

# The fd of the VM in hexovm process $p (anon_inode:kvm-vm).
vm_fd='for f in /proc/$p/fd/*; do [ "$(readlink $f)" = anon_inode:kvm-vm ] && { basename $f; break; }; done'

live() {
	local i=0 now t app args mem id name spec n want got results t0
	say "live: hexo_kvm on both nodes; the daemon's profile: ${BENCH_LIVE_PROFILE:-its own, board rates made up}"
	for vm in server board; do
		on "$vm" "rm -rf $T && mkdir -p $T && modprobe hexo_kvm && hexoctl kvm serve dev eth0" \
			>/dev/null || { fail "hexo_kvm serve on $vm"; return; }
	done
	on server "cat >$T/profile <<'E'
$LIVE_PROFILE
E
cat >$T/conf <<E
dev eth0
board $B cores 1 mem 200M
server cores 1
profile $T/profile
interval 500
timeout 20000
hold 5
reclaim-after 2
horizon 120
state $T/state.json
board-rates profile
E" >/dev/null || { fail "cannot write the daemon's configuration"; return; }
	printf '%s\n' "$LIVE_PROFILE" >"$out/live.profile"

	# The unmoved references: each job of the mix once, on the server alone.
	for spec in $MIX; do
		app=$(echo "$spec" | cut -d: -f2)
		args=$(echo "$spec" | cut -d: -f3 | tr , ' ')
		mem=64M
		[ "$app" = ra ] && mem=96M
		[ -n "${refs[$app $args]:-}" ] && continue
		refs[$app $args]=$(on server "hexovm --mem $mem $G/$app.elf $args 2>&1" | grep "^$app: result ")
		[ -n "${refs[$app $args]}" ] || fail "no reference result for $app $args"
	done

	on board "rm -f $T/stop" >/dev/null
	on_bg board taker "while [ ! -e $T/stop ]; do hexovm --incoming --incoming-timeout 300; done" \
		>/dev/null
	on_bg server daemon "hexoctl policy run config $T/conf" >/dev/null
	t0=$(date +%s)
	# The arrivals, each started at its second and attached as it starts.
	for spec in $MIX; do
		i=$((i + 1))
		t=${spec%%:*}
		app=$(echo "$spec" | cut -d: -f2)
		args=$(echo "$spec" | cut -d: -f3 | tr , ' ')
		mem=64M
		[ "$app" = ra ] && mem=96M
		now=$(($(date +%s) - t0))
		[ "$now" -lt "$t" ] && sleep $((t - now))
		name=job$i
		on_bg server "$name" "sh -c 'echo \$\$ >$T/pid.$i; exec hexovm --mem $mem $G/$app.elf $args' 2>&1" \
			>/dev/null
		id=$(on server "for w in \$(seq 50); do [ -s $T/pid.$i ] && break; sleep 0.1; done; sleep 0.3;
			p=\$(cat $T/pid.$i); fd=\$($vm_fd); [ -n \"\$fd\" ] &&
			hexoctl -j kvm attach pid \$p fd \$fd name $name" 2>&1 |
			sed -n 's/.*"id":\([0-9]*\).*/\1/p')
		say "live: +$(($(date +%s) - t0)) s: $app $args arrives (hexo_kvm id ${id:-none: it ended before it could be attached})"
		printf '{"kind":"arrival","dev":"live","result":{"job":%s,"at_s":%s,"app":"%s","args":"%s","id":"%s"}}\n' \
			"$i" "$(($(date +%s) - t0))" "$app" "$args" "${id:-}" >>"$raw"
	done

	# Every job ends: on the server, on the board, or back on the server.
	n=$i
	for i in $(seq "$n"); do
		on_wait server "job$i" 900 >/dev/null
	done
	local cs cb
	for _ in $(seq 450); do
		cs=$(on server "cat /tmp/job.job*.out $T/state.json.incoming.*.log 2>/dev/null |
			grep -c 'verification SUCCESSFUL'")
		cb=$(on board "cat /tmp/job.taker.out 2>/dev/null | grep -c 'verification SUCCESSFUL'")
		[ $((${cs:-0} + ${cb:-0})) -ge "$n" ] && break
		sleep 2
	done
	say "live: $((${cs:-0} + ${cb:-0})) of $n jobs' ends seen, $(($(date +%s) - t0)) s"
	on server "cat /tmp/job.job*.out $T/state.json.incoming.*.log 2>/dev/null" >"$out/live-server.log"
	on board "cat /tmp/job.taker.out" >"$out/live-board.log"
	on server "cat /tmp/job.daemon.out" >"$out/live-daemon.log"
	on server "hexoctl -j policy show state $T/state.json" >"$out/live-policy-show.json"
	on server "hexoctl policy show state $T/state.json" >"$out/live-policy-show.txt"

	on server "killall -q hexoctl" >/dev/null
	on board "touch $T/stop; killall -q hexovm" >/dev/null 2>&1
	for vm in server board; do
		on "$vm" "killall -q hexovm; hexoctl kvm unserve dev eth0; sleep 0.5; rmmod hexo_kvm" \
			>/dev/null 2>&1
	done

	echo "live: the daemon's decisions, as it logged them:"
	grep -E '^(policy|hexoctl):' "$out/live-daemon.log" | sed 's/^/    /'
	local offl recl took_b took_s failed
	offl=$(grep -cE '^policy: offload vm' "$out/live-daemon.log")
	recl=$(grep -cE '^policy: reclaim vm' "$out/live-daemon.log")
	failed=$(grep -cE '^hexoctl: policy: (offload|reclaim)' "$out/live-daemon.log")
	took_b=$(grep -cE '^hexovm: took [a-z]+ from x86_64' "$out/live-board.log")
	took_s=$(grep -cE '^hexovm: took [a-z]+ from arm64' "$out/live-server.log")
	# Each job's result once, and each the result of its unmoved run.
	want=$(for spec in $MIX; do
		app=$(echo "$spec" | cut -d: -f2)
		args=$(echo "$spec" | cut -d: -f3 | tr , ' ')
		echo "${refs[$app $args]}"
	done | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
	got=$(cat "$out/live-server.log" "$out/live-board.log" | grep -E '^[a-z]+: result ' |
		sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
	results=$(cat "$out/live-server.log" "$out/live-board.log" |
		grep -cE '^[a-z]+: class . verification SUCCESSFUL$')
	echo "live: $n jobs; decided: $offl offloads, $recl reclaims ($failed failed to be carried out);"
	echo "      the board took $took_b guests from the server, the server $took_s back;"
	echo "      $results verified; results:  $got"
	echo "      unmoved runs' results:        $want"
	printf '{"kind":"live","dev":"live","result":{"jobs":%s,"offloads_decided":%s,"reclaims_decided":%s,"moves_failed":%s,"taken_by_board":%s,"taken_back":%s,"verified":%s,"results":"%s","want":"%s"}}\n' \
		"$n" "$offl" "$recl" "$failed" "$took_b" "$took_s" "$results" "$got" "$want" >>"$raw"
	[ "$offl" -ge 1 ] && [ "$took_b" -ge 1 ] ||
		fail "live: the daemon carried out no offload (decided $offl, the board took $took_b)"
	[ "$recl" -ge 1 ] && [ "$took_s" -ge 1 ] ||
		fail "live: the daemon carried out no reclaim (decided $recl, the server took back $took_s)"
	[ "$results" = "$n" ] || fail "live: $results of $n jobs verified"
	[ "$got" = "$want" ] || fail "live: the jobs' results ($got) are not the unmoved runs' ($want)"
	[ "$errors" = 0 ]
}

declare -A refs
if [ "${BENCH_LIVE:-1}" != 0 ]; then
	live 2>&1 | tee "$out/live.txt"
	st=${PIPESTATUS[0]}
	# live runs in a pipeline's subshell: its errors are in the raw results.
	errors=$(grep -c '"kind": "error"' "$raw")
	# Stopped without saying why (a shell error): that is an error too.
	[ "$st" = 0 ] || [ "$errors" != 0 ] ||
		fail "live: the live part stopped with status $st (see $out/live.txt)"
fi

say "simulation: scripts/bench/policy_sim.sh ${out#$top/}"
"$top/scripts/bench/policy_sim.sh" "$out" || fail "the simulation (policy_sim.sh) failed"
echo "raw results: ${raw#$top/}; tables: ${out#$top/}/live.txt, sim-table.txt; plot: ${out#$top/}/policy.png" >&2
[ "$errors" = 0 ] || { say "$errors ERROR(S): see above and $raw"; exit 1; }

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The policy daemon decides by itself, live (Documentation/policy.rst, "The
# daemon"): two ra guests share the server's one core, so hexoctl policy run
# offloads one to the board; when the other ends and the core is idle, it
# reclaims it. Both finish with the verified result of a run that never
# moved. The profile is the test's own (its arm64 rates made up: the long
# guest is worth a board and a reclaim, the short one is not, so the daemon
# moves the long one); the x86_64 rates are measured. The short guest has a
# quarter of the long one's work: it ends while the long one still runs on
# the board, however fast either machine is. The daemon that moves them
# keeps its profile's board rates (board-rates profile); a second one, in
# dry-run and without a profile, knows nothing of ra: it would probe a
# guest (judged at its prior), takes the board's reports of the guest's
# rate there instead (the default), and counts a board that never answers
# as gone. At the end the board stops serving: the first daemon counts it
# gone, and back when it serves again.
. ../lib/ktap.sh
. ../lib/host.sh
. ../kvm/lib.sh

T=/tmp/policy-live
LONG="ra.elf 16 64"	# 2^27 updates, to be moved
SHORT="ra.elf 8 32"	# 2^25, stays

# signals TEXT: of policy show -j then policy show (the state files), the
# first VM running here with its memory: its rss, swap, and counters (their
# names) or why none; then its memory and counters lines in words.
signals() {
	python3 - "$1" <<'PY'
import json, sys
state, _, words = sys.argv[1].partition("\n")
v = [v for v in json.loads(state)["vms"] if v["where"] == "here" and "rss" in v][0]
if v.get("pmu") is not None:
    pmu = "pmu " + " ".join(sorted(v["pmu"]))
else:
    pmu = "no pmu: " + v.get("pmu_why", "?")
lines = words.splitlines()
at = [i for i, l in enumerate(lines) if l.startswith("vm %d:" % v["id"])][0]
print("rss", v["rss"], "swap", v["swap"], pmu + ";",
      "; ".join(l.strip() for l in lines[at + 1:at + 3] if l.startswith("  ")))
PY
}

ktap_plan 14
for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T && modprobe hexo_kvm && hexoctl kvm serve dev eth0" >/dev/null
done
on server "cat >$T/profile <<'E'
# The test's own numbers (made up): on a board, ra 16 runs at 0.4 of a
# server core, ra 8 at 0.04.
ra 16 x86_64 1000
ra 16 arm64 400
ra 8 x86_64 1000
ra 8 arm64 40
E
cat >$T/conf <<E
dev eth0
board ${MAC[board]} cores 1 mem 200M
server cores 1
profile $T/profile
interval 500
timeout 20000
hold 5
reclaim-after 2
horizon 120
state $T/state.json
board-rates profile
E
sed -e 's|^state .*|state $T/dry.json|' -e '/^board-rates/d' -e '/^profile/d' $T/conf >$T/dry
echo 'board 02:00:00:48:58:99 cores 1 mem 200M' >>$T/dry
cat >$T/bad <<'E'
dev eth0
board ${MAC[board]} cores 1 mem 200M
interval 5
E" >/dev/null
ktap_expect_status "a bad configuration is refused, naming its line" 1 \
	"policy: $T/bad:3: interval '5': milliseconds, 100 to 600000" \
	on server "hexoctl policy run config $T/bad"

# The unmoved references, then the board's taker: one offer at a time.
refs=$(for app in "$LONG" "$SHORT"; do
	on server "hexovm --mem 96M $G/$app 2>&1" | grep "^ra: result "
done | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
on board "rm -f $T/stop" >/dev/null
on_bg board taker "while [ ! -e $T/stop ]; do hexovm --incoming --incoming-timeout 300; done" \
	>/dev/null
# Each guest attached as it starts: the hexovm that was not there before.
seen=
for g in a b; do
	app=$LONG
	[ "$g" = b ] && app=$SHORT
	on_bg server "$g" "hexovm --mem 96M $G/$app 2>&1" >/dev/null
	seen=$(on server "sleep 0.5; for p in \$(pidof hexovm); do case ' $seen ' in *\" \$p \"*) ;;
		*) fd=\$($vm_fd); hexoctl kvm attach pid \$p fd \$fd name ra-$g >/dev/null &&
		echo $seen \$p;; esac; done")
done
# The dry-run daemon first, until it has measured both guests here.
on_bg server dry "hexoctl policy run config $T/dry dry-run" >/dev/null
on server "for i in \$(seq 60); do [ \$(grep -o '\"rate\":[0-9.]*[1-9]' $T/dry.json 2>/dev/null |
	wc -l) -ge 2 ] && break; sleep 0.5; done" >/dev/null
on_bg server daemon "hexoctl policy run config $T/conf" >/dev/null
# While a guest runs here: its VMM's memory, and its counters or why none.
sig=$(on server "for i in \$(seq 60); do grep -q '\"rss\":[1-9]' $T/state.json 2>/dev/null &&
	break; sleep 0.5; done; cat $T/state.json $T/state.json.txt")
ktap_expect "policy show: a guest's VMM memory, resident and swapped, and its counters or why none" \
	"^rss [1-9][0-9]+ swap [0-9]+ (pmu [a-z_ ]*|no pmu: [a-z].+); memory: [0-9.]+ MiB resident, [0-9.]+ MiB swapped; counters" \
	signals "$sig"

# While the long one runs on the board: the board's report of itself, and
# of the guest's rate there, which the dry-run daemon's estimate goes by.
there=$(on server "for i in \$(seq 240); do grep -Eq '\"there\":\{\"rate\":(0\.0*[1-9]|[1-9])' $T/dry.json 2>/dev/null &&
	grep -q '\"estimate\":\"measured\"' $T/dry.json && break; sleep 0.5; done;
	cat $T/state.json $T/dry.json")
ktap_expect "policy show: the board reports its CPUs and memory; a board that never answers is gone" \
	"^board ${MAC[board]} present [1-9][0-9]* cpus; board 02:00:00:48:58:99 gone$" \
	python3 -c 'import json, sys
a, b = (json.loads(x) for x in sys.argv[1].split("\n")[:2])
r = a["boards"][0]["report"] or {}
print("board", a["boards"][0]["mac"], "present" if a["boards"][0]["present"] and
      0 < r.get("mem_available", 0) <= r.get("mem_total", 0) else "absent", r.get("cpus", 0),
      "cpus; board", b["boards"][1]["mac"], "gone" if not b["boards"][1]["present"] else "present")' \
	"$there"
ktap_expect "... and the guest's rate there: the estimate is measured on both ISAs" \
	"^ra 16 on ${MAC[board]}: measured, [0-9.]+ points/CPU-s there$" \
	python3 -c 'import json, sys
b = json.loads(sys.argv[1].split("\n")[1])
v = [v for v in b["vms"] if v["where"] != "here" and "there" in v][0]
print(v["app"], v["class"], "on", v["where"] + ":", v["estimate"] + ",", v["there"]["rate"],
      "points/CPU-s there")' "$there"

ktap_expect "a daemon that knows nothing of ra would probe a guest, judged at its prior" \
	"^policy: dry-run probe vm [0-9]+ \(ra (16|8)\) to [0-9a-f:]+: gain [0-9.]+ cores: .*\(prior\).*a probe, it may come back" \
	on server "cat /tmp/job.dry.out"

# The one left on the server ends; the other comes back and ends here.
on_wait server a 300 >/dev/null
on_wait server b 300 >/dev/null
out=$(on server "for i in \$(seq 600); do n=\$(cat $T/state.json.incoming.*.log 2>/dev/null |
	grep -c 'verification SUCCESSFUL'); [ \"\$n\" -ge 1 ] && break; sleep 0.5; done;
	cat /tmp/job.a.out /tmp/job.b.out $T/state.json.incoming.*.log 2>/dev/null")
log=$(on server "cat /tmp/job.daemon.out")
printf '%s\n' "$log" | ktap_quote
ktap_expect "the daemon offloaded a guest to the board by itself, saying why" \
	"^policy: offload vm [0-9]+ \(ra 16\) to ${MAC[board]}: gain [0-9.]+ cores: " \
	echo "$log"
ktap_expect "... and reclaimed it once the server's core was idle, saying why" \
	"^policy: reclaim vm [0-9]+ \(ra 16\) from ${MAC[board]}: gain [0-9.]+ cores: .*idle" \
	echo "$log"
handed=$(grep -c "handed off at migration point" <<<"$out")
ktap_expect "... one guest was handed off from the server, and taken back" "^1 1$" \
	echo "$handed $(grep -c 'took ra from arm64' <<<"$out")"
results=$(grep "^ra: result " <<<"$out" | sort | uniq -c | sed 's/^ *//' | tr '\n' ' ')
ktap_expect "both guests ended verified, with the unmoved runs' results" \
	"^${refs}$" echo "$results"
ktap_expect "hexoctl policy show: the decisions, with their reasons" \
	"offload vm [0-9]+ to .*reclaim vm [0-9]+ from " \
	on server "hexoctl policy show state $T/state.json | tr '\n' ' '"
ktap_expect "hexoctl -j policy show: the same, in JSON" "^offload reclaim$" \
	eval "on server 'hexoctl -j policy show state $T/state.json' | python3 -c 'import json, sys
print(\" \".join(d[\"action\"] for d in json.load(sys.stdin)[\"decisions\"]))'"
ktap_expect "the board took the guest and handed it back" "took ra from x86_64.*handed off" \
	eval "on board 'cat /tmp/job.taker.out' | tr '\n' ' '"

# A board that was there and stops serving (its taker stopped first): the
# daemon counts it gone within a few rounds, and back once it serves again
# (a gone board is asked every tenth round).
on board "touch $T/stop; killall -q hexovm; hexoctl kvm unserve dev eth0" >/dev/null 2>&1
ktap_expect "a board that was there and stops serving is gone within a few rounds, saying why" \
	"^policy: board ${MAC[board]} is gone: no report for 3 rounds" \
	on server "for i in \$(seq 80); do grep -q 'is gone' /tmp/job.daemon.out && break; sleep 0.25; done;
		grep 'board ${MAC[board]} is gone' /tmp/job.daemon.out"
on board "hexoctl kvm serve dev eth0" >/dev/null
ktap_expect "... and back once it serves again" "^policy: board ${MAC[board]} is back" \
	on server "for i in \$(seq 120); do grep -q 'is back' /tmp/job.daemon.out && break; sleep 0.25; done;
		grep 'board ${MAC[board]} is back' /tmp/job.daemon.out"

on server "killall -q hexoctl" >/dev/null
on board "touch $T/stop" >/dev/null 2>&1
for vm in server board; do
	on "$vm" "killall -q hexovm; hexoctl kvm unserve dev eth0; sleep 0.5; rmmod hexo_kvm" \
		>/dev/null 2>&1
done
ktap_finish

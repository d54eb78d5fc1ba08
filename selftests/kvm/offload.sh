#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexoctl kvm offload: a guest running on one node is stopped by hexo_kvm
# at its next migration point, pulled by the other node's hexo_kvm over
# hexo_link (HEXO_SVC_KVM), and finishes there with the result of a run
# that was never moved; x86_64 -> arm64 and back. Where it resumed is
# checked: at the point the source parked at, with progress past the start.
# Then the failures: no migration point in time, a second offload in
# flight, an unserved interface, and a target that never takes the offer.
. ../lib/ktap.sh
. ../lib/host.sh

. ./lib.sh

ktap_plan 57
for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T && modprobe hexo_kvm && hexoctl kvm serve dev eth0" >/dev/null
done
# The unmoved references, where each guest ends.
on_bg server ref "cd $T && hexovm $G/ep.elf S >ep.ref 2>&1 && hexovm $G/cg.elf W >cg.ref 2>&1 &&
	hexovm --mem 256M $G/ra.elf 128 >ra.ref 2>&1" >/dev/null
on_bg board ref "cd $T && hexovm $G/ep.elf S >ep.ref 2>&1 && hexovm --mem 128M $G/ra.elf 64 >ra.ref 2>&1 &&
	hexovm --mem 128M $G/is.elf A >is.ref 2>&1" >/dev/null
on_wait board ref 600 >/dev/null
on_wait server ref 600 >/dev/null

# EP S runs long enough on both ISAs to be caught mid-run (IS and CG S end
# within a second: their offloads need larger classes).
on_bg server monitor "hexoctl kvm monitor 2>&1" >/dev/null
offload "ep S offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board ep S
on server "killall -q hexoctl" >/dev/null
# The monitor saw each step, in order (one event per line).
ktap_expect "... hexoctl kvm monitor printed every step of it, in order" \
	"requested.*offering.*offered.*handed-off" \
	eval 'on_wait server monitor 10 | sed -n "s/.* state \([a-z-]*\).*/\1/p" | tr "\n" " "'
if stats_ok "$LAST_SHOW" 's["bytes"] == 4096 * s["pages"] > 0 and s["stop_pages"] == s["pages"] and
		s["demand_pages"] == s["background_pages"] == 0 and
		0 < s["downtime_us"] <= s["duration_us"]'; then
	ktap_pass "... its statistics: pages moved while stopped, the downtime within the duration"
else
	ktap_fail "... its statistics: pages moved while stopped, the downtime within the duration"
fi
offload "ep S offloaded back arm64 -> x86_64 mid-run, verified, resumed where it stopped" board server ep S
# IS at class A and CG at class W (their class S ends within a second or
# two, IS W within one), offloaded once past their first iteration.
SRC_OPTS="--mem 128M" SRC_AFTER="^is: iteration 1\$" offload \
	"is A offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board is A
SRC_AFTER="^cg: iteration +1 " offload \
	"cg W offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board cg W

# Pre-copy: CG W's matrix crosses while the guest runs on; once it stopped,
# only what it wrote since (its vectors, its data) crosses again.
OFFLOAD_OPTS=precopy SRC_AFTER="^cg: iteration +1 " offload \
	"cg W offloaded x86_64 -> arm64 with pre-copy, verified, resumed where it stopped" \
	server board cg W "took cg .* after the pre-copy round"
if stats_ok "$LAST_SHOW" 's["precopy_pages"] > 0 and s["dirty_pages"] > 0 and
		s["precopy_pages"] + s["stop_pages"] == s["pages"] and
		4 * s["stop_pages"] < s["precopy_pages"] and 0 < s["downtime_us"] <= s["duration_us"]'; then
	ktap_pass "... its statistics: most pages sent while it ran, what changed sent again"
else
	ktap_fail "... its statistics: most pages sent while it ran, what changed sent again"
fi
# A heap across 128 MiB (ra's table from 32 to 160 MiB): what changed during
# the round is listed in two pages of the source's dirty map, and the pages
# the first one names are pulled as well as those of the second.
SRC_OPTS="--mem 256M" SRC_WAIT=5 OFFLOAD_OPTS=precopy offload \
	"ra 128 MiB offloaded arm64 -> x86_64 with pre-copy, a heap past one dirty-map page, verified" \
	board server ra 128 "took ra .* after the pre-copy round"
if stats_ok "$LAST_SHOW" 's["precopy_pages"] + s["zero_pages"] >= 32768 and s["dirty_pages"] > 0 and
		s["precopy_pages"] + s["stop_pages"] == s["pages"]'; then
	ktap_pass "... its statistics: the table sent while it ran, what changed sent again"
else
	ktap_fail "... its statistics: the table sent while it ran, what changed sent again"
fi
on board "killall hexovm" >/dev/null 2>&1	# a failed one runs on there

# Reclaimed: the server hands ep to the board and asks for it back at once;
# the board offloads it back, and a hexovm --incoming on the server takes it.
# On the way, its progress: the points it crossed go up on the server, and
# on from there on the board.
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "" ep S)
p1=$(points server)
sleep 1
p2=$(points server)
ktap_expect "hexoctl kvm show: the guest's application and arguments, in its own words" \
	"^vm $id: .* app ep args \"S\"" on server "hexoctl kvm show id $id"
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000" >/dev/null 2>&1
sleep 1
p3=$(points board)
ktap_expect "hexoctl kvm show: the guest's points go up, and on from there on the board" "^up$" \
	eval "[ '${p1:-0}' -gt 0 ] && [ '${p2:-0}' -gt '${p1:-0}' ] && [ '${p3:-0}' -gt '${p2:-0}' ] &&
		echo up || echo 'points: server $p1, a second later $p2, then the board $p3'"
# First a taker of offers from a node that offers nothing: it alone runs
# while the board's offer waits (the reclaim's timeout is 20 s), and must
# leave it. Then the taker of offers from the board takes it.
on_bg server decoy "hexovm --incoming --from 02:00:00:48:58:99 --incoming-timeout 8 2>&1" \
	>/dev/null
on_bg server back "sleep 9; hexovm --incoming --from ${MAC[board]} --incoming-timeout 120 2>&1" \
	>/dev/null
ktap_expect "hexoctl kvm reclaim: the board agrees to offload the VM back" \
	"its target offloads it back here" on server "hexoctl kvm reclaim id $id timeout 20000 2>&1"
out=$(on_wait server back 300)
bout=$(on_wait board incoming 120)
on_wait server source 30 >/dev/null
ref=$(on server "cat $T/ep.ref")
if grep -q "^ep: resumed on x86_64 from arm64" <<<"$out" &&
	grep -q "took ep from arm64 at migration point" <<<"$out" &&
	grep -q "handed off at migration point" <<<"$bout" &&
	grep -q "^ep: class S verification SUCCESSFUL" <<<"$out" &&
	[ -n "$(result_of ep "$ref")" ] && [ "$(result_of ep "$out")" = "$(result_of ep "$ref")" ]; then
	printf '%s\n' "$bout" "$out" | grep -E "took|handed|resumed" | ktap_quote
	ktap_pass "... and ep S comes back arm64 -> x86_64 mid-run, verified"
else
	printf '%s\n' "$bout" "$out" | ktap_quote
	ktap_fail "... and ep S comes back arm64 -> x86_64 mid-run, verified"
fi
ktap_expect "... the board's record: taken from the server, handed back to it" \
	"name ep .*state handed-off peer ${MAC[server]} offloads 1 from ${MAC[server]} vmm exited" \
	on board "hexoctl kvm show"
ktap_expect_status "... a second reclaim is refused: the board runs it no more" 1 \
	"did not agree" on server "hexoctl kvm reclaim id $id timeout 2000 2>&1"
ktap_expect_status "hexovm --incoming --from: an offer from another node is not taken" 1 \
	"^hexovm: --incoming: no offer from 02:00:00:48:58:99 \(1 from others\) within 8 s" \
	on_wait server decoy 60
ktap_expect_status "hexovm --incoming --offer: an offer that is not there, at once" 1 \
	"^hexovm: --incoming: no offer 4000000000 here" \
	on server "hexovm --incoming --offer 4000000000 2>&1"
on server "hexoctl kvm detach id $id" >/dev/null

# The board's report, read by the server, while ep A (a long run) it took
# from the server runs there: the guest by its id here, with its progress
# and CPU time there, which go on (two reports, of snapshots at most a
# second old, 2.5 s apart). To any other reader the board names no guest:
# to itself over a veth pair, hxa-hxb, whose hxb is a reader that handed it
# nothing. The server, which took no guest from the board, reports none to
# it. A node that does not answer is an error within the timeout; one that
# serves HEXO on the link, but not hexo_kvm (the board's hxa with a Netswap
# serve only), refuses the HELLO, and the report fails at once with what to
# do.
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "" ep A)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000" >/dev/null 2>&1
sleep 1
r1=$(on server "hexoctl -j kvm report ${MAC[board]} dev eth0")
sleep 2.5
r2=$(on server "hexoctl -j kvm report ${MAC[board]} dev eth0")
ktap_expect "hexoctl kvm report: the board runs vm $id for the server; its points and CPU time go on" \
	"^arm64 $id up$" python3 -c 'import json, sys
a, b = (json.loads(x) for x in sys.argv[1:3])
va, vb = a["vms"][0], b["vms"][0]
up = (vb["points"] > va["points"] and vb["cpu_ns"] > va["cpu_ns"] > 0 and vb["rss"] > 0 and
      a["cpus"] >= 1 and 0 < a["mem_available"] <= a["mem_total"])
print(a["isa"], " ".join(str(v.get("id")) for v in b["vms"]), "up" if up else "not: %s %s" % (va, vb))' \
	"$r1" "$r2"
ktap_expect "... to another reader the board names none: only the node it took a guest from sees it" \
	'^"vms":\[\] [1-9]' on board "modprobe veth && /hexo/bin/ip link add hxa address 02:00:00:48:58:a1 \
		type veth peer name hxb address 02:00:00:48:58:a2 && ip link set hxa up &&
		ip link set hxb up && hexoctl kvm serve dev hxa &&
		hexoctl -j kvm report 02:00:00:48:58:a1 dev hxb | grep -o '\"vms\":\[[^]]*\]' |
		tr '\n' ' '; hexoctl -j kvm show | grep -o '\"origin\":\"${MAC[server]}\"' | grep -c .;
		hexoctl kvm unserve dev hxa; ip link del hxa"
ktap_expect "... the server reports no guest to the board, which gave it none" \
	'"vms":\[\]' on board "hexoctl -j kvm report ${MAC[server]} dev eth0"
ktap_expect_status "... and a node that does not answer is an error within the timeout" 1 \
	"no answer from that node within the timeout" \
	on server "timeout 5 hexoctl kvm report 02:00:00:48:58:99 dev eth0 timeout 500 2>&1"
ktap_expect "... and one that serves HEXO there but not hexo_kvm refuses at once, saying so" \
	"^refused in ([0-9]|[1-9][0-9]) cs: .*does not serve hexo_kvm on this link \(hexoctl kvm serve there\)" \
	on board "modprobe veth && modprobe netswap_server && /hexo/bin/ip link add hxa \
		address 02:00:00:48:58:a1 type veth peer name hxb address 02:00:00:48:58:a2 &&
		ip link set hxa up && ip link set hxb up && hexoctl netswap serve dev hxa size 16M &&
		a=\$(cut -d' ' -f1 /proc/uptime | tr -d .);
		out=\$(hexoctl kvm report 02:00:00:48:58:a1 dev hxb timeout 10000 2>&1); rc=\$?;
		b=\$(cut -d' ' -f1 /proc/uptime | tr -d .);
		[ \$rc -eq 1 ] && echo \"refused in \$((b - a)) cs: \$out\";
		hexoctl netswap unserve dev hxa; ip link del hxa; rmmod netswap_server"
on board "killall hexovm" >/dev/null 2>&1
on_wait board incoming 30 >/dev/null
on_wait server source 30 >/dev/null
on server "hexoctl kvm detach id $id" >/dev/null

# Post-copy: the guest runs on the board before its 64 MiB table is there.
SRC_OPTS="--mem 128M" offload \
	"ra 64 MiB offloaded x86_64 -> arm64 post-copy: runs before its heap is here, verified" \
	server board ra 64 "the heap follows \(post-copy\)"
ktap_expect "... every page came, and then the source let go of its copy" \
	"post-copy: all 6[0-9]* KiB here after .*; the source let go" on board "cat /tmp/job.incoming.out"
# 64 MiB of heap is 16384 pages: the source sent them after the target took
# the VM (some twice, when a reply was lost), and the target pulled them on
# demand and in the background, and said so when it released them.
if stats_ok "$LAST_SHOW" 's["pages"] - s["stop_pages"] + s["zero_pages"] >= 16384 and
		s["demand_pages"] > 0 and s["background_pages"] > 0 and
		s["demand_pages"] + s["background_pages"] >= 16384 and
		s["bytes"] == 4096 * s["pages"] and 0 < s["downtime_us"] < s["duration_us"]'; then
	ktap_pass "... its statistics: most pages after the hand-off, on demand and in the background"
else
	ktap_fail "... its statistics: most pages after the hand-off, on demand and in the background"
fi

# A lossy link: 5% of frames lost each way while the guest moves; hexo_link
# recovers them, so the offload completes and the result is the same.
netem server "loss 5%" >/dev/null
netem board "loss 5%" >/dev/null
SRC_OPTS="--mem 128M" offload \
	"ra 64 MiB offloaded post-copy over a link losing 5% each way: completes, verified" \
	server board ra 64 "the heap follows \(post-copy\)"
netem server off >/dev/null
netem board off >/dev/null

# A post-copy taker that dies: the source lends the guest's memory until
# the taker's RELEASE, or until the taker has read none of it for
# lend_idle_ms (10 minutes; 3 s here). The server's replies are delayed
# 50 ms, so that the background pull is far from done when the taker dies.
on server "echo 3000 > /sys/module/hexo_kvm/parameters/lend_idle_ms" >/dev/null
netem server "delay 50ms" >/dev/null
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "--mem 128M" ra 64)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000" >/dev/null 2>&1
ktap_expect "a post-copy taker killed while it pulls" "killed" \
	on board "i=0; while [ \$i -lt 300 ] && ! grep -q 'the heap follows' /tmp/job.incoming.out;
		do sleep 0.1; i=\$((i + 1)); done; killall -9 hexovm && echo killed"
ktap_expect "... the source lends its memory until the taker has read nothing for 3 s" \
	"read nothing for [0-9]+ ms after it took the VM; memory released" \
	on server "for i in \$(seq 150); do hexoctl kvm show id $id | grep -q lending || break;
		sleep 0.1; done; ! hexoctl kvm show id $id | grep lending; dmesg | grep 'read nothing' | tail -1"
netem server off >/dev/null
on server "echo 600000 > /sys/module/hexo_kvm/parameters/lend_idle_ms" >/dev/null
on_wait board incoming 10 >/dev/null
on_wait server source 30 >/dev/null
on server "hexoctl kvm detach id $id" >/dev/null

# The server goes away during post-copy: the board's guest stops, with a
# clear error, rather than run on with memory missing.
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "--mem 128M" ra 64)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000 >/dev/null 2>&1 &&
	ip link set eth0 down" >/dev/null
ktap_expect_status "the server goes during post-copy: the board's guest stops with a clear error" 1 \
	"the source did not deliver .* never runs with memory missing" on_wait board incoming 120
on server "ip link set eth0 up; hexoctl kvm detach id $id" >/dev/null
on_wait server source 30 >/dev/null

# A guest that reaches no migration point in time keeps running where it is.
id=$(start server "" spin 6000 1)
ktap_expect_status "no migration point within the timeout: the offload fails" 1 \
	"not handed off \\(Connection timed out\\)" \
	on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 1000 2>&1"
ktap_expect "... the flag is withdrawn: the guest crosses its point later and ends here" \
	"spin: crossed 1 migration points" on_wait server source 60
on server "hexoctl kvm detach id $id" >/dev/null
# A taker killed while it waits for the final offer of a pre-copy round:
# the source gives up at its bound and withdraws the offer, so the board
# keeps nothing of it (no offer, no channel), and the next offload is taken.
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "" spin 30000 1)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 3000 precopy nowait" \
	>/dev/null 2>&1
ktap_expect "a pre-copy taker killed while it waits for the final offer" "killed" \
	on board "i=0; while [ \$i -lt 300 ] && ! grep -q 'waiting for it to stop' /tmp/job.incoming.out;
		do sleep 0.1; i=\$((i + 1)); done; killall -9 hexovm && echo killed"
ktap_expect "... the source gives up at its bound" "state aborted" \
	on server "for i in \$(seq 100); do hexoctl kvm show id $id | grep -q 'state aborted' && break;
		sleep 0.1; done; hexoctl kvm show id $id"
ktap_expect "... and withdraws its offer: the board holds none" "^offers 0$" \
	on board "for i in \$(seq 50); do [ \$(hexoctl kvm offers | grep -c '^offer') = 0 ] && break;
		sleep 0.1; done; echo offers \$(hexoctl kvm offers | grep -c '^offer'); dmesg | grep 'withdrawn by' | tail -1"
on_wait board incoming 10 >/dev/null
on server "killall hexovm; sleep 0.5; hexoctl kvm detach id $id" >/dev/null 2>&1
on_wait server source 30 >/dev/null
offload "... and the next offload to the board is taken, verified" server board ep S
# One offload at a time.
id=$(start server "" spin 4000 1)
ktap_expect_status "a second offload of a VM in flight is refused" 1 "in flight" \
	on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 2000 nowait &&
		hexoctl kvm offload id $id to ${MAC[board]} dev eth0 2>&1"
on_wait server source 60 >/dev/null
on server "hexoctl kvm detach id $id" >/dev/null
ktap_expect_status "an offload of a VM that does not exist is refused" 1 "no VM with this id" \
	on server "hexoctl kvm offload id 60 to ${MAC[board]} dev eth0 2>&1"

# The VMM dies before its guest reaches a migration point: the offload ends
# at once, and hexo_kvm lets go of the VM (KVM destroys it).
id=$(start server "" spin 6000 1)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000 nowait &&
	sleep 0.5 && killall -9 hexovm" >/dev/null
ktap_expect "the VMM is killed before its guest parks: the offload ends, the VM is let go" \
	"state aborted error \"No such process\".* vmm exited$" show_exited server "$id"
ktap_expect "... and KVM destroyed it: no VM is left on the server" "^0$" kvm_vms server
on server "hexoctl kvm detach id $id" >/dev/null
on_wait server source 10 >/dev/null
# The VMM dies with its guest parked and offered to a target that never
# answers: the offload ends at its bound, and then the VM is let go.
id=$(start server "" ep S)
ktap_expect_status "the VMM is killed while its guest is offered: the offload fails in its bound" 1 \
	"not handed off \\(Connection timed out\\)" \
	on server "(while ! hexoctl kvm show id $id | grep -q 'state offered'; do sleep 0.1; done;
		killall -9 hexovm) & hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 3000 2>&1"
ktap_expect "... the VM is let go, and KVM destroyed it" "^0$" \
	eval 'show_exited server $id | grep -q "state aborted.* vmm exited$" && kvm_vms server'
on server "hexoctl kvm detach id $id" >/dev/null
on_wait server source 10 >/dev/null

# Any host can fill a target's offer table (the service trusts its segment,
# Documentation/offload.rst): the board holds 16 offers, and refuses the
# 17th, and then a real offload, with NOSPC at once, not at its timeout.
# First a reload: the board's table is empty then (offers the cases above
# left taken, their takers killed, are held until they expire).
on board "hexoctl kvm unserve dev eth0; rmmod hexo_kvm && modprobe hexo_kvm && hexoctl kvm serve dev eth0" \
	>/dev/null
ktap_expect "forged offers: the board holds 16, the 17th is refused (NOSPC)" \
	"^offers: 17 sent, 16 ok, 1 nospc, 0 other$" on server "hexolink offers --to ${MAC[board]} -n 17"
ktap_expect "... the board lists the 16" "^16$" on board "hexoctl kvm offers | grep -c forged"
id=$(start server "" ep S)
ktap_expect_status "... and a real offload to it fails at once (ENOSPC), not at its 20 s timeout" 1 \
	"not handed off \\(No space left on device\\)" \
	on server "a=\$(cut -d' ' -f1 /proc/uptime | tr -d .);
		hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000 2>&1; rc=\$?;
		b=\$(cut -d' ' -f1 /proc/uptime | tr -d .); echo took \$((b - a)) cs;
		[ \$((b - a)) -lt 1000 ] && exit \$rc; exit 99"
on_wait server source 300 >/dev/null
on server "hexoctl kvm detach id $id" >/dev/null
# A module reload drops the forged offers.
on board "hexoctl kvm unserve dev eth0; rmmod hexo_kvm && modprobe hexo_kvm && hexoctl kvm serve dev eth0" \
	>/dev/null

# Nobody on the board takes the offer: the guest runs on at the source.
id=$(start server "" ep S)
ktap_expect_status "a target that never answers: the offload fails within its bound" 1 \
	"not handed off \\(Connection timed out\\)" \
	on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 3000 2>&1"
out=$(on_wait server source 300)
ref=$(on server "cat $T/ep.ref")
if grep -q "offload aborted" <<<"$out" && grep -q "verification SUCCESSFUL" <<<"$out" &&
	[ "$(result_of ep "$out")" = "$(result_of ep "$ref")" ]; then
	ktap_pass "... and the guest carries on at the source to the same verified result"
else
	printf '%s\n' "$out" | ktap_quote
	ktap_fail "... and the guest carries on at the source to the same verified result"
fi
on server "hexoctl kvm detach id $id" >/dev/null
ktap_expect_status "an offload on an interface not served is refused, with what to do" 1 \
	"hexoctl kvm serve dev IF first" \
	on server "hexoctl kvm unserve dev eth0; hexovm $G/spin.elf 3000 >/dev/null 2>&1 & p=\$!;
		sleep 1; fd=\$($vm_fd); id=\$(hexoctl -j kvm attach pid \$p fd \$fd |
		sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'); hexoctl kvm offload id \$id to ${MAC[board]} dev eth0 2>&1"
# Leave both nodes as they were: no VMM, no serve, hexo_kvm unloaded.
for vm in server board; do
	on "$vm" "killall hexovm; hexoctl kvm unserve dev eth0; sleep 0.5; rmmod hexo_kvm" >/dev/null 2>&1
done
ktap_finish

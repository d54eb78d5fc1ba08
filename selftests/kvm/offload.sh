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

T=/tmp/kvm-offload
G=/hexo/guest
declare -A ISA=([server]=x86_64 [board]=arm64) MAC=([server]=$HEXO_SERVER_MAC [board]=$HEXO_BOARD_MAC)

result_of() { grep -E "^$1: result " <<<"$2"; }

# stats_ok JSON EXPR: the stats of "hexoctl -j kvm show" output JSON (s) satisfy
# the Python expression EXPR; prints them either way.
stats_ok() {
	python3 -c 'import json, sys
s = json.loads(sys.argv[1])["vms"][0]["stats"]
print(" ".join("%s=%s" % kv for kv in s.items()))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" 2>&1 | ktap_quote
	return "${PIPESTATUS[0]}"
}

# The fd of the VM in hexovm process $p (anon_inode:kvm-vm).
vm_fd='for f in /proc/$p/fd/*; do [ "$(readlink $f)" = anon_inode:kvm-vm ] && { basename $f; break; }; done'

# kvm_vms VM: how many KVM VMs exist on VM (their debugfs directories).
kvm_vms() {
	on "$1" "mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug;
		ls /sys/kernel/debug/kvm | grep -c '^[0-9]*-[0-9]*\$' || true"
}

# show_exited VM ID: hexoctl kvm show id ID on VM, once it says the VMM
# exited (or after 5 s).
show_exited() {
	on "$1" "for i in \$(seq 50); do hexoctl kvm show id $2 | grep -q 'vmm exited' && break;
		sleep 0.1; done; hexoctl kvm show id $2"
}

# start VM OPTS APP ARGS...: runs a guest on VM (job "source"; OPTS for
# hexovm), attaches it to
# hexo_kvm after a second, and prints its hexo_kvm id.
start() {
	local vm=$1 opts=$2 app=$3
	shift 3
	on_bg "$vm" source "hexovm $opts $G/$app.elf $* 2>&1" >/dev/null
	on "$vm" "sleep 1; p=\$(pidof hexovm); fd=\$($vm_fd);
		hexoctl -j kvm attach pid \$p fd \$fd | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'"
}

# offload NAME FROM TO APP ARG [WANT]: APP runs on FROM (hexovm options in
# SRC_OPTS) and is offloaded to TO, whose output must also match WANT: once
# its output matches SRC_AFTER, if set (else after 2 s). The unmoved result
# is $T/APP.ref on TO, or else on FROM.
offload() {
	local name=$1 from=$2 to=$3 app=$4 arg=$5 want=${6:-.} out src ref id st at parked took
	on_bg "$to" incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
	on_bg "$from" source "hexovm ${SRC_OPTS:-} $G/$app.elf $arg 2>&1" >/dev/null
	id=$(on "$from" "i=0; while [ \$i -lt 1200 ] && ! grep -qE '${SRC_AFTER:-.}' /tmp/job.source.out;
		do sleep 0.1; i=\$((i + 1)); done; [ -n '${SRC_AFTER:-}' ] || sleep 2;
		p=\$(pidof hexovm); fd=\$($vm_fd);
		hexoctl -j kvm attach pid \$p fd \$fd name $app | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'")
	if [ -z "$id" ]; then
		ktap_fail "$name (attach failed)"
		return
	fi
	out=$(on "$from" "hexoctl kvm offload id $id to ${MAC[$to]} dev eth0 timeout 20000 2>&1")
	st=$?
	printf '%s\n' "$out" | ktap_quote
	src=$(on_wait "$from" source 120)
	out=$(on_wait "$to" incoming 900)
	ref=$(on "$to" "cat $T/$app.ref" 2>/dev/null || on "$from" "cat $T/$app.ref")
	parked=$(sed -n 's/.*handed off at migration point \([0-9]*\).*/\1/p' <<<"$src")
	took=$(sed -n "s/.*took $app from ${ISA[$from]} at migration point \\([0-9]*\\).*/\\1/p" <<<"$out")
	# The guest's own word on where it carries on: some progress past the start.
	at=$(grep -E "^$app: (at|in phase) " <<<"$out" | grep -oE '[0-9]+' | sort -n | tail -1)
	if [ $st = 0 ] && [ -n "$parked" ] && [ "$parked" = "$took" ] && [ "${at:-0}" -gt 0 ] &&
		grep -qE "$want" <<<"$out" &&
		grep -q "^$app: class . verification SUCCESSFUL" <<<"$out" &&
		grep -q "^$app: resumed on ${ISA[$to]} from ${ISA[$from]}" <<<"$out" &&
		[ -n "$(result_of "$app" "$ref")" ] &&
		[ "$(result_of "$app" "$out")" = "$(result_of "$app" "$ref")" ]; then
		printf '%s\n' "$src" "$out" | grep -E "parked|handed|took|resumed|: at |in phase|post-copy" |
			ktap_quote
		ktap_pass "$name"
	else
		printf '%s\n' "$src" "$out" | ktap_quote
		ktap_diag "unmoved: $(result_of "$app" "$ref")"
		ktap_fail "$name"
	fi
	ktap_expect "... and $from reports the VM handed off to $to, its memory no longer lent" \
		"state handed-off peer ${MAC[$to]} offloads 1 vmm exited$" show_exited "$from" "$id"
	LAST_SHOW=$(on "$from" "hexoctl -j kvm show id $id")
	on "$from" "hexoctl kvm detach id $id" >/dev/null
}

ktap_plan 32
for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T && modprobe hexo_kvm && hexoctl kvm serve dev eth0" >/dev/null
done
# The unmoved references, where each guest ends.
on_bg server ref "cd $T && hexovm $G/ep.elf S >ep.ref 2>&1 && hexovm $G/cg.elf W >cg.ref 2>&1" >/dev/null
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

# Reclaimed: the server hands ep to the board and asks for it back at once;
# the board offloads it back, and a hexovm --incoming on the server takes it.
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
id=$(start server "" ep S)
on server "hexoctl kvm offload id $id to ${MAC[board]} dev eth0 timeout 20000" >/dev/null 2>&1
on_bg server back "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
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

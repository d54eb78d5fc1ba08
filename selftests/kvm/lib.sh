# SPDX-License-Identifier: GPL-2.0
#
# What the hexo_kvm pair tests share: the nodes' ISAs and MACs, running a
# guest and attaching it, and offloading it mid-run with every check of
# where and how it resumed. Sourced after ../lib/ktap.sh and ../lib/host.sh.

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

# points VM: the most migration points a guest running on VM has crossed.
points() {
	on "$1" "hexoctl -j kvm show" | python3 -c 'import json, sys
print(max([v.get("points", 0) for v in json.load(sys.stdin).get("vms", [])] or [0]))'
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

# offload_evidence FROM TO ID SRC_RC IN_RC: what a failed offload left behind,
# for the report: both VMMs' exit statuses (124: still running, 128+N: killed
# by signal N), hexo_kvm's view of the VM on the source, and the kernel's
# lines of both ends about hexo, KVM and crashed processes.
offload_evidence() {
	local vm
	ktap_diag "source hexovm exit status $4, incoming hexovm exit status $5"
	on "$1" "hexoctl kvm show id $3" 2>&1 | ktap_quote
	for vm in "$1" "$2"; do
		on "$vm" "pid=\$(pidof hexovm) && for p in \$pid; do
				echo \"hexovm \$p: \$(cat /proc/\$p/wchan) \$(cut -d' ' -f3 /proc/\$p/stat)\";
				cat /proc/\$p/stack; done;
			dmesg | grep -E 'hexo|kvm:|segfault|traps:|unhandled|Killed|oom' | tail -20" 2>&1 |
			sed "s/^/$vm: /" | ktap_quote
	done
}

# offload NAME FROM TO APP ARG [WANT]: APP runs on FROM (hexovm options in
# SRC_OPTS) and is offloaded to TO (hexoctl kvm offload options in
# OFFLOAD_OPTS), whose output must also match WANT: once its output matches
# SRC_AFTER, if set (else after SRC_WAIT seconds, 2 by default). The
# unmoved result is $T/APP.ref on TO, or else on FROM.
offload() {
	local name=$1 from=$2 to=$3 app=$4 arg=$5 want=${6:-.} out src ref id st at parked took
	local src_rc in_rc
	on_bg "$to" incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
	on_bg "$from" source "hexovm ${SRC_OPTS:-} $G/$app.elf $arg 2>&1" >/dev/null
	id=$(on "$from" "i=0; while [ \$i -lt 1200 ] && ! grep -qE '${SRC_AFTER:-.}' /tmp/job.source.out;
		do sleep 0.1; i=\$((i + 1)); done; [ -n '${SRC_AFTER:-}' ] || sleep ${SRC_WAIT:-2};
		p=\$(pidof hexovm); fd=\$($vm_fd);
		hexoctl -j kvm attach pid \$p fd \$fd name $app | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'")
	if [ -z "$id" ]; then
		ktap_fail "$name (attach failed)"
		ktap_fail "... and $from reports the VM handed off to $to (no VM attached)"
		LAST_SHOW="{}"
		return
	fi
	out=$(on "$from" "hexoctl kvm offload id $id to ${MAC[$to]} dev eth0 timeout 20000 \
		${OFFLOAD_OPTS:-} 2>&1")
	st=$?
	printf '%s\n' "$out" | ktap_quote
	src=$(on_wait "$from" source 120)
	src_rc=$?
	out=$(on_wait "$to" incoming 900)
	in_rc=$?
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
		printf '%s\n' "$src" "$out" |
			grep -E "parked|handed|took|resumed|: at |in phase|post-copy|pre-copy" |
			ktap_quote
		ktap_pass "$name"
	else
		printf '%s\n' "$src" "$out" | ktap_quote
		ktap_diag "unmoved: $(result_of "$app" "$ref")"
		offload_evidence "$from" "$to" "$id" "$src_rc" "$in_rc"
		ktap_fail "$name"
	fi
	ktap_expect "... and $from reports the VM handed off to $to, its memory no longer lent" \
		"state handed-off peer ${MAC[$to]} offloads 1 vmm exited$" show_exited "$from" "$id"
	LAST_SHOW=$(on "$from" "hexoctl -j kvm show id $id")
	on "$from" "hexoctl kvm detach id $id" >/dev/null
}


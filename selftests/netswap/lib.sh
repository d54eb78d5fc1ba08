# SPDX-License-Identifier: GPL-2.0
# Helpers of the Netswap pair tests (sourced after ../lib/ktap.sh and
# ../lib/host.sh).

S=$HEXO_SERVER_MAC
B=/hexo/selftests/netswap

# The board's RAM in MiB.
board_mem() {
	echo "${HEXO_BOARD_MEM:-256}"
}

# The device of the swap tests: four times the board's RAM (their workloads
# are two or three times it); what a server serves: that and a little more.
DEV_SIZE=$(($(board_mem) * 4))M
SERVE_SIZE=$(($(board_mem) * 4 + 64))M

# netswap_log: what Netswap and hexo_link said on the board, as TAP
# diagnostics: which server went out, and when, for a failure's reader.
netswap_log() {
	on board "dmesg | grep -E 'netswap|hexo_link' | tail -30" | ktap_quote
}

# no_kernel_trouble: the board's log has no I/O error, hung task or panic
# from this test on (dmesg -c at its start); if it has, Netswap's log too.
no_kernel_trouble() {
	on board "! dmesg | grep -E 'I/O error|blocked for more than|Kernel panic|Oops|BUG:'" && return 0
	netswap_log
	return 1
}

# workload_verified NAME OUT STATUS: the case NAME passes if a memstress job
# ended with STATUS 0 and said OK in OUT (its last lines are shown either
# way, and Netswap's log if it failed).
workload_verified() {
	printf '%s\n' "$2" | tail -3 | ktap_quote
	if [ "$3" -eq 0 ] && grep -q "memstress: OK" <<<"$2"; then
		ktap_pass "$1"
	else
		netswap_log
		ktap_fail "$1 (status $3)"
	fi
}

# bail REASON...: the test cannot go on (TAP "Bail out!"; the runner counts
# the cases left as failures).
bail() {
	echo "Bail out! $*"
	netswap_cleanup
	exit 1
}

# serve [ARGS...]: netswap served on the server's eth0 (256M unless ARGS say).
serve() {
	local out

	out=$(on server "hexoctl netswap serve dev eth0 ${*:-size 256M}" 2>&1) ||
		bail "serve ${*:-size 256M}: $out"
}

# attach VM SIZE [ARGS...]: a netswap device on VM, against the server.
attach() {
	local vm=$1 size=$2 out
	shift 2
	out=$(on "$vm" "hexoctl netswap attach dev eth0 server $S size $size $*" 2>&1) ||
		bail "attach on $vm, size $size $*: $out"
}

# dev_field VM KEY: a field of netswap0 from hexoctl -j (numbers and strings).
dev_field() {
	on "$1" "hexoctl -j netswap show netswap0" |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n1
}

# wait_state VM STATE SECONDS: until netswap0 is in STATE; prints the seconds
# it took; fails if it never got there.
wait_state() {
	on "$1" "t=0; until hexoctl -j netswap show netswap0 | grep -q '\"state\":\"$2\"'; do
		[ \$t -ge $(($3 * 10)) ] && { hexoctl netswap show netswap0; exit 1; }
		sleep 0.1; t=\$((t+1)); done; echo \$((t / 10)).\$((t % 10))"
}

# start_memstress MIB UPDATES [BOUND]: memstress as the board's job "work":
# MIB MiB, UPDATES random page updates. Without BOUND nothing confines it: the
# whole board is under pressure, its kernel and daemons too. With BOUND it
# runs in a memory cgroup "work" bounded to BOUND MiB of RAM (swap not
# bounded), so that the rest of the board can be kept out of the pressure
# (mirror_both.sh). A bound does not make a test cheaper: reclaim against a
# cgroup's limit moved pages at about half the rate of the board's own
# (hold.sh at 96 MiB in 24 MiB took as long as at 256 MiB unconfined).
start_memstress() {
	local join=

	if [ -n "$3" ]; then
		on board "echo +memory >/sys/fs/cgroup/cgroup.subtree_control &&
			mkdir -p /sys/fs/cgroup/work && echo ${3}M >/sys/fs/cgroup/work/memory.max" \
			>/dev/null || bail "a memory cgroup bounded to $3 MiB"
		join="echo 0 >/sys/fs/cgroup/work/cgroup.procs && "
	fi
	on_bg board work "${join}exec $B/memstress $1 $2" >/dev/null
}

# work_running: the job "work" has not ended.
work_running() {
	on board "[ -e /tmp/job.work.pid ] && [ ! -e /tmp/job.work.rc ]"
}

# Leaves both VMs without HEXO modules, whatever state the test left.
netswap_cleanup() {
	# hexo_kvm too: genl autoload (hexoctl, netlink_bad) may have loaded it,
	# and hexo_link does not unload under it.
	on board "swapoff -a 2>/dev/null; rmdir /sys/fs/cgroup/work 2>/dev/null; hexoctl netswap detach 0 2>/dev/null;
		$TC qdisc del dev eth0 root 2>/dev/null; rmmod hexo_test_pfm 2>/dev/null;
		for m in netswap hexo_kvm hexo_link; do rmmod \$m 2>/dev/null; done" >/dev/null 2>&1
	on server "$TC qdisc del dev eth0 root 2>/dev/null;
		for m in netswap_server hexo_kvm hexo_link; do rmmod \$m 2>/dev/null; done" >/dev/null 2>&1
	true
}

# frag_for MTU: the bytes of page data a frame carries at MTU, as the link
# agrees them (hxp_frag_size: what is left after HEXO's header, in multiples
# of 8, at most a page).
frag_for() {
	local hdr f

	hdr=$(sed -n 's/^#define HEXO_HDR_LEN[[:space:]]*\([0-9]*\).*/\1/p' \
		"$HEXO_TOP/include/uapi/hexo/wire.h")
	f=$((($1 - hdr) / 8 * 8))
	echo $((f > 4096 ? 4096 : f))
}

# mtu_in_effect: eth0 of the server and of the board have the MTU the
# testbed booted them with (HEXO_MTU, tests.txt's pair:mtu=N), and netswap0
# fragments pages for it. Prints "mtu N frag F".
mtu_in_effect() {
	local vm m f want=${HEXO_MTU:-1500}

	for vm in server board; do
		m=$(on "$vm" "cat /sys/class/net/eth0/mtu")
		[ "$m" = "$want" ] || { echo "$vm: eth0's MTU is $m, not $want"; return 1; }
	done
	f=$(dev_field board frag)
	[ "$f" = "$(frag_for "$want")" ] ||
		{ echo "netswap0: frag $f, not $(frag_for "$want") for MTU $want"; return 1; }
	echo "mtu $want frag $f"
}

# mtu_case: the TAP case "the link runs at the testbed's MTU".
mtu_case() {
	local m=${HEXO_MTU:-1500}

	ktap_expect "the link runs at MTU $m: $(frag_for "$m") bytes of page data per frame" \
		"^mtu $m frag $(frag_for "$m")$" mtu_in_effect
}

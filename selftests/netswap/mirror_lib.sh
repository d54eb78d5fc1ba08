# SPDX-License-Identifier: GPL-2.0
# Helpers of the mirrored Netswap tests (sourced after ./lib.sh). They need
# a pair topology with a second server VM, "server2" (HEXO_SERVER2_MAC),
# on the board's segment: pair:servers=2 in tests.txt.

S2=${HEXO_SERVER2_MAC:?the mirrored tests need a second server VM (server2)}

# serve_both [ARGS...]: netswap served on both servers' eth0.
serve_both() {
	local vm out

	for vm in server server2; do
		out=$(on "$vm" "hexoctl netswap serve dev eth0 ${*:-size $SERVE_SIZE}" 2>&1) ||
			bail "serve on $vm ${*:-size $SERVE_SIZE}: $out"
	done
}

# attach_mirror SIZE [ARGS...]: netswap0 on the board, mirrored on both.
attach_mirror() {
	local size=$1 out
	shift
	out=$(on board "hexoctl netswap attach dev eth0 server $S mirror $S2 size $size $*" 2>&1) ||
		bail "attach mirrored, size $size $*: $out"
}

# wait_mirror STATE SECONDS: until netswap0's mirror state is STATE; prints
# the seconds it took.
wait_mirror() {
	on board "t=0; until hexoctl -j netswap show netswap0 | grep -q '\"mirror\":\"$1\"'; do
		[ \$t -ge $(($2 * 10)) ] && { hexoctl netswap show netswap0; exit 1; }
		sleep 0.1; t=\$((t+1)); done; echo \$((t / 10)).\$((t % 10))"
}

# start_probe: a board job that reads one page of netswap0 (O_DIRECT, past
# the swap header) in a loop and records the longest read, in centiseconds
# (/proc/uptime), in /tmp/probe.max: the longest I/O stall a reader saw;
# and each read of 200 ms or more, with when it began, in /tmp/probe.slow.
# When it started: /tmp/probe.start (centiseconds of uptime).
start_probe() {
	on board "cut -d' ' -f1 /proc/uptime | tr -d . >/tmp/probe.start; rm -f /tmp/probe.slow" >/dev/null
	on_bg board probe "max=0; echo 0 >/tmp/probe.max; while :; do
		a=\$(cut -d' ' -f1 /proc/uptime | tr -d .)
		dd if=/dev/netswap0 of=/dev/null bs=4096 count=1 skip=\$((RANDOM % 1000 + 1)) \
			iflag=direct 2>/dev/null || echo err >>/tmp/probe.err
		b=\$(cut -d' ' -f1 /proc/uptime | tr -d .)
		[ \$((b - a)) -gt \$max ] && { max=\$((b - a)); echo \$max >/tmp/probe.max; }
		[ \$((b - a)) -ge 20 ] && echo \"stalled \$((b - a))0 ms from uptime \$a\" >>/tmp/probe.slow
		sleep 0.05; done" >/dev/null
}

# probe_slow: the probe's stalls of 1 s or more, each with when it began
# (centiseconds of uptime, the kernel log's clock), as TAP diagnostics.
probe_slow() {
	on board "awk '\$2 >= 1000' /tmp/probe.slow 2>/dev/null" | ktap_quote
}

# stall_split KILL: "BEFORE AFTER", the longest probe stalls in ms (of 200
# ms or more; 0: none) that ended before KILL (centiseconds of the board's
# uptime), and that were under way at KILL or began within as long after
# it as the probe ran before it: two windows of one length, the load's
# alone and the failover's. (Over the whole rest of a long run, the load's
# own worst stall, seconds on a busy host, would be judged as failover.)
stall_split() {
	on board "s=\$(cat /tmp/probe.start 2>/dev/null || echo 0)
		awk -v k=$1 -v w=\$(($1 - s)) '{ if (\$6 + \$2 / 10 <= k) { if (\$2 > b) b = \$2 }
		else if (\$6 <= k + w && \$2 > a) a = \$2 } END { print b + 0, a + 0 }' /tmp/probe.slow 2>/dev/null ||
		echo 0 0"
}

# stop_probe: prints the longest stall in ms; fails if a probe read failed.
stop_probe() {
	on board "kill \$(cat /tmp/job.probe.pid) 2>/dev/null; echo \$((\$(cat /tmp/probe.max) * 10));
		! [ -s /tmp/probe.err ]"
}

mirror_cleanup() {
	on board "swapoff -a 2>/dev/null; hexoctl netswap detach 0 2>/dev/null;
		$TC qdisc del dev eth0 root 2>/dev/null; rmmod netswap hexo_link" >/dev/null 2>&1
	on server2 "$TC qdisc del dev eth0 root 2>/dev/null;
		rmmod netswap_server hexo_link" >/dev/null 2>&1
	netswap_cleanup
}

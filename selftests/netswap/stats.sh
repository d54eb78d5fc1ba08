#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexoctl stats: Netswap's state as Prometheus metrics on both sides, in the
# text format, with values that agree with what was done and with "hexoctl
# -j netswap show": pages out and in, RTT, no error; the server's boards; a
# server restart shows as lost pages, what the alert of
# Documentation/monitoring.rst fires on. Without modules, only the sources.
#
#   server (x86_64) eth0 ---- eth0 board (arm64)
#   netswap_server             netswap: /dev/netswap0
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

# stats VM: hexoctl stats on VM, into $out (the checks below read it; a
# check runs in a subshell, so this runs outside them); fails as hexoctl.
stats() {
	out=$(on "$1" "hexoctl stats 2>&1")
}

# value NAME[{LABELS}]: the sample's value in $out (nothing if none).
value() {
	printf '%s\n' "$out" | awk -v m="$1" '$1 == m { print $2 }'
}

# is EXPR NAME...: each sample is in $out and its value v satisfies EXPR
# (awk, e.g. "v == 1", "v > 0 && v < 1"); says which is not.
is() {
	local expr=$1 v bad=
	shift
	for m in "$@"; do
		v=$(value "$m")
		if [ -z "$v" ]; then
			bad="$bad; no $m"
		elif ! awk -v v="$v" "BEGIN { exit !($expr) }"; then
			bad="$bad; $m is $v, not $expr"
		fi
	done
	[ -z "$bad" ] || { echo "${bad#; }"; return 1; }
}

# typed NAME TYPE: $out has NAME's HELP and TYPE TYPE, once each.
typed() {
	[ "$(printf '%s\n' "$out" | grep -c "^# HELP $1 [A-Z0-9]")" = 1 ] &&
		[ "$(printf '%s\n' "$out" | grep -c "^# TYPE $1 $2\$")" = 1 ] ||
		{ echo "$1: no single HELP and TYPE $2"; return 1; }
}

# Every line a comment or a sample: NAME[{LABELS}] VALUE.
wellformed() {
	local bad

	bad=$(printf '%s\n' "$out" | grep -Ev '^# (HELP|TYPE) hexo_[a-z_]+ .+$' |
		grep -Ev '^hexo_[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9][0-9.e+-]*$')
	[ -z "$bad" ] || { printf '%s\n' "$bad" | head -5; return 1; }
}

# json KEY: a number from $json, hexoctl -j netswap show netswap0.
json() {
	printf '%s\n' "$json" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# same: the board's metrics and show -j agree on the counts.
same() {
	local m j bad=

	for p in write_pages:hexo_netswap_pages_out_total read_pages:hexo_netswap_pages_in_total \
		pages_stored:hexo_netswap_stored_pages pages_lost:hexo_netswap_lost_pages; do
		j=$(json "${p%%:*}")
		m=$(value "${p#*:}$D")
		[ -n "$j" ] && [ "$j" = "$m" ] || bad="$bad; ${p%%:*} $j, ${p#*:} $m"
	done
	[ -z "$bad" ] || { echo "${bad#; }"; return 1; }
}

D="{device=\"netswap0\",server=\"$S\",interface=\"eth0\"}"
SB="{board=\"$HEXO_BOARD_MAC\",interface=\"eth0\"}"

ktap_plan 15
serve size 256M
attach board 64M
ktap_check "write 1024 pages and read them back" \
	on board "$B/blkpattern write /dev/netswap0 3 0 1024 && $B/blkpattern verify /dev/netswap0 3 0 1024"

stats board
ktap_expect "board: hexoctl stats runs" "^0 # HELP " echo "$? $out"
json=$(on board "hexoctl -j netswap show netswap0")
ktap_check "board: every line is a HELP, a TYPE or a sample" wellformed
ktap_check "board: HELP and TYPE once per metric, counters as counters" \
	eval 'typed hexo_netswap_pages_out_total counter && typed hexo_netswap_pages_in_total counter &&
		typed hexo_netswap_lost_pages gauge && typed hexo_netswap_rtt_seconds gauge &&
		typed hexo_netswap_retransmits_total counter && typed hexo_netswap_errors_total counter &&
		typed hexo_link_transmitted_frames_total counter'
ktap_check "board: one device, up, 64M, all three sources read" \
	eval "is 'v == 1' hexo_netswap_devices 'hexo_netswap_up$D' \
		'hexo_stats_source_up{source=\"netswap\"}' 'hexo_stats_source_up{source=\"kvm\"}' \
		'hexo_stats_source_up{source=\"link\"}' && is 'v == 67108864' 'hexo_netswap_size_bytes$D'"
ktap_check "board: 1024 pages out and in, 1024 stored, none lost, no error" \
	eval "is 'v >= 1024' 'hexo_netswap_pages_out_total$D' 'hexo_netswap_pages_in_total$D' &&
		is 'v == 1024' 'hexo_netswap_stored_pages$D' &&
		is 'v == 0' 'hexo_netswap_lost_pages$D' 'hexo_netswap_errors_total$D' &&
		is 'v >= 0' 'hexo_netswap_retransmits_total$D'"
ktap_check "board: the RTT in seconds, above 0 and below 1" \
	eval "is 'v > 0 && v < 1' 'hexo_netswap_rtt_seconds$D' 'hexo_netswap_min_rtt_seconds$D'"
ktap_check "board: hexo_link counts eth0's frames" \
	eval "is 'v > 1024' 'hexo_link_transmitted_frames_total{interface=\"eth0\"}' \
		'hexo_link_received_frames_total{interface=\"eth0\"}'"
ktap_check "board: pages out, in, stored and lost as hexoctl -j netswap show says" same

stats server
rc=$?
ktap_check "server: hexoctl stats runs, every line well formed" eval "[ $rc = 0 ] && wellformed"
ktap_check "server: one board on eth0, its 1024 pages stored, its writes counted" \
	eval "is 'v == 1' 'hexo_netswap_server_boards{interface=\"eth0\"}' &&
		is 'v == 4194304' 'hexo_netswap_server_board_stored_bytes$SB' &&
		is 'v > 0' 'hexo_netswap_server_writes_total$SB' 'hexo_netswap_server_reads_total$SB'"
ktap_check "server: with hexo_kvm loaded, no VM and no offload yet" \
	eval "on server 'modprobe hexo_kvm' && stats server && is 'v == 0' hexo_kvm_vms"

s1=$(dev_field board session)
ktap_check "the server restarts (unserve, serve) and the board reconnects" \
	on server "hexoctl netswap unserve dev eth0 && hexoctl netswap serve dev eth0 size 256M >/dev/null"
on board "t=0; until [ \$(hexoctl -j netswap show netswap0 | sed -n 's/.*\"session\":\([0-9]*\).*/\1/p') != $s1 ] &&
	hexoctl -j netswap show | grep -q '\"state\":\"up\"'; do
	[ \$t -ge 100 ] && exit 1; sleep 0.1; t=\$((t+1)); done" >/dev/null
ktap_check "board: the old pages show as lost: hexo_netswap_lost_pages 1024" \
	eval "stats board && is 'v == 1024' 'hexo_netswap_lost_pages$D'"

netswap_cleanup
on server "rmmod hexo_kvm" >/dev/null 2>&1
ktap_expect "without modules: only the sources, read, and exit status 0" \
	"^hexo_stats_source_up\{source=\"netswap\"\} 1 hexo_stats_source_up\{source=\"kvm\"\} 1 hexo_stats_source_up\{source=\"link\"\} 1 \$" \
	on board "hexoctl stats | grep -v '^#' | tr '\n' ' '"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The paper's combined scenario: a guest whose memory is more than the
# board has available is offloaded to the board anyway, and finishes there,
# verified, because the board swaps to the server's RAM over Netswap. The
# board runs with 128 MiB of RAM (tests.txt); the guest is IS class A in
# 128 MiB, offloaded post-copy mid-run from the server.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

T=/tmp/kvm-combined
S=$HEXO_SERVER_MAC
B=$HEXO_BOARD_MAC
MEM=128

pswpout() { on board "awk '/^pswpout/ { print \$2 }' /proc/vmstat"; }

ktap_plan 5
on server "rm -rf $T && mkdir -p $T" >/dev/null
# The unmoved reference, on the server (the result is the same on both ISAs).
on_bg server ref "cd $T && hexovm --mem ${MEM}M $G/is.elf A >is.ref 2>&1" >/dev/null

swap_on() {
	on server "hexoctl netswap serve dev eth0 size 600M board-size 512M" &&
		on board "hexoctl netswap attach dev eth0 server $S size 512M &&
			mkswap /dev/netswap0 >/dev/null && swapon /dev/netswap0 && grep -q netswap0 /proc/swaps"
}
ktap_check "the board swaps to the server's RAM: Netswap attached, swap on" swap_on
for vm in server board; do
	on "$vm" "modprobe hexo_kvm && hexoctl kvm serve dev eth0" >/dev/null
done
on_wait server ref 600 >/dev/null
ref=$(on server "cat $T/is.ref")

avail=$(on board "awk '/^MemAvailable/ { print int(\$2 / 1024) }' /proc/meminfo")
ktap_expect "the guest's $MEM MiB are more than the board has available" \
	"^more$" eval "[ '${avail:-0}' -gt 0 ] && [ $MEM -gt '${avail:-0}' ] && echo more ||
		echo 'MemAvailable $avail MiB'"
before=$(pswpout)

on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
on_bg server source "hexovm --mem ${MEM}M $G/is.elf A 2>&1" >/dev/null
id=$(on server "i=0; while [ \$i -lt 1200 ] && ! grep -qE '^is: iteration 1\$' /tmp/job.source.out;
	do sleep 0.1; i=\$((i + 1)); done; p=\$(pidof hexovm); fd=\$($vm_fd);
	hexoctl -j kvm attach pid \$p fd \$fd name is | sed -n 's/.*\"id\":\\([0-9]*\\).*/\\1/p'")
off=$(on server "hexoctl kvm offload id ${id:-0} to $B dev eth0 timeout 20000 2>&1")
st=$?
src=$(on_wait server source 120)
out=$(on_wait board incoming 840)
if [ $st = 0 ] && grep -q "handed off at migration point" <<<"$src" &&
	grep -q "took is from x86_64 at migration point" <<<"$out" &&
	grep -q "^is: resumed on arm64 from x86_64" <<<"$out" &&
	grep -q "^is: class A verification SUCCESSFUL" <<<"$out" &&
	[ -n "$(result_of is "$ref")" ] && [ "$(result_of is "$out")" = "$(result_of is "$ref")" ]; then
	printf '%s\n' "$src" "$out" | grep -E "handed|took|resumed|post-copy|result" | ktap_quote
	ktap_pass "IS A ($MEM MiB) offloaded to the board mid-run, finishes there verified"
else
	printf '%s\n' "$off" "$src" "$out" | ktap_quote
	ktap_diag "unmoved: $(result_of is "$ref")"
	ktap_fail "IS A ($MEM MiB) offloaded to the board mid-run, finishes there verified"
fi
after=$(pswpout)
ktap_expect "... the board swapped to Netswap while it ran" "^swapped$" \
	eval "[ '${after:-0}' -gt '${before:-0}' ] && echo swapped || echo 'pswpout $before -> $after'"

for vm in server board; do
	on "$vm" "killall hexovm; hexoctl kvm unserve dev eth0; sleep 0.5; rmmod hexo_kvm" >/dev/null 2>&1
done
ktap_check "swap off and Netswap detached, nothing lost on the way" \
	on board "swapoff /dev/netswap0 && hexoctl netswap detach netswap0"
on server "hexoctl netswap unserve dev eth0" >/dev/null 2>&1
ktap_finish

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
MEM=128

pswpout() { on board "awk '/^pswpout/ { print \$2 }' /proc/vmstat"; }

ktap_plan 6
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

avail=$(on board "awk '/^MemAvailable/ { print int(\$2 / 1024) }' /proc/meminfo")
ktap_expect "the guest's $MEM MiB are more than the board has available" \
	"^more$" eval "[ '${avail:-0}' -gt 0 ] && [ $MEM -gt '${avail:-0}' ] && echo more ||
		echo 'MemAvailable $avail MiB'"
before=$(pswpout)

# Offloaded once past its first iteration, with every check of where it
# resumed and what it ended with (lib.sh).
SRC_OPTS="--mem ${MEM}M" SRC_AFTER="^is: iteration 1\$" offload \
	"IS A ($MEM MiB) offloaded to the board mid-run, finishes there verified" server board is A
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

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boots the testbed (an x86_64 server VM and an arm64 board VM on
# a virtual Ethernet link) and shows what HEXO does, step by step.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${HEXO_RUN:-}" ]; then
	echo "==> Booting the testbed: server (x86_64) and board (arm64)"
	exec "$top/scripts/testbed" pair --board-mem 256 -- "$0" "$@"
fi

. "$top/selftests/lib/host.sh"
step() { printf '\n==> %s\n' "$*"; }
show() { printf '    $ %s\n' "$2"; on "$1" "$2" | sed 's/^/    /'; }

step "Both VMs are up: nested KVM is available in each"
show server "uname -srm; ls -l /dev/kvm"
show board "uname -srm; ls -l /dev/kvm"

step "HEXO's modules load on demand through their generic netlink families"
show server "hexoctl version"
show server "hexoctl netswap show; hexoctl kvm show"
show board "hexoctl -j netswap show"

step "Frames of HEXO's EtherType (0x88B5) cross the link in both directions"
on_bg board echo "hexolink echo -n 20 -t 30" >/dev/null
on_ready board echo listening >/dev/null
show server "hexolink ping --to $HEXO_BOARD_MAC -n 20 -s 1400"

step "Netswap: the server serves its spare RAM on eth0; the board (256 MiB of RAM) attaches a swap device"
show server "hexoctl netswap serve dev eth0 size 900M board-size 800M"
show board "hexoctl netswap attach dev eth0 server $HEXO_SERVER_MAC size 800M &&
	mkswap /dev/netswap0 >/dev/null && swapon -d /dev/netswap0 && free -m"

step "The board runs a 512 MiB workload, twice its RAM: it swaps to the server's RAM, and checks every byte"
show board "/hexo/selftests/netswap/memstress 512 20000"
show board "free -m; hexoctl netswap show"
show server "hexoctl netswap boards"

step "hexo_kvm serves the same link on both nodes (HEXO_SVC_KVM on hexo_link, next to Netswap)"
show server "modprobe hexo_kvm && hexoctl vm serve dev eth0 && hexoctl vm show"
show board "modprobe hexo_kvm && hexoctl vm serve dev eth0 && hexoctl vm show"

step "Two NPB VMs run on the x86_64 server: EP (class S) and CG (class W), each attached to hexo_kvm"
on_bg server ep "hexovm /hexo/guest/ep.elf S 2>&1" >/dev/null
on_bg server cg "hexovm /hexo/guest/cg.elf W 2>&1" >/dev/null
sleep 2
for app in ep cg; do
	on server "for p in \$(pidof hexovm); do grep -q $app.elf /proc/\$p/cmdline && break; done
		for f in /proc/\$p/fd/*; do [ \"\$(readlink \$f)\" = anon_inode:kvm-vm ] && fd=\${f##*/}; done
		hexoctl vm attach pid \$p fd \$fd name $app" >/dev/null
done
show server "hexoctl vm show"

step "The board waits for a VM (hexovm --incoming: it runs the arm64 build of what it is offered)"
on_bg board incoming "hexovm --incoming --incoming-timeout 120 2>&1" >/dev/null
echo "    board: hexovm --incoming started"

step "EP is offloaded to the board mid-run: hexoctl vm offload stops it at a migration point and the board pulls it"
id=$(on server "hexoctl -j vm show" | python3 -c 'import json, sys
print(next(v["id"] for v in json.load(sys.stdin)["vms"] if v["name"] == "ep"))')
show server "hexoctl vm offload id $id to $HEXO_BOARD_MAC dev eth0 timeout 20000 2>&1"

step "EP finishes on the arm64 board, verified against the NPB reference"
on_wait board incoming 600 | grep -E "took|resumed|: at |verification|result|post-copy" |
	sed 's/^/    board: /'
on_wait server ep 60 | grep -E "parked|handed" | sed 's/^/    server: /'

step "CG ran on at the server the whole time, verified too"
on_wait server cg 900 | grep -E "reference|verification" | sed 's/^/    server: /'

step "The offload's statistics, as the server counted them"
show server "hexoctl vm show id $id"
show board "hexoctl vm show; free -m; hexoctl netswap show"

step "Done."

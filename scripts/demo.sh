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
show board "swapoff /dev/netswap0 && hexoctl netswap detach netswap0"

step "hexo_kvm attaches to a KVM VM held by a VMM process on the board"
show board "cd /hexo/selftests/hexoctl && (./kvm_hold 8 1 >/tmp/h.out &) && sleep 1 &&
	hexoctl kvm attach pid \$(pidof kvm_hold) fd \$(sed -n 's/vmfd //p' /tmp/h.out) name demo &&
	hexoctl kvm show && hexoctl kvm detach id 1 && killall kvm_hold"

step "A unikernel VM (NPB CG, class S) starts on the x86_64 server; it stops at iteration 6"
show server "hexovm -o /tmp/cg.img --checkpoint-at 3:7 /hexo/guest/cg.elf S 2>&1"
step "Its checkpoint image crosses to the arm64 board"
vm_copy server /tmp/cg.img board /tmp/cg.img && echo "    /tmp/cg.img copied, checksum verified"
step "The board resumes it with its own arm64 build and verifies zeta against the NPB reference"
show board "hexovm --stats --restore /tmp/cg.img 2>&1"

step "Done."

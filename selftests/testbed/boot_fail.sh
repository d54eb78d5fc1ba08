#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A VM whose boot went wrong fails loudly, and no test runs in it: the
# console lines the testbed takes for a failed boot (scripts/hexotb/vm.py,
# boot_failure), then a real board of 128 MiB booting an initramfs that is
# too large for it ("Initramfs unpacking failed: write error", then /init
# from the part that did unpack: the agent answers), and the real initramfs
# booting whole in that same board.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
tb=$top/scripts/testbed
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# match LINE: what boot_failure makes of one console line.
# shellcheck disable=SC2317  # called through ktap_*
match() {
	python3 -c "import sys; sys.path.insert(0, '$top/scripts'); from hexotb import vm
print(vm.boot_failure(sys.argv[1]))" "$1"
}

ktap_plan 5
bad=("[    1.532300] Initramfs unpacking failed: write error"
	"[    2.100000] Kernel panic - not syncing: System is deadlocked on memory"
	"[    1.900000] VFS: Unable to mount root fs on unknown-block(0,0)"
	"[    1.900000] Kernel panic - not syncing: No working init found.  Try passing init= option to kernel."
	"[    3.000000] Out of memory: Killed process 1 (init) total-vm:2000kB")
good=("[    0.900000] Trying to unpack rootfs image as initramfs..."
	"[    1.400000] Freeing initrd memory: 9548K"
	"[    1.800000] Run /init as init process"
	"[    2.000000] init: board up, agent on /dev/vport1p1")
# shellcheck disable=SC2317
unit() {
	local l
	for l in "${bad[@]}"; do
		[ "$(match "$l")" = "$l" ] || { echo "missed: $l"; return 1; }
	done
	for l in "${good[@]}"; do
		[ "$(match "$l")" = None ] || { echo "taken for a failure: $l"; return 1; }
	done
}
ktap_check "boot_failure: ${#bad[@]} failure lines matched, ${#good[@]} boot lines not" unit

# The board's archive with a 64 MiB file appended: it does not fit in the
# RAM file system of a 128 MiB VM (half its memory).
img=$top/build/arm64/initramfs.cpio.gz
(cd "$tmp" && truncate -s 64M bloat && echo bloat | cpio -o -H newc 2>/dev/null | gzip -1 >bloat.gz)
cat "$img" "$tmp/bloat.gz" >"$tmp/big.gz"
out=$("$tb" run --arch arm64 --mem 128 --timeout 60 --initrd "$tmp/big.gz" -- \
	'echo COMMAND-RAN' 2>&1)
rc=$?
printf '%s\n' "$out" | ktap_quote
if [ $rc -ne 0 ]; then
	ktap_pass "an initramfs too large for a 128 MiB board: the boot fails (status $rc)"
else
	ktap_fail "an initramfs too large for a 128 MiB board: the boot fails (status $rc)"
fi
ktap_expect "the error names the kernel's message, the initramfs's sizes and the VM's memory" \
	'boot failed: ".*Initramfs unpacking failed: write error" \(initramfs .*big.gz: [0-9.]+ MiB, [0-9.]+ MiB unpacked; VM memory 128 MiB\)' \
	echo "$out"
ktap_fails "the command never ran on the partial root" grep -q COMMAND-RAN <<<"$out"

# shellcheck disable=SC2016  # $(...) runs in the VM
ktap_expect "the real initramfs boots whole in the same board" "^whole [0-9]+$" \
	"$tb" run --arch arm64 --mem 128 --timeout 60 -- \
	'[ -x /hexo/bin/hexoctl ] && [ -x /hexo/selftests/netswap/blkpattern ] && echo whole $(find / -xdev | wc -l)'
ktap_finish

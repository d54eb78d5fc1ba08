#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The initramfs of each ISA unpacks into well under the memory of the
# smallest VM of that ISA any test boots (a quarter of it): a 128 MiB board
# with a larger one fails to unpack it ("Initramfs unpacking failed: write
# error") and would run its tests on part of a root. The check itself fails
# on an archive that is too large.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hexotb() {
	python3 -c "import sys; sys.path.insert(0, '$top/scripts'); from hexotb import initramfs; $1"
}

ktap_plan 5
for arch in x86_64 arm64; do
	img=$top/build/$arch/initramfs.cpio.gz
	if out=$(hexotb "initramfs.check_size('$arch', '$img')" 2>&1) &&
		grep -q "^initramfs: .* MiB unpacked; bound" <<<"$out"; then
		ktap_diag "$out"
		ktap_pass "$arch: the initramfs unpacks within its bound"
	else
		printf '%s\n' "$out" | ktap_quote
		ktap_fail "$arch: the initramfs unpacks within its bound"
	fi
done

# The board's archive with a 40 MiB file appended as a second archive, the
# way an initramfs grows.
img=$top/build/arm64/initramfs.cpio.gz
(cd "$tmp" && truncate -s 40M bloat && echo bloat | cpio -o -H newc 2>/dev/null | gzip -1 >bloat.gz)
cat "$img" "$tmp/bloat.gz" >"$tmp/big.gz"
ktap_expect "the unpacked size counts an appended archive (40 MiB more)" "^40$" \
	hexotb "print((initramfs.unpacked_size('$tmp/big.gz')[0] -
		initramfs.unpacked_size('$img')[0]) >> 20)"
ktap_expect_status "the check fails on an archive 40 MiB larger, naming its size and the VM's" \
	1 "too large: initramfs .*big.gz: .* MiB unpacked; bound 32 MiB, 1/4 of the smallest arm64 VM \(128 MiB" \
	hexotb "initramfs.check_size('arm64', '$tmp/big.gz')"
ktap_expect "HEXO's modules go in without their debug information" "^0 sections$" \
	bash -c "echo \$(readelf -S -W '$top/build/arm64/initramfs.d/lib/modules/'*/extra/*.ko |
		grep -c '\.debug_') sections"
ktap_finish

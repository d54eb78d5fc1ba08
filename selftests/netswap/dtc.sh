#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every overlay in dts/ compiles with dtc without a warning, and the testbed
# board's applies to QEMU's virt machine tree, giving the netswap node a
# resolved phandle to a virtio-mmio transport.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mapfile -t dts < <(ls "$top"/dts/*.dts)
ktap_plan $((${#dts[@]} + 1))
for f in "${dts[@]}"; do
	n=$(basename "$f" .dts)
	if out=$(dtc -@ -I dts -O dtb -o "$tmp/$n.dtbo" "$f" 2>&1) && [ -z "$out" ]; then
		ktap_pass "dtc: $n compiles without a warning"
	else
		printf '%s\n' "$out" | ktap_quote
		ktap_fail "dtc: $n compiles without a warning"
	fi
done
if qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$tmp/virt.dtb" \
		-cpu max,pauth-impdef=on -m 512 -smp 2 -display none >/dev/null 2>&1 &&
	fdtoverlay -i "$tmp/virt.dtb" -o "$tmp/board.dtb" "$tmp/netswap-virt.dtbo" &&
	ph=$(fdtget -t x "$tmp/board.dtb" /netswap hexo,ethernet) &&
	[ "$(fdtget -t x "$tmp/board.dtb" /virtio_mmio@a003e00 phandle)" = "$ph" ] &&
	[ "$(fdtget -t bx "$tmp/board.dtb" /netswap hexo,server-mac)" = "52 54 0 48 58 1" ]; then
	ktap_pass "netswap-virt applies to QEMU's virt tree; hexo,ethernet resolves"
else
	ktap_fail "netswap-virt applies to QEMU's virt tree; hexo,ethernet resolves"
fi
ktap_finish

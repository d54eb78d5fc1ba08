#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every overlay in dts/ compiles with dtc without a warning and applies to
# the device tree its board boots, its hexo,ethernet then naming that board's
# Ethernet controller: the testbed's to QEMU's virt machine, the boards' to
# Debian's own DTBs from linux-image-$KABI-arm64 (scripts/deps.sh unpacks it
# into build/deps/root-arm64). Applied with fdtoverlay, whose libfdt code is
# U-Boot's "fdt apply"; the Raspberry Pi overlays also with dtmerge
# (raspberrypi/utils: Raspberry Pi's overlay library, nearest to the
# firmware's closed loader), when it is on PATH or named by DTMERGE.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
. "$top/scripts/kernel.env"
dtbs=$top/build/deps/root-arm64/usr/lib/linux-image-$KABI-arm64
dtmerge=${DTMERGE:-$(command -v dtmerge)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# OVERLAY       TREE (under $dtbs, or QEMU's)          ETHERNET NODE           ITS COMPATIBLE
cases=(
"netswap-virt         qemu-virt                                 /virtio_mmio@a003e00    virtio,mmio"
"netswap-rpi4         broadcom/bcm2711-rpi-4-b.dtb              /scb/ethernet@7d580000  brcm,bcm2711-genet-v5"
"netswap-rpi4         broadcom/bcm2711-rpi-400.dtb              /scb/ethernet@7d580000  brcm,bcm2711-genet-v5"
"netswap-rpi4         broadcom/bcm2711-rpi-cm4-io.dtb           /scb/ethernet@7d580000  brcm,bcm2711-genet-v5"
"netswap-libretech-cc amlogic/meson-gxl-s905x-libretech-cc.dtb    /soc/ethernet@c9410000 amlogic,meson-gxbb-dwmac"
"netswap-libretech-cc amlogic/meson-gxl-s905x-libretech-cc-v2.dtb /soc/ethernet@c9410000 amlogic,meson-gxbb-dwmac"
"netswap-rock64       rockchip/rk3328-rock64.dtb                /ethernet@ff540000      rockchip,rk3328-gmac"
)
nrpi=0
for c in "${cases[@]}"; do
	case $c in netswap-rpi*) nrpi=$((nrpi + 1)) ;; esac
done

mapfile -t dts < <(ls "$top"/dts/*.dts)
ktap_plan $((${#dts[@]} + 1 + ${#cases[@]} + nrpi))

# The overlays name the Ethernet controller by a child node of a fragment's
# __overlay__ with the controller's own name (see dts/netswap-rpi4.dts): it
# has a unit address and no reg, by design, so that one check is off.
for f in "${dts[@]}"; do
	n=$(basename "$f" .dts)
	if out=$(dtc -@ -W no-unit_address_vs_reg -I dts -O dtb -o "$tmp/$n.dtbo" "$f" 2>&1) &&
		[ -z "$out" ]; then
		ktap_pass "dtc: $n compiles without a warning"
	else
		printf '%s\n' "$out" | ktap_quote
		ktap_fail "dtc: $n compiles without a warning"
	fi
done

missing=
for f in "${dts[@]}"; do
	n=$(basename "$f" .dts)
	printf '%s\n' "${cases[@]}" | grep -q "^$n " || missing="$missing $n"
done
if [ -z "$missing" ]; then
	ktap_pass "every overlay is applied to a real tree below"
else
	ktap_fail "every overlay is applied to a real tree below (not:$missing)"
fi

# resolves BASE MERGED ETH COMPAT: prints what is wrong with MERGED, BASE with
# an overlay applied, if anything: its /netswap node must point at ETH, the
# node with COMPAT first in its compatible (not a new empty node of that
# name, which a wrong path would make), and no phandle may change or repeat.
resolves() {
	local base=$1 merged=$2 eth=$3 compat=$4 ph ethph oldph dup
	[ "$(fdtget "$merged" /netswap compatible 2>&1)" = hexo,netswap ] ||
		echo "no /netswap node with compatible hexo,netswap"
	ph=$(fdtget -t x "$merged" /netswap hexo,ethernet 2>&1)
	ethph=$(fdtget -t x "$merged" "$eth" phandle 2>&1)
	[ "$ph" = "$ethph" ] || echo "hexo,ethernet is <$ph>, $eth's phandle <$ethph>"
	set -- $(fdtget "$merged" "$eth" compatible 2>&1)
	[ "$1" = "$compat" ] || echo "$eth's compatible is '$*', not $compat"
	if oldph=$(fdtget -t x "$base" "$eth" phandle 2>/dev/null) && [ "$oldph" != "$ethph" ]; then
		echo "$eth's phandle changed from <$oldph> to <$ethph>: the tree's references to it break"
	fi
	dup=$(dtc -q -I dtb -O dts "$merged" | grep -Eo '^\s*phandle = <0x[0-9a-f]+>' | sort | uniq -d)
	[ -z "$dup" ] || echo "phandles repeat: $dup"
	[ "$(fdtget -t bx "$merged" /netswap hexo,server-mac 2>&1 | wc -w)" = 6 ] ||
		echo "hexo,server-mac is not 6 bytes"
}

# check NAME TOOL BASE OVERLAY ETH COMPAT
check() {
	local name=$1 tool=$2 base=$3 ovl=$4 eth=$5 compat=$6 out why
	rm -f "$tmp/merged.dtb"
	if [ ! -e "$base" ]; then
		why="no $base (make deps unpacks it)"
	elif [ "$tool" = dtmerge ]; then
		out=$("$dtmerge" "$base" "$tmp/merged.dtb" "$ovl" 2>&1) || why="dtmerge failed: $out"
	else
		out=$(fdtoverlay -i "$base" -o "$tmp/merged.dtb" "$ovl" 2>&1) || why="fdtoverlay failed: $out"
	fi
	[ -n "$why" ] || why=$(resolves "$base" "$tmp/merged.dtb" "$eth" "$compat")
	if [ -z "$why" ]; then
		ktap_pass "$name"
	else
		printf '%s\n' "$why" | ktap_quote
		ktap_fail "$name"
	fi
}

qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$tmp/qemu-virt" \
	-cpu max,pauth-impdef=on -m 512 -smp 2 -display none >/dev/null 2>&1

for c in "${cases[@]}"; do
	read -r n tree eth compat <<<"$c"
	if [ "$tree" = qemu-virt ]; then
		base=$tmp/qemu-virt
	else
		base=$dtbs/$tree
	fi
	check "fdtoverlay: $n on $(basename "$tree" .dtb): hexo,ethernet is $eth" \
		fdtoverlay "$base" "$tmp/$n.dtbo" "$eth" "$compat"
done

for c in "${cases[@]}"; do
	read -r n tree eth compat <<<"$c"
	case $n in netswap-rpi*) ;; *) continue ;; esac
	name="dtmerge: $n on $(basename "$tree" .dtb): hexo,ethernet is $eth"
	if [ -z "$dtmerge" ]; then
		ktap_skip "$name" "no dtmerge (set DTMERGE=PATH to a build of raspberrypi/utils' dtmerge)"
		continue
	fi
	check "$name" dtmerge "$dtbs/$tree" "$tmp/$n.dtbo" "$eth" "$compat"
done
ktap_finish

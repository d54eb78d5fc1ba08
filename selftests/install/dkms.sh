#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexo-dkms as a Debian user installs it: dpkg -i in a Debian 12 root
# (build/deps/root-dkms, scripts/deps.sh: debootstrap, Debian's dkms, the
# pinned amd64 headers), through an overlay that leaves that root clean.
# dkms builds and installs the four modules; they carry the names and the
# vermagic of those `make` builds; modprobe resolves them; the kernel hook
# that runs when a new kernel's headers arrive builds them again (with
# "upgrade": a second build, so in soak only); purging the package removes
# them.
#
#   dkms.sh [upgrade]
. ../lib/ktap.sh
. ./lib.sh
. "$top/scripts/kernel.env"
kver=$KABI-amd64
lower=$top/build/deps/root-dkms
tmp=$(mktemp -d)
root=$tmp/root
cleanup() {
	for m in dev/pts dev sys proc ""; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

[ -e "$lower/.done" ] || { echo "Bail out! no $lower (run scripts/deps.sh)"; exit 1; }
need_debs || { echo "Bail out! make deb failed"; exit 1; }
deb=$debdir/hexo-dkms_${version}_all.deb
mkdir -p "$tmp/upper" "$tmp/work" "$root"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$root" ||
	{ echo "Bail out! cannot mount an overlay on $lower"; exit 1; }
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m"
done
cp "$deb" "$root/tmp/"
in_root() { nice -n 19 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }

upgrade=${1:-}
ktap_plan $([ "$upgrade" = upgrade ] && echo 8 || echo 7)
ktap_check "dpkg -i hexo-dkms: dkms builds and installs the modules" \
	in_root dpkg -i "/tmp/$(basename "$deb")"
ktap_expect "dkms status: hexo $version installed for $kver" \
	"^hexo/$version, $kver, x86_64: installed" in_root dkms status

want=$(bash "$top/scripts/dkms-conf.sh" "$top" | sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"/\1/p' | sort)
got=$(cd "$root/lib/modules/$kver/updates/dkms" 2>/dev/null && ls *.ko* | sed 's/\.ko.*//' | sort)
if [ "$got" = "$want" ] && [ "$(wc -l <<<"$want")" = 4 ]; then
	ktap_pass "the four modules in /lib/modules/$kver/updates/dkms: $(echo $got)"
else
	diff <(echo "$want") <(echo "$got") | ktap_quote
	ktap_fail "the four modules in /lib/modules/$kver/updates/dkms"
fi

# The same modules as make's: name, vermagic, version (their own sources).
bad=
for m in $want; do
	ko=$(ls "$root/lib/modules/$kver/updates/dkms/$m".ko* 2>/dev/null | head -n 1)
	ref=$(ls "$top"/build/x86_64/kmod/kernel/*/"$m.ko" 2>/dev/null | head -n 1)
	[ -n "$ko" ] && [ -n "$ref" ] || { bad="$bad $m(missing)"; continue; }
	for f in name vermagic version; do
		[ "$(modinfo -F $f "$ko")" = "$(modinfo -F $f "$ref")" ] || bad="$bad $m($f)"
	done
done
if [ -z "$bad" ] && [ -n "$want" ]; then
	ktap_pass "each one's name, vermagic and version are those of make's build"
else
	ktap_diag "differ:$bad (make's build: build/x86_64/kmod)"
	ktap_fail "each one's name, vermagic and version are those of make's build"
fi
ktap_expect "modprobe finds netswap with hexo_link under it" \
	"updates/dkms/hexo_link.ko.*updates/dkms/netswap.ko" \
	sh -c "chroot '$root' modprobe --show-depends -S '$kver' netswap | tr '\n' ' '"

# A kernel upgrade: the new headers' postinst hook runs dkms for them.
[ "$upgrade" = upgrade ] && in_root dkms unbuild -m hexo -v "$version" -k "$kver" >/dev/null 2>&1
[ "$upgrade" = upgrade ] &&
	ktap_expect "the headers' kernel hook (a kernel upgrade) builds and installs them again" \
	"^hexo/$version, $kver, x86_64: installed" \
	sh -c "chroot '$root' /etc/kernel/header_postinst.d/dkms '$kver' >/dev/null 2>&1; chroot '$root' dkms status"

ktap_check "dpkg --purge hexo-dkms" in_root dpkg --purge hexo-dkms
ktap_check "purged: no module left, no dkms entry" \
	sh -c "! ls '$root/lib/modules/$kver/updates/dkms/'*.ko* 2>/dev/null && [ -z \"\$(chroot '$root' dkms status)\" ]"
ktap_finish

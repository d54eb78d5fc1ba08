#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexo-dkms as a Debian user installs it: dpkg -i in a Debian 12 root
# (build/deps/root-dkms, scripts/deps.sh: debootstrap, Debian's dkms, the
# pinned amd64 headers), through an overlay that leaves that root clean.
# dkms builds and installs the four modules; they carry the names and the
# vermagic of those `make` builds; modprobe resolves them; a testbed VM
# booted with them (not make's) runs them and passes the module and hexoctl
# tests; the kernel hook
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

[ -e "$lower/.done" ] && [ -e "$lower/.tools" ] ||
	{ echo "Bail out! no $lower, or without hexo-tools' dependencies (run scripts/deps.sh)"; exit 1; }
need_debs || { echo "Bail out! make deb failed"; exit 1; }
deb=$debdir/hexo-dkms_${version}_all.deb
mkdir -p "$tmp/upper" "$tmp/work" "$root"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$tmp/upper,workdir=$tmp/work" "$root" ||
	{ echo "Bail out! cannot mount an overlay on $lower"; exit 1; }
for m in proc sys dev dev/pts; do
	mount --bind "/$m" "$root/$m"
done
tools=$debdir/hexo-tools_${version}_amd64.deb
cp "$deb" "$tools" "$root/tmp/"
in_root() { nice -n 19 chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "$@"; }

upgrade=${1:-}
ktap_plan $([ "$upgrade" = upgrade ] && echo 13 || echo 12)
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

# The modules dkms built, booted: a testbed VM whose initramfs holds them
# instead of make's loads them (the build IDs of the modules in its kernel
# are those of dkms's files) and passes the module and hexoctl tests.
buildid() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: *//p'; }
mkdir -p "$tmp/kmod"
for m in $want; do
	ko=$(ls "$root/lib/modules/$kver/updates/dkms/$m".ko* 2>/dev/null | head -n 1)
	case $ko in
	*.ko) cp "$ko" "$tmp/kmod/" ;;
	*.ko.xz) xz -dc "$ko" >"$tmp/kmod/$m.ko" ;;
	*.ko.zst) zstd -qdc "$ko" >"$tmp/kmod/$m.ko" ;;
	esac
done
wantids=$(for m in $want; do echo "$m $(buildid "$tmp/kmod/$m.ko")"; done)
vmout=$tmp/vm.out
if nice -n 19 "$top/scripts/testbed" initramfs --arch x86_64 --kmod "$tmp/kmod" \
	--out "$tmp/initramfs.cpio.gz" >"$vmout" 2>&1; then
	"$top/scripts/testbed" run --arch x86_64 --initrd "$tmp/initramfs.cpio.gz" --timeout 600 -- \
		"for m in $(echo $want); do modprobe \$m || echo \"modprobe \$m failed\"; done
		for m in $(echo $want); do echo \"loaded \$m \$(od -An -v -tx1 /sys/module/\$m/notes/.note.gnu.build-id |
			tr -d ' \n' | tail -c 40)\"; done
		for m in $(echo $want); do rmmod \$m 2>/dev/null; done; rmmod hexo_link 2>/dev/null
		for t in hexoctl/roundtrip.sh hexoctl/netlink_bad modules/load_unload.sh netswap/netns.sh; do
			(cd /hexo/selftests/\${t%/*} && ./\${t##*/}) >/tmp/t.out 2>&1
			echo \"ran \$t rc=\$? \$(grep '^# Totals' /tmp/t.out)\"
			grep -B8 '^not ok' /tmp/t.out
		done" >>"$vmout" 2>&1
fi
gotids=$(sed -n 's/^loaded //p' "$vmout" | sort)
if [ -n "$wantids" ] && [ "$gotids" = "$(sort <<<"$wantids")" ] && ! grep -q "Build ID: *$" <<<"$wantids"; then
	printf '%s\n' "$gotids" | ktap_quote
	for m in $want; do
		ref=$(ls "$top"/build/x86_64/kmod/kernel/*/"$m.ko" 2>/dev/null | head -n 1)
		[ -n "$ref" ] && [ "$(buildid "$ref")" = "$(buildid "$tmp/kmod/$m.ko")" ] &&
			ktap_diag "$m: make's build has the same build ID"
	done
	ktap_pass "a testbed VM booted with dkms's modules runs them (their build IDs)"
else
	ktap_quote <"$vmout"
	ktap_diag "dkms's build IDs: $(echo $wantids)"
	ktap_fail "a testbed VM booted with dkms's modules runs them (their build IDs)"
fi
ran=$(grep -c "^ran .* rc=0 # Totals: pass:[1-9][0-9]* fail:0" "$vmout")
if [ "$ran" = 4 ]; then
	grep "^ran " "$vmout" | ktap_quote
	ktap_pass "... and passes modules/load_unload.sh, hexoctl/roundtrip.sh, hexoctl/netlink_bad and netswap/netns.sh (serve and attach over veth, data verified)"
else
	sed -n '/^ran /,$p' "$vmout" | ktap_quote
	ktap_fail "... and passes modules/load_unload.sh, hexoctl/roundtrip.sh, hexoctl/netlink_bad and netswap/netns.sh (serve and attach over veth, data verified)"
fi

# A kernel upgrade: the new headers' postinst hook runs dkms for them.
[ "$upgrade" = upgrade ] && in_root dkms unbuild -m hexo -v "$version" -k "$kver" >/dev/null 2>&1
[ "$upgrade" = upgrade ] &&
	ktap_expect "the headers' kernel hook (a kernel upgrade) builds and installs them again" \
	"^hexo/$version, $kver, x86_64: installed" \
	sh -c "chroot '$root' /etc/kernel/header_postinst.d/dkms '$kver' >/dev/null 2>&1; chroot '$root' dkms status"

# hexo-tools beside it, on Debian's libnl: the tools run, their man pages
# read, the units and the completion are where systemd and bash look.
ktap_check "dpkg -i hexo-tools" in_root dpkg -i "/tmp/$(basename "$tools")"
ktap_expect "... hexoctl -V, man hexoctl, man hexovm, the units, the completion" \
	"^ok hexoctl $version man-hexoctl man-hexovm units completion$" \
	sh -c "chroot '$root' sh -c 'v=\$(hexoctl -V 2>&1); echo \"\$v\" >&2
		printf \"ok hexoctl %s\" \"\$(echo \$v | grep -o \"$version\")\"
		man -P cat 8 hexoctl 2>/dev/null | grep -q \"netswap attach\" && printf \" man-hexoctl\"
		man -P cat 1 hexovm 2>/dev/null | grep -q \"incoming\" && printf \" man-hexovm\"
		[ -f /lib/systemd/system/hexo-netswap.service ] && [ -f /lib/systemd/system/hexo-serve.service ] &&
			printf \" units\"
		[ -f /usr/share/bash-completion/completions/hexoctl ] && printf \" completion\"; echo'"

ktap_check "dpkg --purge hexo-tools" in_root dpkg --purge hexo-tools
ktap_check "dpkg --purge hexo-dkms" in_root dpkg --purge hexo-dkms
ktap_check "purged: no module left, no dkms entry" \
	sh -c "! ls '$root/lib/modules/$kver/updates/dkms/'*.ko* 2>/dev/null && [ -z \"\$(chroot '$root' dkms status)\" ]"
ktap_finish

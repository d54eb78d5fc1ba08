#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: hexo-dkms (all) and hexo-tools (amd64, arm64) in build/deb/,
# versioned from VERSION, lintian-clean of errors; hexo-dkms holds the
# modules' sources and a dkms.conf naming the four modules; each hexo-tools
# holds its ISA's tools, linked against Debian's libnl, with their man
# pages, completion, units and boot commands.
. ../lib/ktap.sh
. ./lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_plan 8
# Built afresh: this is the test of make deb itself.
rm -f "$debdir/hexo-dkms_${version}_all.deb"
ktap_check "make deb" need_debs
dkms=$debdir/hexo-dkms_${version}_all.deb
tools_amd64=$debdir/hexo-tools_${version}_amd64.deb
tools_arm64=$debdir/hexo-tools_${version}_arm64.deb
bad=
for d in "$dkms" "$tools_amd64" "$tools_arm64"; do
	[ "$(dpkg-deb -f "$d" Version 2>/dev/null)" = "$version" ] || bad="$bad $(basename "$d")"
done
if [ -z "$bad" ]; then
	ktap_pass "hexo-dkms, hexo-tools amd64 and arm64, version $version (VERSION)"
else
	ktap_diag "missing or another version:$bad"
	ktap_fail "hexo-dkms, hexo-tools amd64 and arm64, version $version (VERSION)"
fi
ktap_check "lintian: no error" nice -n 19 lintian --fail-on error "$dkms" "$tools_amd64" "$tools_arm64"

dpkg-deb -x "$dkms" "$tmp/dkms"
src=$tmp/dkms/usr/src/hexo-$version
if [ -f "$src/dkms.conf" ] && [ -f "$src/Kbuild" ] && [ -f "$src/include/uapi/hexo/netswap.h" ] &&
	[ "$(grep -c '^BUILT_MODULE_NAME' "$src/dkms.conf")" = 4 ] &&
	diff -r -x "*.o" -x "*.ko" -x "*.mod" -x "*.mod.c" -x ".*.cmd" -x modules.order "$top/kernel" "$src/kernel" >/dev/null && [ ! -e "$src/selftests" ]; then
	ktap_pass "hexo-dkms: the tree's Kbuild, kernel/ and uapi headers, dkms.conf with the four modules"
else
	ls -R "$src" 2>&1 | head -20 | ktap_quote
	ktap_fail "hexo-dkms: the tree's Kbuild, kernel/ and uapi headers, dkms.conf with the four modules"
fi
ktap_expect "hexo-dkms depends on dkms" "dkms" dpkg-deb -f "$dkms" Depends

for a in amd64 arm64; do
	d=$tmp/tools-$a
	dpkg-deb -x "$debdir/hexo-tools_${version}_$a.deb" "$d"
	machine=$([ $a = amd64 ] && echo 'X86-64' || echo 'AArch64')
	bad=
	for f in usr/sbin/hexoctl usr/sbin/hexolink usr/bin/hexovm; do
		readelf -h "$d/$f" 2>/dev/null | grep -q "Machine:.*$machine" || bad="$bad $f(ISA)"
	done
	readelf -d "$d/usr/sbin/hexoctl" | grep -q 'NEEDED.*libnl-genl-3.so.200' || bad="$bad hexoctl(libnl)"
	for f in usr/share/man/man8/hexoctl.8.gz usr/share/man/man1/hexovm.1.gz \
		usr/share/man/man8/hexolink.8.gz usr/share/bash-completion/completions/hexoctl \
		lib/systemd/system/hexo-netswap.service lib/systemd/system/hexo-serve.service \
		usr/libexec/hexo/hexo-netswap usr/libexec/hexo/hexo-serve \
		usr/share/doc/hexo-tools/examples/netswap.conf usr/share/doc/hexo-tools/examples/serve.conf; do
		[ -e "$d/$f" ] || bad="$bad $f"
	done
	dpkg-deb -f "$debdir/hexo-tools_${version}_$a.deb" Depends | grep -q 'libnl-genl-3-200' ||
		bad="$bad Depends(libnl-genl-3-200)"
	if [ -z "$bad" ]; then
		ktap_pass "hexo-tools $a: $machine tools on Debian's libnl, man pages, completion, units, boot commands"
	else
		ktap_diag "missing or wrong:$bad"
		ktap_fail "hexo-tools $a: $machine tools on Debian's libnl, man pages, completion, units, boot commands"
	fi
done
ktap_expect "the packaged hexoctl runs and says its version" "^hexoctl $version\$" \
	"$tmp/tools-amd64/usr/sbin/hexoctl" -V
ktap_finish

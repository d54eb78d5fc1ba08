#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs every Debian package that HEXO's build, testbed, tests and benchmarks
# use, on a Debian 12 machine, and unpacks the foreign-architecture pieces (the
# arm64 kernel, headers and user-space) into build/deps. Idempotent: when all is
# in place it returns in well under a second.
#
#   scripts/deps.sh          install what is missing
#   scripts/deps.sh --check  exit 1 (and say what) if anything is missing
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/kernel.env"
deps=$top/build/deps
mode=${1:-install}

# Host (amd64) packages, installed with apt.
host_pkgs=(
	# build
	make gcc libc6-dev pkg-config rsync cpio xz-utils kmod python3 perl
	"linux-headers-$KABI-amd64"
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	sparse libnl-3-dev libnl-genl-3-dev
	device-tree-compiler
	# testbed (the server VM runs this machine's own tc, with its libraries,
	# and the benchmark's peers, with theirs)
	iproute2 binutils libglib2.0-0 libgnutls30
	qemu-system-x86 qemu-system-arm busybox-static
	# kselftest_harness.h and checkpatch.pl come from the kernel source package
	linux-source-6.1
	# make deb and its tests: debhelper and dh-dkms, the man pages (rst2man),
	# lintian, systemd-analyze for the units, a Debian root for dkms
	debhelper dh-dkms dkms fakeroot dpkg-dev lintian python3-docutils man-db
	systemd debootstrap
	# make bench-policy's plot
	gnuplot-nox
)

# Foreign-architecture packages installed with apt (multiarch, beside the
# amd64 ones): the libraries hexo-tools links with when dpkg-buildpackage
# cross-builds it for arm64.
cross_pkgs=(libnl-3-dev:arm64 libnl-genl-3-dev:arm64)

# Packages unpacked (never installed) into build/deps/root-<arch>.
# Installing the arm64 headers would remove the cross compiler; installing the
# amd64 image would run boot-loader hooks on this machine.
root_x86_64_pkgs=(
	"linux-image-$KABI-amd64-unsigned"
	# the benchmark's peers on the server: AoE and NBD targets
	vblade nbd-server
)
root_arm64_pkgs=(
	"linux-image-$KABI-arm64-unsigned:arm64"
	"linux-headers-$KABI-arm64:arm64"
	busybox-static:arm64
	libnl-3-dev:arm64 libnl-genl-3-dev:arm64
	# tc (netem) for the board VM, and the libraries it loads
	iproute2:arm64 libc6:arm64 libbpf1:arm64 libelf1:arm64 libmnl0:arm64
	libbsd0:arm64 libmd0:arm64 libcap2:arm64 libxtables12:arm64 zlib1g:arm64
	libzstd1:arm64
	# nbd-client, the benchmark's NBD peer on the board, and its libraries
	nbd-client:arm64 libgnutls30:arm64 libp11-kit0:arm64 libidn2-0:arm64
	libunistring2:arm64 libtasn1-6:arm64 libnettle8:arm64 libhogweed6:arm64
	libgmp10:arm64 libffi8:arm64 libnl-3-200:arm64 libnl-genl-3-200:arm64
)

stamp=$deps/stamp
want_stamp=$(cat "$0" "$top/scripts/kernel.env" | sha256sum | cut -d' ' -f1)

say() { printf 'deps: %s\n' "$*" >&2; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

missing_host_pkgs() {
	# dpkg-query prints nothing for unknown packages, so compare names.
	local installed
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${host_pkgs[@]}" 2>/dev/null |
		awk '$2 == "installed" { print $1 }')
	local p
	for p in "${host_pkgs[@]}"; do
		grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
	done
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		die "need root to run: $* (run scripts/deps.sh as root once)"
	fi
}

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	say "apt-get update"
	as_root apt-get update -qq
	apt_updated=1
}

missing_cross_pkgs() {
	local installed p
	installed=$(dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' "${cross_pkgs[@]}" 2>/dev/null |
		awk '$2 == "installed" { print $1 }')
	for p in "${cross_pkgs[@]}"; do
		grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
	done
}

install_cross_pkgs() {
	local missing
	missing=$(missing_cross_pkgs)
	[ -z "$missing" ] && return
	[ "$mode" = --check ] && die "missing packages:" $missing
	enable_arm64
	say "installing:" $missing
	apt_update
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
}

install_host_pkgs() {
	local missing
	missing=$(missing_host_pkgs)
	[ -z "$missing" ] && return
	[ "$mode" = --check ] && die "missing packages:" $missing
	say "installing:" $missing
	apt_update
	# shellcheck disable=SC2086
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >/dev/null
}

enable_arm64() {
	dpkg --print-foreign-architectures | grep -qx arm64 && return
	[ "$mode" = --check ] && die "arm64 is not a dpkg foreign architecture"
	say "adding arm64 as a dpkg foreign architecture"
	as_root dpkg --add-architecture arm64
	apt_updated=
	apt_update
}

# unpack_root ARCH PKG... : download each package and unpack it into root-ARCH.
unpack_root() {
	local arch=$1; shift
	local root=$deps/root-$arch dl=$deps/debs p name deb debarch
	mkdir -p "$root" "$dl"
	for p in "$@"; do
		name=${p%%:*}
		debarch=amd64
		[ "$name" != "$p" ] && debarch=${p#*:}
		[ -e "$root/.unpacked-$name" ] && continue
		[ "$mode" = --check ] && die "$p is not unpacked into $root"
		deb=$(ls "$dl/${name}_"*_{"$debarch",all}.deb 2>/dev/null | head -n1 || true)
		if [ -z "$deb" ]; then
			say "downloading $p"
			enable_arm64
			# apt drops privileges to _apt for downloads when it can.
			chmod 0777 "$dl" 2>/dev/null || true
			(cd "$dl" && apt-get download -qq "$p" 2>/dev/null) || {
				apt_update
				(cd "$dl" && apt-get download -qq "$p")
			} || die "cannot download $p; is it still in the mirror? (kernel ABI pinned in scripts/kernel.env)"
			deb=$(ls "$dl/${name}_"*_{"$debarch",all}.deb 2>/dev/null | head -n1 || true)
			[ -n "$deb" ] || die "downloaded $p, but no ${name}_*_$debarch.deb appeared"
		fi
		say "unpacking $(basename "$deb")"
		dpkg-deb -x "$deb" "$root"
		touch "$root/.unpacked-$name"
	done
}

fix_arm64_headers() {
	local hdr=$deps/root-arm64/usr/src/linux-headers-$KABI-arm64 l
	# The headers link their build tools into linux-kbuild-6.1, a package of
	# the same version whose host tools (fixdep, modpost) are the amd64 ones.
	for l in scripts tools; do
		if [ "$(readlink "$hdr/$l")" != "/usr/lib/linux-kbuild-6.1/$l" ]; then
			ln -sfn "/usr/lib/linux-kbuild-6.1/$l" "$hdr/$l"
		fi
	done
	# modules.dep for the modules the testbed copies into its initramfs.
	[ -e "$deps/root-arm64/lib/modules/$KABI-arm64/modules.dep" ] ||
		depmod -b "$deps/root-arm64" "$KABI-arm64"
	[ -e "$deps/root-x86_64/lib/modules/$KABI-amd64/modules.dep" ] ||
		depmod -b "$deps/root-x86_64" "$KABI-amd64"
}

# The bzImage is an XZ stream behind a setup stub. Booting the uncompressed
# vmlinux through its PVH entry skips the firmware and the decompression: the
# server VM boots two to three times faster.
extract_vmlinux() {
	local out=$deps/root-x86_64/vmlinux
	[ -s "$out" ] && return
	[ "$mode" = --check ] && die "$out is missing"
	say "extracting vmlinux for PVH boot"
	python3 - "$deps/root-x86_64/boot/vmlinuz-$KABI-amd64" "$out" <<'PY'
import lzma, sys
data = open(sys.argv[1], "rb").read()
off = data.find(b"\xfd7zXZ\x00")
while off >= 0:
    try:
        out = lzma.LZMADecompressor().decompress(data[off:])
        if out[:4] == b"\x7fELF":
            open(sys.argv[2] + ".tmp", "wb").write(out)
            break
    except lzma.LZMAError:
        pass
    off = data.find(b"\xfd7zXZ\x00", off + 1)
else:
    sys.exit("no XZ-compressed ELF found in " + sys.argv[1])
PY
	mv "$out.tmp" "$out"
}

# A Debian 12 root with Debian's dkms and the pinned amd64 headers, where
# selftests/deb/dkms.sh installs hexo-dkms with dpkg -i (through an overlay,
# so this root stays clean).
make_dkms_root() {
	local root=$deps/root-dkms
	[ -e "$root/.done" ] && return
	[ "$mode" = --check ] && die "$root is missing"
	say "debootstrap: a Debian 12 root for the DKMS test (once, a few minutes)"
	rm -rf "$root"
	debootstrap --variant=minbase --include=dkms,kmod,ca-certificates \
		bookworm "$root" http://deb.debian.org/debian >"$deps/root-dkms.log" 2>&1 ||
		die "debootstrap failed; see $deps/root-dkms.log"
	# The pinned ABI's headers may be in the security archive only.
	echo "deb http://deb.debian.org/debian-security bookworm-security main" \
		>"$root/etc/apt/sources.list.d/security.list"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends linux-headers-$KABI-amd64" \
		>>"$deps/root-dkms.log" 2>&1 || die "cannot install the headers in $root; see $deps/root-dkms.log"
	chroot "$root" apt-get clean
	touch "$root/.done"
}

# What hexo-tools depends on, and man, so that the DKMS test installs the
# tools too (a root made before this step gets it now).
dkms_root_tools() {
	local root=$deps/root-dkms pkgs="libnl-3-200 libnl-genl-3-200 iproute2 man-db"
	[ -e "$root/.tools" ] && return
	[ "$mode" = --check ] && die "$root lacks hexo-tools' dependencies"
	say "the DKMS test's root: $pkgs"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	chroot "$root" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $pkgs" \
		>>"$deps/root-dkms.log" 2>&1 || die "cannot install $pkgs in $root; see $deps/root-dkms.log"
	chroot "$root" apt-get clean
	touch "$root/.tools"
}

# kselftest's C harness and checkpatch come from the kernel source package;
# they are extracted, never committed.
extract_kernel_tools() {
	local out=$deps/ksrc
	[ -e "$out/.done" ] && return
	[ "$mode" = --check ] && die "$out is missing"
	say "extracting kselftest headers and checkpatch from linux-source-6.1"
	rm -rf "$out" && mkdir -p "$out"
	tar -C "$out" --strip-components=1 -xJf /usr/src/linux-source-6.1.tar.xz \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch "$out/.done"
}

if [ "$mode" != --check ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp" ] &&
	[ -z "$(missing_host_pkgs)" ] && [ -z "$(missing_cross_pkgs)" ]; then
	exit 0
fi

install_host_pkgs
install_cross_pkgs
unpack_root x86_64 "${root_x86_64_pkgs[@]}"
unpack_root arm64 "${root_arm64_pkgs[@]}"
fix_arm64_headers
extract_vmlinux
extract_kernel_tools
make_dkms_root
dkms_root_tools
if [ "$mode" != --check ]; then
	echo "$want_stamp" >"$stamp"
	say "all dependencies in place"
fi

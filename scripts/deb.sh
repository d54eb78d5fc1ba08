#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make deb: hexo-dkms (all) and hexo-tools (amd64, and arm64 cross-built)
# with dpkg-buildpackage, debhelper and dh-dkms, into build/deb/. The version
# is VERSION's. The packages build from a copy of the tracked tree, so the
# tree itself gets no debian/ build leftovers.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
version=$(cat "$top/VERSION")
out=$top/build/deb
src=$out/src/hexo-$version

say() { printf 'deb: %s\n' "$*" >&2; }

rm -rf "$out/src"
mkdir -p "$src"
# The files of the tree as make sees them: tracked or not, less what git
# ignores (build outputs). A tree that is no git checkout (an unpacked
# release): all of it but what .gitignore names.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files --cached --others --exclude-standard |
		rsync -a --files-from=- --ignore-missing-args ./ "$src"/)
else
	rsync -a --exclude=.git --exclude-from="$top/.gitignore" "$top"/ "$src"/
fi || { say "cannot copy the tree to $src"; exit 1; }

# A native package: its version is VERSION. The date is the last commit's,
# so two builds of one commit are the same.
date=$(cd "$top" && git log -1 --format=%aD 2>/dev/null || date -R)
cat >"$src/debian/changelog" <<CL
hexo ($version) unstable; urgency=medium

  * HEXO $version, built from the tree by make deb.

 -- $(sed -n 's/^Maintainer: //p' "$src/debian/control")  $date
CL

rm -f "$out"/*.deb "$out"/*.buildinfo "$out"/*.changes
cd "$src"
say "hexo-dkms and hexo-tools for amd64"
dpkg-buildpackage -b -us -uc >"$out/build-amd64.log" 2>&1 ||
	{ tail -30 "$out/build-amd64.log" >&2; say "failed; see $out/build-amd64.log"; exit 1; }
say "hexo-tools for arm64 (cross-built)"
dpkg-buildpackage -a arm64 -B -us -uc >"$out/build-arm64.log" 2>&1 ||
	{ tail -30 "$out/build-arm64.log" >&2; say "failed; see $out/build-arm64.log"; exit 1; }
mv "$out"/src/*.deb "$out"/
rm -f "$out"/src/*.buildinfo "$out"/src/*.changes
ls "$out"/*.deb

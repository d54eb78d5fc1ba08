#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Writes the dkms.conf of the hexo-dkms package to standard output. The
# modules and where Kbuild leaves them come from the Kbuild files themselves
# (the top-level Kbuild's kernel/ directories, each one's obj-m), so DKMS
# builds with the very description `make` uses.
#
#   scripts/dkms-conf.sh [TOP]
set -eu
top=${1:-$(cd "$(dirname "$0")/.." && pwd)}
version=$(cat "$top/VERSION")

cat <<CONF
# dkms.conf of hexo-dkms $version, written by scripts/dkms-conf.sh.
PACKAGE_NAME="hexo"
PACKAGE_VERSION="$version"
# The tree's own Kbuild, as \`make\` uses it.
MAKE[0]="make -C \${kernel_source_dir} M=\${dkms_tree}/hexo/$version/build modules"
CLEAN="make -C \${kernel_source_dir} M=\${dkms_tree}/hexo/$version/build clean"
AUTOINSTALL="yes"
CONF

n=0
dirs=$(sed -n 's|^obj-m[[:space:]]*+=||p' "$top/Kbuild" | tr ' \t' '\n\n' | sed -n 's|^\(kernel/.*\)/$|\1|p')
for dir in $dirs; do
	for mod in $(sed -n 's|^obj-m[[:space:]]*:=[[:space:]]*\(.*\)$|\1|p' "$top/$dir/Kbuild"); do
		echo "BUILT_MODULE_NAME[$n]=\"${mod%.o}\""
		echo "BUILT_MODULE_LOCATION[$n]=\"$dir/\""
		echo "DEST_MODULE_LOCATION[$n]=\"/updates/dkms\""
		n=$((n + 1))
	done
done
[ "$n" -gt 0 ] || { echo "dkms-conf.sh: no module found in $top/Kbuild" >&2; exit 1; }

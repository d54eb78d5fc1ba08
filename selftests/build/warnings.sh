#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole tree builds for both ISAs with sparse (C=2: every file) and the
# extra warnings (W=1), with no warning and no error, modules and user space.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)

ktap_plan 2
for arch in x86_64 arm64; do
	mkdir -p "$top/build"
	out=$(mktemp -d "$top/build/warncheck-$arch.XXXXXX")
	log=$(make -C "$top" --no-print-directory ARCH=$arch OUT="$out" C=2 W=1 modules user 2>&1)
	rc=$?
	bad=$(printf '%s\n' "$log" | grep -Ei 'warning:|error:|^make.*\*\*\*')
	if [ $rc -eq 0 ] && [ -z "$bad" ] && ls "$out"/kmod/kernel/*/*.ko >/dev/null 2>&1; then
		ktap_pass "$arch: C=2 W=1 build is clean"
	else
		printf '%s\n' "$bad" | head -40 | ktap_quote
		ktap_fail "$arch: C=2 W=1 build is clean (make status $rc)"
	fi
	rm -rf "$out"
done
ktap_finish

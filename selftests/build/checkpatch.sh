#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel code (modules and test modules) and the uapi headers pass the kernel's checkpatch.pl.
# LINUX_VERSION_CODE is allowed: kernel/compat.h exists to test it.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
cp=$top/build/deps/ksrc/scripts/checkpatch.pl

ktap_plan 1
mapfile -t files < <(cd "$top" && find kernel include/uapi selftests/netswap/kmod -name '*.[ch]' | sort)
out=$(cd "$top" && perl "$cp" --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f "${files[@]}" 2>&1 |
	grep -v 'total: 0 errors, 0 warnings')
if [ -z "$out" ]; then
	ktap_pass "checkpatch: ${#files[@]} files clean"
else
	printf '%s\n' "$out" | head -40 | ktap_quote
	ktap_fail "checkpatch: ${#files[@]} files clean"
fi
ktap_finish

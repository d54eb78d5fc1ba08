#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The aligned multi-ISA layout: every application's x86_64 and arm64 builds
# pass scripts/guest-layout-check, and the check does fail when the two
# ELFs disagree (here: two different applications).
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
check=$top/scripts/guest-layout-check
apps="ep is cg ra spin"

ktap_plan 6
for app in $apps; do
	ktap_expect "$app: .data/.bss identical on x86_64 and arm64" "same addresses and sizes" \
		"$check" "$top/build/x86_64/guest/$app.elf" "$top/build/arm64/guest/$app.elf"
done
ktap_expect_status "a layout mismatch fails the check and names the symbols" 1 \
	"^  symbol (ep|is): " \
	"$check" "$top/build/x86_64/guest/ep.elf" "$top/build/arm64/guest/is.elf"
ktap_finish

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

ktap_plan 9
for app in $apps; do
	ktap_expect "$app: .data/.bss identical on x86_64 and arm64" "same addresses and sizes" \
		"$check" "$top/build/x86_64/guest/$app.elf" "$top/build/arm64/guest/$app.elf"
done
ktap_expect_status "a layout mismatch fails the check and names the symbols" 1 \
	"^  symbol (ep|is): " \
	"$check" "$top/build/x86_64/guest/ep.elf" "$top/build/arm64/guest/is.elf"

# Migrated data initialised with a pointer into .rodata (a string literal):
# the check finds it in the relocations the link keeps.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' 'static const char msg[] = "hi";' 'const char *bad_ptr = msg;' \
	'char *good_ptr = (char *)&bad_ptr;' 'void _start(void) { for (;;); }' >"$tmp/bad.c"
gcc -O2 -nostdlib -static -no-pie -fno-pic -Wl,--emit-relocs \
	-Wl,--section-start=.data=0x1000000 -o "$tmp/bad.elf" "$tmp/bad.c"
ktap_expect_status "a pointer from migrated data into .rodata fails the check, named" 1 \
	"bad_ptr \\(at 0x1000[0-9a-f]*\\) is initialised with 0x[0-9a-f]*, in .rodata" \
	"$check" "$tmp/bad.elf" "$tmp/bad.elf"
ktap_check "... and a pointer into migrated data is not named" \
	eval '! "$check" "$tmp/bad.elf" "$tmp/bad.elf" 2>&1 | grep -q good_ptr'
# Plain char: signed on x86_64, unsigned on arm64 unless built as guests are.
ktap_expect_status "an arm64 guest built without -fsigned-char does not compile" 1 \
	"build HEXO guests with -fsigned-char" \
	eval 'echo "#include <hexo_rt.h>" | aarch64-linux-gnu-gcc -fsyntax-only -ffreestanding \
		-I"$top/guest/rt" -I"$top/include/uapi" -x c -'
ktap_finish

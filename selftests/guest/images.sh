#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Checkpoint images on one ISA: a checkpoint taken at a chosen migration
# point, by signal or after a delay restores on the same ISA to the same
# verified result as a run that was never stopped; a corrupted, truncated,
# wrong-version or foreign image is refused with a message that says what is
# wrong; a guest that never reaches a migration point has the request time
# out and runs on to its end. (Across ISAs: migrate.sh.)
. ../lib/ktap.sh
G=/hexo/guest
T=/tmp/guest-images
rm -rf $T && mkdir -p $T
[ -c /dev/kvm ] || { echo "1..0 # SKIP no /dev/kvm"; exit 4; }

# result APP LOG: the result line of a run.
result() {
	grep "^$1: result " "$2"
}

# same_result NAME APP REF LOG: the run in LOG verified, with REF's result.
same_result() {
	if grep -q "^$2: class . verification SUCCESSFUL" "$4" &&
		[ -n "$(result "$2" "$3")" ] && [ "$(result "$2" "$3")" = "$(result "$2" "$4")" ]; then
		ktap_pass "$1"
	else
		ktap_quote <"$4"
		ktap_diag "want $(result "$2" "$3")"
		ktap_fail "$1"
	fi
}

# poke FILE OFFSET OCTAL: overwrites one byte.
poke() {
	printf "\\$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

ktap_plan 16

hexovm $G/is.elf S >$T/is.ref 2>&1
ktap_check "is: unmigrated reference run verifies" grep -q "verification SUCCESSFUL" $T/is.ref
ktap_expect "checkpoint-at: checkpoint at the 4th ranking" \
	"checkpoint of is at migration point 2 .* written to $T/is.img" \
	hexovm -o $T/is.img --checkpoint-at 2:4 $G/is.elf S
hexovm --restore $T/is.img >$T/is.out 2>&1
same_result "restore on $(uname -m): verified, same result as unmigrated" is $T/is.ref $T/is.out

hexovm $G/ep.elf S >$T/ep.ref 2>&1
hexovm -o $T/ep-timed.img --checkpoint-after 1 $G/ep.elf S >$T/ep.ckpt 2>&1
ktap_check "checkpoint-after: checkpoint of ep at whatever point came next" \
	grep -q "checkpoint of ep at migration point" $T/ep.ckpt
hexovm --restore $T/ep-timed.img >$T/ep.out 2>&1
same_result "ep restored from a timed checkpoint: same result as unmigrated" ep $T/ep.ref $T/ep.out

hexovm -o $T/ep.img $G/ep.elf S >$T/ep.ckpt 2>&1 &
pid=$!
sleep 2
kill -USR1 $pid
wait $pid
ktap_check "SIGUSR1: ep stops at its next migration point" \
	grep -q "migration requested (SIGUSR1).*" $T/ep.ckpt
ktap_expect "ep image restores and verifies" "ep: resumed on .*ep: class S verification SUCCESSFUL" \
	sh -c "hexovm --restore $T/ep.img | tr '\n' ' '"

ktap_expect_status "a guest that reaches no point in time: request withdrawn, it runs on to the end" 0 \
	"timeout: the guest reached no migration point within 1 s.*keeps running.*spin: crossed 3 migration points" \
	sh -c "hexovm -o $T/spin.img --checkpoint-after 0.2 --migrate-timeout 1 $G/spin.elf 2500 3 2>&1 | tr '\n' ' '"
ktap_check "... and no image was written" test ! -e $T/spin.img

cp $T/is.img $T/bad.img
poke $T/bad.img 9000 377
ktap_expect_status "a corrupted image is refused" 1 "image corrupted: checksum .* take the checkpoint again" \
	hexovm --restore $T/bad.img
size=$(wc -c <$T/is.img)
head -c $((size - 4096)) $T/is.img >$T/bad.img
ktap_expect_status "a truncated image is refused" 1 "image truncated: the file has [0-9]+ bytes of the $size" \
	hexovm --restore $T/bad.img
cp $T/is.img $T/bad.img
poke $T/bad.img 8 2
ktap_expect_status "an image of another format version is refused" 1 \
	"image format version 2, but this hexovm reads version 1" hexovm --restore $T/bad.img
ktap_expect_status "a file that is no image is refused" 1 "not a HEXO checkpoint image" \
	hexovm --restore $G/is.elf
ktap_expect_status "an image restored with another application's ELF is refused" 1 \
	"ep.elf does not match the image: the image's data layout is" hexovm --restore $T/is.img $G/ep.elf
ktap_expect_status "a stop point never reached: said, and no checkpoint" 0 \
	"ended after reaching migration point 2 10 of 99 times: no checkpoint" \
	hexovm -o $T/never.img --checkpoint-at 2:99 $G/is.elf S
ktap_expect_status "bad usage says what is wrong" 2 "--mem 1M: want a size from 64M to 3G" \
	hexovm --mem 1M $G/is.elf
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexocal, the calibration's arithmetic (user/policy/hexocal.c): rounds of
# made-up rates become the median profile, which hexosim reads; the
# prediction errors of the model (leave one round out) and of the LLC
# heuristic (leave one kernel out) are the ones worked out by hand below;
# without llc= or with one round it says what it cannot compute; bad rounds
# are refused with their exit status.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
cal=$top/build/host/bin/hexocal
sim=$top/build/host/bin/hexosim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# round N X86 ARM SWAP LLC: ep A in round N, and cg W and ra 16 the same
# every round.
round() {
	{
		printf 'ep A x86_64 %s %smem=64M\nep A arm64 %s\nep A arm64+netswap %s\n' \
			"$2" "${5:+llc=$5 }" "$3" "$4"
		printf 'cg W x86_64 20 %smem=64M\ncg W arm64 5\n' "${5:+llc=6e7 }"
		printf 'ra 16 x86_64 80 %smem=96M\nra 16 arm64 30\nra 16 arm64+netswap 10\n' \
			"${5:+llc=9e7 }"
	} >"$tmp/$1.profile"
}
round r1 100 40 39
round r2 110 42 40
round r3 105 41 41
round l1 100 40 39 2e5

ktap_plan 9
ktap_expect "three rounds: the profile holds each rate's median, range in a comment" \
	'^ep +A +arm64 +41 +# 3: 40-42$' \
	sh -c "'$cal' --out '$tmp/cal.profile' '$tmp'/r[123].profile >'$tmp/out' && cat '$tmp/cal.profile'"
ktap_check "... which hexosim reads" \
	"$sim" --profile "$tmp/cal.profile" --servers 1 --server-cores 2 --boards 1 --jobs 20
# Round 1's ep A from rounds 2 and 3: ratio 41.5 / 107.5, so 100 * 0.386 =
# 38.6 against 40 measured: 3.5%, and the same in the other rounds.
ktap_expect "the model's error, leave one round out, as worked out by hand" \
	'^ep +3 +3\.5% +3\.5% +3 ' cat "$tmp/out"
ktap_expect "the rates' table: median, range and ratio to x86_64" \
	'^ep +A +arm64 +3 +41 +40 +42 +0\.390$' cat "$tmp/out"
ktap_expect "no llc= in the rounds: the heuristic has no input, and it says so" \
	'^llc: not computed: no entry has llc=' cat "$tmp/out"
# ep's LLC count (2e5) is nearest cg's (6e7): ratio 0.25 against 0.4, 37.5%.
ktap_expect "with llc=, the heuristic's error, leave one kernel out" \
	'^ep +0 +- +- +0 +- +- +1 +37\.5% +37\.5%$' "$cal" "$tmp/l1.profile"
ktap_expect "one round: the model's error is not computed, and it says why" \
	'^model: not computed: one round' "$cal" "$tmp/r1.profile"
sed 's/mem=96M/mem=128M/' "$tmp/r2.profile" >"$tmp/r2m.profile"
ktap_expect_status "a kernel whose mem= differs between rounds is refused: status 1" 1 \
	"r2m.profile: mem of ra 16 differs from .*r1.profile's" \
	"$cal" "$tmp/r1.profile" "$tmp/r2m.profile"
ktap_expect_status "no round: status 2" 2 "no round given" "$cal"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexosim, the command (user/policy/hexosim.c): it runs on the example
# profile, prints every policy and writes the gnuplot data, gives the same
# numbers for the same seed, and refuses bad input with the exit status
# and message Documentation/policy.rst gives.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
sim=$top/build/host/bin/hexosim
prof=$top/user/policy/example.profile
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
small="--servers 2 --server-cores 4 --boards 4 --jobs 150 --job-s 300"

ktap_plan 9
ktap_expect "runs every policy on the example profile" \
	'^oracle +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+ +[0-9]+ +0$' \
	"$sim" --profile "$prof" $small --data "$tmp/d"
ktap_expect "the data file has a row per policy, in gnuplot's columns" \
	'^4 oracle( [0-9.]+){7} 0$' cat "$tmp/d"
ktap_check "the data file's server-only ratios are 1" \
	grep -Eq '^0 server-only [0-9.]+ [0-9.]+ 1\.0000 1\.0000 0 0 ' "$tmp/d"
"$sim" --profile "$prof" $small --seed 7 >"$tmp/a" 2>&1
"$sim" --profile "$prof" $small --seed 7 >"$tmp/b" 2>&1
ktap_check "the same seed, the same output" cmp "$tmp/a" "$tmp/b"
printf 'ep A x86_64 100 mem=64M\nep A arm64 fast\n' >"$tmp/bad.profile"
ktap_expect_status "a bad profile: its line and fault, status 1" 1 \
	"bad.profile:2: rate 'fast': not a positive number" \
	"$sim" --profile "$tmp/bad.profile" $small
ktap_expect_status "a bad option value: status 2" 2 "--servers 'two': not a number" \
	"$sim" --profile "$prof" --servers two
ktap_expect_status "a kernel the profile lacks in --mix: status 1" 1 \
	"--mix: no lu in the profile" "$sim" --profile "$prof" $small --mix lu=1
ktap_expect_status "--unknown is a share: status 2" 2 "--unknown '2': a share, 0 to 1" \
	"$sim" --profile "$prof" $small --unknown 2
ktap_expect_status "no profile: status 2" 2 "--profile FILE is needed" "$sim"
ktap_finish

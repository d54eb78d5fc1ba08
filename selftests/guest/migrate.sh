#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guests migrate across ISAs: a run checkpointed on the x86_64 server at a
# chosen migration point and iteration is restored on the arm64 board (and
# the reverse), and ends with a verified result identical, bit for bit, to
# runs that were never stopped, on either ISA.
#
#   server (x86_64)                                 board (arm64)
#   hexovm --checkpoint-at P:N APP.elf  -- image -->  hexovm --restore IMAGE
#   hexovm --restore IMAGE              <-- image --  hexovm --checkpoint-at P:N APP.elf
#
# Images cross through the testbed's agents (vm_copy in selftests/lib/host.sh).
. ../lib/ktap.sh
. ../lib/host.sh

T=/tmp/guest-migrate
G=/hexo/guest
APPS=("ep S" "is S" "cg S" "ra 2")
declare -A ISA=([server]=x86_64 [board]=arm64)

result_of() { grep -E "^$1: result " <<<"$2"; }

# The unmigrated references, on both ISAs at once.
refs="cd $T"
for a in "${APPS[@]}"; do
	refs+=" && hexovm $G/${a%% *}.elf ${a#* } >${a%% *}.ref 2>&1"
done
for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T" >/dev/null
	on_bg "$vm" ref "$refs" >/dev/null
done

# migrate NAME APP ARG HOPS...: runs APP ARG on the first hop's VM until its
# stop point (HOP is VM:POINT:N), moves the image to the next hop's VM and
# restores there (stopping again if that hop has a point), to the end.
migrate() {
	local name=$1 app=$2 arg=$3 img=$T/$2.img out ref vm stop prev=
	shift 3
	for hop in "$@"; do
		vm=${hop%%:*}
		stop=${hop#"$vm"}
		stop=${stop#:}
		if [ -n "$prev" ] && [ "$prev" != "$vm" ] && ! vm_copy "$prev" "$img" "$vm" "$img"; then
			ktap_diag "could not copy the image from $prev to $vm"
			ktap_fail "$name"
			return
		fi
		if [ -z "$prev" ]; then
			out=$(on "$vm" "hexovm -o $img ${stop:+--checkpoint-at $stop} $G/$app.elf $arg 2>&1")
		else
			out=$(on "$vm" "hexovm -o $img.next ${stop:+--checkpoint-at $stop} --restore $img 2>&1 &&
				{ [ ! -e $img.next ] || mv $img.next $img; }")
		fi
		if [ $? != 0 ] || { [ -n "$stop" ] && ! grep -q "checkpoint of $app at migration point" <<<"$out"; }; then
			printf '%s\n' "$out" | ktap_quote
			ktap_fail "$name"
			return
		fi
		prev=$vm
	done
	ref=$(on server "cat $T/$app.ref")
	if grep -q "^$app: class . verification SUCCESSFUL" <<<"$out" &&
		grep -q "^$app: resumed on ${ISA[$vm]} from " <<<"$out" &&
		[ -n "$(result_of "$app" "$ref")" ] &&
		[ "$(result_of "$app" "$out")" = "$(result_of "$app" "$ref")" ]; then
		ktap_pass "$name"
	else
		printf '%s\n' "$out" | ktap_quote
		ktap_diag "unmigrated: $(result_of "$app" "$ref")"
		ktap_fail "$name"
	fi
}

ktap_plan 19
on_wait server ref 300 >/dev/null
on_wait board ref 300 >/dev/null
for a in "${APPS[@]}"; do
	app=${a%% *}
	rs=$(on server "cat $T/$app.ref")
	rb=$(on board "cat $T/$app.ref")
	if grep -q "verification SUCCESSFUL" <<<"$rs" && grep -q "verification SUCCESSFUL" <<<"$rb" &&
		[ -n "$(result_of "$app" "$rs")" ] && [ "$(result_of "$app" "$rs")" = "$(result_of "$app" "$rb")" ]; then
		ktap_pass "$a unmigrated: verified, same result on x86_64 and arm64"
	else
		printf '%s\n' "$rs" "$rb" | ktap_quote
		ktap_fail "$a unmigrated: verified, same result on x86_64 and arm64"
	fi
done

# x86_64 -> arm64, at every kind of point the applications have.
migrate "ep S x86_64 -> arm64 inside batch 3 (chunk point, 40th)" ep S server:1:40 board
migrate "ep S x86_64 -> arm64 after batch 100 (batch point)" ep S server:2:100 board
migrate "is S x86_64 -> arm64 once the keys are made" is S server:1:1 board
migrate "is S x86_64 -> arm64 after ranking 4" is S server:2:4 board
migrate "cg S x86_64 -> arm64 once the matrix is built" cg S server:1:1 board
migrate "cg S x86_64 -> arm64 inside iteration 5 (CG step 130)" cg S server:2:130 board
migrate "cg S x86_64 -> arm64 after iteration 8" cg S server:3:9 board
migrate "ra 2 MiB x86_64 -> arm64 in the update phase" ra 2 server:1:10 board
# arm64 -> x86_64.
migrate "ep S arm64 -> x86_64 after batch 200" ep S board:2:200 server
migrate "is S arm64 -> x86_64 after ranking 8" is S board:2:8 server
migrate "cg S arm64 -> x86_64 inside iteration 11 (CG step 280)" cg S board:2:280 server
migrate "ra 2 MiB arm64 -> x86_64 in the undo phase" ra 2 board:1:25 server
# There and back again.
migrate "cg S x86_64 -> arm64 -> x86_64" cg S server:3:4 board:3:5 server
migrate "ep S arm64 -> x86_64 -> arm64" ep S board:2:60 server:2:60 board
# A guest built for the other ISA is refused, with the way out.
if vm_copy board $G/ep.elf server $T/ep-arm64.elf; then
	ktap_expect_status "an arm64 guest given to the x86_64 hexovm is refused" 1 \
		"is a guest for another ISA .* this hexovm runs x86_64 guests" \
		on server "hexovm $T/ep-arm64.elf S 2>&1"
else
	ktap_fail "an arm64 guest given to the x86_64 hexovm is refused (copy failed)"
fi
ktap_finish

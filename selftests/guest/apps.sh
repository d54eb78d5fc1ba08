#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# apps.sh CLASS: every guest application runs under hexovm in this VM's KVM
# and verifies its result: NPB EP, IS and CG at CLASS (S for check, W for
# soak) against the specification's values, and the random-access table
# (16 MiB for S, 256 MiB for W) by replaying its updates.
. ../lib/ktap.sh
G=/hexo/guest
CLASS=${1:-S}
case $CLASS in
S) RA=16 MEM=64M RAMEM=64M ;;
W) RA=256 MEM=64M RAMEM=320M ;;
*) echo "usage: apps.sh S|W"; exit 2 ;;
esac
[ -c /dev/kvm ] || { echo "1..0 # SKIP no /dev/kvm"; exit 4; }

# verifies NAME APP MEM ARGS...: the run verifies; its time goes to the log.
verifies() {
	_name=$1 _app=$2 _mem=$3
	shift 3
	hexovm --stats --mem "$_mem" "$G/$_app.elf" "$@" >/tmp/$_app.out 2>&1
	_rc=$?
	grep -E "^$_app: [0-9.]+ s on |^hexovm: stats:" /tmp/$_app.out | ktap_quote
	if [ $_rc = 0 ] && grep -q "^$_app: class . verification SUCCESSFUL" /tmp/$_app.out; then
		ktap_pass "$_name"
	else
		ktap_quote </tmp/$_app.out
		ktap_fail "$_name"
	fi
}

ktap_plan 7
for app in ep is cg; do
	verifies "$app class $CLASS verifies on $(uname -m)" $app $MEM $CLASS
done
verifies "ra over $RA MiB verifies on $(uname -m)" ra $RAMEM $RA
verifies "ra over 4 MiB with 1 update per word verifies on $(uname -m)" ra 64M 4 1
ktap_expect_status "ra refuses 65 updates per word, with its usage" 2 \
	"N updates per word, 1 to 64" hexovm "$G/ra.elf" 4 65
ktap_expect "spin: --console to a file, the clock, the exit status" \
	"spin: 100 ms without a migration point.*spin: crossed 5 migration points" \
	sh -c "hexovm --console /tmp/spin.console $G/spin.elf 100 5 && tr '\n' ' ' </tmp/spin.console"
ktap_finish

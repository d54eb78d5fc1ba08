#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every module parameter (the options an /etc/modprobe.d file may set) is
# described in modinfo: each module_param() in kernel/ has its
# MODULE_PARM_DESC(), and the built modules, where they are, show each one.
. ../lib/ktap.sh
. ./lib.sh

ktap_plan 2
params=$(cd "$top" && grep -rhoE 'module_param(_named)?\([a-z_0-9]+' kernel | sed 's/.*(//' | sort -u)
missing=
for p in $params; do
	grep -rqE "MODULE_PARM_DESC\($p," "$top/kernel" || missing="$missing $p"
done
if [ -n "$params" ] && [ -z "$missing" ]; then
	ktap_pass "MODULE_PARM_DESC for every module_param ($(echo $params | wc -w))"
else
	ktap_diag "no description:$missing"
	ktap_fail "MODULE_PARM_DESC for every module_param"
fi

kos=$(ls "$top"/build/x86_64/kmod/kernel/*/*.ko 2>/dev/null)
if [ -z "$kos" ]; then
	ktap_skip "modinfo shows every parameter" "no modules built in build/x86_64"
else
	missing=
	for p in $params; do
		# shellcheck disable=SC2086
		for ko in $kos; do modinfo -F parm "$ko"; done | grep -q "^$p:.\+" || missing="$missing $p"
	done
	if [ -z "$missing" ]; then
		ktap_pass "modinfo shows every parameter with its description"
	else
		ktap_diag "not in modinfo:$missing"
		ktap_fail "modinfo shows every parameter with its description"
	fi
fi
ktap_finish

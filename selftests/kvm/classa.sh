#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make soak: class A of each NPB kernel (EP, IS, CG) runs unmigrated on the
# board and verifies, then is offloaded mid-run from the server to the
# board (post-copy), resumes where it stopped and ends with the same
# verified result.
. ../lib/ktap.sh
. ../lib/host.sh
. ./lib.sh

T=/tmp/kvm-classa

ktap_plan 9
for vm in server board; do
	on "$vm" "rm -rf $T && mkdir -p $T && modprobe hexo_kvm && hexoctl kvm serve dev eth0" >/dev/null
done
for app in ep is cg; do
	ktap_expect "$app class A verifies unmigrated on arm64" \
		"^$app: class A verification SUCCESSFUL" \
		on board "cd $T && hexovm --mem 256M $G/$app.elf A >$app.ref 2>&1; cat $app.ref"
done
# Offloaded once well into their run: EP after 10 s, IS and CG past their
# first iteration.
SRC_OPTS="--mem 256M" SRC_WAIT=10 offload \
	"ep A offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board ep A
SRC_OPTS="--mem 256M" SRC_AFTER="^is: iteration 1\$" offload \
	"is A offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board is A
SRC_OPTS="--mem 256M" SRC_AFTER="^cg: iteration +1 " offload \
	"cg A offloaded x86_64 -> arm64 mid-run, verified, resumed where it stopped" server board cg A

for vm in server board; do
	on "$vm" "killall hexovm; hexoctl kvm unserve dev eth0; sleep 0.5; rmmod hexo_kvm" >/dev/null 2>&1
done
ktap_finish

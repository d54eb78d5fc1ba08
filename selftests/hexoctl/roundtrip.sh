#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# hexoctl round trips to each HEXO module: versions and state, text and JSON,
# help for every object, and errors that say what went wrong.
. ../lib/ktap.sh

V=$(modinfo -F version netswap)
KV=$(modinfo -F version hexo_kvm)
modprobe netswap && modprobe hexo_kvm || { echo "Bail out! cannot load the modules"; exit 1; }

ktap_plan 22
ktap_expect "hexoctl -V prints the version the modules carry" "^hexoctl $V\$" hexoctl -V
ktap_expect "version: JSON lists both modules as loaded, with versions" \
	"\"module\":\"netswap\",\"loaded\":true,\"version\":\"$V\".*\"module\":\"hexo_kvm\",\"loaded\":true,\"version\":\"$KV\"" \
	hexoctl -j version
ktap_expect "version: text shows netswap's state" "^netswap +$V +devices 0/16" hexoctl version
ktap_expect "netswap show: module version and device count" "^netswap $V +devices 0/16" hexoctl netswap show
ktap_expect "netswap show -j: a JSON object with an empty device list" \
	"^\\{\"board\":\\{\"version\":\"$V\",\"ndevs\":0,\"max_devs\":16,\"devices\":\\[\\]\\}\\}\$" hexoctl -j netswap show
ktap_expect_status "netswap show of a missing device: the kernel says so" 1 \
	"No such device.*no netswap device with this index" hexoctl netswap show netswap3
ktap_expect_status "netswap show of a bad name: usage error" 2 "not a netswap device" \
	hexoctl netswap show netswap99
ktap_expect "kvm show: module version, no VM" "^hexo_kvm $KV +vms 0/64" hexoctl kvm show
ktap_expect "unique prefixes: 'hexoctl k sh'" "^hexo_kvm $KV" hexoctl k sh

# A VMM-like process holding a KVM VM: attach it through pidfd_getfd.
if [ -c /dev/kvm ]; then
	./kvm_hold 4 2 >/tmp/kvm_hold.out &
	HOLD=$!
	i=0
	while ! grep -q vmfd /tmp/kvm_hold.out 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	FD=$(sed -n 's/^vmfd //p' /tmp/kvm_hold.out)
	ktap_expect "kvm attach: attaches a running VMM's VM" \
		"^vm 1: name demo pid $HOLD vcpus 2 mem 4M" hexoctl kvm attach pid "$HOLD" fd "$FD" name demo
	ktap_expect "kvm show -j: the VM with its vCPUs and memory" \
		"\"vms\":\\[\\{\"id\":1,\"name\":\"demo\",\"pid\":$HOLD,\"vcpus\":2,\"mem\":4194304,\"isa\":\"(x86_64|arm64)\",\"state\":\"idle\",\"offloads\":0,\"lending\":false,\"vmm_exited\":false\\}\\]" \
		hexoctl -j kvm show
	ktap_expect_status "kvm attach twice: refused" 1 "File exists.*attached already" \
		hexoctl kvm attach pid "$HOLD" fd "$FD"
	ktap_expect_status "kvm attach of a non-VM descriptor: refused" 1 \
		"Invalid argument.*not a KVM VM" hexoctl kvm attach pid "$HOLD" fd 1
	ktap_expect_status "kvm detach as nobody: refused, with a hint" 1 \
		"Operation not permitted" su -s /bin/sh -c "hexoctl kvm detach id 1" nobody
	kill "$HOLD"
	wait "$HOLD" 2>/dev/null
	# hexo_kvm lets go of the VM right after its VMM's mm goes.
	for i in $(seq 50); do
		hexoctl kvm show id 1 | grep -q "vmm exited" && break
		sleep 0.1
	done
	ktap_expect "kvm: the record of an attached VM outlives its VMM, which hexo_kvm lets go" \
		"vcpus 2 mem 4M.* vmm exited" hexoctl kvm show id 1
	ktap_check "kvm detach: detaches" hexoctl kvm detach id 1
	ktap_expect_status "kvm detach again: no such VM" 1 "No such file.*no VM with this id" \
		hexoctl kvm detach id 1
else
	for t in attach show-json attach-twice attach-non-vm detach-nobody outlives detach detach-again; do
		ktap_skip "kvm $t" "no /dev/kvm"
	done
fi

ktap_expect_status "unknown object: usage error" 2 "unknown object 'frobnicate'" hexoctl frobnicate
ktap_expect_status "unknown verb: usage error naming the object" 2 \
	"netswap: unknown verb 'frob'" hexoctl netswap frob
ktap_expect_status "kvm attach without fd: usage error" 2 "attach needs 'pid PID fd FD'" \
	hexoctl kvm attach pid 1
fails=0
for o in version netswap kvm link stats; do
	hexoctl "$o" help | grep -q "^Usage: hexoctl $o" || { echo "# no help for $o"; fails=1; }
done
ktap_check "every object has help" test $fails = 0
ktap_expect "hexoctl help lists the objects" "OBJECT := \\{ version \\| netswap \\| kvm \\(or vm\\) \\| link \\| policy \\| stats \\}" hexoctl help
rmmod netswap hexo_kvm hexo_link
ktap_finish

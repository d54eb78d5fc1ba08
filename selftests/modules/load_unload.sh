#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# HEXO's modules load and unload cleanly on this ISA, register their generic
# netlink families, and come back through family autoloading.
. ../lib/ktap.sh

# module:family pairs
MODS="hexo_link:hexo_link netswap:netswap netswap_server:netswap_server hexo_kvm:hexo_kvm"

registered() {
	hexoctl -j version | grep -q "\"module\":\"$1\",\"loaded\":true"
}

absent() {
	! lsmod | grep -q "^$1 " && [ ! -d "/sys/module/$1" ]
}

cycle() {
	i=0
	while [ $i -lt 20 ]; do
		modprobe "$1" || return 1
		rmmod "$1" || return 1
		i=$((i + 1))
	done
	absent "$1"
}

# From a clean slate, whatever earlier tests left loaded (users first).
for m in netswap netswap_server hexo_kvm hexo_link; do
	rmmod $m 2>/dev/null
done

ktap_plan 26
for mf in $MODS; do
	m=${mf%%:*}
	ktap_expect "$m: vermagic is the running kernel's" "^$(uname -r) " modinfo -F vermagic "$m"
	ktap_check "$m: loads" sh -c "modprobe $m && lsmod | grep -q '^$m '"
	ktap_check "$m: registers its generic netlink family" registered "$m"
	ktap_check "$m: unloads and leaves nothing behind" sh -c "rmmod $m && ! hexoctl -j version | grep -q '\"module\":\"$m\",\"loaded\":true'"
	ktap_check "$m: survives 20 load/unload cycles" cycle "$m"
	ktap_check "$m: is absent after the cycles" absent "$m"
done
# MODULE_ALIAS_GENL_FAMILY: the first request for the family loads the
# module (show only looks, and loads nothing).
ktap_check "netswap: autoloads on 'hexoctl netswap detach', not on show" \
	sh -c "hexoctl netswap show | grep -q 'not loaded' && ! lsmod | grep -q '^netswap ' &&
		! hexoctl netswap detach 5 2>/dev/null && lsmod | grep -q '^netswap ' && rmmod netswap hexo_link"
ktap_check "hexo_kvm: autoloads on 'hexoctl kvm detach', not on show" \
	sh -c "hexoctl kvm show | grep -q 'not loaded' && ! lsmod | grep -q '^hexo_kvm ' &&
		! hexoctl kvm detach id 1 2>/dev/null && lsmod | grep -q '^hexo_kvm ' && rmmod hexo_kvm"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hexoctl's bash completion (user/hexoctl/hexoctl.bash-completion), sourced
# in bash and driven through COMP_WORDS and COMP_CWORD as readline would:
# every object, verb and keyword of hexoctl's own help is offered where it
# belongs; values come from the live system (interfaces) or from the
# system the completion is pointed at (a sysfs with netswap devices, a
# hexoctl whose kvm show lists VMs).
. ../lib/ktap.sh
. ./lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

h=$(hexoctl_bin) || { echo "Bail out! no hexoctl to ask for its help"; exit 1; }
vocab=$(hexoctl_vocab "$h")
# A hexoctl that answers help as the real one and lists two attached VMs.
cat >"$tmp/hexoctl" <<SH
#!/bin/sh
if [ "\$1" = kvm ] && [ "\$2" = show ]; then
	printf 'hexo_kvm 0.1.0  vms 2/64\nvm 3: name a pid 10 vcpus 1 mem 4M\nvm 7: name b pid 11 vcpus 1 mem 4M\n'
	exit 0
fi
exec "$h" "\$@"
SH
chmod +x "$tmp/hexoctl"
mkdir -p "$tmp/sys/class/net/eth7" "$tmp/sys/class/net/lo" "$tmp/sys/block/netswap2" \
	"$tmp/sys/block/netswap5" "$tmp/sys/block/vda"

. "$top/user/hexoctl/hexoctl.bash-completion"

# comp WORD...: the candidates for the last word (one a line, sorted).
comp() {
	COMP_WORDS=("$tmp/hexoctl" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_hexoctl
	printf '%s\n' "${COMPREPLY[@]}" | grep . | sort
}
sorted() { tr ' ' '\n' | grep . | sort -u; }

# same NAME WANT GOT
same() {
	if [ "$2" = "$3" ] && [ -n "$2" ]; then
		ktap_pass "$1"
	else
		diff <(echo "$2") <(echo "$3") | ktap_quote
		ktap_fail "$1"
	fi
}

ktap_plan 13
ktap_expect "sourcing it registers _hexoctl for hexoctl" "complete -F _hexoctl hexoctl" complete -p hexoctl

objs=$(awk '$1 == "object" { print $2 }' <<<"$vocab")
same "the objects of hexoctl help, vm and help" \
	"$(echo $objs vm help | sorted)" "$(comp '')"
same "the options of hexoctl help" \
	"$(awk '$1 == "option" { print $2 }' <<<"$vocab" | sorted)" "$(comp - | grep -v -- '^--')"

# none NAME PROBLEMS...: passes when there are no problems.
none() {
	local name=$1
	shift
	if [ $# -eq 0 ]; then
		ktap_pass "$name"
	else
		printf '%s\n' "$@" | ktap_quote
		ktap_fail "$name"
	fi
}

bad=() n=0
for o in $objs; do
	want=$( (awk -v o="$o" '$1 == "verb" && $2 == o { print $3 }' <<<"$vocab"
		# An object without verbs takes its keywords there.
		awk -v o="$o" '$1 == "keyword" && $2 == o && $3 == "-" { print $4 }' <<<"$vocab"
		echo help) | sorted)
	got=$(comp "$o" '')
	n=$((n + $(wc -l <<<"$want")))
	[ "$got" = "$want" ] || bad+=("hexoctl $o: want" "$want" "got" "$got")
done
[ "$n" -gt 20 ] || bad+=("only $n verbs in hexoctl's help")
none "each object's verbs, as its help lists them ($n)" "${bad[@]}"

bad=() n=0
while read -r o v; do
	want=$(awk -v o="$o" -v v="$v" '$1 == "keyword" && $2 == o && $3 == v { print $4 }' <<<"$vocab" | sorted)
	[ -z "$want" ] && continue
	got=$(comp "$o" "$v" '')
	n=$((n + $(wc -l <<<"$want")))
	[ "$got" = "$want" ] || bad+=("hexoctl $o $v: want" "$want" "got" "$got")
done < <(awk '$1 == "verb" { print $2, $3 }' <<<"$vocab")
[ "$n" -gt 20 ] || bad+=("only $n keywords in hexoctl's help")
none "each verb's keywords, as its usage lists them ($n)" "${bad[@]}"

same "dev: this machine's interfaces" "$(ls /sys/class/net | sort)" "$(comp netswap serve dev '')"
same "a keyword given is not offered again; unique prefixes as hexoctl takes them" \
	"$(printf '%s\n' connect failover hold key mirror resync-rate server timeout window)" "$(comp n att dev eth0 size 1G '')"
same "a flag keyword (precopy) is not taken for one with a value" \
	"$(printf '%s\n' dev nowait timeout to)" "$(comp vm offload id 3 precopy '')"
same "key: files" "$tmp/hexoctl" "$(comp netswap attach key "$tmp/hexo")"
same "id: the VMs hexoctl kvm show lists" "$(printf '3\n7\n')" "$(comp kvm offload id '')"
_hexoctl_sys=$tmp/sys
same "netswap show: the netswap devices in sysfs" "$(printf 'netswap2\nnetswap5\n')" \
	"$(comp netswap show '')"
same "'list' for show: the same devices" "$(printf 'netswap2\nnetswap5\n')" \
	"$(comp netswap list '')"
same "dev: the interfaces in sysfs" "$(printf 'eth7\nlo\n')" "$(comp kvm serve dev '')"
ktap_finish

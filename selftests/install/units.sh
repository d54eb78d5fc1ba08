#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The boot-time units and the commands they run, without systemd:
# systemd-analyze verify on hexo-netswap.service and hexo-serve.service
# (their commands in place, their man page from Documentation/), the board's
# unit in sysinit's transaction without an ordering cycle; then hexo-netswap
# and hexo-serve up and down against a hexoctl, ip, mkswap, swapon and
# swapoff that record what they are asked: the configuration files' keys
# become hexoctl's keywords, bad lines are refused with file and line, a
# device the device tree attached is taken as it is and left attached.
. ../lib/ktap.sh
. ./lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
boot=$top/user/boot

ktap_plan 16

# ------------------------------------------------------------- the units
mkdir -p "$tmp/units/swap.target.wants" "$tmp/man/man8"
for u in hexo-netswap hexo-serve; do
	sed "s|/usr/libexec/hexo/|$boot/|" "$boot/$u.service" >"$tmp/units/$u.service"
done
ln -s ../hexo-netswap.service "$tmp/units/swap.target.wants/"
make -s -C "$top" MAN_OUT="$tmp/man/man8" "$tmp/man/man8/hexoctl.8" >/dev/null
for u in hexo-netswap hexo-serve; do
	ktap_check "systemd-analyze verify $u.service" \
		env MANPATH="$tmp/man" systemd-analyze verify "$tmp/units/$u.service"
done
out=$(cd "$tmp/units" && SYSTEMD_UNIT_PATH=$tmp/units: systemd-analyze verify --man=no sysinit.target 2>&1)
if [ $? = 0 ] && ! grep -q "ordering cycle" <<<"$out" &&
	grep -qx 'Before=swap.target shutdown.target' "$boot/hexo-netswap.service"; then
	ktap_pass "hexo-netswap.service comes before swap.target, in sysinit.target's transaction without a cycle"
else
	printf '%s\n' "$out" | ktap_quote
	ktap_fail "hexo-netswap.service comes before swap.target, in sysinit.target's transaction without a cycle"
fi

# ------------------------------------------------ the commands, with fakes
# Each fake appends its command line to calls; hexoctl netswap show prints
# $tmp/show, attach a device line as the real one does.
mkdir -p "$tmp/bin"
for c in ip mkswap swapon swapoff; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$tmp" >"$tmp/bin/$c"
done
cat >"$tmp/bin/hexoctl" <<SH
#!/bin/sh
echo "hexoctl \$*" >>"$tmp/calls"
case "\$1 \$2" in
"netswap show") cat "$tmp/show" 2>/dev/null ;;
"netswap attach") echo "netswap1: server 52:54:00:48:58:01 dev lo size 1G state up" ;;
esac
SH
chmod +x "$tmp/bin"/*
touch "$tmp/swaps" "$tmp/key"
export PATH="$tmp/bin:$PATH" HEXO_RUNDIR="$tmp/run" HEXO_SWAPS="$tmp/swaps" HEXO_WAIT=1

# run NAME WANT CMD...: CMD succeeds and calls exactly WANT (one a line,
# hexoctl netswap show left out).
run() {
	local name=$1 want=$2
	shift 2
	rm -f "$tmp/calls"
	if out=$("$@" 2>&1) &&
		[ "$(grep -v '^hexoctl netswap show' "$tmp/calls" 2>/dev/null)" = "$want" ]; then
		ktap_pass "$name"
	else
		{ echo "$out"; echo "calls:"; cat "$tmp/calls" 2>/dev/null; echo "wanted:"; echo "$want"; } | ktap_quote
		ktap_fail "$name"
	fi
}

cat >"$tmp/netswap.conf" <<EOF2
# a board
dev lo
server 52:54:00:48:58:0A   # upper case, as ip link shows none
size 1G
timeout 20
key $tmp/key
priority 5
EOF2
run "netswap up: the interface up, attach with the file's keywords, mkswap, swapon" \
	"ip link set dev lo up
hexoctl netswap attach dev lo server 52:54:00:48:58:0a size 1G timeout 20 key $tmp/key
mkswap /dev/netswap1
swapon -p 5 /dev/netswap1" "$boot/hexo-netswap" up "$tmp/netswap.conf"
echo "/dev/netswap1 partition 1048572 0 5" >"$tmp/swaps"
run "netswap down: swapoff, then detach" \
	"swapoff /dev/netswap1
hexoctl netswap detach netswap1" "$boot/hexo-netswap" down
ktap_check "netswap down: the record of what up did is gone" test ! -e "$tmp/run/netswap.dev"

# The device tree attached netswap0 to the same server on the same link.
: >"$tmp/swaps"
printf 'netswap 0.1.0  devices 1/16\nnetswap0: server 52:54:00:48:58:0a dev lo size 512M state up\n' >"$tmp/show"
run "netswap up with the device tree's device on that link and server: no attach, it is taken" \
	"ip link set dev lo up
mkswap /dev/netswap0
swapon -p 5 /dev/netswap0" "$boot/hexo-netswap" up "$tmp/netswap.conf"
echo "/dev/netswap0 partition 524284 0 5" >"$tmp/swaps"
run "netswap down: the device tree's device is swapped off and stays attached" \
	"swapoff /dev/netswap0" "$boot/hexo-netswap" down
# Another server: the unit's own device beside the device tree's.
sed -i 's/58:0A/58:0B/' "$tmp/netswap.conf"
: >"$tmp/swaps"
ktap_expect "netswap up with the device tree's device to another server: its own attach" \
	"hexoctl netswap attach dev lo server 52:54:00:48:58:0b" \
	sh -c "'$boot/hexo-netswap' up '$tmp/netswap.conf' >/dev/null && cat '$tmp/calls'"
"$boot/hexo-netswap" down >/dev/null 2>&1
rm -f "$tmp/show"

printf 'dev lo\nserver 52:54:00:48:58:01\nsize 1G\nwindow\n' >"$tmp/bad1.conf"
ktap_expect_status "netswap up: a key without a value, refused with file and line" 1 \
	"bad1.conf:4: want 'KEY VALUE'" "$boot/hexo-netswap" up "$tmp/bad1.conf"
printf 'dev lo\nserver 52:54:00:48:58:01\nsize 1G\nswap yes\n' >"$tmp/bad2.conf"
ktap_expect_status "netswap up: an unknown key, refused with file and line" 1 \
	"bad2.conf:4: unknown key 'swap'" "$boot/hexo-netswap" up "$tmp/bad2.conf"
printf 'dev lo\nsize 1G\n' >"$tmp/bad3.conf"
ktap_expect_status "netswap up: no server, refused" 1 "no 'server MAC'" \
	"$boot/hexo-netswap" up "$tmp/bad3.conf"
printf 'dev hexo-no-such-if\nserver 52:54:00:48:58:01\nsize 1G\n' >"$tmp/noif.conf"
ktap_expect_status "netswap up: an interface that never comes, given up after HEXO_WAIT" 1 \
	"no interface hexo-no-such-if after 1s" "$boot/hexo-netswap" up "$tmp/noif.conf"

printf 'dev lo\nsize 2G\nboard-size 1G\nmax-boards 8\n' >"$tmp/serve.conf"
run "serve up: the interface up, serve with the file's keywords" \
	"ip link set dev lo up
hexoctl netswap serve dev lo size 2G board-size 1G max-boards 8" \
	"$boot/hexo-serve" up "$tmp/serve.conf"
run "serve down: unserve" "hexoctl netswap unserve dev lo" "$boot/hexo-serve" down
printf 'netswap_server 0.1.0  serving on 1 interfaces\nserving lo: size 2G board-size 1G\n' >"$tmp/show"
run "serve up and down with netswap_server.serve= serving that link already: left as it is" \
	"ip link set dev lo up" sh -c "'$boot/hexo-serve' up '$tmp/serve.conf' && '$boot/hexo-serve' down"
ktap_finish

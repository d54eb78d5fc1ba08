#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The man pages, as rst2man writes them from Documentation/ (make man): they
# render without a warning, hexoctl(8) names every object, verb, keyword and
# option of hexoctl's own help, hexovm(1) every option of `hexovm --help`,
# hexolink(8) every command of its usage.
. ../lib/ktap.sh
. ./lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

h=$(hexoctl_bin) || { echo "Bail out! no hexoctl to ask for its help"; exit 1; }
bin=$(dirname "$h")
vocab=$(hexoctl_vocab "$h")

ktap_plan 8
ktap_check "make man: rst2man writes the three pages without a warning" \
	make -s -C "$top" MAN_OUT="$tmp/man" man

# The pages as man shows them, one long line a paragraph, no hyphenation.
render() {
	MANWIDTH=4000 man --warnings=all -l "$1" 2>"$tmp/warn" | col -b | tr -s ' \t' ' '
}
for p in hexoctl.8 hexovm.1 hexolink.8; do
	render "$tmp/man/$p" >"$tmp/$p.txt"
	if [ -s "$tmp/$p.txt" ] && ! grep -v 'cannot adjust line' "$tmp/warn" | grep -q .; then
		ktap_pass "man -l $p renders without a warning"
	else
		ktap_quote <"$tmp/warn"
		ktap_fail "man -l $p renders without a warning"
	fi
done

# word PAGE WORD: WORD stands alone in PAGE's text.
word() {
	grep -qE -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|\$)" "$tmp/$1.txt"
}
missing=
n=0
while read -r kind a b c; do
	n=$((n + 1))
	case $kind in
	object | option) word hexoctl.8 "$a" || missing="$missing|$kind $a" ;;
	verb) grep -qF -- "hexoctl $a $b" "$tmp/hexoctl.8.txt" || missing="$missing|hexoctl $a $b" ;;
	keyword) word hexoctl.8 "$c" || missing="$missing|$a $b: keyword $c" ;;
	esac
done <<<"$vocab"
if [ -z "$missing" ] && [ "$n" -gt 40 ]; then
	ktap_pass "hexoctl(8) names all $n objects, verbs, keywords and options of hexoctl help"
else
	printf '%s\n' "$missing" | tr '|' '\n' | grep . | sed 's/^/missing: /' | ktap_quote
	ktap_fail "hexoctl(8) names all $n objects, verbs, keywords and options of hexoctl help"
fi

# hexovm's long options, from its own help.
missing=
opts=$("$bin/hexovm" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for o in $opts; do
	word hexovm.1 "$o" || missing="$missing $o"
done
if [ -z "$missing" ] && [ -n "$opts" ]; then
	ktap_pass "hexovm(1) names every option of hexovm --help ($(echo $opts | wc -w))"
else
	ktap_diag "missing:$missing"
	ktap_fail "hexovm(1) names every option of hexovm --help"
fi

# hexolink's commands, the first word of each line of its usage.
missing=
cmds=$("$bin/hexolink" --help 2>&1 | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p')
for c in $cmds; do
	grep -qE "hexolink .*\] $c( |\$)" "$tmp/hexolink.8.txt" || missing="$missing $c"
done
if [ -z "$missing" ] && [ -n "$cmds" ]; then
	ktap_pass "hexolink(8) gives a synopsis for every command of hexolink's usage ($(echo $cmds | wc -w))"
else
	ktap_diag "missing:$missing"
	ktap_fail "hexolink(8) gives a synopsis for every command of hexolink's usage"
fi

# The test itself: a keyword the page lacks is found missing.
sed 's/max-boards/max-b0ards/g' "$tmp/hexoctl.8.txt" >"$tmp/broken.txt"
if ! grep -qE -- '(^|[^A-Za-z0-9_-])max-boards([^A-Za-z0-9_-]|$)' "$tmp/broken.txt" &&
	grep -q '^keyword netswap serve max-boards$' <<<"$vocab"; then
	ktap_pass "a page without max-boards would fail the check (help names it)"
else
	ktap_fail "a page without max-boards would fail the check (help names it)"
fi
ktap_finish

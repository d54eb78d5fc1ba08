#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every u64 attribute the modules put is padded with its family's own _PAD
# attribute, never with an _UNSPEC one (a receiver may take attribute 0 for
# a real one): the last argument of each nla_put_u64_64bit() call in
# kernel/ names a *_PAD attribute.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)

ktap_plan 1
# Each call's arguments (one level of nested parentheses), then its last one.
calls=$(cd "$top" && find kernel -name '*.c' | sort | xargs perl -0777 -ne '
	while (/nla_put_u64_64bit\s*\(((?:[^()]|\([^()]*\))*)\)/g) {
		my @a = split /,/, $1;
		(my $last = $a[-1]) =~ s/\s+//g;
		print "$ARGV: $last\n";
	}')
n=$(printf '%s\n' "$calls" | grep -c .)
bad=$(printf '%s\n' "$calls" | grep -v ': [A-Z0-9_]*_PAD$')
if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
	ktap_pass "$n u64 attributes padded with a _PAD attribute"
else
	printf '%s\n' "$bad" | head -20 | ktap_quote
	ktap_fail "$n u64 attributes padded with a _PAD attribute"
fi
ktap_finish

# SPDX-License-Identifier: GPL-2.0
# TAP output for HEXO's shell selftests (kselftest style). Works in busybox
# ash (inside the VMs) and bash (host-side scripts). Source it, declare the
# plan, report each case, finish:
#
#   . ../lib/ktap.sh
#   ktap_plan 3
#   ktap_check "module loads" modprobe netswap
#   ktap_expect "show prints no device" "devices 0/16" hexoctl netswap show
#   ktap_finish
KTAP_N=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0

ktap_plan() {
	KTAP_PLAN=$1
	echo "TAP version 13"
	echo "1..$1"
}

ktap_diag() {
	echo "# $*"
}

ktap_pass() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $*"
}

ktap_fail() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $*"
}

# ktap_skip NAME REASON
ktap_skip() {
	KTAP_N=$((KTAP_N + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $1 # SKIP $2"
}

# Prints captured output as TAP comments.
ktap_quote() {
	sed 's/^/#   /'
}

# ktap_check NAME CMD...: passes if CMD exits 0; shows its output if not.
ktap_check() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		ktap_pass "$_name"
	else
		_rc=$?
		printf '%s\n' "$_out" | ktap_quote
		ktap_diag "exit status $_rc: $*"
		ktap_fail "$_name"
	fi
}

# ktap_fails NAME CMD...: passes if CMD exits non-zero.
ktap_fails() {
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		printf '%s\n' "$_out" | ktap_quote
		ktap_diag "unexpectedly succeeded: $*"
		ktap_fail "$_name"
	else
		ktap_pass "$_name"
	fi
}

# ktap_expect NAME PATTERN CMD...: CMD exits 0 and its output matches the
# extended regular expression PATTERN.
ktap_expect() {
	_name=$1
	_pat=$2
	shift 2
	if _out=$("$@" 2>&1) && printf '%s\n' "$_out" | grep -Eq -- "$_pat"; then
		ktap_pass "$_name"
	else
		printf '%s\n' "$_out" | ktap_quote
		ktap_diag "wanted /$_pat/ from: $*"
		ktap_fail "$_name"
	fi
}

# ktap_expect_status NAME STATUS PATTERN CMD...: CMD exits with STATUS and its
# output (stdout and stderr) matches PATTERN.
ktap_expect_status() {
	_name=$1
	_want=$2
	_pat=$3
	shift 3
	_out=$("$@" 2>&1)
	_rc=$?
	if [ "$_rc" = "$_want" ] && printf '%s\n' "$_out" | grep -Eq -- "$_pat"; then
		ktap_pass "$_name"
	else
		printf '%s\n' "$_out" | ktap_quote
		ktap_diag "wanted status $_want and /$_pat/, got status $_rc: $*"
		ktap_fail "$_name"
	fi
}

ktap_finish() {
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL skip:$KTAP_SKIP"
	# A script that ran more or fewer tests than it planned is wrong too.
	if [ -n "${KTAP_PLAN:-}" ] && [ "$KTAP_N" != "$KTAP_PLAN" ]; then
		echo "# planned $KTAP_PLAN tests, ran $KTAP_N"
		exit 1
	fi
	[ "$KTAP_FAIL" -eq 0 ]
	exit $?
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Not a test of its own (not in tests.txt): kernel_log.sh runs it as a pair
# test through the runner of `testbed check`. It passes its only check and
# writes a warning into the board's kernel log; the runner must fail it.
. ../lib/ktap.sh
. ../lib/host.sh
ktap_plan 1
ktap_check "a warning written into the board's kernel log" \
	on board "echo '<2>WARNING: CPU: 0 PID: 1 at selftests/testbed/warn_pair.sh:1 hexo_selftest_pair_warning' >/dev/kmsg"
ktap_finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A kernel log line that says something went wrong fails the command that
# ran beside it, even when the command itself succeeded: the lines the
# testbed takes for a kernel problem (scripts/hexotb/vm.py,
# KERNEL_PROBLEMS), then a real VM whose kernel log gets a warning line
# while a command that exits 0 runs, and the same command without it.
# Then the same through `testbed check`'s runner: a pair test that passes
# its own checks while its arm64 board logs a warning is counted failed.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)
tb=$top/scripts/testbed

# problems LINE...: prints, for each line, whether KERNEL_PROBLEMS takes it.
problems() {
	python3 -c "import sys; sys.path.insert(0, '$top/scripts'); from hexotb import vm
for l in sys.argv[1:]: print(bool(vm.KERNEL_PROBLEMS.search(l)))" "$@"
}

ktap_plan 5
bad=("[   12.000000] WARNING: CPU: 1 PID: 77 at kernel/link/chan.c:300 hxl_chan_pump+0x1c/0x200 [hexo_link]"
	"[   12.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008"
	"[   12.000000] Unable to handle kernel paging request at virtual address dead000000000108"
	"[   12.000000] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] PREEMPT SMP NOPTI"
	"[   12.000000] INFO: task kworker/u4:1:52 blocked for more than 120 seconds."
	"[   12.000000] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [swapper/0:0]"
	"[   12.000000] rcu: INFO: rcu_preempt self-detected stall on CPU"
	"[   12.000000] list_del corruption. next->prev should be ffff888004a1c000, but was dead000000000122"
	"[   12.000000] BUG: sleeping function called from invalid context at mm/slab.h:723"
	"[   12.000000] kworker/0:1: page allocation failure: order:0, mode:0x820(GFP_ATOMIC), nodemask=(null)"
	"[   12.000000] NETDEV WATCHDOG: eth0 (virtio_net): transmit queue 0 timed out"
	"[   12.000000] hexoctl[311]: segfault at 8 ip 0000000000401d2e sp 00007ffc9d1e4b30 error 4")
good=("[   12.000000] hexo_link: crc32c: __crc32c_le (crc32c-intel 188 MB/s, __crc32c_le 783 MB/s)"
	"[   12.000000] netswap0: server lost: I/O errors from now on"
	"[   12.000000] memstress[120]: unhandled exception: DABT (lower EL), ESR 0x92000006, SIGBUS"
	"[   12.000000] Adding 921596k swap on /dev/netswap0.  Priority:-2 extents:1 across:921596k SS")
# shellcheck disable=SC2317  # called through ktap_check
unit() {
	local l i=0 got
	mapfile -t got < <(problems "${bad[@]}")
	for l in "${bad[@]}"; do
		[ "${got[$i]}" = True ] || { echo "missed: $l"; return 1; }
		i=$((i + 1))
	done
	mapfile -t got < <(problems "${good[@]}")
	i=0
	for l in "${good[@]}"; do
		[ "${got[$i]}" = False ] || { echo "taken for a problem: $l"; return 1; }
		i=$((i + 1))
	done
}
ktap_check "KERNEL_PROBLEMS: ${#bad[@]} problem lines matched, ${#good[@]} ordinary lines not" unit

# A command that succeeds while the kernel logs a warning: the run fails,
# and says which line. /dev/kmsg puts the line in the kernel log as a
# warning from the kernel would; a level of 2 shows it on the console too.
line="WARNING: CPU: 0 PID: 1 at selftests/testbed/kernel_log.sh:1 hexo_selftest_warning"
out=$("$tb" run --arch x86_64 --timeout 60 -- \
	"echo '<2>$line' >/dev/kmsg; echo COMMAND-RAN" 2>&1)
rc=$?
printf '%s\n' "$out" | ktap_quote
if [ $rc -ne 0 ] && grep -q COMMAND-RAN <<<"$out"; then
	ktap_pass "a command that exits 0 beside a kernel warning: the run fails (status $rc)"
else
	ktap_fail "a command that exits 0 beside a kernel warning: the run fails (status $rc)"
fi
ktap_expect "the failure names the kernel's line" "testbed: kernel log: .*hexo_selftest_warning" \
	echo "$out"

# The same command without the warning passes, and no kernel line is
# reported for it: the run above failed on the line, not on the command or
# the VM.
# shellcheck disable=SC2317  # called through ktap_check
clean() {
	local o
	o=$("$tb" run --arch x86_64 --timeout 60 -- \
		"echo '<6>hexo selftest: an ordinary line' >/dev/kmsg; echo COMMAND-RAN" 2>&1) ||
		{ echo "$o"; echo "the run failed"; return 1; }
	grep -q '^COMMAND-RAN' <<<"$o" || { echo "$o"; echo "the command did not run"; return 1; }
	! grep 'testbed: kernel log:' <<<"$o"
}
ktap_check "the same command without the warning passes, no kernel line reported" clean

# The same through `testbed check`'s runner, in a pair's arm64 board: a
# pair test whose own checks pass (warn_pair.sh) while it writes a warning
# into the board's kernel log is counted failed, the line named.
# shellcheck disable=SC2317  # called through ktap_check
runner() {
	python3 - "$top" <<'PY'
import io, sys, contextlib
sys.path.insert(0, sys.argv[1] + "/scripts")
from hexotb import tap
from hexotb.runner import Runner, Test
tally, out = tap.Tally(), io.StringIO()
with contextlib.redirect_stdout(out):
    Runner(tally).run([Test("testbed", "pair", 120, ["check"], ["warn_pair.sh"], {})])
text = out.getvalue()
passed, failed, _ = tally.totals()
print(text)
if failed < 1:
    sys.exit(f"the runner counted {passed} passed, {failed} failed: wanted a failure")
if "hexo_selftest_pair_warning" not in text:
    sys.exit("the runner's failure does not name the kernel's line")
PY
}
ktap_check "testbed check's runner fails a pair test whose board logged a warning, naming the line" runner
ktap_finish

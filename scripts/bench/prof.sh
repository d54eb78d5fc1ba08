# SPDX-License-Identifier: GPL-2.0
#
# CPU profiles of the testbed's VMs for the benches, with hexo_test_prof
# (selftests/netswap/kmod/hexo_test_prof.c: samples every CPU each
# millisecond from a pinned hrtimer, as perf's cpu-clock does; the emulated
# CPUs have no PMU). Sourced after selftests/lib/host.sh (on).

# The command that starts the profiler in a VM, with three callers a
# sample where the kernel has frame pointers (arm64); for a VM's own
# command line where the profile must start with it.
PROF_LOAD="{ modprobe hexo_test_prof callers=3 2>/dev/null || modprobe hexo_test_prof; }"

# prof_start VM...: starts the profiler on each VM. Returns 1 if it does
# not load on one of them.
prof_start() {
	local vm
	for vm in "$@"; do
		on "$vm" "$PROF_LOAD" >/dev/null || return 1
	done
}

# prof_stop VM FILE: writes VM's samples to FILE and unloads the profiler.
prof_stop() {
	on "$1" "cat /proc/hexo_prof; rmmod hexo_test_prof" >"$2" 2>&1
}

# prof_top FILE: the 16 symbols with the most samples in FILE (a
# prof_stop output), summed by name, as one JSON object of symbol: samples,
# with "total" the samples of all symbols.
prof_top() {
	awk '/^#/ { next } { s = $2; sub(/<-.*/, "", s); n[s] += $1; t += $1 } END {
		for (s in n) printf "%d %s\n", n[s], s; printf "%d TOTAL\n", t }' "$1" |
		sort -rn | head -16 | awk 'BEGIN { printf "{" } $2 == "TOTAL" { t = $1; next }
			{ printf "%s\"%s\":%d", (k++ ? "," : ""), $2, $1 }
			END { printf ",\"total\":%d}", t }'
}

# host_cpu: the build machine's CPU time so far, "busy total" in clock
# ticks of all its CPUs (/proc/stat), for host_busy.
host_cpu() {
	awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i;
		print t - $5 - $6, t; exit }' /proc/stat
}

# host_busy "BUSY TOTAL": the share of the build machine's CPUs busy since
# host_cpu printed BUSY TOTAL, 0 to 1 (the emulators of every VM, their
# link, and the harness: what the VMs' own idle time cannot show).
host_busy() {
	local b0 t0 b1 t1
	read -r b0 t0 <<<"$1"
	read -r b1 t1 <<<"$(host_cpu)"
	awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.3f\n", (t > 0 ? b / t : 0) }'
}

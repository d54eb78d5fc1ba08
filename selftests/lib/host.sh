# SPDX-License-Identifier: GPL-2.0
# Helpers for host-side selftests that drive the testbed's VMs (WHERE "pair"
# in tests.txt). The runner sets HEXO_RUN, HEXO_TESTBED, and HEXO_<VM>_MAC,
# HEXO_<VM>_IP and HEXO_<VM>_MEM (MiB) for each VM (SERVER, BOARD, BOARD2...,
# and SERVER2 in a topology with servers=2).

: "${HEXO_RUN:?run this under scripts/testbed (check or pair)}"

# on VM COMMAND...: runs COMMAND (one shell string) in VM, prints its output,
# returns its status.
on() {
	_vm=$1
	shift
	"$HEXO_TESTBED" exec "$_vm" --timeout "${ON_TIMEOUT:-600}" -- "$*"
}

# on_bg VM NAME COMMAND...: starts COMMAND in VM in the background; its output
# and exit status are collected later with on_wait VM NAME.
on_bg() {
	_vm=$1
	_job=$2
	shift 2
	on "$_vm" "rm -f /tmp/job.$_job.*; { ( $* ) >/tmp/job.$_job.out 2>&1 </dev/null;" \
		"echo \$? >/tmp/job.$_job.rc; } & echo \$! >/tmp/job.$_job.pid"
}

# on_wait VM NAME [TIMEOUT]: waits for a job started with on_bg; prints its
# output; returns its exit status (124 if it did not end in time). The exec
# that waits gets a minute more than TIMEOUT, so that a long wait is not cut
# short by on's own default.
on_wait() {
	_x=$((${3:-120} + 60))
	[ "$_x" -gt "${ON_TIMEOUT:-600}" ] || _x=${ON_TIMEOUT:-600}
	ON_TIMEOUT=$_x on "$1" "t=0; while [ ! -e /tmp/job.$2.rc ] && [ \$t -lt $((${3:-120} * 5)) ]; do sleep 0.2; t=\$((t+1)); done;" \
		"cat /tmp/job.$2.out; [ -e /tmp/job.$2.rc ] || exit 124; exit \$(cat /tmp/job.$2.rc)"
}

# on_ready VM NAME PATTERN [TIMEOUT]: waits until the output of job NAME shows
# PATTERN (a receiver saying it listens, say).
on_ready() {
	on "$1" "t=0; until grep -q '$3' /tmp/job.$2.out 2>/dev/null; do" \
		"[ \$t -ge $((${4:-30} * 10)) ] && { cat /tmp/job.$2.out; exit 124; }; sleep 0.1; t=\$((t+1)); done"
}

# kill_vm VM: pulls the plug on VM (the runner boots it again afterwards).
kill_vm() {
	"$HEXO_TESTBED" kill "$1"
}

# vm_copy VM PATH VM2 PATH2: copies a file from VM to VM2 over the testbed's
# IP link (busybox httpd on VM for this one copy, wget on VM2) and checks
# that it arrived whole.
vm_copy() {
	local ip pid sum rc=1 port=${VM_COPY_PORT:-8077}
	ip=$(eval echo "\$HEXO_${1^^}_IP")
	sum=$(on "$1" "sha256sum '$2'") || return 1
	pid=$(on "$1" "httpd -f -p $port -h '$(dirname "$2")' </dev/null >/dev/null 2>&1 & echo \$!") ||
		return 1
	# httpd may take a moment to listen.
	if on "$3" "for i in \$(seq 50); do wget -q -O '$4' http://$ip:$port/'$(basename "$2")' &&
		exit 0; sleep 0.1; done; exit 1" &&
		[ "$(on "$3" "sha256sum '$4'" | cut -d' ' -f1)" = "${sum%% *}" ]; then
		rc=0
	fi
	on "$1" "kill $pid" >/dev/null
	return $rc
}

TC=/hexo/bin/tc	# busybox runs its own applets first: name the real tc

# netem VM SPEC...: netem on VM's eth0 ("off" removes it).
netem() {
	local vm=$1
	shift
	if [ "$1" = off ]; then
		on "$vm" "$TC qdisc del dev eth0 root 2>/dev/null; true"
	else
		on "$vm" "modprobe sch_netem && $TC qdisc replace dev eth0 root netem $*"
	fi
}

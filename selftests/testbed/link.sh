#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The testbed's link buffer (scripts/hexotb/vm.py, grow_link_buffer()): the
# receive buffer of a process's UDP socket, grown from outside through a
# copy of its descriptor, as the runner grows each QEMU's netdev socket, so
# that the link holds 256 frames of the MTU for a VM that is not reading,
# at MTU 1500 and 9000 alike (the host's default buffer held 92 and 12).
# A stand-in process holds the socket; nothing boots.
. ../lib/ktap.sh
top=$(cd ../.. && pwd)

# holds MTU [grow]: how many frames of MTU a process's socket takes while
# the process reads none, its buffer grown by grow_link_buffer() or not.
holds() {
	python3 - "$1" "${2:-}" <<PY
import socket, subprocess, sys
sys.path.insert(0, "$top/scripts")
from hexotb import vm
mtu, grow = int(sys.argv[1]), sys.argv[2] == "grow"
child = subprocess.Popen([sys.executable, "-c", """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
sys.stdin.readline()
s.setblocking(False)
n = 0
try:
    while True:
        s.recv(65536)
        n += 1
except BlockingIOError:
    pass
print(n, flush=True)
"""], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
port = int(child.stdout.readline())
if grow:
    vm.grow_link_buffer(child.pid, vm.link_buffer(mtu))
t = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(600):
    t.sendto(bytes(mtu + 14), ("127.0.0.1", port))
child.stdin.write("\n")
child.stdin.flush()
print(child.stdout.readline().strip())
child.wait()
PY
}

ktap_plan 3
ktap_expect "the host's default buffer: fewer than 256 frames of 9014 bytes" "^([0-9]|[0-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$" \
	holds 9000
ktap_expect "grown: 256 to 300 frames of 1514 bytes" "^(2[5-9][0-9]|300)$" holds 1500 grow
ktap_expect "grown: 256 to 300 frames of 9014 bytes, as many as at 1500" "^(2[5-9][0-9]|300)$" \
	holds 9000 grow
ktap_finish

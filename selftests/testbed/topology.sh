#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The testbed's topologies as the runner builds them, without booting
# anything: the VMs a Topology makes, their MACs, addresses, memory, links
# and QEMU command lines, and what a pair test finds in its environment.
# The default (one server, one board) is what it always was; servers=2 adds
# server2 after the boards, on the same Ethernet segment, and a pair test
# that leaves it dead has every VM booted again (the VMs' methods replaced:
# nothing starts).
. ../lib/ktap.sh
top=$(cd ../.. && pwd)

# tb PYTHON: runs PYTHON with the testbed's modules imported and bed(params)
# building a Testbed that is never started (its socket directory removed).
tb() {
	python3 -c "import os, sys, tempfile
sys.path.insert(0, '$top/scripts')
from hexotb import config, runner
from hexotb.runner import Topology, Testbed
def bed(params=None):
    b = Testbed(Topology(params), tempfile.gettempdir())
    os.rmdir(b.sockdir)
    return b
def vms(b):
    return ' '.join(f'{n}:{v.arch}:{v.mem}:{v.mac}:{v.ip}' for n, v in b.vms.items())
$1"
}

ktap_plan 12
ktap_expect "default: a server and a board, as always" \
	"^server:x86_64:1024:52:54:00:48:58:01:10.99.0.1/24 board:arm64:512:52:54:00:48:58:02:10.99.0.2/24$" \
	tb "print(vms(bed()))"
ktap_expect "default: a UDP pair between them, no multicast hub" "^dgram dgram$" \
	tb "print(' '.join(v.netdev.split(',')[0] for v in bed().vms.values()))"
ktap_expect "default: no HEXO_SERVER2_* in a test's environment" "^none$" \
	tb "print(' '.join(k for k in bed().env() if k.startswith('HEXO_SERVER2')) or 'none')"
ktap_expect "servers=1 is the default topology (one group, one boot)" "^same$" \
	tb "print('same' if Topology({'servers': '1'}).key() == Topology().key() else 'differ')"
ktap_expect "servers=2: server2 after the board, with the server's memory" \
	"^server:x86_64:1024:52:54:00:48:58:01:10.99.0.1/24 board:arm64:512:52:54:00:48:58:02:10.99.0.2/24 server2:x86_64:1024:52:54:00:48:58:03:10.99.0.3/24$" \
	tb "print(vms(bed({'servers': '2'})))"
ktap_expect "servers=2: one multicast segment for the three VMs" "^one socket,mcast$" \
	tb "n = {v.netdev for v in bed({'servers': '2'}).vms.values()}
print('one' if len(n) == 1 else n, n.pop().split('=')[0])"
ktap_expect "servers=2,boards=2,server2_mem=768: server2 after board2, 768 MiB; a test sees it" \
	"^server2:x86_64:768:52:54:00:48:58:04:10.99.0.4/24 52:54:00:48:58:04 10.99.0.4 768$" \
	tb "b = bed({'servers': '2', 'boards': '2', 'server2_mem': '768'}); e = b.env()
print(vms(b).split()[-1], e['HEXO_SERVER2_MAC'], e['HEXO_SERVER2_IP'], e['HEXO_SERVER2_MEM'])"
ktap_expect "server2's QEMU: x86_64, its name, MAC and memory, on the segment's socket" \
	"^qemu-system-x86_64 -m 1024 hexo.name=server2 mac=52:54:00:48:58:03 socket,mcast=" \
	tb "c = bed({'servers': '2'}).vms['server2'].cmdline()
print(c[0], '-m', c[c.index('-m') + 1], [w for w in c[c.index('-append') + 1].split() if w.startswith('hexo.name')][0],
      [w for w in c[c.index('-device', c.index('-netdev')) + 1].split(',') if w.startswith('mac')][0],
      c[c.index('-netdev') + 1])"
ktap_expect_status "servers=3 is refused, naming it" 1 "servers=3: the testbed boots 1 or 2 servers" \
	tb "Topology({'servers': '3'})"

# run_pair KILLED: a pair test of a servers=2 testbed that passes and leaves
# the VM KILLED dead ("-" for none); prints the VMs the runner booted again
# and whether the script saw server2's MAC.
run_pair() {
	tb "import threading
from hexotb import tap
b = bed({'servers': '2'})
again, seen = [], []
b.restart = again.append
for n, v in b.vms.items():
    v.kernel_problems = lambda: []
    v.alive = (lambda n=n: n != '$1')
r = object.__new__(runner.Runner)
r.tally, r.verbose, r.lock, r.n = tap.Tally(), False, threading.Lock(), 0
def script(d, t, env):
    seen.append(env.get('HEXO_SERVER2_MAC'))
    return 'TAP version 13\n1..1\nok 1 done\n', 0
r._run_host_script = script
r.run_pair(b, runner.Test('netswap', 'pair', 10, ['check'], ['x.sh'], {'servers': '2'}, 'servers=2'))
print('again:', ' '.join(again) or 'none', 'server2:', seen[0])" | tail -1
}
ktap_expect "a pair test that killed server2: the runner boots every VM again, server2 too" \
	"^again: server board server2 server2: 52:54:00:48:58:03$" run_pair server2
ktap_expect "a pair test that killed none and passed: no VM is booted again" \
	"^again: none server2: 52:54:00:48:58:03$" run_pair -

# needs_server2: every registered pair test that needs server2 (its script
# sources mirror_lib.sh, or it is asked for a mirror) gets a topology with
# servers=2; prints how many there are per suite.
needs_server2() {
	tb "n = {}
for suite in ('check', 'soak', 'bench'):
    for t in runner.load_tests(suite):
        if t.where != 'pair':
            continue
        with open(os.path.join('$top', 'selftests', t.area, t.argv[0])) as f:
            src = f.read().splitlines()
        if '. ./mirror_lib.sh' in src or 'mirror' in t.argv[1:]:
            if Topology(t.params).servers != 2:
                sys.exit(f'{t.label()}: needs server2, has no servers=2')
            n[suite] = n.get(suite, 0) + 1
print(' '.join(f'{k} {v}' for k, v in n.items()))"
}
ktap_expect "the tests that need server2 are registered with servers=2" "^check [0-9]+ soak [0-9]+$" \
	needs_server2
ktap_finish

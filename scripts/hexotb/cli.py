# SPDX-License-Identifier: GPL-2.0
"""scripts/testbed: the testbed's command line.

  testbed check [--suite S] [--only PATTERN]... [--arch A] [-v]
        runs the tests of suite S (check, soak) and prints TAP and the
        summary line "N passed, N failed[, N skipped]"; exit status 1 if any
        failed. PATTERN is a kind (host, pair, an ISA) or any part of a
        test's "WHERE AREA/TEST" label.
        One selftest in one VM:
            scripts/testbed check --only modules/load_unload.sh --arch arm64
  testbed run [--arch A] [--mem MiB] [--smp N] [--timeout S] [--initrd FILE] -- COMMAND
        boots one VM, runs COMMAND in it, streams its output; exits with its
        status (1 if the kernel log shows a problem or the boot failed).
        --initrd boots FILE instead of build/A/initramfs.cpio.gz.
  testbed pair [--boards N] [--board-mem MiB] [--server-mem MiB] [--servers N]
               [--server2-mem MiB] [--dtb NAME] [--mtu BYTES] -- HOSTCOMMAND
        boots a server and its boards, then runs HOSTCOMMAND on this machine
        with HEXO_RUN set, so that `testbed exec` reaches the VMs. --mtu
        sets every VM's eth0 MTU (pair:mtu=N in tests.txt). --servers 2
        boots a second server VM, server2 (pair:servers=2), of --server2-mem
        MiB (default: the server's).
  testbed exec VM [--timeout S] -- COMMAND
        runs COMMAND in VM (server, server2, board, board2...) of the testbed in
        $HEXO_RUN; streams the output and exits with its status.
  testbed kill VM
        kills VM of the testbed in $HEXO_RUN at once (a power cut, for tests);
        under `testbed check` every VM is booted again after that test, under
        `testbed pair` it stays down.
  testbed freeze VM SECONDS
        stops VM's QEMU for SECONDS (SIGSTOP, then SIGCONT), as a host that
        deschedules it: its clock jumps ahead when it runs again.
  testbed initramfs --arch A [--kmod DIR] [--out FILE]
        (re)builds build/A/initramfs.cpio.gz; fails if it unpacks to more
        than a quarter of the smallest memory a test gives a VM of A.
        --kmod takes HEXO's modules from DIR (a DKMS build, say) instead of
        make's; --out writes FILE instead (boot it with run --initrd).
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time

from . import config, initramfs, tap
from .runner import Runner, Testbed, Topology, load_tests
from .vm import VM, AgentError, AgentTimeout, agent_exec, log


def cmd_check(a):
    tests = load_tests(a.suite, a.only, [a.arch] if a.arch else None)
    if not tests:
        print("no test matches", file=sys.stderr)
        return 1
    tally = tap.Tally()
    print("TAP version 13")
    print(f"1..{len(tests)}")
    sys.stdout.flush()
    Runner(tally, verbose=a.verbose).run(tests)
    print(tally.summary())
    return 0 if tally.totals()[1] == 0 else 1


def cmd_run(a):
    cmd = " ".join(a.command) if a.command else "sh"
    rundir = config.new_rundir("run")
    log(f"testbed: logs in {os.path.relpath(rundir, config.TOP)}")
    v = VM("server" if a.arch == "x86_64" else "board", a.arch, rundir, rundir,
           mem=a.mem, smp=a.smp, initrd=a.initrd)
    v.start()
    try:
        v.wait_ready()
        v.kernel_problems()
        status, _ = v.run(cmd, timeout=a.timeout, out=sys.stdout)
        bad = v.kernel_problems()
        for l in bad:
            print(f"testbed: kernel log: {l}", file=sys.stderr)
        if bad and status == 0:
            status = 1
        return status
    except (AgentError, AgentTimeout) as e:
        print(f"testbed: {e}", file=sys.stderr)
        return 1
    finally:
        v.shutdown()


def cmd_pair(a):
    topo = Topology({"boards": a.boards, "board_mem": a.board_mem,
                     "server_mem": a.server_mem, "servers": a.servers,
                     **({"server2_mem": a.server2_mem} if a.server2_mem else {}),
                     **({"dtb": a.dtb} if a.dtb else {}),
                     **({"mtu": a.mtu} if a.mtu else {})})
    rundir = config.new_rundir("pair")
    bed = Testbed(topo, rundir)
    status = 1
    try:
        bed.start()
        log(f"testbed: up: {', '.join(bed.vms)}; HEXO_RUN={bed.sockdir}; "
            f"logs in {os.path.relpath(rundir, config.TOP)}")
        status = subprocess.call(a.command or [os.environ.get("SHELL", "sh")],
                                 env=bed.env())
    except (AgentError, AgentTimeout) as e:
        print(f"testbed: {e}", file=sys.stderr)
    finally:
        # Printed, not a failure: a bench's peer may warn (NBD's page
        # allocation failures under pressure); the command judges its run.
        for v in bed.vms.values():
            for l in v.kernel_problems():
                print(f"testbed: {v.name} kernel log: {l}", file=sys.stderr)
        bed.stop()
    return status


def cmd_exec(a):
    run = os.environ.get("HEXO_RUN")
    if not run:
        print("testbed exec: HEXO_RUN is not set (run under `testbed pair`)",
              file=sys.stderr)
        return 2
    try:
        # A killed VM may linger as a zombie until the runner reaps it.
        with open(os.path.join(run, f"{a.vm}.pid")) as f:
            with open(f"/proc/{int(f.read())}/stat") as st:
                if st.read().rsplit(")", 1)[1].split()[0] == "Z":
                    raise OSError("zombie")
    except (OSError, ValueError):
        print(f"testbed exec {a.vm}: the VM is not running", file=sys.stderr)
        return 125
    try:
        status, _ = agent_exec(os.path.join(run, f"{a.vm}.agent"), " ".join(a.command),
                               a.timeout, out=sys.stdout)
        return status
    except AgentTimeout as e:
        print(f"testbed exec {a.vm}: {e}", file=sys.stderr)
        return 124
    except AgentError as e:
        print(f"testbed exec {a.vm}: {e}", file=sys.stderr)
        return 125


def cmd_kill(a):
    run = os.environ.get("HEXO_RUN")
    if not run:
        print("testbed kill: HEXO_RUN is not set (run under `testbed pair`)", file=sys.stderr)
        return 2
    try:
        with open(os.path.join(run, f"{a.vm}.pid")) as f:
            os.killpg(int(f.read()), signal.SIGKILL)
    except (OSError, ValueError) as e:
        print(f"testbed kill {a.vm}: {e}", file=sys.stderr)
        return 1
    return 0


def cmd_freeze(a):
    """Stops a VM's QEMU for a while, as a host that deschedules it would:
    its clock jumps ahead when it runs again, and what its peers sent
    meanwhile waits in the link's buffers."""
    run = os.environ.get("HEXO_RUN")
    if not run:
        print("testbed freeze: HEXO_RUN is not set (run under `testbed pair`)", file=sys.stderr)
        return 2
    if not 0 < a.seconds <= 60:
        print(f"testbed freeze: {a.seconds} s: give 0 < SECONDS <= 60", file=sys.stderr)
        return 2
    try:
        with open(os.path.join(run, f"{a.vm}.pid")) as f:
            pgid = int(f.read())
        os.killpg(pgid, signal.SIGSTOP)
    except (OSError, ValueError) as e:
        print(f"testbed freeze {a.vm}: {e}", file=sys.stderr)
        return 1
    try:
        time.sleep(a.seconds)
    finally:
        os.killpg(pgid, signal.SIGCONT)
    return 0


def main():
    p = argparse.ArgumentParser(prog="testbed", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    c = sub.add_parser("check", help="run a test suite")
    c.add_argument("--suite", default="check")
    c.add_argument("--only", action="append")
    c.add_argument("--arch", choices=list(config.ARCHES))
    c.add_argument("-v", "--verbose", action="store_true")
    c.set_defaults(fn=cmd_check)

    r = sub.add_parser("run", help="run a command in one VM")
    r.add_argument("--arch", choices=list(config.ARCHES), default="x86_64")
    r.add_argument("--mem", type=int, default=512)
    r.add_argument("--smp", type=int, default=1)
    r.add_argument("--timeout", type=int, default=300)
    r.add_argument("--initrd")
    r.add_argument("command", nargs="*")
    r.set_defaults(fn=cmd_run)

    q = sub.add_parser("pair", help="boot a server and boards, run a host command")
    q.add_argument("--boards", type=int, default=1)
    q.add_argument("--board-mem", type=int, default=512)
    q.add_argument("--server-mem", type=int, default=1024)
    q.add_argument("--servers", type=int, choices=(1, 2), default=1)
    q.add_argument("--server2-mem", type=int)
    q.add_argument("--dtb")
    q.add_argument("--mtu", type=int)
    q.add_argument("command", nargs="*")
    q.set_defaults(fn=cmd_pair)

    e = sub.add_parser("exec", help="run a command in a VM of the current testbed")
    e.add_argument("vm")
    e.add_argument("--timeout", type=int, default=600)
    e.add_argument("command", nargs="+")
    e.set_defaults(fn=cmd_exec)

    k = sub.add_parser("kill", help="kill a VM of the current testbed (power cut)")
    k.add_argument("vm")
    k.set_defaults(fn=cmd_kill)

    z = sub.add_parser("freeze", help="stop a VM of the current testbed for SECONDS "
                       "(descheduled by its host: its clock jumps when it runs again)")
    z.add_argument("vm")
    z.add_argument("seconds", type=float)
    z.set_defaults(fn=cmd_freeze)

    i = sub.add_parser("initramfs", help="build a VM's initramfs")
    i.add_argument("--arch", choices=list(config.ARCHES), required=True)
    i.add_argument("--kmod", help="HEXO's modules from this directory instead of make's")
    i.add_argument("--out", help="write the initramfs here instead")
    i.set_defaults(fn=lambda a: (initramfs.build(a.arch, a.kmod and os.path.abspath(a.kmod),
                                                 a.out and os.path.abspath(a.out)), 0)[1])

    a = p.parse_args()
    # A killed testbed still shuts its VMs down: SIGTERM and SIGHUP unwind
    # through the same `finally` blocks as an error does.
    def _stop(sig, _frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)   # let the cleanup finish
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        raise SystemExit(128 + sig)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    return a.fn(a)

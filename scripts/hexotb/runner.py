# SPDX-License-Identifier: GPL-2.0
"""Test lists, scheduling and execution.

Each selftests/AREA/tests.txt lists tests, one per line:

    WHERE  TIMEOUT  SUITES  TEST [ARGS...]

WHERE   host            on this machine (unit tests, build checks)
        x86_64, arm64   inside a VM of that ISA (both: "x86_64,arm64")
        pair            a host-side script driving a server and a board VM;
                        "pair:board_mem=256,boards=2,dtb=netswap-virt" sets
                        the topology (see Topology; dtb names an overlay in
                        dts/, applied to the boards' device tree; mtu=9000
                        the MTU of every VM's eth0; poison=1 zeroes freed
                        memory at once, init_on_free=1; servers=2 boots a
                        second server VM, server2, of server2_mem MiB)
TIMEOUT seconds; the test fails when it runs longer
SUITES  the suites it belongs to: check, soak, bench (comma-separated)
TEST    a script in the area's directory, or a program built for the area
        (build/ARCH/selftests/AREA/TEST, build/host/AREA/TEST for host)
"""

import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

from . import config, tap
from .vm import VM, AgentError, AgentTimeout, link_netdevs, log


class Test:
    def __init__(self, area, where, timeout, suites, argv, params, opts=""):
        self.area, self.where, self.timeout = area, where, timeout
        self.suites, self.argv, self.params = suites, argv, params
        self.opts = opts    # the WHERE's ":..." as written, for the label

    @property
    def name(self):
        return f"{self.area}/{self.argv[0]}"

    def label(self):
        where = f"{self.where}:{self.opts}" if self.opts else self.where
        return f"{where} {self.name}" + (
            " " + " ".join(self.argv[1:]) if len(self.argv) > 1 else "")


def load_tests(suite, only=None, arches=None):
    tests = []
    root = os.path.join(config.TOP, "selftests")
    for area in sorted(os.listdir(root)):
        path = os.path.join(root, area, "tests.txt")
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                fields = shlex.split(line)
                if len(fields) < 4:
                    raise SystemExit(f"{path}:{n}: want WHERE TIMEOUT SUITES TEST")
                where, timeout, suites, argv = fields[0], int(fields[1]), \
                    fields[2].split(","), fields[3:]
                if suite not in suites:
                    continue
                kind, _, p = where.partition(":")
                params = dict(kv.split("=", 1) for kv in p.split(",") if kv)
                for w in kind.split(","):
                    if arches and w in config.ARCHES and w not in arches:
                        continue
                    t = Test(area, w, timeout, suites, argv, params, p)
                    # A kind (host, pair, an ISA) selects by where a test
                    # runs; anything else is a part of the label.
                    if only and not any(o == w if o in KINDS else o in t.label()
                                        for o in only):
                        continue
                    tests.append(t)
    return tests


KINDS = {"host", "pair", *config.ARCHES}


class Topology:
    """The VMs a group of tests needs: one server (or two), N boards."""

    def __init__(self, params=None):
        p = params or {}
        self.boards = int(p.get("boards", 1))
        self.server_mem = int(p.get("server_mem", 1024))
        # servers=2: a second x86_64 server VM, "server2", on the same
        # segment (a mirrored Netswap device's other replica).
        self.servers = int(p.get("servers", 1))
        if self.servers not in (1, 2):
            raise SystemExit(f"servers={self.servers}: the testbed boots 1 or 2 servers")
        self.server2_mem = int(p.get("server2_mem") or self.server_mem) \
            if self.servers == 2 else None
        self.board_mem = int(p.get("board_mem", 512))
        self.board_smp = int(p.get("board_smp", 2))
        self.dtb = p.get("dtb")
        # eth0's MTU on every VM (QEMU's host_mtu and the guest's /init);
        # None: the device's default, 1500.
        self.mtu = int(p["mtu"]) if p.get("mtu") else None
        # init_on_free=1 on every VM: freed memory is zeroed at once, so a
        # use after free reads zeros instead of what was there.
        self.poison = p.get("poison") == "1"

    def key(self):
        return (self.boards, self.server_mem, self.board_mem, self.board_smp, self.dtb,
                self.mtu, self.poison, self.servers, self.server2_mem)


class Testbed:
    """A server VM (or two) and its boards on one Ethernet segment."""

    def __init__(self, topo, rundir, only_arch=None):
        self.topo, self.rundir = topo, rundir
        self.sockdir = tempfile.mkdtemp(prefix="hexo-")
        self.vms = {}
        # (name, arch, MiB, vCPUs, index); the index picks MAC and address.
        roles = []
        if only_arch in (None, config.ROLE_ARCH["server"]):
            roles.append(("server", config.ROLE_ARCH["server"], topo.server_mem, 1, 0))
        if only_arch in (None, config.ROLE_ARCH["board"]):
            for i in range(topo.boards):
                roles.append(("board" if i == 0 else f"board{i + 1}",
                              config.ROLE_ARCH["board"], topo.board_mem,
                              topo.board_smp, i + 1))
        if topo.servers == 2 and only_arch in (None, config.ROLE_ARCH["server"]):
            # After the boards: theirs and the server's MACs and addresses
            # stay what they are in a one-server topology.
            roles.append(("server2", config.ROLE_ARCH["server"], topo.server2_mem, 1,
                          topo.boards + 1))
        nets = link_netdevs(len(roles)) if len(roles) > 1 else [None]
        for (name, arch, mem, smp, idx), net in zip(roles, nets):
            overlay = None
            if topo.dtb and name.startswith("board"):
                overlay = os.path.join(config.BUILD, "dts", f"{topo.dtb}.dtbo")
            self.vms[name] = VM(name, arch, rundir, self.sockdir, mem=mem, smp=smp,
                                netdev=net, mac=config.mac_for(idx),
                                ip=f"10.99.0.{idx + 1}/24", overlay=overlay,
                                mtu=topo.mtu, link_vms=len(roles),
                                append="init_on_free=1" if topo.poison else "")

    def env(self):
        e = dict(os.environ)
        e["HEXO_RUN"] = self.sockdir
        e["HEXO_TESTBED"] = os.path.join(config.TOP, "scripts", "testbed")
        e["HEXO_TOP"] = config.TOP
        # The MTU the VMs' eth0 booted with (checked at every boot).
        e["HEXO_MTU"] = str(self.topo.mtu or 1500)
        # Where the VMs' console logs are, for a host command to cite.
        e["HEXO_LOGS"] = self.rundir
        for name, v in self.vms.items():
            e[f"HEXO_{name.upper()}_MAC"] = v.mac
            e[f"HEXO_{name.upper()}_IP"] = v.ip.split("/")[0]
            e[f"HEXO_{name.upper()}_MEM"] = str(v.mem)
        return e

    def start(self):
        for v in self.vms.values():
            v.start()
        for v in self.vms.values():
            v.wait_ready()
            v.kernel_problems()   # boot noise is checked once, at the end

    def restart(self, name):
        v = self.vms[name]
        v.kill()
        v.start()
        v.wait_ready()

    def stop(self):
        for v in self.vms.values():
            v.shutdown()


def _print_block(lines, lock):
    with lock:
        for l in lines:
            print(l)
        sys.stdout.flush()


class Runner:
    def __init__(self, tally, verbose=False):
        self.tally = tally
        self.verbose = verbose
        self.lock = threading.Lock()
        self.rundir = config.new_rundir("check")
        self.n = 0

    def _report(self, test, output, result, secs):
        with self.lock:
            self.n += 1
            n = self.n
        lines = [f"# {test.label()}"]
        lines += ["#   " + l for l in output.rstrip("\n").splitlines()]
        for f in result.failures:
            lines.append(f"#   FAILED: {f}")
        verdict = "ok" if result.ok else "not ok"
        lines.append(f"{verdict} {n} {test.label()} ({result.passed} passed, "
                     f"{result.failed} failed, {result.skipped} skipped, {secs:.0f}s)")
        _print_block(lines, self.lock)
        self.tally.add(result)

    def _stream(self):
        return sys.stdout if self.verbose else None

    # ------------------------------------------------------------ host tests
    def run_host(self, test):
        d = os.path.join(config.TOP, "selftests", test.area)
        prog = os.path.join(d, test.argv[0])
        if not os.path.exists(prog):
            prog = os.path.join(config.BUILD, "host", test.area, test.argv[0])
        t0 = time.monotonic()
        try:
            p = subprocess.run([prog, *test.argv[1:]], cwd=d, capture_output=True,
                               text=True, timeout=test.timeout, errors="replace")
            out, status = p.stdout + p.stderr, p.returncode
            res = tap.parse(out, status, test.name)
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or "") if isinstance(e.stdout, str) else ""
            res = tap.parse(out, 0, test.name)
            res.add("fail", f"timed out after {test.timeout}s")
        except OSError as e:
            out, res = "", tap.Result(test.name)
            res.add("fail", f"cannot run {prog}: {e}")
        self._report(test, out, res, time.monotonic() - t0)

    # ------------------------------------------------------------- VM tests
    def run_in_vm(self, bed, vmname, test):
        v = bed.vms[vmname]
        cmd = (f"cd /hexo/selftests/{test.area} && "
               f"{'./' + shlex.quote(test.argv[0])} "
               + " ".join(shlex.quote(a) for a in test.argv[1:]))
        t0 = time.monotonic()
        broken = False
        try:
            status, out = v.run(cmd, timeout=test.timeout, out=self._stream())
            res = tap.parse(out, status, test.name)
        except (AgentTimeout, AgentError) as e:
            out, res = v.diagnose(), tap.Result(test.name)
            res.add("fail", str(e))
            broken = True
        self._kernel_check(v, res)
        self._report(test, out, res, time.monotonic() - t0)
        if broken or not res.ok:
            # Whatever the test left behind must not leak into the next one.
            bed.restart(vmname)

    def run_pair(self, bed, test):
        d = os.path.join(config.TOP, "selftests", test.area)
        t0 = time.monotonic()
        try:
            out, status = self._run_host_script(d, test, bed.env())
            res = tap.parse(out, status, test.name)
        except subprocess.TimeoutExpired as e:
            out, res = e.output or "", tap.Result(test.name)
            res.add("fail", f"timed out after {test.timeout}s")
            for v in bed.vms.values():
                out += f"\n--- {v.name}\n" + v.diagnose()
        for v in bed.vms.values():
            self._kernel_check(v, res)
        self._report(test, out, res, time.monotonic() - t0)
        if not res.ok or any(not v.alive() for v in bed.vms.values()):
            for name in bed.vms:
                bed.restart(name)

    def _run_host_script(self, d, test, env):
        p = subprocess.Popen([os.path.join(d, test.argv[0]), *test.argv[1:]], cwd=d,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, errors="replace", start_new_session=True)
        out = []

        def pump():
            for line in p.stdout:
                out.append(line)
                if self.verbose:
                    sys.stdout.write(line)
                    sys.stdout.flush()
        th = threading.Thread(target=pump, daemon=True)
        th.start()
        try:
            status = p.wait(timeout=test.timeout)
        except subprocess.TimeoutExpired as e:
            os.killpg(p.pid, 9)
            p.wait()
            th.join(5)
            e.output = "".join(out)
            raise
        except BaseException:
            # The testbed itself is stopping: the script (its own session)
            # must not outlive it.
            os.killpg(p.pid, 9)
            raise
        th.join(5)
        return "".join(out), status

    def _kernel_check(self, v, res):
        bad = v.kernel_problems()
        if bad:
            res.add("fail", f"{v.name} kernel log: " + " | ".join(bad[:5]))

    # ---------------------------------------------------------------- plan
    def run(self, tests):
        host = [t for t in tests if t.where == "host"]
        single = [t for t in tests if t.where in config.ARCHES]
        pair = [t for t in tests if t.where == "pair"]
        for t in host:
            self.run_host(t)
        if not single and not pair:
            return
        # Group the tests by topology: single-VM tests run in the VMs of
        # their group (the default one unless they ask for more).
        groups = {}
        default = Topology()
        groups[default.key()] = (default, [], [])
        for t in pair + single:
            topo = Topology(t.params)
            g = groups.setdefault(topo.key(), (topo, [], []))
            (g[1] if t.where == "pair" else g[2]).append(t)
        for key, (topo, ptests, st) in groups.items():
            if not st and not ptests:
                continue
            arches = {t.where for t in st}
            only_arch = None if ptests or len(arches) != 1 else arches.pop()
            self._run_group(topo, st, ptests, only_arch)

    def _run_group(self, topo, single, pair, only_arch):
        bed = Testbed(topo, self.rundir, only_arch)
        names = ", ".join(f"{n} ({v.arch}, {v.mem} MiB)" for n, v in bed.vms.items())
        if topo.mtu:
            names += f"; MTU {topo.mtu}"
        if topo.poison:
            names += "; freed memory zeroed (init_on_free=1)"
        log(f"testbed: booting {names}; logs in {os.path.relpath(self.rundir, config.TOP)}")
        try:
            try:
                bed.start()
            except (AgentError, AgentTimeout) as e:
                for t in single + pair:
                    res = tap.Result(t.name)
                    res.add("fail", f"testbed did not boot: {e}")
                    self._report(t, "", res, 0)
                return
            by_vm = {}
            for t in single:
                vmname = next(n for n, v in bed.vms.items() if v.arch == t.where)
                by_vm.setdefault(vmname, []).append(t)
            threads = [threading.Thread(target=self._run_list, args=(bed, n, ts))
                       for n, ts in by_vm.items()]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            for t in pair:
                self.run_pair(bed, t)
            # Anything the console caught that the per-test checks did not.
            for v in bed.vms.values():
                bad = v.kernel_problems()
                if bad:
                    res = tap.Result(f"{v.name} kernel log")
                    res.add("fail", " | ".join(bad[:5]))
                    self._report(Test("testbed", v.name, 0, [], ["kernel-log"], {}),
                                 "", res, 0)
        finally:
            bed.stop()

    def _run_list(self, bed, vmname, tests):
        for t in tests:
            self.run_in_vm(bed, vmname, t)

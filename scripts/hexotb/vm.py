# SPDX-License-Identifier: GPL-2.0
"""One QEMU VM of the testbed and the agent that runs commands in it.

The guest's /init (scripts/guest/init) reads "ID BASE64(command)" lines on the
virtio-serial port hexo.agent, streams the command's output back and ends it
with "@@HEXO-END ID STATUS@@". The port is a unix socket on the host; every
command opens its own connection, so a host-side test script can drive the
VM with `testbed exec` while the harness waits.
"""

import base64
import ctypes
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time

from . import config
from .initramfs import initrd_desc

# Kernel log lines that fail a run wherever they appear.
KERNEL_PROBLEMS = re.compile(
    r"(WARNING: CPU|------------\[ cut here \]|BUG:|kernel BUG|Oops|"
    r"Unable to handle kernel|general protection fault|"
    r"blocked for more than \d+ seconds|hung_task|"
    r"possible circular locking|possible recursive locking|lockdep|"
    r"KASAN|UBSAN|kmemleak|"
    r"soft lockup|hard LOCKUP|rcu_.* self-detected stall|rcu: INFO|"
    r"Kernel panic|list_(add|del) corruption|refcount_t: |"
    r"scheduling while atomic|sleeping function called from invalid context|"
    r"double free|use-after-free|page allocation failure|"
    # A transmit queue stuck for seconds: the VM is cut off its segment.
    r"NETDEV WATCHDOG|"
    # A process that crashed on x86_64 ("segfault at", "traps:"): the line
    # names the faulting address, which the unstripped static tools map to a
    # source line. arm64's "unhandled exception" is not one: it also names
    # the SIGBUS of a failed swap-in, which the Netswap tests provoke.
    r"segfault at |traps: )")

# Console lines that mean a boot went wrong even if the agent answers later:
# a root file system that did not unpack whole (the tests would run on part
# of it), no init, a panic.
BOOT_FAILURES = re.compile(
    r"(Initramfs unpacking failed|rootfs image is not initramfs|"
    r"Kernel panic|VFS: Unable to mount root|No working init found|"
    r"Failed to execute /init|Out of memory)")


def boot_failure(text):
    """The first console line in text that says the boot failed, or None."""
    for line in text.splitlines():
        if BOOT_FAILURES.search(line):
            return line.strip()
    return None


class AgentTimeout(Exception):
    pass


class AgentError(Exception):
    pass


class BootError(AgentError):
    """A VM that did not boot whole: its console said so, or QEMU ended."""


def agent_exec(sock_path, cmd, timeout, out=None):
    """Runs cmd in the VM behind sock_path. Streams its output to out (a
    writable text stream) if given; returns (status, output)."""
    cid = "%08x" % random.getrandbits(32)
    end = re.compile(r"@@HEXO-END %s (\d+)@@\n?" % cid)
    deadline = time.monotonic() + timeout
    # QEMU listens from its start: a refusal lasting seconds means it is gone.
    connect_by = time.monotonic() + min(timeout, 5)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        while True:
            try:
                s.connect(sock_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > connect_by:
                    raise AgentError(f"cannot connect to {sock_path}")
                time.sleep(0.1)
        try:
            s.sendall(f"{cid} {base64.b64encode(cmd.encode()).decode()}\n".encode())
        except OSError as e:
            raise AgentError(f"agent connection lost (VM gone?): {e}")
        buf = ""
        shown = 0
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AgentTimeout(f"no end of command after {timeout}s: {cmd[:80]}")
            s.settimeout(min(left, 1.0))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                continue
            except OSError as e:      # reset: QEMU went away
                raise AgentError(f"agent connection lost (VM gone?): {e}")
            if not chunk:
                raise AgentError("agent connection closed (VM gone?)")
            buf += chunk.decode(errors="replace")
            m = end.search(buf)
            if out is not None:
                # Stream what is certainly not part of the end marker.
                upto = m.start() if m else max(shown, len(buf) - 40)
                if upto > shown:
                    out.write(buf[shown:upto])
                    out.flush()
                    shown = upto
            if m:
                return int(m.group(1)), buf[:m.start()]
    finally:
        s.close()


class VM:
    """A QEMU VM. name is its role (server, board, board2, ...)."""

    def __init__(self, name, arch, rundir, sockdir, mem=512, smp=1, netdev=None,
                 mac=None, ip=None, overlay=None, append="", mtu=None, initrd=None,
                 link_vms=2):
        self.name, self.arch = name, arch
        self.a = config.ARCHES[arch]
        self.mem, self.smp = mem, smp
        self.netdev, self.mac, self.ip = netdev, mac, ip
        self.overlay, self.append = overlay, append
        # mtu: eth0's MTU, set by QEMU (host_mtu) and the guest's /init.
        self.mtu = mtu
        self.link_vms = link_vms    # VMs on its segment, itself included
        self.link_buf = None        # its link socket's receive buffer, bytes
        self.initrd = initrd or self.a["initramfs"]
        self.dtb = None
        self.rundir = rundir
        self.boots = 0
        self.console = None
        self.sock = os.path.join(sockdir, f"{name}.agent")
        self.diag_sock = os.path.join(sockdir, f"{name}.diag")
        self.qmp_sock = os.path.join(sockdir, f"{name}.qmp")
        self.proc = None
        self.log_seen = 0

    def cmdline(self):
        a = self.a
        append = (f"console={a['console']} panic=-1 loglevel=5 quiet "
                  f"hexo.name={self.name} {self.append}")
        if self.ip:
            append += f" hexo.ip={self.ip}"
        if self.mtu:
            append += f" hexo.mtu={self.mtu}"
        # maxcpus of 2 at least: QEMU's TCG compiles a guest's memory
        # barriers and atomics only when the machine may have a second vCPU
        # (CF_PARALLEL). With one, a guest's virtio_mb() between publishing
        # a transmit buffer and reading the device's avail_event is no
        # barrier against QEMU's own thread that empties the ring; a lost
        # kick then stopped a server's eth0 for good (NETDEV WATCHDOG, the
        # guest's avail index 238 ahead of what QEMU had read).
        smp = f"{self.smp},maxcpus={max(self.smp, 2)}"
        cmd = [a["qemu"], *a["machine"], "-m", str(self.mem), "-smp", smp,
               "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
               "-kernel", a["kernel"], "-initrd", self.initrd,
               "-append", append.strip(),
               "-serial", f"file:{self.console}",
               "-device", "virtio-rng-pci",
               "-device", "virtio-serial-pci,id=vser0",
               "-chardev", f"socket,id=agent,path={self.sock},server=on,wait=off",
               "-device", "virtserialport,bus=vser0.0,chardev=agent,name=hexo.agent",
               "-chardev", f"socket,id=diag,path={self.diag_sock},server=on,wait=off",
               "-device", "virtserialport,bus=vser0.0,chardev=diag,name=hexo.diag",
               "-qmp", f"unix:{self.qmp_sock},server=on,wait=off"]
        if self.dtb:
            cmd += ["-dtb", self.dtb]
        if self.netdev:
            # With a device-tree overlay naming it, the NIC sits on a
            # virtio-mmio transport (a DT node); otherwise on PCI.
            nic = (f"virtio-net-device,id=nic0,netdev=n0,mac={self.mac}" if self.overlay else
                   f"virtio-net-pci,id=nic0,netdev=n0,mac={self.mac},romfile=")
            if self.mtu:
                nic += f",host_mtu={self.mtu}"
            cmd += ["-netdev", f"{self.netdev},id=n0", "-device", nic]
        return cmd

    def _make_dtb(self):
        """The machine's own device tree with the overlay applied, the way a
        board's boot loader would apply it."""
        base = os.path.join(self.rundir, f"{self.name}.virt.dtb")
        self.dtb = os.path.join(self.rundir, f"{self.name}.dtb")
        m = list(self.a["machine"])
        m[m.index("-M") + 1] += f",dumpdtb={base}"
        subprocess.run([self.a["qemu"], *m, "-m", str(self.mem), "-smp", str(self.smp),
                        "-display", "none"], check=True, capture_output=True)
        subprocess.run(["fdtoverlay", "-i", base, "-o", self.dtb, self.overlay], check=True)

    def start(self):
        if self.overlay and not self.dtb:
            self._make_dtb()
        # Every boot keeps its own console log: name.console, name.2.console...
        self.boots += 1
        suffix = "" if self.boots == 1 else f".{self.boots}"
        self.console = os.path.join(self.rundir, f"{self.name}{suffix}.console")
        self.log_seen = 0
        for p in (self.sock, self.diag_sock, self.qmp_sock, self.console):
            if os.path.exists(p):
                os.unlink(p)
        self.proc = subprocess.Popen(self.cmdline(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=open(self.console + ".qemu", "w"),
                                     start_new_session=True)
        # For `testbed kill VM`: a test may pull the plug on a VM.
        with open(self.sock[:-len(".agent")] + ".pid", "w") as f:
            f.write(str(self.proc.pid))
        if self.netdev:
            try:
                self.link_buf = grow_link_buffer(self.proc.pid,
                                                 link_buffer(self.mtu, self.link_vms))
            except OSError as e:
                log(f"testbed: {self.name}: the link keeps the host's default buffer: {e}")

    def _console_text(self):
        try:
            with open(self.console, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def _boot_failed(self, line):
        """Stops the VM and raises BootError naming what failed, the
        initramfs's size and the VM's memory."""
        self.kill()
        raise BootError(f"{self.name}: boot failed: \"{line}\" ({initrd_desc(self.initrd)}; "
                        f"VM memory {self.mem} MiB); see {self.console}")

    def wait_ready(self, timeout=90):
        """Waits for the agent; a console line of BOOT_FAILURES (before or
        after the agent answers) fails the boot with BootError."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            exited = self.proc.poll() is not None
            line = boot_failure(self._console_text())
            if line:
                self._boot_failed(line)
            if exited:
                raise BootError(f"{self.name}: QEMU exited with {self.proc.returncode} "
                                f"during boot ({initrd_desc(self.initrd)}; VM memory "
                                f"{self.mem} MiB); see {self.console}")
            try:
                rc, out = agent_exec(self.sock, "echo ready", 5)
                if rc == 0 and "ready" in out:
                    # The kernel unpacks the initramfs before it runs /init:
                    # its complaints are on the console by now.
                    line = boot_failure(self._console_text())
                    if line:
                        self._boot_failed(line)
                    if self.mtu and self.netdev:
                        self._check_mtu()
                    return
            except (AgentError, AgentTimeout):
                time.sleep(0.2)
        raise AgentTimeout(f"{self.name}: not up after {timeout}s; see {self.console}")

    def _check_mtu(self):
        """eth0 has the MTU the testbed asked for, or the boot failed."""
        try:
            rc, out = agent_exec(self.sock, "cat /sys/class/net/eth0/mtu", 10)
        except (AgentError, AgentTimeout) as e:
            rc, out = 1, str(e)
        if rc != 0 or out.strip() != str(self.mtu):
            self.kill()
            raise BootError(f"{self.name}: eth0's MTU is {out.strip() or '?'}, not "
                            f"{self.mtu}; see {self.console}")

    def run(self, cmd, timeout=60, out=None):
        if self.proc.poll() is not None:
            raise AgentError(f"{self.name}: VM is not running")
        return agent_exec(self.sock, cmd, timeout, out)

    def diagnose(self):
        """What the VM is doing, from the diag port: for a command that hangs."""
        try:
            return agent_exec(self.diag_sock, "hexo-diag", 20)[1]
        except (AgentError, AgentTimeout) as e:
            return f"(no diagnostics: {e})"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kernel_problems(self):
        """Kernel-log problem lines since the last call: from the VM's dmesg
        when it answers, and from the console log in any case."""
        bad = []
        if self.alive():
            try:
                rc, out = self.run("dmesg -c", timeout=20)
                bad += [l for l in out.splitlines() if KERNEL_PROBLEMS.search(l)]
            except (AgentError, AgentTimeout) as e:
                bad.append(f"(dmesg unavailable: {e})")
        try:
            with open(self.console, errors="replace") as f:
                f.seek(self.log_seen)
                text = f.read()
                self.log_seen = f.tell()
            for l in text.splitlines():
                if KERNEL_PROBLEMS.search(l) and l not in bad:
                    bad.append(l)
        except FileNotFoundError:
            pass
        if any("NETDEV WATCHDOG" in l for l in bad):
            bad.append(f"(eth0's virtqueues as QEMU sees them: {self.dump_nic_queues()})")
        return bad

    def qmp(self, cmds, timeout=10):
        """Runs QMP commands [(name, arguments)...] on this VM's QEMU; their
        answers, in order (each a dict: "return" or "error")."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.qmp_sock)
            f = s.makefile("rw")
            json.loads(f.readline())            # the greeting
            out = []
            for name, args in [("qmp_capabilities", {})] + list(cmds):
                f.write(json.dumps({"execute": name, "arguments": args}) + "\n")
                f.flush()
                while True:
                    r = json.loads(f.readline())
                    if "event" not in r:
                        break
                out.append(r)
            return out[1:]
        finally:
            s.close()

    def dump_nic_queues(self):
        """The NIC's receive and transmit virtqueues, as QEMU sees them, into
        NAME.nic.json next to the console: for a transmit queue that stopped
        (which side holds the buffers). Returns that file, or why not."""
        path = "/machine/peripheral/nic0/virtio-backend"
        try:
            res = self.qmp([("x-query-virtio-status", {"path": path})] +
                           [("x-query-virtio-queue-status", {"path": path, "queue": q})
                            for q in (0, 1)] +
                           [("human-monitor-command", {"command-line": "info network"})])
        except (OSError, ValueError) as e:
            return f"QMP failed: {e}"
        dest = self.console + ".nic.json"
        with open(dest, "a") as f:
            json.dump({"time": time.time(), "answers": res}, f, indent=1)
            f.write("\n")
        return os.path.relpath(dest, config.TOP)

    def kill(self):
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()

    def shutdown(self, timeout=10):
        if self.alive():
            try:
                agent_exec(self.sock, "sync; poweroff -f", 3)
            except (AgentError, AgentTimeout):
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()


# The frames the link holds for a VM whose emulator is not reading (its
# guest's receive ring full, or its thread off the host's busy cores), as a
# NIC's receive ring holds a number of frames whatever their size. QEMU's
# UDP socket counts bytes instead: the host's default buffer held 92 frames
# of 1514 bytes but 12 of 9014, and fewer still on a multicast hub, whose
# sockets take every frame of the segment.
LINK_FRAMES = 256
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
SYS_PIDFD_GETFD = 438      # the same number on x86_64 and arm64


def link_buffer(mtu, vms=2):
    """Bytes of socket receive buffer that hold LINK_FRAMES frames of mtu
    for each VM on the segment but the reader: a UDP datagram on the host's
    loopback costs its buffer a power-of-two allocation over the frame and
    the skb's own overhead (2315 bytes for 1514, about 16.6 KiB for 9014,
    measured)."""
    frame = (mtu or 1500) + 14
    return LINK_FRAMES * max(vms - 1, 1) * ((1 << (frame + 400 - 1).bit_length()) + 512)


def _udp_inodes():
    inodes = set()
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            with open(table) as f:
                next(f)
                inodes.update(int(line.split()[9]) for line in f)
        except OSError:
            pass
    return inodes


def grow_link_buffer(pid, size, timeout=10):
    """Sets the receive buffer of QEMU process pid's UDP socket (its netdev:
    the only one it has) to size bytes, through a copy of its descriptor
    (pidfd_getfd, Linux 5.6; the socket is shared, so the buffer is QEMU's).
    Returns the buffer the socket has then (the kernel doubles what it is
    given), or raises OSError."""
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        end = time.time() + timeout
        while True:
            udp = _udp_inodes()
            fds = []
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    link = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if link.startswith("socket:[") and int(link[8:-1]) in udp:
                    fds.append(int(fd))
            if fds or time.time() > end:
                break
            time.sleep(0.05)    # QEMU makes its netdev before the guest runs
        if len(fds) != 1:
            raise OSError(f"QEMU {pid} has {len(fds)} UDP sockets, not its netdev's one")
        mine = libc.syscall(SYS_PIDFD_GETFD, pidfd, fds[0], 0)
        if mine < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")
        with socket.socket(fileno=mine) as s:
            try:
                s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, size // 2)
            except PermissionError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, size // 2)
            return s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
    finally:
        os.close(pidfd)


def free_udp_ports(n):
    """n consecutive-looking but independent free UDP ports on 127.0.0.1."""
    ports, socks = [], []
    try:
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def link_netdevs(count):
    """QEMU -netdev specs joining count VMs on one Ethernet segment: a
    point-to-point UDP pair for two, a multicast hub for more."""
    if count == 2:
        p, q = free_udp_ports(2)
        spec = ("dgram,local.type=inet,local.host=127.0.0.1,local.port=%d,"
                "remote.type=inet,remote.host=127.0.0.1,remote.port=%d")
        return [spec % (p, q), spec % (q, p)]
    port = free_udp_ports(1)[0]
    group = "239.255.%d.%d" % (random.randrange(256), random.randrange(1, 255))
    return [f"socket,mcast={group}:{port},localaddr=127.0.0.1"] * count


def log(msg):
    print(msg, file=sys.stderr, flush=True)

# SPDX-License-Identifier: GPL-2.0
"""Builds the testbed VMs' initramfs: busybox, the guest /init, Debian's
modules the tests need, HEXO's modules, tools and selftests.

Layout inside the VM:
  /init                       scripts/guest/init
  /bin/busybox + applets
  /lib/modules/KVER/kernel/   Debian modules (and what they depend on)
  /lib/modules/KVER/extra/    HEXO modules
  /hexo/bin/                  hexoctl and the test tools
  /hexo/selftests/AREA/       selftest scripts and programs
  /hexo/guest/                unikernel images (when built)

HEXO's modules and programs go in without their debug information (the
build tree keeps it), and the archive is gzip-compressed. What counts
against a VM's memory is the unpacked size, though: the kernel unpacks the
archive into a RAM file system (while the archive itself still sits in RAM),
and when that runs out it says "Initramfs unpacking failed: write error"
and boots the part it unpacked. So the build fails when the unpacked size is
above 1/UNPACKED_FRACTION of the smallest memory any test gives a VM of that
ISA (see smallest_mem).
"""

import gzip

import os
import re
import shutil
import stat
import subprocess

from . import config

# Debian modules the VMs load (their dependencies follow from modules.dep).
# veth and 8021q: the namespace and VLAN tests; pktgen: the benches' link;
# the benchmark's NVMe/TCP peer: on the server (x86_64) the target, nvmet
# and nvmet-tcp (configfs comes with them) over a brd RAM disk, on the
# board (arm64) the host, nvme-tcp with nvme-fabrics and nvme-core. hexo_link
# needs libcrc32c (modules.dep brings it), which needs a "crc32c" of the
# crypto API: crc32c-intel on x86_64, and the generic one.
DEBIAN_MODULES = {
    "x86_64": ["virtio_pci", "virtio_net", "virtio_console", "kvm-amd",
               "sch_netem", "nbd", "aoe", "zram", "virtio-rng", "veth", "8021q", "pktgen",
               "nvmet", "nvmet-tcp", "brd", "crc32c-intel", "crc32c_generic"],
    "arm64": ["virtio_pci", "virtio_mmio", "virtio_net", "virtio_console",
              "sch_netem", "nbd", "aoe", "zram", "virtio-rng", "veth", "8021q", "pktgen",
              "nvme-tcp", "nvme-fabrics", "nvme-core", "crc32c_generic"],
}


# Dynamically linked programs the VMs need, from the unpacked packages of
# their ISA or (x86_64) from this machine; their libraries and loader come
# along. tc sets up netem; ip (iproute2's: busybox's has no netns, veth or
# vlan) the namespace and VLAN tests' interfaces; vblade, nbd-server and
# nbd-client are the benchmark's AoE and NBD peers.
PROGRAMS = {
    "x86_64": ["/usr/sbin/tc", "/bin/ip", "/usr/sbin/vblade", "/bin/nbd-server"],
    "arm64": ["/sbin/tc", "/bin/ip", "/sbin/nbd-client"],
}
LIB_DIRS = {
    "x86_64": ["lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib"],
    "arm64": ["lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib"],
}


# The unpacked initramfs may take at most this fraction (1/N) of the smallest
# memory a VM of its ISA is given by a test.
UNPACKED_FRACTION = 4
MiB = 1 << 20


def _elf(path, flag):
    return subprocess.run(["readelf", flag, "-W", path], check=True, capture_output=True,
                          text=True).stdout


def _find(roots, rel):
    for root in roots:
        cand = os.path.join(root, rel.lstrip("/"))
        if os.path.exists(cand):
            return cand
    return None


def _copy_program(arch, roots, prog, stage):
    """Copies prog (a path in the first of roots that has it) with its loader
    and its libraries (searched in roots, in order)."""
    src = _find(roots, prog)
    if not src:
        raise SystemExit(f"initramfs: {prog} is in none of {roots} (run scripts/deps.sh)")
    # /hexo/bin comes first in PATH, ahead of busybox's applets of the same name.
    _copy(os.path.realpath(src), os.path.join(stage, "hexo", "bin", os.path.basename(prog)), 0o755)
    m = re.search(r"interpreter: (\S+)\]", _elf(src, "-l"))
    todo = [src]
    seen = set()
    if m:
        interp = m.group(1)
        _copy(os.path.realpath(_find(roots, interp)), os.path.join(stage, interp.lstrip("/")),
              0o755)
    while todo:
        for lib in re.findall(r"\(NEEDED\).*\[(.+)\]", _elf(todo.pop(), "-d")):
            if lib in seen:
                continue
            seen.add(lib)
            for d in LIB_DIRS[arch]:
                cand = _find(roots, os.path.join(d, lib))
                if cand:
                    _copy(os.path.realpath(cand), os.path.join(stage, d, lib), 0o755)
                    todo.append(cand)
                    break
            else:
                raise SystemExit(f"initramfs: {prog} needs {lib}, not found in {roots}")


def _modules_dep(root, kver):
    deps = {}
    with open(os.path.join(root, "lib", "modules", kver, "modules.dep")) as f:
        for line in f:
            mod, _, rest = line.partition(":")
            deps[mod] = rest.split()
    return deps


def _find_module(deps, name):
    want = {name + ".ko", name.replace("-", "_") + ".ko", name.replace("_", "-") + ".ko"}
    for path in deps:
        if os.path.basename(path) in want:
            return path
    raise SystemExit(f"initramfs: module {name} not found in Debian's modules.dep")


def _our_deps(kos):
    """The Debian modules that HEXO's modules need (libpoly1305: keyed sessions)."""
    ourselves = {os.path.basename(k)[:-3].replace("-", "_") for k in kos}
    need = []
    for ko in kos:
        out = subprocess.run(["modinfo", "-F", "depends", ko], check=True,
                             capture_output=True, text=True).stdout
        need += [m for m in out.strip().split(",")
                 if m and m.replace("-", "_") not in ourselves and m not in need]
    return need


def _closure(deps, names):
    todo = [_find_module(deps, n) for n in names]
    seen = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        todo.extend(deps.get(m, []))
    return sorted(seen)


def _copy(src, dst, mode=None):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    if mode is not None:
        os.chmod(dst, mode)


def _busybox_applets():
    # Debian ships the same busybox-static version for both ISAs, so the
    # host's applet list is the guest's.
    out = subprocess.run(["busybox", "--list-full"], check=True,
                         capture_output=True, text=True).stdout
    return [a for a in out.split() if a and not a.endswith("/busybox")]


def _strip_debug(arch, dirs):
    """Drops the debug information of the ELF files under dirs (HEXO's own
    modules and programs; the build tree keeps the originals)."""
    elves = []
    for d in dirs:
        for dirpath, _, filenames in os.walk(d):
            for n in filenames:
                path = os.path.join(dirpath, n)
                if os.path.islink(path):
                    continue
                with open(path, "rb") as f:
                    if f.read(4) == b"\x7fELF":
                        elves.append(path)
    if elves:
        subprocess.run([config.ARCHES[arch]["strip"], "--strip-debug", *elves], check=True)


def unpacked_size(path):
    """(bytes, entries): what the newc cpio archive(s) at path, gzip-compressed
    or not, take once unpacked into a RAM file system: every regular file in
    whole pages (inodes and directories not counted)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)     # every member: archives may be appended
    total = entries = pos = 0
    while pos + 110 <= len(data):
        if data[pos:pos + 4] == b"\0\0\0\0":   # padding between archives
            pos += 4
            continue
        if data[pos:pos + 6] != b"070701":
            raise ValueError(f"{path}: no cpio (newc) header at byte {pos}")
        mode = int(data[pos + 14:pos + 22], 16)
        size = int(data[pos + 54:pos + 62], 16)
        namesize = int(data[pos + 94:pos + 102], 16)
        name = data[pos + 110:pos + 110 + namesize - 1]
        pos = (pos + 110 + namesize + 3) & ~3
        pos = (pos + size + 3) & ~3
        if name == b"TRAILER!!!":
            continue
        entries += 1
        if stat.S_ISREG(mode):
            total += (size + 4095) & ~4095
    return total, entries


def initrd_desc(path):
    """"initramfs PATH: X MiB, Y MiB unpacked", for messages."""
    try:
        packed = os.path.getsize(path)
        unpacked = unpacked_size(path)[0]
    except (OSError, ValueError) as e:
        return f"initramfs {path}: size unknown ({e})"
    if path.startswith(config.TOP + os.sep):
        path = os.path.relpath(path, config.TOP)
    return (f"initramfs {path}: {packed / MiB:.1f} MiB, "
            f"{unpacked / MiB:.1f} MiB unpacked")


def smallest_mem(arch):
    """(MiB, where): the least memory any test of any suite gives a VM of
    arch, from the tests.txt files (single-VM tests run in the default
    topology)."""
    from .runner import Topology, load_tests   # runner imports this module
    role = "server" if arch == config.ROLE_ARCH["server"] else "board"
    least = None
    for suite in ("check", "soak", "bench"):
        for t in load_tests(suite):
            if t.where == "pair":
                topo = Topology(t.params)
            elif t.where == arch:
                topo = Topology()
            else:
                continue
            if role == "server":
                # server2, when there is one, may have less than the server.
                mem = min(topo.server_mem, topo.server2_mem or topo.server_mem)
            else:
                mem = topo.board_mem
            if least is None or mem < least[0]:
                least = (mem, t.label())
    return least or (Topology().board_mem if role == "board" else Topology().server_mem,
                     "the default topology")


def check_size(arch, path):
    """Fails (SystemExit) if the initramfs at path unpacks to more than
    1/UNPACKED_FRACTION of the smallest memory of a VM of arch; says its
    sizes otherwise."""
    mem, where = smallest_mem(arch)
    bound = mem * MiB // UNPACKED_FRACTION
    unpacked = unpacked_size(path)[0]
    msg = (f"{initrd_desc(path)}; bound {bound / MiB:.0f} MiB, 1/{UNPACKED_FRACTION} of "
           f"the smallest {arch} VM ({mem} MiB, {where})")
    if unpacked > bound:
        raise SystemExit(f"initramfs: too large: {msg}. Such a VM may fail to unpack it "
                         "(\"Initramfs unpacking failed: write error\"); leave something "
                         "out or give the VMs more memory")
    print(f"initramfs: {msg}")


def _write_cpio(stage, out):
    """Packs the staging tree as a gzip-compressed newc cpio, every file
    owned by root."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(stage):
        dirnames.sort()
        for n in sorted(dirnames) + sorted(filenames):
            entries.append(os.path.join(dirpath, n))
    ino = 1
    with gzip.GzipFile(out + ".tmp", "wb", compresslevel=6, mtime=0) as f:
        def put(name, mode, data, nlink=1):
            nonlocal ino
            nameb = name.encode() + b"\0"
            hdr = "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X" % (
                ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(nameb), 0)
            ino += 1
            f.write(hdr.encode() + nameb)
            f.write(b"\0" * ((4 - (110 + len(nameb)) % 4) % 4))
            f.write(data)
            f.write(b"\0" * ((4 - len(data) % 4) % 4))

        for path in entries:
            rel = os.path.relpath(path, stage)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                put(rel, stat.S_IFLNK | 0o777, os.readlink(path).encode())
            elif stat.S_ISDIR(st.st_mode):
                put(rel, stat.S_IFDIR | 0o755, b"", 2)
            else:
                with open(path, "rb") as src:
                    put(rel, stat.S_IFREG | (st.st_mode & 0o7777), src.read())
        put("TRAILER!!!", 0, b"")
    os.replace(out + ".tmp", out)


def build(arch, kmod=None, dest=None):
    """Builds the initramfs of arch at dest (build/A/initramfs.cpio.gz by
    default), with HEXO's modules from the directory kmod (the .ko files
    anywhere under it; build/A/kmod, make's, by default)."""
    a = config.ARCHES[arch]
    kver, root, out = a["kver"], a["root"], a["out"]
    dest = dest or a["initramfs"]
    stage = dest + ".d" if dest != a["initramfs"] else os.path.join(out, "initramfs.d")
    shutil.rmtree(stage, ignore_errors=True)
    for d in ["bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp",
              "run", "root", "etc", "mnt", "hexo/bin", "hexo/selftests",
              "hexo/guest", f"lib/modules/{kver}/extra"]:
        os.makedirs(os.path.join(stage, d), exist_ok=True)

    _copy(os.path.join(root, "bin", "busybox") if arch != "x86_64" else "/bin/busybox",
          os.path.join(stage, "bin", "busybox"), 0o755)
    for applet in _busybox_applets():
        link = os.path.join(stage, applet.lstrip("/"))
        if not os.path.lexists(link):
            os.makedirs(os.path.dirname(link), exist_ok=True)
            os.symlink("/bin/busybox", link)
    guest = os.path.join(config.TOP, "scripts", "guest")
    _copy(os.path.join(guest, "init"), os.path.join(stage, "init"), 0o755)
    for n in os.listdir(guest):
        if n != "init":
            _copy(os.path.join(guest, n), os.path.join(stage, "hexo", "bin", n), 0o755)
    with open(os.path.join(stage, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    with open(os.path.join(stage, "etc", "group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")

    deps = _modules_dep(root, kver)
    kmod = kmod or os.path.join(out, "kmod")
    ours = [os.path.join(d, n) for d, _, ns in os.walk(kmod) for n in ns if n.endswith(".ko")]
    for m in _closure(deps, DEBIAN_MODULES[arch] + _our_deps(ours)):
        _copy(os.path.join(root, "lib", "modules", kver, m),
              os.path.join(stage, "lib", "modules", kver, m))
    for f in ["modules.builtin", "modules.builtin.modinfo", "modules.order"]:
        src = os.path.join(root, "lib", "modules", kver, f)
        if os.path.exists(src):
            _copy(src, os.path.join(stage, "lib", "modules", kver, f))

    roots = [root, "/"] if arch == "x86_64" else [root]
    for prog in PROGRAMS[arch]:
        _copy_program(arch, roots, prog, stage)

    for ko in ours:
        _copy(ko, os.path.join(stage, "lib", "modules", kver, "extra", os.path.basename(ko)))
    subprocess.run(["depmod", "-b", stage, kver], check=True)

    for sub, dst in [("bin", "hexo/bin"), ("selftests", "hexo/selftests"),
                     ("guest", "hexo/guest")]:
        src = os.path.join(out, sub)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(stage, dst), dirs_exist_ok=True,
                            symlinks=True)
    # Selftest scripts run as they are in the source tree.
    st_src = os.path.join(config.TOP, "selftests")
    for dirpath, _, filenames in os.walk(st_src):
        for n in filenames:
            if n.endswith(".sh") or n.endswith(".txt"):
                rel = os.path.relpath(os.path.join(dirpath, n), st_src)
                _copy(os.path.join(dirpath, n),
                      os.path.join(stage, "hexo", "selftests", rel), 0o755)

    _strip_debug(arch, [os.path.join(stage, "lib", "modules", kver, "extra"),
                        os.path.join(stage, "hexo", "bin"),
                        os.path.join(stage, "hexo", "selftests")])
    _write_cpio(stage, dest)
    if dest != a["initramfs"]:
        shutil.rmtree(stage, ignore_errors=True)
    # The uncompressed archive of earlier builds.
    old = os.path.join(out, "initramfs.cpio")
    if os.path.exists(old):
        os.unlink(old)
    check_size(arch, dest)
    return dest

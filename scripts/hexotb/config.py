# SPDX-License-Identifier: GPL-2.0
"""Paths and per-ISA settings of the testbed."""

import os
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(TOP, "build")
DEPS = os.path.join(BUILD, "deps")


def new_rundir(kind):
    """A fresh directory under build/runs for one testbed run's logs (VM
    consoles, QEMU's stderr): kept after the run, so a failure can be read."""
    d = os.path.join(BUILD, "runs", time.strftime("%Y%m%d-%H%M%S-") +
                     f"{kind}-{os.getpid()}")
    os.makedirs(d, exist_ok=True)
    return d


def _kabi():
    with open(os.path.join(TOP, "scripts", "kernel.env")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("KABI="):
                return line.split("=", 1)[1]
    raise SystemExit("scripts/kernel.env does not set KABI")


KABI = _kabi()

# The two ISAs. "flavour" is Debian's kernel flavour name, "kver" the release
# string of its kernel (uname -r in the VM).
ARCHES = {
    "x86_64": {
        "flavour": "amd64",
        "qemu": "qemu-system-x86_64",
        # TCG with "max" exposes SVM: kvm_amd loads and /dev/kvm works nested.
        "machine": ["-M", "pc", "-accel", "tcg", "-cpu", "max"],
        # The uncompressed vmlinux boots through its PVH entry (no firmware).
        "kernel": os.path.join(DEPS, "root-x86_64", "vmlinux"),
        "console": "ttyS0",
        "strip": "strip",
    },
    "arm64": {
        "flavour": "arm64",
        "qemu": "qemu-system-aarch64",
        # virtualization=on gives EL2, so KVM runs nested; pauth-impdef keeps
        # "max" from being three times slower under TCG.
        "machine": ["-M", "virt,virtualization=on,gic-version=3", "-accel", "tcg",
                    "-cpu", "max,pauth-impdef=on"],
        "kernel": os.path.join(DEPS, "root-arm64", "boot", f"vmlinuz-{KABI}-arm64"),
        "console": "ttyAMA0",
        "strip": "aarch64-linux-gnu-strip",
    },
}

for _a, _c in ARCHES.items():
    _c["kver"] = f"{KABI}-{_c['flavour']}"
    _c["root"] = os.path.join(DEPS, f"root-{_a}")
    _c["out"] = os.path.join(BUILD, _a)
    # gzip-compressed: both kernels unpack gzip (CONFIG_RD_GZIP=y).
    _c["initramfs"] = os.path.join(BUILD, _a, "initramfs.cpio.gz")

# Which ISA plays which role by default.
ROLE_ARCH = {"server": "x86_64", "board": "arm64"}


def mac_for(index):
    """Stable MACs: 52:54:00:48:58:NN ("HX"), server 01, boards 02, 03, ...,
    then server2 (servers=2) after the last board."""
    return "52:54:00:48:58:%02x" % (index + 1)

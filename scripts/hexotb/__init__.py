# SPDX-License-Identifier: GPL-2.0
"""The HEXO testbed: QEMU VMs of both ISAs joined by a virtual Ethernet link.

config     where things are, what each ISA boots with
initramfs  the VMs' root file system
vm         one QEMU VM and its command agent
tap        TAP parsing and the run's tally
runner     test lists, scheduling, kernel-log checks
"""

# SPDX-License-Identifier: GPL-2.0
#
# AN EXAMPLE PROFILE. NOTHING IN THIS FILE WAS MEASURED.
#
# The numbers below are made up to show the format and to give hexosim
# and the unit tests something to run on. They are not HEXO's calibration
# and say nothing about how the project's kernels run on either ISA: the
# calibration (Documentation/policy.rst, "Calibration") is not built yet.
# A result computed from this file shows that the machinery works, not
# what offloading buys.
#
# Format (Documentation/policy.rst, "The profile"), one rate a line:
#
#   KERNEL CLASS ISA RATE [llc=REFS_PER_S] [mem=SIZE]
#
#   RATE     iterations per second of CPU time, as the guest counts them
#   ISA      x86_64 (the server), arm64 (a board), arm64+netswap (a board,
#            with part of the VM's memory in Netswap)
#   llc=     LLC references per second on the server (x86_64 lines only)
#   mem=     the VM's memory (hexovm --mem), the same on every line of a
#            kernel and class

# kernel class ISA            rate    extra
ep       A     x86_64         100     llc=2e5 mem=64M
ep       A     arm64          45
is       A     x86_64         50      llc=3e7 mem=128M
is       A     arm64          14
cg       A     x86_64         20      llc=6e7 mem=128M
cg       A     arm64          5.5
ra       256   x86_64         80      llc=9e7 mem=320M
ra       256   arm64          30
ra       256   arm64+netswap  9

# SPDX-License-Identifier: GPL-2.0
#
# HEXO: Heterogeneous EXecution Offloading.
#
#   make                  modules and tools for x86_64 (the server)
#   make ARCH=arm64       the same, cross-built for arm64 (the board)
#   make C=1 W=1          with sparse and the extra warnings
#   make check            every test, on both ISAs, in the QEMU testbed
#   make demo             boots the testbed and shows HEXO at work
#   make unit             the host-side tests only (unit tests, build checks)
#   make soak             the long runs (full-size swap, 20% loss, ...)
#   make bench-netswap    Netswap against the link, NVMe/TCP, NBD, AoE and zram
#   make bench-offload    hexo_kvm offloads: downtime and duration against size
#   make bench-calibrate  the policy's calibration: guest rates on both ISAs
#   make bench-policy     the policy live, and simulated: throughput, energy
#   make hexosim          the offload policy's simulator (build/host/bin/hexosim)
#   make deb              Debian packages (hexo-dkms, hexo-tools) in build/deb/
#   make help             more
#
# Outputs go to build/$(ARCH)/ (override with OUT=); the Debian kernel ABI is
# pinned in scripts/kernel.env.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
include $(TOP)/scripts/kernel.env
VERSION := $(shell cat $(TOP)/VERSION)
DEPS := $(TOP)/build/deps

ARCH ?= x86_64
ifeq ($(ARCH),x86_64)
  KDIR := /usr/src/linux-headers-$(KABI)-amd64
  CROSS_COMPILE :=
  SYSROOT :=
  LIBNL_CFLAGS := -I/usr/include/libnl3
  LIBNL_LDFLAGS :=
else ifeq ($(ARCH),arm64)
  SYSROOT := $(DEPS)/root-arm64
  KDIR := $(SYSROOT)/usr/src/linux-headers-$(KABI)-arm64
  CROSS_COMPILE := aarch64-linux-gnu-
  LIBNL_CFLAGS := -I$(SYSROOT)/usr/include/libnl3
  LIBNL_LDFLAGS := -L$(SYSROOT)/lib/aarch64-linux-gnu
else
  $(error ARCH=$(ARCH): HEXO builds for ARCH=x86_64 (the server) or ARCH=arm64 (the board))
endif

OUT ?= $(TOP)/build/$(ARCH)
TCC := $(CROSS_COMPILE)gcc
HOSTCC := gcc
HOST_OUT := $(TOP)/build/host

# User space is linked statically: the testbed VMs hold no C library.
USER_CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE \
	-Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes \
	-Wstrict-prototypes -Wno-unused-parameter \
	-I$(TOP)/include/uapi -I$(TOP)/user/lib -DHEXO_VERSION='"$(VERSION)"'
USER_LDFLAGS := -static
KSELFTEST_CFLAGS := -I$(DEPS)/ksrc/tools/testing/selftests

.PHONY: all deps modules user dtbs initramfs check unit demo bench-netswap bench-offload \
	bench-calibrate bench-policy soak \
	deb clean help FORCE

all: modules user dtbs

deps:
	@$(TOP)/scripts/deps.sh

# ---------------------------------------------------------------- modules
# Kbuild writes objects next to the sources, so each ISA builds in its own
# mirror of the source tree (mtimes kept, so builds stay incremental).
KMOD := $(OUT)/kmod
KBUILD_OUTPUTS := --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='.*.cmd' --exclude='modules.order' \
	--exclude='Module.symvers' --exclude='.*.d'

modules: deps
	@mkdir -p $(KMOD)
	@rsync -a --delete $(KBUILD_OUTPUTS) $(TOP)/Kbuild $(TOP)/VERSION \
		$(TOP)/kernel $(TOP)/include $(KMOD)/
	@rsync -a --delete --relative $(KBUILD_OUTPUTS) $(TOP)/./selftests/netswap/kmod $(KMOD)/
	$(MAKE) -C $(KDIR) M=$(KMOD) ARCH=$(ARCH) CROSS_COMPILE=$(CROSS_COMPILE) modules

# ---------------------------------------------------------------- user space
include $(TOP)/user/user.mk
include $(TOP)/guest/guest.mk
include $(TOP)/user/hexovm/hexovm.mk
include $(TOP)/user/policy/policy.mk
include $(TOP)/selftests/selftests.mk
include $(TOP)/Documentation/man.mk

user: deps $(USER_PROGS) $(SELFTEST_PROGS)

# ---------------------------------------------------------------- device tree
# Overlays are ISA-neutral: built once, into build/dts.
DTBOS := $(patsubst $(TOP)/dts/%.dts,$(TOP)/build/dts/%.dtbo,$(wildcard $(TOP)/dts/*.dts))

$(TOP)/build/dts/%.dtbo: $(TOP)/dts/%.dts
	@mkdir -p $(dir $@)
	dtc -q -@ -I dts -O dtb -o $@ $<

dtbs: $(DTBOS)

# ---------------------------------------------------------------- testbed
initramfs: all
	@$(TOP)/scripts/testbed initramfs --arch $(ARCH)

# Everything both ISAs need, then the tests. The summary line is the last.
check: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(MAKE) --no-print-directory unit-build
	@$(TOP)/scripts/testbed check --suite check $(if $(T),--only $(T))

# The long runs: full-size swap (3x RAM), 20% loss, the larger guest classes.
# Only those: the tests of make check are not run again (run both).
soak: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(MAKE) --no-print-directory unit-build
	@$(TOP)/scripts/testbed check --suite soak $(if $(T),--only $(T))

# Netswap against the link, NVMe/TCP, NBD, AoE and zram, in one testbed run; see
# Documentation/netswap-bench.rst. BENCH_MTU=9000 for jumbo frames.
# netswap-mirror in BENCH_DEVS (a mirrored device) boots a second server.
bench-netswap: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(TOP)/scripts/testbed pair --board-mem 256 --server-mem 2048 \
		$(if $(filter netswap-mirror,$(BENCH_DEVS)),--servers 2 )-- \
		$(TOP)/scripts/bench/netswap.sh

# hexo_kvm offloads of growing guests, post-copy and stop-and-copy, against
# the link; see Documentation/offload-bench.rst.
bench-offload: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(TOP)/scripts/testbed pair --board-mem 256 --server-mem 2048 -- \
		$(TOP)/scripts/bench/offload.sh

# The offload policy's calibration: EP, IS, CG and ra on the server, the
# board and the board with Netswap, into build/bench/calibration.profile;
# see Documentation/policy.rst, "The calibration".
bench-calibrate: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(MAKE) --no-print-directory hexocal
	@$(TOP)/scripts/testbed pair --board-mem 512 --server-mem 2048 -- \
		$(TOP)/scripts/bench/calibrate.sh

# The offload policy live in the testbed (one offload and one reclaim decided
# by the daemon, every job verified), then hexosim on the calibration
# profile: tables and a plot; see Documentation/policy.rst, "make
# bench-policy".
bench-policy: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(MAKE) --no-print-directory hexosim
	@$(TOP)/scripts/testbed pair -- $(TOP)/scripts/bench/policy.sh

demo: deps
	@$(MAKE) --no-print-directory ARCH=x86_64 initramfs
	@$(MAKE) --no-print-directory ARCH=arm64 initramfs
	@$(TOP)/scripts/demo.sh

unit: deps unit-build
	@$(TOP)/scripts/testbed check --suite check --only host

# hexo-dkms and hexo-tools (amd64, arm64) with debhelper and dh-dkms; see
# README.md, "Install on real machines".
deb: deps
	@nice -n 19 $(TOP)/scripts/deb.sh

clean:
	rm -rf $(TOP)/build/x86_64 $(TOP)/build/arm64 $(TOP)/build/host \
		$(TOP)/build/runs $(TOP)/build/warncheck-*

help:
	@sed -n '3,21p' $(TOP)/Makefile | sed 's/^# \{0,1\}//'
	@echo "Testbed: scripts/testbed --help   (one test in one VM: see README.md)"

# SPDX-License-Identifier: GPL-2.0
# The unikernel guests, included by the top-level Makefile.
#
# Both ISA builds of every application are made whatever ARCH is: they are
# a pair, and the build checks that their .data/.bss layouts are identical
# (scripts/guest-layout-check) before either may be used.
#
#   guest/rt/*.c, guest/rt/ISA/*  -> the runtime
#   guest/apps/APP.c              -> build/ISA/guest/APP.elf (with guest/apps/npb.c)

GUEST_ISAS := x86_64 arm64
GUEST_APPS := ep is cg ra spin
# Default outputs go to build/ISA/guest; a build with its own OUT= (the
# warnings check) keeps both ISAs' guests inside it.
guest_dir = $(if $(filter $(TOP)/build/$(ARCH),$(OUT)),$(TOP)/build/$(1)/guest,$(OUT)/guest-$(1))
# Build intermediates (linker script, check stamps) stay out of the
# directory that goes into the VMs.
guest_tmp = $(call guest_dir,$(1))-build

GUEST_CC_x86_64 := gcc
GUEST_CC_arm64 := aarch64-linux-gnu-gcc
# The ABI the applications share: the psABI's data alignment only (not
# x86's wider vectorizer alignment), no fused multiply-add, SSE2 / ARMv8.0.
GUEST_ARCH_CFLAGS_x86_64 := -march=x86-64 -mtune=generic -malign-data=abi -mno-red-zone
GUEST_ARCH_CFLAGS_arm64 := -march=armv8-a -mno-outline-atomics

# -fsigned-char: plain char is signed on x86_64 and unsigned on arm64 by
# default; migrated state must mean the same on both (hexo_rt.h asserts it).
GUEST_CFLAGS := -O2 -g -std=gnu11 -ffreestanding -nostdlib -fno-pic -fno-pie -fsigned-char \
	-fno-stack-protector -fno-common -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffp-contract=off -fno-math-errno \
	-fno-tree-loop-distribute-patterns -fno-strict-aliasing -fno-toplevel-reorder -fdata-sections \
	-Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter \
	-I$(TOP)/include/uapi -I$(TOP)/guest/rt
# --emit-relocs keeps the link's relocations in the ELF, for
# scripts/guest-layout-check to find pointers from migrated data to code.
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,-z,norelro -Wl,--emit-relocs

# Link order is layout: the same data-bearing objects in the same order on
# both ISAs. Per-ISA objects (start, trap) hold code only.
GUEST_RT := hypercall main console format alloc migrate string math
GUEST_RT_SRCS := $(patsubst %,$(TOP)/guest/rt/%.c,$(GUEST_RT))
GUEST_ISA_SRCS_x86_64 := $(TOP)/guest/rt/x86_64/start.S
GUEST_ISA_SRCS_arm64 := $(TOP)/guest/rt/arm64/start.S $(TOP)/guest/rt/arm64/trap.c
GUEST_HDRS := $(wildcard $(TOP)/guest/rt/*.h $(TOP)/guest/rt/*/*.h $(TOP)/guest/apps/*.h) \
	$(TOP)/include/uapi/hexo/guest.h

define guest_isa_rules
$(call guest_tmp,$(1))/guest.lds: $(TOP)/guest/guest.lds.S $(TOP)/include/uapi/hexo/guest.h
	@mkdir -p $$(dir $$@)
	$(GUEST_CC_$(1)) -E -P -x c -D__ASSEMBLY__ -I$(TOP)/include/uapi -o $$@ $$<

$(call guest_dir,$(1))/%.elf: $(TOP)/guest/apps/%.c $(TOP)/guest/apps/npb.c $(GUEST_RT_SRCS) \
		$(GUEST_ISA_SRCS_$(1)) $(GUEST_HDRS) $(call guest_tmp,$(1))/guest.lds $(TOP)/guest/guest.mk
	@mkdir -p $$(dir $$@)
	$(GUEST_CC_$(1)) $(GUEST_CFLAGS) $(GUEST_ARCH_CFLAGS_$(1)) -I$(TOP)/guest/rt/$(1) \
		-I$(TOP)/guest/apps $(GUEST_LDFLAGS) -T $(call guest_tmp,$(1))/guest.lds -o $$@ \
		$(GUEST_ISA_SRCS_$(1)) $(GUEST_RT_SRCS) $(TOP)/guest/apps/npb.c $$< -lgcc
endef
$(foreach isa,$(GUEST_ISAS),$(eval $(call guest_isa_rules,$(isa))))

# The aligned-layout check of each pair, remembered in a stamp.
$(call guest_tmp,x86_64)/%.layout-ok: $(call guest_dir,x86_64)/%.elf $(call guest_dir,arm64)/%.elf \
		$(TOP)/scripts/guest-layout-check
	$(TOP)/scripts/guest-layout-check $(filter %.elf,$^)
	@mkdir -p $(dir $@)
	@touch $@

GUEST_ELFS := $(foreach isa,$(GUEST_ISAS),$(patsubst %,$(call guest_dir,$(isa))/%.elf,$(GUEST_APPS)))
GUEST_CHECKS := $(patsubst %,$(call guest_tmp,x86_64)/%.layout-ok,$(GUEST_APPS))

.PHONY: guest
guest: $(GUEST_ELFS) $(GUEST_CHECKS)
USER_PROGS += $(GUEST_ELFS) $(GUEST_CHECKS)

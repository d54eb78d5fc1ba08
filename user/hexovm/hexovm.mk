# SPDX-License-Identifier: GPL-2.0
# hexovm, the unikernel VMM, included by the top-level Makefile.

HEXOVM_SRCS := $(addprefix $(TOP)/user/hexovm/,main.c kvm.c elf.c hypercall.c migrate.c \
	image.c $(ARCH).c) $(TOP)/user/lib/parse.c $(TOP)/user/lib/crc32c.c
HEXOVM_HDRS := $(wildcard $(TOP)/user/hexovm/*.h) $(HXLIB_HDRS)

$(OUT)/bin/hexovm: $(HEXOVM_SRCS) $(HEXOVM_HDRS)
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) -I$(TOP)/user/hexovm -o $@ $(HEXOVM_SRCS) $(USER_LDFLAGS)

USER_PROGS += $(OUT)/bin/hexovm

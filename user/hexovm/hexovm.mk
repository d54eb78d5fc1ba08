# SPDX-License-Identifier: GPL-2.0
# hexovm, the unikernel VMM, included by the top-level Makefile.

HEXOVM_SRCS := $(addprefix $(TOP)/user/hexovm/,main.c kvm.c elf.c hypercall.c migrate.c \
	image.c link.c postcopy.c $(ARCH).c) $(TOP)/user/lib/parse.c $(TOP)/user/lib/crc32c.c \
	$(TOP)/user/lib/err.c $(TOP)/user/lib/hxnl.c $(TOP)/user/lib/static_shims.c
HEXOVM_HDRS := $(wildcard $(TOP)/user/hexovm/*.h) $(HXLIB_HDRS)

$(OUT)/bin/hexovm: $(HEXOVM_SRCS) $(HEXOVM_HDRS)
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) $(LIBNL_CFLAGS) -I$(TOP)/user/hexovm -o $@ $(HEXOVM_SRCS) \
		$(USER_LDFLAGS) $(LIBNL_LIBS)

USER_PROGS += $(OUT)/bin/hexovm

# The image format's host unit test links the very code hexovm uses.
HEXOVM_IMAGE_SRCS := $(TOP)/user/hexovm/image.c $(TOP)/user/lib/crc32c.c
$(HOST_OUT)/unit/image_test: $(TOP)/selftests/unit/image_test.c $(HEXOVM_IMAGE_SRCS) $(HEXOVM_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/user/hexovm $(KSELFTEST_CFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(HEXOVM_IMAGE_SRCS)

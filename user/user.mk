# SPDX-License-Identifier: GPL-2.0
# User-space programs, included by the top-level Makefile (TCC, OUT, flags).

HXLIB_SRCS := $(addprefix $(TOP)/user/lib/,err.c hxnl.c out.c parse.c static_shims.c)
HXLIB_HDRS := $(wildcard $(TOP)/user/lib/*.h) $(wildcard $(TOP)/include/uapi/hexo/*.h)
LIBNL_LIBS := $(LIBNL_LDFLAGS) -lnl-genl-3 -lnl-3 -lpthread -lm

# The offload policy's pure code (user/policy/policy.mk): hexoctl's daemon
# runs it, as hexosim and the unit tests do.
HXP_PURE_SRCS := $(addprefix $(TOP)/user/policy/,model.c decide.c baseline.c work.c profile.c \
	text.c conf.c rand.c)

HEXOCTL_SRCS := $(wildcard $(TOP)/user/hexoctl/*.c)
$(OUT)/bin/hexoctl: $(HEXOCTL_SRCS) $(HXLIB_SRCS) $(HXLIB_HDRS) $(wildcard $(TOP)/user/hexoctl/*.h) \
		$(HXP_PURE_SRCS) $(wildcard $(TOP)/user/policy/*.h)
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) $(LIBNL_CFLAGS) -I$(TOP)/user/hexoctl -I$(TOP)/user/policy -o $@ \
		$(HEXOCTL_SRCS) $(HXP_PURE_SRCS) $(HXLIB_SRCS) $(USER_LDFLAGS) $(LIBNL_LIBS)

USER_PROGS := $(OUT)/bin/hexoctl

# Protocol code shared with the kernel (kernel/link/proto.c), built in user space.
PROTO_SRCS := $(TOP)/kernel/link/proto.c $(TOP)/user/lib/crc32c.c
PROTO_CFLAGS := -I$(TOP)/kernel/link

HEXOLINK_SRCS := $(addprefix $(TOP)/user/hexolink/,hexolink.c frame.c measure.c bulk.c forge.c) \
	$(TOP)/user/lib/err.c $(TOP)/user/lib/parse.c
$(OUT)/bin/hexolink: $(HEXOLINK_SRCS) $(PROTO_SRCS) $(HXLIB_HDRS) $(TOP)/kernel/link/proto.h \
		$(TOP)/user/hexolink/hexolink.h
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) $(PROTO_CFLAGS) -o $@ $(HEXOLINK_SRCS) $(PROTO_SRCS) $(USER_LDFLAGS)

USER_PROGS += $(OUT)/bin/hexolink

# The boot-time commands of hexo-netswap.service and hexo-serve.service
# (user/boot/), in /hexo/bin for the testbed's test of them.
$(OUT)/bin/hexo-netswap $(OUT)/bin/hexo-serve: $(OUT)/bin/%: $(TOP)/user/boot/%
	@mkdir -p $(dir $@)
	install -m 0755 $< $@

USER_PROGS += $(OUT)/bin/hexo-netswap $(OUT)/bin/hexo-serve

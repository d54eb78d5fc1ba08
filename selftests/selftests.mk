# SPDX-License-Identifier: GPL-2.0
# Selftest programs, included by the top-level Makefile.
#
# selftests/AREA/NAME.c            -> build/ARCH/selftests/AREA/NAME  (runs in the VMs)
# selftests/unit/NAME.c            -> build/host/unit/NAME            (runs on the host)
# A C selftest may use kselftest_harness.h, libnl and user/lib.

SELFTEST_C := $(filter-out $(TOP)/selftests/unit/%,$(wildcard $(TOP)/selftests/*/*.c))
SELFTEST_PROGS := $(patsubst $(TOP)/selftests/%.c,$(OUT)/selftests/%,$(SELFTEST_C))

$(OUT)/selftests/%: $(TOP)/selftests/%.c $(HXLIB_SRCS) $(HXLIB_HDRS) $(wildcard $(TOP)/selftests/lib/*.h)
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) $(LIBNL_CFLAGS) $(KSELFTEST_CFLAGS) -I$(TOP)/selftests/lib \
		-Wno-missing-prototypes -o $@ $< $(HXLIB_SRCS) $(USER_LDFLAGS) $(LIBNL_LIBS)

UNIT_C := $(wildcard $(TOP)/selftests/unit/*.c)
UNIT_PROGS := $(patsubst $(TOP)/selftests/unit/%.c,$(HOST_OUT)/unit/%,$(UNIT_C))

# Unit tests link the very code they test: the kernel's protocol logic and
# the tools' libraries.
UNIT_LINK := $(PROTO_SRCS) $(TOP)/user/lib/parse.c
$(HOST_OUT)/unit/%: $(TOP)/selftests/unit/%.c $(UNIT_LINK) $(HXLIB_HDRS) $(TOP)/kernel/link/proto.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) $(PROTO_CFLAGS) $(KSELFTEST_CFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(UNIT_LINK)

# hexoctl stats' metrics with the output layer they are a sink of; no netlink.
METRICS_SRCS := $(TOP)/user/hexoctl/metrics.c $(TOP)/user/lib/out.c
$(HOST_OUT)/unit/metrics_test: $(TOP)/selftests/unit/metrics_test.c $(METRICS_SRCS) \
		$(TOP)/user/hexoctl/metrics.h $(HXLIB_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/user/hexoctl $(KSELFTEST_CFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(METRICS_SRCS)

# A mirrored netswap device's pure logic, as netswap.ko builds it.
REPLICA_SRCS := $(TOP)/kernel/netswap/replica.c
$(HOST_OUT)/unit/replica_test: $(TOP)/selftests/unit/replica_test.c $(REPLICA_SRCS) \
		$(TOP)/kernel/netswap/replica.h $(HXLIB_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/kernel/netswap $(KSELFTEST_CFLAGS) -Wno-missing-prototypes \
		-o $@ $< $(REPLICA_SRCS)

# The policy daemon's counter reader, with the code it tests (in the VMs:
# their kernels' perf events, as the daemon meets them).
PMU_SRCS := $(TOP)/user/hexoctl/pmu.c
$(OUT)/selftests/hexoctl/pmu_test: $(TOP)/selftests/hexoctl/pmu_test.c $(PMU_SRCS) \
		$(TOP)/user/hexoctl/pmu.h $(wildcard $(TOP)/selftests/lib/*.h)
	@mkdir -p $(dir $@)
	$(TCC) $(USER_CFLAGS) $(KSELFTEST_CFLAGS) -I$(TOP)/selftests/lib -I$(TOP)/user/hexoctl \
		-Wno-missing-prototypes -o $@ $< $(PMU_SRCS) $(USER_LDFLAGS)

.PHONY: unit-build
unit-build: $(UNIT_PROGS)

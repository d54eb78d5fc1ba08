# SPDX-License-Identifier: GPL-2.0
# The offload policy (Documentation/policy.rst), included by the top-level
# Makefile: its pure code, the simulator hexosim (a host program) and the
# unit tests that link the very same code.

HXP_SRCS := $(HXP_PURE_SRCS) $(TOP)/user/lib/parse.c
HXP_SIM_SRCS := $(HXP_SRCS) $(addprefix $(TOP)/user/policy/,sim.c offcost.c)
HXP_HDRS := $(wildcard $(TOP)/user/policy/*.h) $(HXLIB_HDRS)

$(HOST_OUT)/bin/hexosim: $(TOP)/user/policy/hexosim.c $(HXP_SIM_SRCS) $(HXP_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/user/policy -o $@ $< $(HXP_SIM_SRCS) -lm

$(HOST_OUT)/unit/policy_test $(HOST_OUT)/unit/profile_test $(HOST_OUT)/unit/sim_test \
		$(HOST_OUT)/unit/conf_test: \
		$(HOST_OUT)/unit/%: $(TOP)/selftests/unit/%.c $(HXP_SIM_SRCS) $(HXP_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/user/policy $(KSELFTEST_CFLAGS) \
		-Wno-missing-prototypes -o $@ $< $(HXP_SIM_SRCS) -lm

# hexocal: the calibration's rounds to a profile, with the prediction errors.
$(HOST_OUT)/bin/hexocal: $(TOP)/user/policy/hexocal.c $(HXP_SRCS) $(HXP_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(USER_CFLAGS) -I$(TOP)/user/policy -o $@ $< $(HXP_SRCS) -lm

.PHONY: hexosim hexocal
hexosim: $(HOST_OUT)/bin/hexosim
hexocal: $(HOST_OUT)/bin/hexocal

unit-build: $(HOST_OUT)/bin/hexosim $(HOST_OUT)/bin/hexocal

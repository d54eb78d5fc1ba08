# SPDX-License-Identifier: GPL-2.0
# Man pages, included by the top-level Makefile: rst2man (python3-docutils)
# turns the RST of Documentation/ into them, so a page and its document are
# one source. `make man` leaves them in build/man/.

MAN_OUT ?= $(TOP)/build/man
MAN_PAGES := $(MAN_OUT)/hexoctl.8 $(MAN_OUT)/hexovm.1 $(MAN_OUT)/hexolink.8

# Any docutils warning (a broken table, a bad reference) fails the build.
$(MAN_OUT)/%.8 $(MAN_OUT)/%.1: $(TOP)/Documentation/%.rst
	@mkdir -p $(dir $@)
	rst2man --halt=warning --no-generator --no-datestamp $< $@

.PHONY: man
man: $(MAN_PAGES)

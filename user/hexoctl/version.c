// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl version: the versions of hexoctl and of each HEXO module that is
 * loaded, with each module's state in one line. Loads nothing.
 */
#include <string.h>

#include "hexoctl.h"
#include "modules.h"
#include "out.h"

static void version_usage(FILE *f)
{
	fprintf(f, "Usage: hexoctl version\n"
		   "Shows hexoctl's version and, for each HEXO module, whether it is\n"
		   "loaded, its version and its state. It loads no module.\n");
}

int do_version(int argc, char **argv)
{
	const struct hexoctl_module *m;
	int ret = 0;

	if (argc > 0) {
		if (matches(argv[0], "help")) {
			version_usage(stdout);
			return 0;
		}
		return hexoctl_usage_err("version", "unexpected '%s'", argv[0]);
	}
	out_obj_begin(NULL);
	out_str("hexoctl", "hexoctl %s\n", HEXO_VERSION);
	out_arr_begin("modules");
	for (m = hexoctl_modules; m->module; m++) {
		struct hxnl nl;
		bool loaded;
		int err;

		err = hxnl_family_registered(m->family, &loaded);
		if (err) {
			hexoctl_err("cannot list generic netlink families: %s", strerror(-err));
			ret = HEXOCTL_EFAIL;
			break;
		}
		out_obj_begin(NULL);
		out_str("module", "%-14s", m->module);
		out_bool("loaded", NULL, loaded);
		if (!loaded) {
			out_text("not loaded\n");
			out_obj_end();
			continue;
		}
		err = hxnl_open(&nl, m->family);
		if (!err) {
			err = m->info(&nl);
			hxnl_close(&nl);
		}
		if (err) {
			out_text("\n");
			hexoctl_nl_fail(&nl, m->module, err);
			ret = HEXOCTL_EFAIL;
		}
		out_obj_end();
	}
	out_arr_end();
	out_obj_end();
	return ret;
}

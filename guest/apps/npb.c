// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the guest applications (guest/apps/npb.h). */
#include "npb.h"

/* Per-run timing: each ISA measures its own part, so it is not migrated. */
static uint64_t npb_t0 __hexo_local;

char npb_class(int argc, char **argv, const char *allowed)
{
	const char *c = argc > 1 ? argv[1] : "S";

	if (!strncmp(c, "class=", 6))
		c += 6;
	if (!c[0] || c[1])
		return 0;
	for (; *allowed; allowed++)
		if (*allowed == c[0])
			return c[0];
	return 0;
}

void npb_banner(const char *app, char cls, const char *what)
{
	npb_t0 = hexo_time_ns();
	hexo_printf("%s: class %c, %s, on %s\n", app, cls, what, hexo_isa_name());
}

void npb_resumed(const char *app, const char *where)
{
	npb_t0 = hexo_time_ns();
	hexo_printf("%s: resumed on %s from %s (migration %u) %s\n", app, hexo_isa_name(),
		    hexo_resumed_from(), hexo_migrations(), where);
}

void npb_report(const char *app, char cls, uint64_t digest, bool verified)
{
	uint64_t ns = hexo_time_ns() - npb_t0;

	hexo_printf("%s: %llu.%03llu s on %s\n", app, (unsigned long long)(ns / 1000000000),
		    (unsigned long long)(ns / 1000000 % 1000), hexo_isa_name());
	hexo_printf("%s: result %016llx\n", app, (unsigned long long)digest);
	hexo_printf("%s: class %c verification %s\n", app, cls,
		    verified ? "SUCCESSFUL" : "FAILED");
}

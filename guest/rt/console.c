// SPDX-License-Identifier: GPL-2.0
/* The console: formatted output, one hypercall per call. */
#include <hexo/guest.h>

#include "hexo_rt.h"

void hexo_console_write(const char *s, size_t len)
{
	while (len) {
		size_t n = len < HEXO_CONSOLE_MAX ? len : HEXO_CONSOLE_MAX;
		int64_t done = hexo_hypercall(HEXO_HC_CONSOLE, (uintptr_t)s, n);

		if (done <= 0)
			return;
		s += done;
		len -= done;
	}
}

int hexo_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = hexo_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hexo_console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

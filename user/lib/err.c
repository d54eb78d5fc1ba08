// SPDX-License-Identifier: GPL-2.0
/*
 * The tools' one error printer (err.h). A program's own hx_prog replaces
 * this weak one at link time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"

__attribute__((weak)) const char hx_prog[] = "hexo";

void hx_verr(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", hx_prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void hx_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hx_verr(fmt, ap);
	va_end(ap);
}

void hx_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hx_verr(fmt, ap);
	va_end(ap);
	exit(1);
}

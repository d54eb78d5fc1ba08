/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tools' one error printer: "PROG: what went wrong; what to do" on
 * stderr, PROG being the program's name. hxnl_fail() (hxnl.h) is its
 * netlink counterpart, with the kernel's explanation.
 */
#ifndef _HX_ERR_H
#define _HX_ERR_H

#include <stdarg.h>

/*
 * Each program names itself once: const char hx_prog[] = "hexoctl"; code
 * linked without a name (the selftests) prints "hexo".
 */
extern const char hx_prog[];

void hx_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hx_verr(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* hx_err(), then exit(1). */
void hx_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif /* _HX_ERR_H */

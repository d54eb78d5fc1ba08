/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HEXO guest runtime: what an application sees. Freestanding C, no libc;
 * the same API and the same data layout on x86_64 and arm64.
 *
 * An application defines its entry points with HEXO_APP(), keeps everything
 * that must survive a migration in .data/.bss or on the heap (never a code
 * address, never a pointer into the stack or .rodata: Documentation/
 * guest.rst lists the rules), registers that state with
 * hexo_migration_state() and calls hexo_migration_point() where nothing
 * but that state is live.
 */
#ifndef _HEXO_RT_H
#define _HEXO_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Migrated state means the same on both ISAs: plain char is signed on both. */
_Static_assert((char)-1 < 0, "build HEXO guests with -fsigned-char (guest/guest.mk)");

struct hexo_app {
	const char *name;
	/* A fresh start: argv from hexovm's command line. */
	int (*main)(int argc, char **argv);
	/* Carry on from migration point `point`; the state is in memory. */
	int (*resume)(uint32_t point);
};

#define HEXO_APP(n, m, r) \
	const struct hexo_app hexo_app = { .name = (n), .main = (m), .resume = (r) }

/* Variables that belong to one ISA and are never migrated. */
#define __hexo_local __attribute__((section(".hexo_local")))

/* Exit statuses of the runtime itself (applications use 0 and 1). */
#define HEXO_EXIT_PANIC		125
#define HEXO_EXIT_TRAP		126

/* Console. */
int hexo_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int hexo_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int hexo_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void hexo_console_write(const char *s, size_t len);

void hexo_exit(int status) __attribute__((noreturn));
void hexo_panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* Memory: first fit over the heap, 16-byte aligned; NULL when out of memory. */
void *hexo_malloc(size_t size);
void *hexo_calloc(size_t n, size_t size);
void hexo_free(void *p);
/* Allocates or panics: for applications that cannot do without. */
void *hexo_xcalloc(size_t n, size_t size);

/* Time: the host's monotonic clock (same meaning on both ISAs) and the
 * ISA's own cycle counter (for local measurements only).
 */
uint64_t hexo_time_ns(void);
uint64_t hexo_cycles(void);

/* Migration. */
void hexo_migration_state(void *state, size_t size);
/*
 * Returns at once unless the VMM asked for a migration. If it did, records
 * (point, state) as the continuation and stops the guest: on this ISA the
 * call does not return, and the other ISA's build carries on with
 * hexo_app.resume(point). Returns if the VMM could not take the checkpoint.
 */
void hexo_migration_point(uint32_t point);
/* Where this run came from: 0 if started fresh, else the ISA it left. */
const char *hexo_resumed_from(void);
uint32_t hexo_migrations(void);
const char *hexo_isa_name(void);

/* Strings and memory (the compiler may call these by name). */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Decimal or 0x-hex; false unless the whole string is a number. */
bool hexo_parse_u64(const char *s, uint64_t *out);

/* Mathematics: the same code, so the same bits, on both ISAs. */
double hexo_fabs(double x);
double hexo_sqrt(double x);
double hexo_log(double x);
double hexo_exp(double x);
double hexo_pow(double x, double y);
/* The bits of a double, for results that must match exactly. */
uint64_t hexo_double_bits(double x);

/* Internal: hypercalls, entry from start.S. */
int64_t hexo_hypercall(uint32_t nr, uint64_t a0, uint64_t a1);
void hexo_rt_start(void) __attribute__((noreturn));
void hexo_heap_init(void);

#endif /* _HEXO_RT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * out: one printing interface for text and JSON output, in the manner of
 * iproute2's print_*(): each value names its JSON key and its text format,
 * and the mode chosen by -j decides which is used. A third mode hands the
 * values, with their keys and nesting, to a program's own callbacks instead
 * (hexoctl stats makes metrics of what the show commands print).
 */
#ifndef _HEXO_OUT_H
#define _HEXO_OUT_H

#include <stdbool.h>
#include <stdint.h>

void out_init(bool json, bool pretty);
bool out_json(void);

enum out_kind { OUT_STR, OUT_U64, OUT_BOOL };

/*
 * The callbacks of the third mode: open and close bracket an object (array
 * false) or an array, key as for out_obj_begin(); value gets each value, its
 * string in s (OUT_STR) or its number in n (OUT_U64, OUT_BOOL: 0 or 1). Text
 * goes nowhere.
 */
struct out_sink {
	void (*open)(void *ctx, const char *key, bool array);
	void (*close)(void *ctx);
	void (*value)(void *ctx, const char *key, enum out_kind kind, const char *s, uint64_t n);
	void *ctx;
};

/* Sends everything to sink until the next out_init(); NULL: back to text. */
void out_init_sink(const struct out_sink *sink);
/* Flushes the JSON document (if any); call once at the end. */
void out_finish(void);

/* Objects and arrays; key is NULL inside arrays and at the top level. */
void out_obj_begin(const char *key);
void out_obj_end(void);
void out_arr_begin(const char *key);
void out_arr_end(void);

/* A value: in JSON "key": value, in text printf(fmt, value); fmt may be NULL. */
void out_str(const char *key, const char *fmt, const char *val);
void out_u64(const char *key, const char *fmt, uint64_t val);
void out_bool(const char *key, const char *fmt, bool val);
/* Text-only output (skipped in JSON mode). */
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* _HEXO_OUT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * out: one printing interface for text and JSON output, in the manner of
 * iproute2's print_*(): each value names its JSON key and its text format,
 * and the mode chosen by -j decides which is used.
 */
#ifndef _HEXO_OUT_H
#define _HEXO_OUT_H

#include <stdbool.h>
#include <stdint.h>

void out_init(bool json, bool pretty);
bool out_json(void);
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

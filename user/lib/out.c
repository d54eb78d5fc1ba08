// SPDX-License-Identifier: GPL-2.0
/*
 * Text and JSON output with one call per value, or the values handed to a
 * sink. The JSON writer tracks nesting to place commas; strings are escaped
 * per RFC 8259.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

/* Formats come from this program's own call sites. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

#define OUT_MAX_DEPTH 16

static bool json_mode, json_pretty;
static int depth;
static bool need_comma[OUT_MAX_DEPTH];
static const struct out_sink *sink;

void out_init(bool json, bool pretty)
{
	json_mode = json;
	json_pretty = pretty;
	depth = 0;
	memset(need_comma, 0, sizeof(need_comma));
	sink = NULL;
}

void out_init_sink(const struct out_sink *s)
{
	out_init(false, false);
	sink = s;
}

bool out_json(void)
{
	return json_mode;
}

static void json_indent(void)
{
	if (!json_pretty)
		return;
	putchar('\n');
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		switch (c) {
		case '"':  fputs("\\\"", stdout); break;
		case '\\': fputs("\\\\", stdout); break;
		case '\n': fputs("\\n", stdout); break;
		case '\t': fputs("\\t", stdout); break;
		case '\r': fputs("\\r", stdout); break;
		default:
			if (c < 0x20)
				printf("\\u%04x", c);
			else
				putchar(c);
		}
	}
	putchar('"');
}

static void json_key(const char *key)
{
	if (depth > 0 && need_comma[depth])
		putchar(',');
	if (depth > 0)
		need_comma[depth] = true;
	if (depth > 0)
		json_indent();
	if (key) {
		json_string(key);
		fputs(json_pretty ? ": " : ":", stdout);
	}
}

static void json_open(const char *key, char c)
{
	json_key(key);
	putchar(c);
	if (depth < OUT_MAX_DEPTH - 1)
		depth++;
	need_comma[depth] = false;
}

static void json_close(char c)
{
	if (depth > 0)
		depth--;
	json_indent();
	putchar(c);
	if (depth == 0)
		putchar('\n');
}

void out_obj_begin(const char *key)
{
	if (sink)
		sink->open(sink->ctx, key, false);
	else if (json_mode)
		json_open(key, '{');
}

void out_obj_end(void)
{
	if (sink)
		sink->close(sink->ctx);
	else if (json_mode)
		json_close('}');
}

void out_arr_begin(const char *key)
{
	if (sink)
		sink->open(sink->ctx, key, true);
	else if (json_mode)
		json_open(key, '[');
}

void out_arr_end(void)
{
	if (sink)
		sink->close(sink->ctx);
	else if (json_mode)
		json_close(']');
}

void out_str(const char *key, const char *fmt, const char *val)
{
	if (sink) {
		sink->value(sink->ctx, key, OUT_STR, val, 0);
	} else if (json_mode) {
		json_key(key);
		json_string(val);
	} else if (fmt) {
		printf(fmt, val);
	}
}

void out_u64(const char *key, const char *fmt, uint64_t val)
{
	if (sink) {
		sink->value(sink->ctx, key, OUT_U64, NULL, val);
	} else if (json_mode) {
		json_key(key);
		printf("%llu", (unsigned long long)val);
	} else if (fmt) {
		printf(fmt, (unsigned long long)val);
	}
}

void out_bool(const char *key, const char *fmt, bool val)
{
	if (sink) {
		sink->value(sink->ctx, key, OUT_BOOL, NULL, val);
	} else if (json_mode) {
		json_key(key);
		fputs(val ? "true" : "false", stdout);
	} else if (fmt) {
		printf(fmt, val ? "yes" : "no");
	}
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json_mode || sink)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void out_finish(void)
{
	fflush(stdout);
}

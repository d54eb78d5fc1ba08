// SPDX-License-Identifier: GPL-2.0
/* The policy's text files (text.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int hxp_text_err(struct hxp_text *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%u: ", c->name, c->line);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int hxp_text_parse(const char *text, const char *name, char *err, size_t errlen,
		   int (*fn)(struct hxp_text *c, char **f, int nf, void *arg), void *arg)
{
	struct hxp_text c = { .name = name, .line = 0, .err = err, .errlen = errlen };
	const char *p = text;

	while (*p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char buf[HXP_LINE_MAX], *f[HXP_MAX_FIELDS + 1], *hash, *tok, *save;
		int nf = 0, ret;

		c.line++;
		if (len >= sizeof(buf))
			return hxp_text_err(&c, "longer than %zu characters", sizeof(buf) - 1);
		memcpy(buf, p, len);
		buf[len] = '\0';
		p += len + (eol ? 1 : 0);
		hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		for (tok = strtok_r(buf, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
			if (nf == HXP_MAX_FIELDS)
				return hxp_text_err(&c, "more than %d fields", HXP_MAX_FIELDS);
			f[nf++] = tok;
		}
		if (!nf)
			continue;
		ret = fn(&c, f, nf, arg);
		if (ret)
			return ret;
	}
	return 0;
}

int hxp_text_load(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	do {
		if (cap - len < 4096) {
			char *nt = realloc(text, cap + 65536);

			if (!nt) {
				fclose(f);
				free(text);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			text = nt;
			cap += 65536;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	ret = ferror(f) ? -EIO : 0;
	fclose(f);
	if (ret) {
		snprintf(err, errlen, "%s: read error", path);
	} else if (memchr(text, '\0', len)) {
		snprintf(err, errlen, "%s: not a text file (a NUL byte)", path);
		ret = -EINVAL;
	}
	if (ret) {
		free(text);
		return ret;
	}
	text[len] = '\0';
	*out = text;
	return 0;
}

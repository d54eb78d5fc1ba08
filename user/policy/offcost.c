// SPDX-License-Identifier: GPL-2.0
/*
 * Offload costs from a `make bench-offload` run: its results.jsonl, one
 * JSON object a line, as scripts/bench/offload.sh writes them. Only the
 * fields the cost needs are read, by name: "kind", and in each "offload"
 * row "mode", "downtime_us", "duration_us", "parking_us", "pages" and
 * "stop_pages". The cost is the median post-copy downtime, and the median
 * rate of the pages moved after the hand-off (offload_summary.py's "rate").
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define OC_PAGE		4096

/* Where the value of "key" starts in the line, NULL if it is not there. */
static const char *json_value(const char *line, const char *key)
{
	size_t klen = strlen(key);
	const char *p = line;

	while ((p = strchr(p, '"'))) {
		if (!strncmp(p + 1, key, klen) && p[klen + 1] == '"') {
			p += klen + 2;
			while (isspace((unsigned char)*p))
				p++;
			if (*p != ':')
				return NULL;
			p++;
			while (isspace((unsigned char)*p))
				p++;
			return p;
		}
		p++;
	}
	return NULL;
}

static bool json_num(const char *line, const char *key, double *out)
{
	const char *v = json_value(line, key);
	char *end;

	if (!v || !(*v == '-' || isdigit((unsigned char)*v)))
		return false;
	*out = strtod(v, &end);
	return end != v;
}

static bool json_str_is(const char *line, const char *key, const char *want)
{
	const char *v = json_value(line, key);
	size_t n = strlen(want);

	return v && *v == '"' && !strncmp(v + 1, want, n) && v[n + 1] == '"';
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int hxp_offcost_parse(const char *text, const char *name, struct hxp_offcost *oc,
		      char *err, size_t errlen)
{
	static const char *const keys[] = { "downtime_us", "duration_us", "parking_us",
					    "pages", "stop_pages" };
	double *down = NULL, *rate = NULL;
	unsigned int line = 0, n = 0, nr = 0, cap = 0;
	const char *p = text;
	int ret = 0;

	memset(oc, 0, sizeof(*oc));
	while (*p && !ret) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char *l = strndup(p, len), *q;
		double f[5], moved;
		unsigned int k;

		p += len + (eol ? 1 : 0);
		line++;
		if (!l)
			return -ENOMEM;
		for (q = l; isspace((unsigned char)*q); q++)
			;
		if (!*q)
			goto next;
		if (*q != '{' || !json_value(q, "kind")) {
			snprintf(err, errlen, "%s:%u: not a bench result (a JSON object with "
				 "\"kind\")", name, line);
			ret = -EINVAL;
			goto next;
		}
		if (json_str_is(q, "kind", "error"))
			oc->errors++;
		if (!json_str_is(q, "kind", "offload") || !json_str_is(q, "mode", "postcopy"))
			goto next;
		for (k = 0; k < 5; k++) {
			if (!json_num(q, keys[k], &f[k])) {
				snprintf(err, errlen, "%s:%u: an offload without \"%s\"", name,
					 line, keys[k]);
				ret = -EINVAL;
				goto next;
			}
		}
		if (n == cap) {
			double *nd, *nrt;

			cap = cap ? 2 * cap : 16;
			nd = realloc(down, cap * sizeof(*nd));
			if (nd)
				down = nd;
			nrt = realloc(rate, cap * sizeof(*nrt));
			if (nrt)
				rate = nrt;
			if (!nd || !nrt) {
				ret = -ENOMEM;
				goto next;
			}
		}
		down[n++] = f[0] / 1e6;
		/* Pages moved after the hand-off, over the time they took. */
		moved = (f[3] - f[4]) * OC_PAGE;
		if (moved > 0 && f[1] - f[2] - f[0] > 0)
			rate[nr++] = moved / ((f[1] - f[2] - f[0]) / 1e6);
next:
		free(l);
	}
	if (!ret && (!n || !nr)) {
		snprintf(err, errlen, "%s: no post-copy offload with pages moved after the "
			 "hand-off", name);
		ret = -EINVAL;
	}
	if (!ret) {
		oc->offloads = n;
		oc->downtime_s = median(down, n);
		oc->link_bps = median(rate, nr);
	}
	free(down);
	free(rate);
	return ret;
}

int hxp_offcost_load(const char *path, struct hxp_offcost *oc, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-ret));
		return ret;
	}
	/* A whole file up to its first NUL: results.jsonl holds none. */
	n = getdelim(&text, &len, '\0', f);
	fclose(f);
	if (n < 0) {
		free(text);
		snprintf(err, errlen, "%s: empty or unreadable", path);
		return -EINVAL;
	}
	ret = hxp_offcost_parse(text, path, oc, err, errlen);
	free(text);
	return ret;
}

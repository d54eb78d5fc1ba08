// SPDX-License-Identifier: GPL-2.0
/*
 * The calibration profile: measured rates of the project's kernels per ISA
 * (Documentation/policy.rst, "The profile"). One rate a line:
 *
 *	KERNEL CLASS ISA RATE [llc=REFS_PER_S] [mem=SIZE]
 *
 * '#' starts a comment. Anything else is an error that names its line and
 * what is wrong with it: a profile is measured data, and a typo must not
 * quietly become a different number.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "policy.h"
#include "text.h"

static const char *const isa_names[HXP_NR_ISA] = {
	[HXP_ISA_X86_64] = "x86_64",
	[HXP_ISA_ARM64] = "arm64",
	[HXP_ISA_ARM64_NETSWAP] = "arm64+netswap",
};

const char *hxp_isa_name(enum hxp_isa isa)
{
	return isa < HXP_NR_ISA ? isa_names[isa] : "?";
}

/* A positive, finite decimal number, the whole string. */
static int parse_rate(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (*end || errno || !isfinite(v) || v <= 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int check_name(struct hxp_text *c, const char *what, const char *s)
{
	const char *p;

	if (strlen(s) >= HXP_NAME_MAX)
		return hxp_text_err(c, "%s '%s': longer than %d characters", what, s,
				HXP_NAME_MAX - 1);
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.')
			return hxp_text_err(c, "%s '%s': only letters, digits, '_', '-' and '.'",
					what, s);
	return 0;
}

static struct hxp_prof_entry *entry_get(struct hxp_profile *prof, const char *kernel,
					const char *cls)
{
	struct hxp_prof_entry *e = (struct hxp_prof_entry *)hxp_profile_find(prof, kernel, cls);

	if (e)
		return e;
	if (prof->n == prof->cap) {
		unsigned int cap = prof->cap ? 2 * prof->cap : 16;
		struct hxp_prof_entry *ne = realloc(prof->e, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		prof->e = ne;
		prof->cap = cap;
	}
	e = &prof->e[prof->n++];
	memset(e, 0, sizeof(*e));
	strcpy(e->kernel, kernel);
	strcpy(e->cls, cls);
	return e;
}

/* One line's fields, already split: 0, -EINVAL (c->err says why), -ENOMEM. */
static int parse_fields(struct hxp_text *c, char **f, int nf, void *arg)
{
	struct hxp_profile *prof = arg;
	struct hxp_prof_entry *e;
	const char *memtok = NULL;
	double rate, llc = 0;
	uint64_t mem = 0;
	int isa, i, ret;

	if (nf < 4)
		return hxp_text_err(c, "%d field%s; a line is KERNEL CLASS ISA RATE "
				"[llc=REFS_PER_S] [mem=SIZE]", nf, nf == 1 ? "" : "s");
	ret = check_name(c, "kernel", f[0]);
	if (!ret)
		ret = check_name(c, "class", f[1]);
	if (ret)
		return ret;
	for (isa = 0; isa < HXP_NR_ISA; isa++)
		if (!strcmp(f[2], isa_names[isa]))
			break;
	if (isa == HXP_NR_ISA)
		return hxp_text_err(c, "ISA '%s': x86_64, arm64 or arm64+netswap", f[2]);
	if (parse_rate(f[3], &rate))
		return hxp_text_err(c, "rate '%s': not a positive number (iterations per second)",
				f[3]);
	for (i = 4; i < nf; i++) {
		if (!strncmp(f[i], "llc=", 4)) {
			if (llc)
				return hxp_text_err(c, "llc= given twice");
			if (isa != HXP_ISA_X86_64)
				return hxp_text_err(c, "llc= is the server's LLC references per second: "
						"on x86_64 lines only");
			if (parse_rate(f[i] + 4, &llc))
				return hxp_text_err(c, "llc '%s': not a positive number (LLC "
						"references per second)", f[i] + 4);
		} else if (!strncmp(f[i], "mem=", 4)) {
			if (mem)
				return hxp_text_err(c, "mem= given twice");
			memtok = f[i] + 4;
			if (parse_size(memtok, &mem) || !mem)
				return hxp_text_err(c, "mem '%s': not a size (64M, 1G, ...)", memtok);
		} else {
			return hxp_text_err(c, "'%s': unknown field (llc=, mem=)", f[i]);
		}
	}
	e = entry_get(prof, f[0], f[1]);
	if (!e)
		return -ENOMEM;
	if (e->rate[isa])
		return hxp_text_err(c, "%s %s %s given twice (first at line %u)", f[0], f[1],
				f[2], e->line[isa]);
	if (mem && e->mem && mem != e->mem)
		return hxp_text_err(c, "mem %s of %s %s differs from line %u's (%llu bytes)",
				memtok, f[0], f[1], e->mem_line, (unsigned long long)e->mem);
	e->rate[isa] = rate;
	e->line[isa] = c->line;
	if (llc)
		e->llc = llc;
	if (mem && !e->mem) {
		e->mem = mem;
		e->mem_line = c->line;
	}
	return 0;
}

int hxp_profile_parse(struct hxp_profile *prof, const char *text, const char *name,
		      char *err, size_t errlen)
{
	return hxp_text_parse(text, name, err, errlen, parse_fields, prof);
}

int hxp_profile_load(struct hxp_profile *prof, const char *path, char *err, size_t errlen)
{
	char *text;
	int ret;

	ret = hxp_text_load(path, &text, err, errlen);
	if (ret)
		return ret;
	ret = hxp_profile_parse(prof, text, path, err, errlen);
	free(text);
	return ret;
}

void hxp_profile_free(struct hxp_profile *prof)
{
	free(prof->e);
	memset(prof, 0, sizeof(*prof));
}

const struct hxp_prof_entry *hxp_profile_find(const struct hxp_profile *prof,
					      const char *kernel, const char *cls)
{
	unsigned int i;

	for (i = 0; prof && i < prof->n; i++)
		if (!strcmp(prof->e[i].kernel, kernel) && !strcmp(prof->e[i].cls, cls))
			return &prof->e[i];
	return NULL;
}

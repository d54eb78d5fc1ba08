/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy's text files (the profile, the daemon's configuration): lines
 * of fields separated by blanks, '#' starting a comment, and errors that
 * name the file, the line and what is wrong with it.
 */
#ifndef _HEXO_POLICY_TEXT_H
#define _HEXO_POLICY_TEXT_H

#include <stddef.h>

#define HXP_MAX_FIELDS	8
#define HXP_LINE_MAX	256

/* Where a parse is, for its errors. */
struct hxp_text {
	const char *name;
	unsigned int line;
	char *err;
	size_t errlen;
};

/* "NAME:LINE: what" into c->err; returns -EINVAL. */
int hxp_text_err(struct hxp_text *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Calls fn with each line's fields (blank lines and comments skipped) and
 * stops at its first error. 0, or fn's error, or -EINVAL with c->err set
 * (a line longer than HXP_LINE_MAX - 1, more than HXP_MAX_FIELDS fields).
 */
int hxp_text_parse(const char *text, const char *name, char *err, size_t errlen,
		   int (*fn)(struct hxp_text *c, char **f, int nf, void *arg), void *arg);

/* A whole text file, NUL-terminated, into *text (free() it). 0 or -errno, err set. */
int hxp_text_load(const char *path, char **text, char *err, size_t errlen);

#endif /* _HEXO_POLICY_TEXT_H */

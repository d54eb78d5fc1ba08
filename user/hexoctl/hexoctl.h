/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _HEXOCTL_H
#define _HEXOCTL_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"
#include "hxnl.h"

/* Exit statuses: 0 done, 1 the operation failed, 2 the command line is wrong. */
#define HEXOCTL_EFAIL	1
#define HEXOCTL_EUSAGE	2

/* An optional attribute's value, 0 when absent. */
static inline uint64_t nla_u64_or0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static inline uint32_t nla_u32_or0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

struct hexoctl_verb {
	const char *name;
	int (*fn)(int argc, char **argv);
};


/* iproute2's rule: arg is a non-empty prefix of full. */
bool matches(const char *arg, const char *full);
/* Runs the verb argv[0] names (unique prefixes accepted); "help" prints usage. */
int hexoctl_dispatch(const char *object, const struct hexoctl_verb *verbs,
		     void (*usage)(FILE *f), int argc, char **argv);

/* "hexoctl: " and the message: hx_err() (err.h), by the name hexoctl's code uses. */
#define hexoctl_err hx_err
/* "hexoctl: OBJECT: unexpected 'x'" and the usage hint; returns HEXOCTL_EUSAGE. */
int hexoctl_usage_err(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Opens the generic netlink family of a HEXO module, loading the module if it
 * must. Prints what to do when it cannot. Returns 0 or HEXOCTL_EFAIL.
 */
int hexoctl_open(struct hxnl *nl, const char *family, const char *module);
/*
 * Like hexoctl_open(), for commands that only look: loads nothing. Sets
 * *loaded to false (and returns 0) when the family is not registered.
 */
int hexoctl_open_loaded(struct hxnl *nl, const char *family, const char *module, bool *loaded);
/* Prints a failed request's error with the kernel's explanation and a hint. */
int hexoctl_nl_fail(struct hxnl *nl, const char *what, int err);

/* The objects. */
int do_version(int argc, char **argv);
int do_netswap(int argc, char **argv);
int do_kvm(int argc, char **argv);
int do_link(int argc, char **argv);
int do_policy(int argc, char **argv);
int do_stats(int argc, char **argv);

#endif /* _HEXOCTL_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl: configure and inspect HEXO (Netswap, hexo_kvm) over generic
 * netlink, in the manner of ip(8): hexoctl [OPTIONS] OBJECT VERB [ARGS].
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hexoctl.h"
#include "out.h"

const char hx_prog[] = "hexoctl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl [OPTIONS] OBJECT { VERB | help }\n"
		"OBJECT := { version | netswap | kvm (or vm) | link | policy | stats }\n"
		"OPTIONS := { -j[son] | -p[retty] | -V[ersion] | -h[elp] }\n"
		"\n"
		"  version   versions of hexoctl and of the loaded HEXO modules\n"
		"  netswap   Netswap: swap devices on a board, page serving on a server\n"
		"  kvm       hexo_kvm: KVM VMs attached for cross-ISA handoff\n"
		"  link      hexo_link: the interfaces HEXO frames use, and their counters\n"
		"  policy    the offload policy's daemon: which VMs go to boards and back\n"
		"  stats     the others' counters as Prometheus metrics\n"
		"\n"
		"Every object takes 'help'. Unique prefixes are accepted: 'hexoctl n sh'.\n");
}

bool matches(const char *arg, const char *full)
{
	size_t n = strlen(arg);

	return n > 0 && n <= strlen(full) && !strncmp(arg, full, n);
}

int hexoctl_usage_err(const char *object, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: ", hx_prog, object);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s %s help'.\n", hx_prog, object);
	return HEXOCTL_EUSAGE;
}

int hexoctl_dispatch(const char *object, const struct hexoctl_verb *verbs,
		     void (*obj_usage)(FILE *f), int argc, char **argv)
{
	const struct hexoctl_verb *v, *found = NULL;

	if (argc < 1)
		return verbs[0].fn(0, argv);	/* the first verb is the default */
	if (matches(argv[0], "help")) {
		obj_usage(stdout);
		return 0;
	}
	for (v = verbs; v->name; v++) {
		if (!strcmp(argv[0], v->name))
			return v->fn(argc - 1, argv + 1);
		if (matches(argv[0], v->name)) {
			if (found)
				return hexoctl_usage_err(object, "'%s' is ambiguous", argv[0]);
			found = v;
		}
	}
	if (!found)
		return hexoctl_usage_err(object, "unknown verb '%s'", argv[0]);
	return found->fn(argc - 1, argv + 1);
}

int hexoctl_open(struct hxnl *nl, const char *family, const char *module)
{
	int ret = hxnl_open(nl, family);

	if (!ret)
		return 0;
	if (ret == -ENOENT)
		hexoctl_err("the %s module is not loaded and could not be loaded; "
			    "try 'modprobe %s' (is HEXO installed for this kernel?)",
			    module, module);
	else
		hexoctl_err("cannot open generic netlink family %s: %s", family,
			    strerror(-ret));
	return HEXOCTL_EFAIL;
}

int hexoctl_open_loaded(struct hxnl *nl, const char *family, const char *module, bool *loaded)
{
	int ret = hxnl_family_registered(family, loaded);

	if (ret) {
		hexoctl_err("cannot list generic netlink families: %s", strerror(-ret));
		return HEXOCTL_EFAIL;
	}
	return *loaded ? hexoctl_open(nl, family, module) : 0;
}

int hexoctl_nl_fail(struct hxnl *nl, const char *what, int err)
{
	hxnl_fail(nl, what, err);
	if (err == -EPERM)
		fprintf(stderr, "This needs CAP_NET_ADMIN: run it as root.\n");
	return HEXOCTL_EFAIL;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} objects[] = {
	{ "version", do_version },
	{ "netswap", do_netswap },
	{ "kvm", do_kvm },
	{ "vm", do_kvm },
	{ "link", do_link },
	{ "policy", do_policy },
	{ "stats", do_stats },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "Version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool json = false, pretty = false;
	int c, ret = -1;
	size_t i;

	while ((c = getopt_long(argc, argv, "+jpVh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'p': pretty = true; break;
		case 'V': printf("hexoctl %s\n", HEXO_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return HEXOCTL_EUSAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return HEXOCTL_EUSAGE;
	}
	if (matches(argv[0], "help")) {
		usage(stdout);
		return 0;
	}
	out_init(json, pretty);
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		if (matches(argv[0], objects[i].name)) {
			ret = objects[i].fn(argc - 1, argv + 1);
			break;
		}
	}
	if (ret < 0) {
		hexoctl_err("unknown object '%s'; try 'hexoctl help'", argv[0]);
		return HEXOCTL_EUSAGE;
	}
	out_finish();
	return ret;
}

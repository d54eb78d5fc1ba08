// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's C entry: check the control block, then either start the
 * application or carry on from the continuation the other ISA left.
 */
#include <hexo/guest.h>

#include "hexo_rt.h"

#define HEXO_ARGV_MAX	16

extern const struct hexo_app hexo_app;

/* argv lives with the rest of the state; it must not point into .rodata. */
static char hexo_args[HEXO_CMDLINE_MAX];
static char hexo_argv0[HEXO_APP_NAME_MAX];
static char *hexo_argv[HEXO_ARGV_MAX + 1];

static int hexo_split_args(char *line, char **argv)
{
	int argc = 0;

	argv[argc++] = hexo_argv0;
	while (*line && argc < HEXO_ARGV_MAX) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	argv[argc] = NULL;
	return argc;
}

void hexo_rt_start(void)
{
	struct hexo_cb *cb = (struct hexo_cb *)HEXO_GPA_CB;
	size_t n;
	int argc;

	if (cb->magic != HEXO_CB_MAGIC || cb->abi_version != HEXO_ABI_VERSION)
		hexo_panic("control block at %#x: magic %#x ABI %u, want %#x ABI %u",
			   HEXO_GPA_CB, cb->magic, cb->abi_version, HEXO_CB_MAGIC,
			   HEXO_ABI_VERSION);
	if (cb->resume) {
		if (!hexo_app.resume)
			hexo_panic("%s cannot resume from a migration", hexo_app.name);
		hexo_exit(hexo_app.resume(cb->cont.point));
	}

	n = strlen(hexo_app.name);
	if (n >= HEXO_APP_NAME_MAX)
		n = HEXO_APP_NAME_MAX - 1;
	memcpy(cb->app, hexo_app.name, n);
	memcpy(hexo_argv0, hexo_app.name, n);
	hexo_heap_init();
	n = strlen(cb->cmdline);
	if (n >= HEXO_CMDLINE_MAX)
		hexo_panic("command line longer than %d bytes", HEXO_CMDLINE_MAX - 1);
	memcpy(hexo_args, cb->cmdline, n);
	argc = hexo_split_args(hexo_args, hexo_argv);
	hexo_exit(hexo_app.main(argc, hexo_argv));
}

void hexo_panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	n = hexo_snprintf(buf, sizeof(buf), "guest panic: ");
	va_start(ap, fmt);
	n += hexo_vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	hexo_console_write(buf, n);
	hexo_exit(HEXO_EXIT_PANIC);
}

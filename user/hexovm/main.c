// SPDX-License-Identifier: GPL-2.0
/*
 * hexovm: runs a HEXO unikernel (guest/) in KVM, or restores one from a
 * checkpoint image taken on the other ISA. See Documentation/hexovm.rst.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hexovm.h"
#include "parse.h"

#define HEXOVM_DEFAULT_MEM	(64ull << 20)

static void hexovm_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexovm [OPTIONS] APP.elf [ARGS...]\n"
		"       hexovm [OPTIONS] --restore IMAGE [APP.elf]\n"
		"       hexovm [OPTIONS] --incoming [APP.elf]\n"
		"\n"
		"Runs a HEXO unikernel in KVM, or restores one from a checkpoint image (taken\n"
		"on either ISA). Exits with the guest's exit status, 0 once a checkpoint is\n"
		"written, 1 (with a message) if hexovm itself fails, 2 on bad usage.\n"
		"\n"
		"  -m, --mem SIZE               guest memory, 64M to 3G (default 64M)\n"
		"  -c, --console FILE           guest console to FILE (default: stdout)\n"
		"  -s, --stats                  print statistics on exit (stderr)\n"
		"  -o, --checkpoint FILE        where a checkpoint goes (default: APP.img)\n"
		"      --checkpoint-after SECS  ask for a migration after SECS seconds\n"
		"      --checkpoint-at P[:N]    stop at the Nth (default 1st) crossing of\n"
		"                               migration point P: a checkpoint at a known place\n"
		"      --migrate-timeout SECS   time the guest has to reach a point (default 10);\n"
		"                               past it the request is withdrawn, the guest runs on\n"
		"      --migrator NAME          capture hook (default: file)\n"
		"  -r, --restore IMAGE          carry on from IMAGE; APP.elf defaults to\n"
		"                               GUEST_DIR/APP.elf\n"
		"      --incoming               take the first VM offered to this node's\n"
		"                               hexo_kvm (hexoctl kvm offload on the source)\n"
		"                               and carry it on; APP.elf as for --restore\n"
		"      --incoming-timeout SECS  how long to wait for an offer (default 60)\n"
		"      --from MAC               take offers from that source only\n"
		"      --offer ID               take that offer only (hexoctl kvm offers)\n"
		"      --stop-and-copy          pull all of the guest before it runs (default:\n"
		"                               post-copy, its heap follows on demand)\n"
		"      --guest-dir DIR          (default: ../guest next to hexovm)\n"
		"  -V, --version\n"
		"\n"
		"SIGUSR1 asks for a checkpoint at the guest's next migration point; hexo_kvm\n"
		"(hexoctl kvm offload) for a handoff to another node.\n");
}

static int hexovm_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < 0 || *out > 1e6 ? -EINVAL : 0;
}

static int hexovm_stop_at(const char *s, struct hexovm_opts *o)
{
	char buf[32], *colon;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	o->stop_count = 1;
	if (colon) {
		*colon = '\0';
		if (parse_u32(colon + 1, UINT32_MAX, &o->stop_count) || !o->stop_count)
			return -EINVAL;
	}
	return parse_u32(buf, UINT32_MAX, &o->stop_point) || !o->stop_point ? -EINVAL : 0;
}

static int hexovm_parse(int argc, char **argv, struct hexovm_opts *o)
{
	enum { OPT_AFTER = 256, OPT_AT, OPT_TIMEOUT, OPT_DIR, OPT_MIGRATOR, OPT_INCOMING,
	       OPT_INCOMING_TIMEOUT, OPT_STOP_AND_COPY, OPT_FROM, OPT_OFFER };
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "console", required_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, 's' },
		{ "checkpoint", required_argument, NULL, 'o' },
		{ "checkpoint-after", required_argument, NULL, OPT_AFTER },
		{ "checkpoint-at", required_argument, NULL, OPT_AT },
		{ "migrate-timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "migrator", required_argument, NULL, OPT_MIGRATOR },
		{ "restore", required_argument, NULL, 'r' },
		{ "guest-dir", required_argument, NULL, OPT_DIR },
		{ "incoming", no_argument, NULL, OPT_INCOMING },
		{ "incoming-timeout", required_argument, NULL, OPT_INCOMING_TIMEOUT },
		{ "stop-and-copy", no_argument, NULL, OPT_STOP_AND_COPY },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "offer", required_argument, NULL, OPT_OFFER },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	size_t len = 0;
	int c;

	while ((c = getopt_long(argc, argv, "+m:c:so:r:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size(optarg, &o->mem_size) || o->mem_size < HEXO_MEM_MIN ||
			    o->mem_size > HEXO_MEM_MAX || o->mem_size % HEXO_PAGE_SIZE) {
				hexovm_err("--mem %s: want a size from 64M to 3G, in whole pages",
					   optarg);
				return 2;
			}
			break;
		case 'c':
			o->console = optarg;
			break;
		case 's':
			o->stats = true;
			break;
		case 'o':
			o->checkpoint = optarg;
			break;
		case OPT_AFTER:
			if (hexovm_seconds(optarg, &o->checkpoint_after)) {
				hexovm_err("--checkpoint-after %s: want seconds, e.g. 2 or 0.5", optarg);
				return 2;
			}
			break;
		case OPT_AT:
			if (hexovm_stop_at(optarg, o)) {
				hexovm_err("--checkpoint-at %s: want POINT or POINT:N, both from 1",
					   optarg);
				return 2;
			}
			break;
		case OPT_TIMEOUT:
			if (hexovm_seconds(optarg, &o->migrate_timeout)) {
				hexovm_err("--migrate-timeout %s: want seconds", optarg);
				return 2;
			}
			break;
		case OPT_MIGRATOR:
			o->migrator = optarg;
			break;
		case 'r':
			o->restore = optarg;
			break;
		case OPT_DIR:
			o->guest_dir = optarg;
			break;
		case OPT_INCOMING:
			o->incoming = true;
			break;
		case OPT_STOP_AND_COPY:
			o->stop_and_copy = true;
			break;
		case OPT_INCOMING_TIMEOUT:
			if (hexovm_seconds(optarg, &o->incoming_timeout)) {
				hexovm_err("--incoming-timeout %s: want seconds", optarg);
				return 2;
			}
			break;
		case OPT_FROM:
			if (parse_mac(optarg, o->incoming_from)) {
				hexovm_err("--from %s: want a MAC address (52:54:00:48:58:02)",
					   optarg);
				return 2;
			}
			o->incoming_from_set = true;
			break;
		case OPT_OFFER: {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || !v || v > UINT32_MAX) {
				hexovm_err("--offer %s: want an offer's id, as hexoctl kvm offers "
					   "lists it", optarg);
				return 2;
			}
			o->incoming_offer = v;
			break;
		}
		case 'h':
			hexovm_usage(stdout);
			exit(0);
		case 'V':
			printf("hexovm %s (%s)\n", HEXO_VERSION, hexovm_isa_name(HEXOVM_ISA));
			exit(0);
		default:
			hexovm_usage(stderr);
			return 2;
		}
	}
	if (optind < argc)
		o->elf = argv[optind++];
	if (!o->elf && !o->restore && !o->incoming) {
		hexovm_usage(stderr);
		return 2;
	}
	if ((o->incoming_from_set || o->incoming_offer) && !o->incoming) {
		hexovm_err("--from and --offer choose among offers: they go with --incoming");
		return 2;
	}
	if (o->restore && o->incoming) {
		hexovm_err("--restore and --incoming: choose one");
		return 2;
	}
	if ((o->restore || o->incoming) && optind < argc) {
		hexovm_err("a restored guest keeps its arguments; drop '%s'", argv[optind]);
		return 2;
	}
	for (; optind < argc; optind++) {
		size_t n = strlen(argv[optind]);

		if (len + n + 1 >= sizeof(o->cmdline)) {
			hexovm_err("guest arguments longer than %zu bytes", sizeof(o->cmdline) - 1);
			return 2;
		}
		if (len)
			o->cmdline[len++] = ' ';
		memcpy(o->cmdline + len, argv[optind], n);
		len += n;
	}
	return 0;
}

/* GUEST_DIR/APP.elf, GUEST_DIR defaulting to ../guest next to hexovm. */
static char *hexovm_default_elf(const struct hexovm_opts *o, const char *app)
{
	char exe[4096], *path = NULL;
	ssize_t n;

	if (o->guest_dir) {
		if (asprintf(&path, "%s/%s.elf", o->guest_dir, app) < 0)
			return NULL;
		return path;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	if (asprintf(&path, "%s/../guest/%s.elf", dirname(exe), app) < 0)
		return NULL;
	return path;
}

void hexovm_progress_mark(struct hexovm *vm)
{
	struct rusage ru;

	if (vm->stats.marked || getrusage(RUSAGE_SELF, &ru))
		return;
	vm->stats.marked = true;
	vm->stats.points1 = hexovm_cb(vm)->points;
	vm->stats.cpu_user_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	vm->stats.cpu_sys_s = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void hexovm_print_stats(struct hexovm *vm)
{
	struct hexovm_stats *s = &vm->stats;
	uint64_t ns = hexovm_now_ns() - s->t0_ns;
	long rss_pages = 0, size;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &rss_pages) != 2)
			rss_pages = 0;
		fclose(f);
	}
	fprintf(stderr,
		"hexovm: stats: %llu.%03llu s, %llu exits (%llu interrupted), hypercalls: "
		"console %llu, time %llu, migrate %llu, exit %llu; console %llu bytes; "
		"migration requests %llu, timed out %llu; memory %llu MiB, heap in use %llu KiB, "
		"resident %llu KiB\n",
		(unsigned long long)(ns / 1000000000), (unsigned long long)(ns / 1000000 % 1000),
		(unsigned long long)s->exits, (unsigned long long)s->exits_intr,
		(unsigned long long)s->hc[HEXO_HC_CONSOLE], (unsigned long long)s->hc[HEXO_HC_TIME],
		(unsigned long long)s->hc[HEXO_HC_MIGRATE], (unsigned long long)s->hc[HEXO_HC_EXIT],
		(unsigned long long)s->console_bytes, (unsigned long long)s->requests,
		(unsigned long long)s->timeouts, (unsigned long long)(vm->mem_size >> 20),
		(unsigned long long)((hexovm_cb(vm)->heap_top - HEXO_GPA_HEAP) >> 10),
		(unsigned long long)(rss_pages * sysconf(_SC_PAGESIZE) >> 10));
	/*
	 * The guest's progress here and the CPU time this process got for it
	 * (all its threads, as /proc/PID/stat counts them for the policy
	 * daemon), up to the migration point that stopped it if one did (its
	 * capture not counted), else to its end: the calibration's rate is
	 * their quotient.
	 */
	bool stopped = s->marked;

	hexovm_progress_mark(vm);
	if (s->marked)
		fprintf(stderr, "hexovm: stats: progress: %llu migration points (%llu to %llu) "
			"in %.3f CPU-s (%.3f user, %.3f system)%s\n",
			(unsigned long long)(s->points1 >= s->points0 ? s->points1 - s->points0 : 0),
			(unsigned long long)s->points0, (unsigned long long)s->points1,
			s->cpu_user_s + s->cpu_sys_s, s->cpu_user_s, s->cpu_sys_s,
			stopped ? ", to the migration point that stopped it" : "");
	if (vm->opts->incoming)
		fprintf(stderr, "hexovm: stats: offload: %llu KiB pulled before the start, then "
			"%llu pulls on demand and %llu in the background\n",
			(unsigned long long)(s->pulled_bytes >> 10),
			(unsigned long long)s->demand_pulls, (unsigned long long)s->bg_pulls);
}

int main(int argc, char **argv)
{
	struct hexovm_opts opts = {
		.mem_size = HEXOVM_DEFAULT_MEM, .checkpoint_after = -1, .migrate_timeout = 10,
		.migrator = "file", .incoming_timeout = 60,
	};
	struct hexovm_image img = { 0 };
	struct hexovm_offer offer;
	struct hexovm vm = { .opts = &opts, .console = stdout };
	char *elf_path = NULL, *ckpt_path = NULL;
	struct hexo_cb *cb;
	int ret;

	ret = hexovm_parse(argc, argv, &opts);
	if (ret)
		return ret;
	vm.migrator = hexovm_migrator_find(opts.migrator);
	if (!vm.migrator) {
		hexovm_err("--migrator %s: unknown (known: file)", opts.migrator);
		return 2;
	}
	vm.stats.t0_ns = hexovm_now_ns();
	if (opts.restore) {
		if (hexovm_image_map(opts.restore, &img))
			return 1;
		opts.mem_size = img.hdr->mem_size;
		if (!opts.elf) {
			elf_path = hexovm_default_elf(&opts, img.hdr->app);
			opts.elf = elf_path;
		}
	}
	if (opts.incoming) {
		if (hexovm_link_wait_offer(&opts, &offer))
			return 1;
		opts.mem_size = offer.mem_size;
		if (!opts.elf) {
			elf_path = hexovm_default_elf(&opts, offer.app);
			opts.elf = elf_path;
		}
	}
	if (!opts.checkpoint) {
		const char *base = strrchr(opts.elf ? opts.elf : "guest", '/');

		base = base ? base + 1 : opts.elf;
		if (asprintf(&ckpt_path, "%.*s.img", (int)strcspn(base, "."), base) < 0)
			goto err_img;
		opts.checkpoint = ckpt_path;
	}
	if (opts.console) {
		vm.console = fopen(opts.console, "w");
		if (!vm.console) {
			hexovm_err("--console %s: %s", opts.console, strerror(errno));
			goto err_img;
		}
	}

	if (hexovm_kvm_init(&vm, opts.mem_size))
		goto err_console;
	if (hexovm_elf_load(&vm, opts.elf, !opts.restore && !opts.incoming))
		goto err_kvm;
	cb = hexovm_cb(&vm);
	if (opts.incoming) {
		if (hexovm_link_take(&vm, &offer))
			goto err_kvm;
	} else if (opts.restore) {
		if (hexovm_restore(&vm, &img))
			goto err_kvm;
		hexovm_image_unmap(&img);
		img.base = NULL;
	} else {
		cb->magic = HEXO_CB_MAGIC;
		cb->abi_version = HEXO_ABI_VERSION;
		cb->mem_size = opts.mem_size;
		memcpy(cb->cmdline, opts.cmdline, sizeof(cb->cmdline));
	}
	vm.stats.points0 = cb->points;
	if (hexovm_arch_vcpu_init(&vm))
		goto err_kvm;
	if (hexovm_migrate_init(&vm))
		goto err_kvm;

	ret = hexovm_kvm_run(&vm);
	hexovm_postcopy_stop(&vm);
	if (vm.done && vm.stop_armed && cb->stop_hits < cb->stop_count)
		hexovm_err("the guest ended after reaching migration point %u %u of %u times: "
			   "no checkpoint", cb->stop_point, cb->stop_hits, cb->stop_count);
	if (opts.stats)
		hexovm_print_stats(&vm);
	hexovm_migrate_uninit(&vm);
	hexovm_kvm_uninit(&vm);
	if (opts.console)
		fclose(vm.console);
	free(elf_path);
	free(ckpt_path);
	return ret;

err_kvm:
	hexovm_kvm_uninit(&vm);
err_console:
	if (opts.console)
		fclose(vm.console);
err_img:
	if (img.base)
		hexovm_image_unmap(&img);
	free(elf_path);
	free(ckpt_path);
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * hexolink: HEXO frames from user space, over an AF_PACKET socket. It checks
 * that the link carries HEXO's EtherType both ways, measures the raw link
 * (echo round trips, one-way bulk rate) with the frame sizes HEXO uses, and
 * fires malformed frames at HEXO's modules. Frames are built and checked by
 * the kernel's own protocol code (kernel/link/proto.c).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexolink.h"
#include "parse.h"

const char hx_prog[] = "hexolink";

struct hexolink_opts opt = { .ifname = "eth0", .count = 10, .size = 1024, .timeout = 10,
			     .seed = 1, .op = HEXO_OP_READ, .nr = 1, .window = 64 };

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hexolink [-i IFACE] [-j] COMMAND [OPTIONS]\n"
		"  send --to MAC    send -n COUNT DATA frames of -s SIZE data bytes\n"
		"  recv             receive -n COUNT DATA frames within -t SECONDS and check\n"
		"                   them; exit 0 only if all arrived intact\n"
		"  echo             answer ECHO requests for -t SECONDS (or -n COUNT)\n"
		"  ping --to MAC    -n COUNT ECHO round trips: min, median, p99\n"
		"  sink             count DATA frames for -t SECONDS, acknowledging every 8;\n"
		"                   report the delivered rate\n"
		"  source --to MAC  DATA frames of -s SIZE for -t SECONDS, at most --window W\n"
		"                   (default 64) beyond the last acknowledged\n"
		"  fuzz --to MAC    -n COUNT malformed and hostile frames (--seed S,\n"
		"                   --session ID to aim some inside a real session)\n"
		"  forge --to MAC   one request: --session ID [--op read|readv|write|discard|bye]\n"
		"                   [--index I] [--pages N] (readv: -n entries of N pages);\n"
		"                   prints the reply's status; --op hello [--as MAC]: a HELLO\n"
		"                   for --pages N pages (from MAC: a spoofed one); --op\n"
		"                   hello-v1: a wire version 1 HELLO\n"
		"  replay --to MAC  capture up to -n frames this host sends to MAC within\n"
		"                   -t SECONDS, then send them all again, -w SECONDS apart\n"
		"                   (default 0.001)\n"
		"  grant --to MAC   answer MAC's first netswap HELLO with a grant of --pages N\n"
		"                   more pages than asked (default: twice what it asked)\n"
		"  offers --to MAC  -n COUNT forged hexo_kvm OFFERs, one at a time, each a\n"
		"                   new offer; prints each answer's status\n"
		"Options: -n COUNT, -s SIZE (data bytes per frame), -t SECONDS,\n"
		"  -w SECONDS (wait between frames), --from MAC (only this sender)\n");
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "to", required_argument, NULL, 'T' },
		{ "from", required_argument, NULL, 'F' },
		{ "seed", required_argument, NULL, 'S' },
		{ "session", required_argument, NULL, 'I' },
		{ "op", required_argument, NULL, 'O' },
		{ "index", required_argument, NULL, 'X' },
		{ "pages", required_argument, NULL, 'P' },
		{ "window", required_argument, NULL, 'W' },
		{ "as", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct link l = {};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "+i:jh", lopts, NULL)) != -1) {
		switch (c) {
		case 'i': opt.ifname = optarg; break;
		case 'j': opt.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	optind++;
	while ((c = getopt_long(argc, argv, "n:s:t:w:", lopts, NULL)) != -1) {
		uint64_t v;

		switch (c) {
		case 'n':
			if (parse_u32(optarg, UINT32_MAX, &opt.count))
				die("bad count '%s'", optarg);
			break;
		case 's':
			if (parse_u64(optarg, FRAME_MAX - ETH_HLEN - HEXO_HDR_LEN, &v))
				die("bad size '%s' (at most %d)", optarg, FRAME_MAX - ETH_HLEN - HEXO_HDR_LEN);
			opt.size = (uint32_t)v;
			break;
		case 't': opt.timeout = atof(optarg); break;
		case 'S':
			if (parse_u32(optarg, UINT32_MAX, &opt.seed))
				die("bad seed '%s'", optarg);
			break;
		case 'I':
			if (parse_u32(optarg, UINT32_MAX, &opt.session))
				die("bad session '%s' (decimal or 0x-hex)", optarg);
			break;
		case 'O':
			if (!strcmp(optarg, "read"))
				opt.op = HEXO_OP_READ;
			else if (!strcmp(optarg, "write"))
				opt.op = HEXO_OP_WRITE;
			else if (!strcmp(optarg, "discard"))
				opt.op = HEXO_OP_DISCARD;
			else if (!strcmp(optarg, "bye"))
				opt.op = HEXO_OP_BYE;
			else if (!strcmp(optarg, "readv"))
				opt.op = HEXO_OP_READV;
			else if (!strcmp(optarg, "hello"))
				opt.op = HEXO_OP_HELLO;
			else if (!strcmp(optarg, "hello-v1"))
				opt.op = 0xff;
			else
				die("bad op '%s': read, readv, write, discard, bye, hello or hello-v1",
				    optarg);
			break;
		case 'X':
			if (parse_u64(optarg, UINT64_MAX, &opt.index))
				die("bad index '%s'", optarg);
			break;
		case 'P':
			if (parse_u32(optarg, UINT32_MAX, &opt.nr))
				die("bad page count '%s'", optarg);
			break;
		case 'W':
			if (parse_u32(optarg, 100000, &opt.window) || !opt.window)
				die("bad window '%s'", optarg);
			break;
		case 'w': opt.interval = atof(optarg); break;
		case 'A':
			if (parse_mac(optarg, opt.as))
				die("bad MAC address '%s'", optarg);
			opt.have_as = true;
			break;
		case 'T':
		case 'F':
			if (parse_mac(optarg, l.peer))
				die("bad MAC address '%s'", optarg);
			l.have_peer = true;
			break;
		default: usage(stderr); return 2;
		}
	}
	link_open(&l);
	if (!strcmp(cmd, "send") || !strcmp(cmd, "ping") || !strcmp(cmd, "fuzz") ||
	    !strcmp(cmd, "forge") || !strcmp(cmd, "source") || !strcmp(cmd, "grant") ||
	    !strcmp(cmd, "replay") || !strcmp(cmd, "offers")) {
		if (!l.have_peer) {
			hx_err("%s needs --to MAC", cmd);
			return 2;
		}
		if (!strcmp(cmd, "fuzz"))
			return do_fuzz(&l);
		if (!strcmp(cmd, "forge"))
			return do_forge(&l);
		if (!strcmp(cmd, "grant"))
			return do_grant(&l);
		if (!strcmp(cmd, "replay"))
			return do_replay(&l);
		if (!strcmp(cmd, "offers"))
			return do_offers(&l);
		if (!strcmp(cmd, "source"))
			return do_source(&l);
		return !strcmp(cmd, "send") ? do_send(&l) : do_ping(&l);
	}
	if (!strcmp(cmd, "sink"))
		return do_sink(&l);
	if (!strcmp(cmd, "recv") || !strcmp(cmd, "echo")) {
		/* Scripts start receivers in the background and wait for this. */
		fprintf(stderr, "hexolink: listening on %s\n", opt.ifname);
		return !strcmp(cmd, "recv") ? do_recv(&l) : do_echo(&l);
	}
	hx_err("unknown command '%s'", cmd);
	usage(stderr);
	return 2;
}

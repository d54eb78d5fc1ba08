// SPDX-License-Identifier: GPL-2.0
/*
 * hexoctl policy: the offload policy's daemon (Documentation/policy.rst,
 * "The daemon"). On a server it watches the VMs attached to hexo_kvm,
 * measures each HEXO guest's progress (the migration points it crossed,
 * HEXO_KVM_A_POINTS, over the CPU time its VMM got), and carries out the
 * decisions of the policy's own code (user/policy/decide.c, which hexosim
 * runs too): offloads to the boards of its configuration, reclaims when
 * cores free up. Every decision is logged with its reason, and the last
 * round is kept in a state file that "policy show" prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hexo/guest.h>
#include <hexo/hexo_kvm.h>

#include "conf.h"
#include "hexoctl.h"
#include "kvm.h"
#include "out.h"
#include "parse.h"
#include "pmu.h"
#include "policy.h"

#define POL_MAX_VMS	64
#define POL_MAX_DECISIONS	16

static void policy_usage(FILE *f)
{
	fprintf(f,
		"Usage: hexoctl policy run config FILE [ once ] [ dry-run ]\n"
		"       hexoctl policy show [ state FILE ]\n"
		"\n"
		"  run   on a server: every interval, measure the attached VMs' progress,\n"
		"        decide with the offload policy and carry out its offloads and\n"
		"        reclaims (dry-run: only log them), until killed (once: one round)\n"
		"  show  the last round of the daemon: the VMs, their estimates and the\n"
		"        decisions with their reasons (default state /run/hexo-policy.json)\n");
}

/* What the daemon knows of a VM, by hexo_kvm id. */
struct pol_vm {
	uint32_t id, pid, vcpus, state;
	uint64_t mem, points;
	char name[HEXO_KVM_NAME_MAX], app[32], cls[32];
	uint8_t peer[6], origin[6];
	bool has_peer, has_origin, here, seen, used, finished;
	double cpu_s, sample_at;	/* the last sample of its VMM's CPU time */
	uint32_t cpu_pid;		/* the VMM sampled */
	double rate;			/* points per CPU-second, measured here */
	double moved_at;		/* when it last moved; 0: never */
	bool probe;			/* handed off by a probe, not reclaimed since */
	bool mem_ok;			/* rss and swap were read */
	uint64_t rss, swap;		/* its VMM's resident and swapped memory, bytes */
	/*
	 * The counters of its VMM's main thread (hexovm's vCPU), open while it
	 * runs here; pmu_pid is the VMM they count (0: none open).
	 */
	struct pmu pmu;
	uint32_t pmu_pid;
	int pmu_err;			/* why none is open, -errno; 0: not tried */
	struct pmu_sample pmu_last[PMU_NR];	/* at the last sample */
	double pmu_cpu_s;		/* the main thread's CPU time then */
	double pmu_rate[PMU_NR];	/* per CPU-second of that thread; < 0: none */
	/* Handed off: its board's word on it (HEXO_KVM_CMD_REPORT). */
	bool on_report;			/* in its board's last report */
	uint64_t b_points, b_cpu_ns;	/* the last sample there */
	bool b_sampled;
	double b_rate;			/* points per CPU-second there; 0: not yet */
	bool b_swapping;		/* part of its VMM swapped out there */
	uint64_t b_rss, b_swap;
	bool lost_said;			/* its board is gone, and that was logged */
};

/* What a board said of itself. */
struct pol_board {
	bool reports;			/* answered the last round */
	unsigned int misses;		/* rounds in a row without an answer */
	int err;			/* the last failure, -errno */
	bool said;			/* that failure was logged */
	bool gone;			/* POL_BOARD_MISSES rounds without an answer */
	unsigned int skip;		/* gone: rounds left before it is asked again */
	struct kvm_report rep;
};

/*
 * A board that has not answered this many rounds in a row is gone, and is
 * asked again only every POL_GONE_EVERY rounds: each question costs the
 * round its timeout.
 */
#define POL_BOARD_MISSES	3
#define POL_GONE_EVERY		10
#define POL_MAX_LEARNED		32

struct pol {
	struct hxp_conf conf;
	struct hxp_profile prof;
	struct pol_vm vms[POL_MAX_VMS];
	enum hxp_isa isa;		/* this node's */
	unsigned int cores;
	double free_since;		/* since when a core is idle; 0: none is */
	bool dry;
	bool pmu_said;			/* "no hardware counters" was printed */
	struct pol_decision {
		struct hxp_decision d;
		uint32_t vm_id;
		double at;
	} last[POL_MAX_DECISIONS];	/* the latest last */
	unsigned int nlast;
	struct pol_board boards[HXP_CONF_MAX_BOARDS];
	/*
	 * The rates boards reported, by kernel and class: the work of a point
	 * is the same for every guest of a kernel and class, so a board's
	 * rate for one stands for the others, in place of the profile's.
	 */
	struct pol_learned {
		char kernel[HXP_NAME_MAX], cls[HXP_NAME_MAX];
		double rate[HXP_NR_ISA];
	} learned[POL_MAX_LEARNED];
	unsigned int nlearned;
};

static double pol_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * CPU seconds thread tid of process pid got, from /proc/PID/task/TID/stat;
 * with tid 0, all its threads', from /proc/PID/stat.
 */
static int pol_cpu_s(uint32_t pid, uint32_t tid, double *out)
{
	unsigned long long ut, st;
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%u/task/%u/stat", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	/* After the command's ")": state, then fields 4 to 13, utime, stime. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -EPROTO;
	*out = (double)(ut + st) / sysconf(_SC_CLK_TCK);
	return 0;
}

/* Its VMM's resident and swapped memory (VmRSS, VmSwap of /proc/PID/status). */
static bool pol_mem(uint32_t pid, uint64_t *rss, uint64_t *swap)
{
	unsigned long long kib;
	char path[64], line[128];
	int got = 0;
	FILE *f;

	*rss = *swap = 0;
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %llu kB", &kib) == 1)
			*rss = kib * 1024, got++;
		else if (sscanf(line, "VmSwap: %llu kB", &kib) == 1)
			*swap = kib * 1024, got++;
	}
	fclose(f);
	return got == 2;
}

static void pol_pmu_close(struct pol_vm *v)
{
	pmu_close(&v->pmu);
	v->pmu_pid = 0;
}

/*
 * The counters of a VM running here, on its VMM's main thread (where hexovm
 * runs its vCPU), from its first round here or after the VMM changed (an id
 * hexo_kvm gave again); tried again each round after a passing failure. A
 * CPU without a usable PMU, or a kernel that does not permit counting, is
 * said once.
 */
static void pol_pmu_open(struct pol *p, struct pol_vm *v)
{
	int i;

	if (v->pmu_pid == v->pid || (v->pmu_err && pmu_err_lasting(v->pmu_err)))
		return;
	pol_pmu_close(v);
	for (i = 0; i < PMU_NR; i++) {
		v->pmu_rate[i] = -1;
		v->pmu_last[i].ok = false;
	}
	v->pmu_err = pmu_open(&v->pmu, v->pid, pmu_hw_events);
	if (!v->pmu_err) {
		v->pmu_pid = v->pid;
		return;
	}
	if (pmu_err_lasting(v->pmu_err) && !p->pmu_said) {
		printf("policy: no hardware counters (vm %u): %s; the model goes by progress "
		       "rates\n", v->id, pmu_why(v->pmu_err));
		fflush(stdout);
		p->pmu_said = true;
	}
}

/* The counters' rates per CPU-second of the thread they count, since the last sample. */
static void pol_pmu_sample(struct pol_vm *v)
{
	struct pmu_sample now[PMU_NR];
	double cpu, d;
	int i;

	if (!v->pmu_pid || pol_cpu_s(v->pid, v->pid, &cpu))
		return;
	pmu_read(&v->pmu, now);
	for (i = 0; i < PMU_NR; i++) {
		if (cpu - v->pmu_cpu_s > 0 && pmu_delta(&v->pmu_last[i], &now[i], &d))
			v->pmu_rate[i] = d / (cpu - v->pmu_cpu_s);
		v->pmu_last[i] = now[i];
	}
	v->pmu_cpu_s = cpu;
}

static void pol_vm_forget(struct pol_vm *v)
{
	pol_pmu_close(v);
	v->used = false;
}

static struct pol_vm *pol_vm_get(struct pol *p, uint32_t id)
{
	struct pol_vm *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < POL_MAX_VMS; i++) {
		if (p->vms[i].used && p->vms[i].id == id)
			return &p->vms[i];
		if (!p->vms[i].used && !free_slot)
			free_slot = &p->vms[i];
	}
	if (free_slot) {
		memset(free_slot, 0, sizeof(*free_slot));
		memset(free_slot->pmu.fd, -1, sizeof(free_slot->pmu.fd));
		free_slot->used = true;
		free_slot->id = id;
	}
	return free_slot;
}

static int pol_vm_cb(struct nlattr **tb, uint8_t cmd, void *arg)
{
	struct pol *p = arg;
	struct pol_vm *v;
	const char *args;
	double cpu, now = pol_now();

	if (!tb[HEXO_KVM_A_VM_ID] || !tb[HEXO_KVM_A_STATE])
		return -EPROTO;
	if (tb[HEXO_KVM_A_ISA])
		p->isa = nla_get_u32(tb[HEXO_KVM_A_ISA]) == HEXO_ISA_ARM64 ? HXP_ISA_ARM64 :
									      HXP_ISA_X86_64;
	v = pol_vm_get(p, nla_get_u32(tb[HEXO_KVM_A_VM_ID]));
	if (!v)
		return 0;	/* more than the daemon follows */
	v->seen = true;
	v->state = nla_get_u32(tb[HEXO_KVM_A_STATE]);
	v->pid = nla_u32_or0(tb[HEXO_KVM_A_VM_PID]);
	v->vcpus = nla_u32_or0(tb[HEXO_KVM_A_VM_VCPUS]);
	v->mem = nla_u64_or0(tb[HEXO_KVM_A_VM_MEM]);
	if (tb[HEXO_KVM_A_VM_NAME])
		snprintf(v->name, sizeof(v->name), "%s", nla_get_string(tb[HEXO_KVM_A_VM_NAME]));
	v->has_peer = tb[HEXO_KVM_A_PEER] && nla_len(tb[HEXO_KVM_A_PEER]) == 6;
	if (v->has_peer)
		memcpy(v->peer, nla_data(tb[HEXO_KVM_A_PEER]), 6);
	v->has_origin = tb[HEXO_KVM_A_ORIGIN] && nla_len(tb[HEXO_KVM_A_ORIGIN]) == 6;
	if (v->has_origin) {
		memcpy(v->origin, nla_data(tb[HEXO_KVM_A_ORIGIN]), 6);
		if (!v->moved_at)
			v->moved_at = now;	/* it came here when it appeared */
	}
	/* A HEXO guest running here: its own word on what it is and how far it got. */
	v->here = tb[HEXO_KVM_A_POINTS] && !tb[HEXO_KVM_A_VMM_EXITED];
	if (!v->here || v->state == HEXO_KVM_ST_HANDED_OFF) {
		pol_pmu_close(v);	/* its VMM runs it no more */
		v->mem_ok = false;
	}
	if (!v->here)
		return 0;
	if (tb[HEXO_KVM_A_APP])
		snprintf(v->app, sizeof(v->app), "%s", nla_get_string(tb[HEXO_KVM_A_APP]));
	if (tb[HEXO_KVM_A_ARGS]) {
		args = nla_get_string(tb[HEXO_KVM_A_ARGS]);
		/* The class is the first argument (EP A, ra 256). */
		snprintf(v->cls, sizeof(v->cls), "%.*s", (int)strcspn(args, " "), args);
	}
	if (v->pid != v->cpu_pid) {
		/* Another VMM under this id: nothing measured of the last one counts. */
		v->cpu_pid = v->pid;
		v->sample_at = 0;
		v->rate = 0;
	}
	if (!v->pid || pol_cpu_s(v->pid, 0, &cpu))
		return 0;
	if (v->state != HEXO_KVM_ST_HANDED_OFF) {
		v->mem_ok = pol_mem(v->pid, &v->rss, &v->swap);
		pol_pmu_open(p, v);
	}
	if (v->sample_at && cpu - v->cpu_s >= 0.2 &&
	    nla_get_u64(tb[HEXO_KVM_A_POINTS]) >= v->points) {
		double r = (nla_get_u64(tb[HEXO_KVM_A_POINTS]) - v->points) / (cpu - v->cpu_s);

		v->rate = v->rate ? 0.5 * v->rate + 0.5 * r : r;
	}
	if (!v->sample_at || cpu - v->cpu_s >= 0.2) {
		pol_pmu_sample(v);
		v->points = nla_get_u64(tb[HEXO_KVM_A_POINTS]);
		v->cpu_s = cpu;
		v->sample_at = now;
	}
	return 0;
}

static int pol_board_of(const struct pol *p, const struct pol_vm *v)
{
	unsigned int b;

	for (b = 0; v->has_peer && b < p->conf.nr_boards; b++)
		if (!memcmp(p->conf.boards[b].mac, v->peer, 6))
			return b;
	return -1;
}

static bool pol_in_flight(uint32_t state)
{
	return state == HEXO_KVM_ST_PRECOPYING || state == HEXO_KVM_ST_REQUESTED ||
	       state == HEXO_KVM_ST_OFFERING || state == HEXO_KVM_ST_OFFERED;
}

/* The decisions that send a VM to a board: an offload, or a probe. */
static bool pol_to(enum hxp_action a)
{
	return a == HXP_OFFLOAD || a == HXP_PROBE;
}

static void pol_log(const struct pol *p, const struct pol_vm *v, const struct hxp_decision *d)
{
	char mac[18];

	fmt_mac(p->conf.boards[d->board].mac, mac, sizeof(mac));
	printf("policy: %s%s vm %u (%s %s) %s %s: gain %.2f cores: %s\n", p->dry ? "dry-run " : "",
	       hxp_action_name(d->action), v->id, v->app[0] ? v->app : v->name, v->cls,
	       pol_to(d->action) ? "to" : "from", mac, d->gain, d->reason);
	fflush(stdout);
}

/*
 * Starts hexovm --incoming to take a reclaimed VM from the board it runs on
 * (v->peer: an offer from another board is not its); its output goes to a log.
 */
static pid_t pol_spawn_incoming(const struct pol *p, const struct pol_vm *v)
{
	char log[HXP_CONF_PATH_MAX + 32], tmo[16], from[18];
	pid_t pid;
	int fd;

	snprintf(log, sizeof(log), "%s.incoming.%u.log", p->conf.state, v->id);
	fmt_mac(v->peer, from, sizeof(from));
	snprintf(tmo, sizeof(tmo), "%u", p->conf.timeout_ms / 1000 * 3 + 10);
	pid = fork();
	if (pid)
		return pid;
	setsid();
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	/* Nothing of the daemon's (its netlink socket) lives on in the VMM. */
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	execlp(p->conf.hexovm, p->conf.hexovm, "--incoming", "--incoming-timeout", tmo,
	       "--from", from, (char *)NULL);
	fprintf(stderr, "policy: cannot run %s: %s\n", p->conf.hexovm, strerror(errno));
	_exit(127);
}

static int pol_offload(struct pol *p, struct hxnl *nl, struct pol_vm *v, unsigned int b)
{
	struct nl_msg *msg = hxnl_msg(nl, HEXO_KVM_CMD_OFFLOAD, false);

	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, v->id);
	nla_put(msg, HEXO_KVM_A_PEER, 6, p->conf.boards[b].mac);
	nla_put_string(msg, HEXO_KVM_A_IFNAME, p->conf.dev);
	nla_put_u32(msg, HEXO_KVM_A_TIMEOUT_MS, p->conf.timeout_ms);
	return hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
}

static int pol_reclaim(struct pol *p, struct hxnl *nl, struct pol_vm *v)
{
	struct nl_msg *msg;
	pid_t pid;
	int ret;

	pid = pol_spawn_incoming(p, v);
	if (pid < 0)
		return -errno;
	msg = hxnl_msg(nl, HEXO_KVM_CMD_RECLAIM, false);
	if (!msg) {
		kill(pid, SIGTERM);
		return -ENOMEM;
	}
	nla_put_u32(msg, HEXO_KVM_A_VM_ID, v->id);
	nla_put_u32(msg, HEXO_KVM_A_TIMEOUT_MS, p->conf.timeout_ms);
	ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, NULL, NULL);
	if (ret)
		kill(pid, SIGTERM);
	/*
	 * Either way the board runs it no more: it comes back here, attached
	 * anew by the hexovm started for it, or it ended there (EIO: the
	 * board did not agree).
	 */
	if (!ret || ret == -EIO)
		v->finished = true;
	return ret;
}

/* A string into f as JSON: quoted, escaped. */
static void pol_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* Writes path through path.new, so that a reader never sees half of it. */
static FILE *pol_open_new(const char *path, char *tmp, size_t len)
{
	snprintf(tmp, len, "%s.new", path);
	return fopen(tmp, "w");
}

static void pol_commit(FILE *f, const char *tmp, const char *path)
{
	if (fclose(f) == 0)
		rename(tmp, path);
}

/*
 * What a VM running here shows besides its rate: its VMM's memory, resident
 * and swapped, and its counters per CPU-second (or why there are none).
 */
static void pol_write_signals(const struct pol_vm *v, FILE *f, FILE *t)
{
	bool any = false;
	int i;

	if (v->mem_ok) {
		fprintf(f, ",\"rss\":%llu,\"swap\":%llu", (unsigned long long)v->rss,
			(unsigned long long)v->swap);
		fprintf(t, "  memory: %.1f MiB resident, %.1f MiB swapped\n",
			v->rss / 1048576.0, v->swap / 1048576.0);
	}
	if (!v->pmu_pid && !v->pmu_err)
		return;		/* not tried yet */
	if (!v->pmu_pid) {
		fprintf(f, ",\"pmu\":null,\"pmu_why\":");
		pol_json_str(f, pmu_why(v->pmu_err));
		fprintf(t, "  counters: none, %s\n", pmu_why(v->pmu_err));
		return;
	}
	fprintf(f, ",\"pmu\":{");
	fprintf(t, "  counters per CPU-s:");
	for (i = 0; i < PMU_NR; i++) {
		if (v->pmu_rate[i] < 0)
			continue;
		fprintf(f, "%s\"%s\":%.0f", any ? "," : "", pmu_names[i], v->pmu_rate[i]);
		fprintf(t, " %s %.3g", pmu_names[i], v->pmu_rate[i]);
		any = true;
	}
	if (v->pmu_rate[PMU_CYCLES] > 0 && v->pmu_rate[PMU_INSTRUCTIONS] >= 0) {
		fprintf(f, ",\"ipc\":%.3f",
			v->pmu_rate[PMU_INSTRUCTIONS] / v->pmu_rate[PMU_CYCLES]);
		fprintf(t, ", %.2f instructions a cycle",
			v->pmu_rate[PMU_INSTRUCTIONS] / v->pmu_rate[PMU_CYCLES]);
	}
	fprintf(f, "}");
	fprintf(t, "%s\n", any ? "" : " none measured yet");
}

/* Each board as the policy sees it: its report, or why there is none. */
static void pol_write_boards(const struct pol *p, const struct hxp_state *st, FILE *f, FILE *t)
{
	char mac[18], a[32], b[32], c[32];
	unsigned int i;

	fprintf(f, "\"boards\":[");
	for (i = 0; i < p->conf.nr_boards; i++) {
		const struct pol_board *pb = &p->boards[i];

		fmt_mac(p->conf.boards[i].mac, mac, sizeof(mac));
		fprintf(f, "%s{\"mac\":\"%s\",\"present\":%s,\"cores\":%u,\"mem_free\":%llu,"
			"\"swap_free\":%llu,\"report\":", i ? "," : "", mac,
			st->boards[i].present ? "true" : "false", st->boards[i].cores,
			(unsigned long long)st->boards[i].mem_free,
			(unsigned long long)st->boards[i].swap_free);
		fprintf(t, "board %s: %s, %u cores, %s free for a VM, %s of Netswap free\n", mac,
			st->boards[i].present ? "present" : "gone", st->boards[i].cores,
			fmt_size(st->boards[i].mem_free, a, sizeof(a)),
			fmt_size(st->boards[i].swap_free, b, sizeof(b)));
		if (!pb->reports) {
			fprintf(f, "null,\"why\":");
			pol_json_str(f, pb->err ? strerror(-pb->err) : "not asked yet");
			fprintf(t, "  no report: %s\n", pb->err ? strerror(-pb->err) : "not asked yet");
		} else {
			fprintf(f, "{\"cpus\":%u,\"vms\":%u,\"mem_total\":%llu,"
				"\"mem_available\":%llu,\"swap_free\":%llu,\"age_ms\":%u}",
				pb->rep.cpus, pb->rep.vms, (unsigned long long)pb->rep.mem_total,
				(unsigned long long)pb->rep.mem_available,
				(unsigned long long)pb->rep.swap_free, pb->rep.age_ms);
			fprintf(t, "  reports: %u CPUs, %u VMs, %s of %s available, %s of swap free\n",
				pb->rep.cpus, pb->rep.vms,
				fmt_size(pb->rep.mem_available, a, sizeof(a)),
				fmt_size(pb->rep.mem_total, b, sizeof(b)),
				fmt_size(pb->rep.swap_free, c, sizeof(c)));
		}
		fprintf(f, "}");
	}
	fprintf(f, "]");
}

/* A VM on a board, as the board reported it. */
static void pol_write_board_vm(const struct pol_vm *v, FILE *f, FILE *t)
{
	char a[32], b[32];

	fprintf(f, ",\"there\":{\"rate\":%.3f,\"rss\":%llu,\"swap\":%llu}", v->b_rate,
		(unsigned long long)v->b_rss, (unsigned long long)v->b_swap);
	fprintf(t, "  there: %.1f points/CPU-s, %s resident, %s swapped\n", v->b_rate,
		fmt_size(v->b_rss, a, sizeof(a)), fmt_size(v->b_swap, b, sizeof(b)));
}

/*
 * The state files: this round as "policy show" prints it, in JSON (STATE)
 * and in words (STATE.txt).
 */
static void pol_write_state(const struct pol *p, const struct hxp_state *st,
			    const struct pol_vm *const *map, const struct hxp_estimate *est,
			    double now)
{
	char tmp[HXP_CONF_PATH_MAX + 8], txt[HXP_CONF_PATH_MAX + 8], tmp2[HXP_CONF_PATH_MAX + 16];
	char mac[18];
	unsigned int i;
	FILE *f, *t;

	snprintf(txt, sizeof(txt), "%s.txt", p->conf.state);
	f = pol_open_new(p->conf.state, tmp, sizeof(tmp));
	t = pol_open_new(txt, tmp2, sizeof(tmp2));
	if (!f || !t) {
		if (f)
			fclose(f);
		if (t)
			fclose(t);
		return;
	}
	fprintf(f, "{\"server\":{\"cores\":%u,\"free_for_s\":%.1f},",
		st->servers[0].cores, st->servers[0].free_for_s);
	fprintf(t, "server: %u cores, %s", st->servers[0].cores,
		st->servers[0].free_for_s > 0 ? "" : "none idle\n");
	if (st->servers[0].free_for_s > 0)
		fprintf(t, "a core idle for %.1f s\n", st->servers[0].free_for_s);
	pol_write_boards(p, st, f, t);
	fprintf(f, ",\"vms\":[");
	for (i = 0; i < st->nr_vms; i++) {
		const struct hxp_vm *v = &st->vms[i];

		if (v->where == HXP_ON_BOARD)
			fmt_mac(p->conf.boards[v->node].mac, mac, sizeof(mac));
		fprintf(f, "%s{\"id\":%u,\"app\":", i ? "," : "", map[i]->id);
		pol_json_str(f, v->kernel);
		fprintf(f, ",\"class\":");
		pol_json_str(f, v->cls);
		fprintf(f, ",\"where\":\"%s\",\"rate\":%.3f,\"estimate\":\"%s\",\"ratio\":%.3f",
			v->where == HXP_ON_BOARD ? mac : "here", map[i]->rate,
			hxp_source_name(est[i].src), est[i].ratio);
		if (v->probe)
			fprintf(f, ",\"probe\":true");
		fprintf(t, "vm %u: %s %s %s%s%s, %.1f points/CPU-s here, estimate %s, ratio %.2f\n",
			map[i]->id, v->kernel, v->cls, v->where == HXP_ON_BOARD ? "on " : "here",
			v->where == HXP_ON_BOARD ? mac : "", v->probe ? " (a probe)" : "",
			map[i]->rate, hxp_source_name(est[i].src), est[i].ratio);
		if (v->where == HXP_ON_SERVER)
			pol_write_signals(map[i], f, t);
		else if (map[i]->on_report)
			pol_write_board_vm(map[i], f, t);
		fprintf(f, "}");
	}
	fprintf(f, "],\"decisions\":[");
	fprintf(t, "decisions (the latest last):%s\n", p->nlast ? "" : " none");
	for (i = 0; i < p->nlast; i++) {
		const struct pol_decision *d = &p->last[i];

		fmt_mac(p->conf.boards[d->d.board].mac, mac, sizeof(mac));
		fprintf(f, "%s{\"ago_s\":%.1f,\"action\":\"%s\",\"vm\":%u,\"board\":\"%s\","
			"\"gain\":%.3f,\"reason\":", i ? "," : "", now - d->at,
			hxp_action_name(d->d.action), d->vm_id, mac, d->d.gain);
		pol_json_str(f, d->d.reason);
		fprintf(f, "}");
		fprintf(t, "  %.1f s ago: %s vm %u %s %s: gain %.2f cores: %s\n", now - d->at,
			hxp_action_name(d->d.action), d->vm_id,
			pol_to(d->d.action) ? "to" : "from", mac, d->d.gain, d->d.reason);
	}
	fprintf(f, "]}\n");
	pol_commit(f, tmp, p->conf.state);
	pol_commit(t, tmp2, txt);
}

static void pol_remember(struct pol *p, const struct hxp_decision *d, uint32_t id, double now)
{
	if (p->nlast == POL_MAX_DECISIONS) {
		memmove(p->last, p->last + 1, sizeof(p->last) - sizeof(p->last[0]));
		p->nlast--;
	}
	p->last[p->nlast++] = (struct pol_decision){ *d, id, now };
}

static struct pol_learned *pol_learned(struct pol *p, const char *kernel, const char *cls,
				       bool add)
{
	struct pol_learned *l;
	unsigned int i;

	for (i = 0; i < p->nlearned; i++)
		if (!strcmp(p->learned[i].kernel, kernel) && !strcmp(p->learned[i].cls, cls))
			return &p->learned[i];
	if (!add || !kernel[0])
		return NULL;
	if (p->nlearned == POL_MAX_LEARNED) {
		/* The oldest goes. */
		memmove(p->learned, p->learned + 1, sizeof(p->learned) - sizeof(p->learned[0]));
		p->nlearned--;
	}
	l = &p->learned[p->nlearned++];
	memset(l, 0, sizeof(*l));
	snprintf(l->kernel, sizeof(l->kernel), "%s", kernel);
	snprintf(l->cls, sizeof(l->cls), "%s", cls);
	return l;
}

/* A VM handed off, as its board reported it: its rate there. */
static void pol_board_vm(struct pol *p, struct pol_vm *v, const struct kvm_report_vm *r)
{
	struct pol_learned *l;
	double cpu, rate;

	v->on_report = true;
	v->b_rss = r->rss;
	v->b_swap = r->swap;
	/* Swapping or not, a rate of its own: start it afresh. */
	if (v->b_swapping != (r->swap > 0))
		v->b_rate = 0;
	v->b_swapping = r->swap > 0;
	if (!r->has_points)
		return;
	/* A VMM of its own there, started anew, counts its time from 0. */
	if (v->b_sampled && r->cpu_ns < v->b_cpu_ns)
		v->b_sampled = false;
	cpu = v->b_sampled ? (r->cpu_ns - v->b_cpu_ns) / 1e9 : 0;
	if (v->b_sampled && cpu < 0.2)
		return;		/* too little to go by yet: the same sample, or nearly */
	if (v->b_sampled && r->points >= v->b_points) {
		rate = (r->points - v->b_points) / cpu;
		v->b_rate = v->b_rate ? 0.5 * v->b_rate + 0.5 * rate : rate;
		l = pol_learned(p, v->app[0] ? v->app : v->name, v->cls, true);
		if (l)
			l->rate[v->b_swapping ? HXP_ISA_ARM64_NETSWAP : HXP_ISA_ARM64] = v->b_rate;
	}
	v->b_points = r->points;
	v->b_cpu_ns = r->cpu_ns;
	v->b_sampled = true;
}

/*
 * Each board's report: whether it is there, what it has, and the rates of
 * the VMs it runs for us. A board that does not report (an older
 * hexo_kvm) is taken as its configuration says; one that does not answer
 * POL_BOARD_MISSES rounds in a row is gone until it answers again.
 */
static void pol_reports(struct pol *p, struct hxnl *nl)
{
	unsigned int b, i, k;
	char mac[18];
	int ret;

	for (i = 0; i < POL_MAX_VMS; i++)
		p->vms[i].on_report = false;
	for (b = 0; b < p->conf.nr_boards; b++) {
		struct pol_board *pb = &p->boards[b];

		fmt_mac(p->conf.boards[b].mac, mac, sizeof(mac));
		if (pb->gone && pb->skip) {
			pb->skip--;
			pb->reports = false;
			continue;
		}
		pb->skip = POL_GONE_EVERY - 1;
		/* A round's worth of waiting for each board, at most the default. */
		ret = kvm_report_get(nl, p->conf.boards[b].mac, p->conf.dev,
				     p->conf.interval_ms < HEXO_KVM_REPORT_TIMEOUT_MS ?
				     p->conf.interval_ms : HEXO_KVM_REPORT_TIMEOUT_MS, &pb->rep);
		pb->reports = !ret;
		if (ret == -EOPNOTSUPP && pb->gone) {
			/* It answered: there, if older. */
			printf("policy: board %s is back\n", mac);
			pb->gone = false;
			pb->misses = 0;
		}
		if (ret) {
			/*
			 * Only silence, or a board that no longer serves,
			 * counts against its presence: not an older board,
			 * nor a failure of this node's own.
			 */
			if ((ret == -ETIMEDOUT || ret == -ENOTCONN) &&
			    ++pb->misses >= POL_BOARD_MISSES && !pb->gone) {
				pb->gone = true;
				printf("policy: board %s is gone: no report for %u rounds (%s)\n", mac,
				       pb->misses, strerror(-ret));
			} else if (!pb->said || ret != pb->err) {
				printf("policy: board %s: no report (%s)%s\n", mac, strerror(-ret),
				       ret == -EOPNOTSUPP ? "; going by its configuration" : "");
				if (ret != -ETIMEDOUT && ret != -ENOTCONN && ret != -EOPNOTSUPP)
					hexoctl_nl_fail(nl, "policy: kvm report", ret);
			}
			pb->err = ret;
			pb->said = true;
			fflush(stdout);
			continue;
		}
		if (pb->gone)
			printf("policy: board %s is back\n", mac);
		else if (pb->said)
			printf("policy: board %s reports\n", mac);
		fflush(stdout);
		pb->gone = pb->said = false;
		pb->misses = 0;
		pb->err = 0;
		for (k = 0; k < pb->rep.count; k++) {
			const struct kvm_report_vm *r = &pb->rep.vm[k];

			for (i = 0; r->id && i < POL_MAX_VMS; i++)
				if (p->vms[i].used && p->vms[i].id == r->id &&
				    p->vms[i].state == HEXO_KVM_ST_HANDED_OFF &&
				    p->vms[i].has_peer &&
				    !memcmp(p->vms[i].peer, p->conf.boards[b].mac, 6))
					pol_board_vm(p, &p->vms[i], r);
		}
	}
}

/*
 * A VM's rates on a board: its own, where its board reported them, else
 * what boards reported for its kernel and class.
 */
static void pol_rates(struct pol *p, const struct pol_vm *v, struct hxp_vm *hv)
{
	const struct pol_learned *l = pol_learned(p, hv->kernel, hv->cls, false);
	int i;

	if (!p->conf.board_rates)
		return;		/* the profile's board rates stand */
	if (v->b_rate > 0)
		hv->rate[v->b_swapping ? HXP_ISA_ARM64_NETSWAP : HXP_ISA_ARM64] = v->b_rate;
	for (i = HXP_ISA_ARM64; l && i < HXP_NR_ISA; i++)
		if (!hv->rate[i] && l->rate[i] > 0)
			hv->rate[i] = l->rate[i];
}

static int pol_round(struct pol *p, struct hxnl *nl)
{
	struct hxp_vm vms[POL_MAX_VMS];
	const struct pol_vm *map[POL_MAX_VMS];
	struct hxp_estimate est[POL_MAX_VMS];
	struct hxp_board boards[HXP_CONF_MAX_BOARDS];
	struct hxp_decision dec[POL_MAX_DECISIONS];
	struct hxp_server server = { .cores = p->cores };
	struct hxp_state st = { .servers = &server, .nr_servers = 1, .boards = boards,
				.nr_boards = p->conf.nr_boards, .vms = vms };
	unsigned int i, busy = 0, n = 0;
	double now = pol_now();
	struct nl_msg *msg;
	bool moved = false;
	int ret, nd, b;

	for (i = 0; i < POL_MAX_VMS; i++)
		p->vms[i].seen = false;
	msg = hxnl_msg(nl, HEXO_KVM_CMD_GET_VM, true);
	if (!msg)
		return -ENOMEM;
	ret = hxnl_call(nl, msg, HEXO_KVM_A_MAX, pol_vm_cb, p);
	if (ret)
		return ret;
	pol_reports(p, nl);
	for (i = 0; i < p->conf.nr_boards; i++)
		boards[i] = (struct hxp_board){ .cores = p->conf.boards[i].cores,
						.present = !p->boards[i].gone,
						.mem_free = p->conf.boards[i].mem,
						.swap_free = p->conf.boards[i].swap };
	for (i = 0; i < POL_MAX_VMS; i++) {
		struct pol_vm *v = &p->vms[i];

		if (v->used && !v->seen)
			pol_vm_forget(v);	/* detached */
		if (!v->used)
			continue;
		if (v->here && (v->state != HEXO_KVM_ST_HANDED_OFF))
			busy += v->vcpus;
		if (v->here && pol_in_flight(v->state))
			continue;	/* moving: nothing to decide */
		b = v->state == HEXO_KVM_ST_HANDED_OFF && !v->finished ? pol_board_of(p, v) : -1;
		if (!(v->here && v->state != HEXO_KVM_ST_HANDED_OFF) && b < 0)
			continue;	/* ended, or elsewhere than the daemon's boards */
		vms[n] = (struct hxp_vm){ .id = v->id, .vcpus = v->vcpus ? v->vcpus : 1,
					  .mem = v->mem, .where = b < 0 ? HXP_ON_SERVER : HXP_ON_BOARD,
					  .node = b < 0 ? 0 : b, .home = 0,
					  .probe = b >= 0 && v->probe,
					  .since_move_s = v->moved_at ? now - v->moved_at : HXP_NEVER };
		snprintf(vms[n].kernel, sizeof(vms[n].kernel), "%s", v->app[0] ? v->app : v->name);
		snprintf(vms[n].cls, sizeof(vms[n].cls), "%s", v->cls);
		/*
		 * The LLC signal, where this x86_64 server counted it, wherever
		 * the VM runs now: a property of the VM, as its rates are.
		 */
		if (p->isa == HXP_ISA_X86_64 && v->pmu_rate[PMU_LLC_REFS] > 0)
			vms[n].llc = v->pmu_rate[PMU_LLC_REFS];
		/* Its rate here, measured while it ran here (before a hand-off). */
		vms[n].rate[p->isa] = v->rate;
		pol_rates(p, v, &vms[n]);
		if (b >= 0) {
			if (!p->boards[b].gone)
				v->lost_said = false;
			vms[n].swapping = v->b_swapping;	/* as last reported */
			if (boards[b].mem_free >= v->mem)
				boards[b].mem_free -= v->mem;
			else
				boards[b].mem_free = 0;
		}
		map[n++] = v;
	}
	/* What the boards have, where they say: never more than configured. */
	for (i = 0; i < p->conf.nr_boards; i++) {
		if (!p->boards[i].reports)
			continue;
		if (boards[i].mem_free > p->boards[i].rep.mem_available)
			boards[i].mem_free = p->boards[i].rep.mem_available;
		if (boards[i].swap_free > p->boards[i].rep.swap_free)
			boards[i].swap_free = p->boards[i].rep.swap_free;
	}
	st.nr_vms = n;
	if (busy < p->cores) {
		if (!p->free_since)
			p->free_since = now;
		server.free_for_s = now - p->free_since;
	} else {
		p->free_since = 0;
	}
	for (i = 0; i < n; i++) {
		hxp_estimate(&vms[i], &p->prof, &p->conf.params, &est[i]);
		hxp_estimate_prior(&p->conf.params, &est[i]);
	}
	nd = hxp_decide(&st, &p->prof, &p->conf.params, dec, POL_MAX_DECISIONS);
	if (nd < 0)
		return nd;
	for (i = 0; i < (unsigned int)nd; i++) {
		struct pol_vm *v;

		if (dec[i].action == HXP_LOST) {
			v = (struct pol_vm *)map[dec[i].vm];
			if (!v->lost_said) {
				pol_log(p, v, &dec[i]);
				pol_remember(p, &dec[i], v->id, now);
				v->lost_said = true;
			}
			continue;
		}
		if (!pol_to(dec[i].action) && dec[i].action != HXP_RECLAIM)
			continue;
		v = (struct pol_vm *)map[dec[i].vm];
		pol_log(p, v, &dec[i]);
		pol_remember(p, &dec[i], v->id, now);
		if (p->dry || moved)
			continue;	/* one move a round: the next sees its effect */
		ret = pol_to(dec[i].action) ? pol_offload(p, nl, v, dec[i].board) :
					      pol_reclaim(p, nl, v);
		/*
		 * A move that failed is the round's move too: the rest (the
		 * offload half of an exchange, say) is decided anew next round.
		 */
		moved = true;
		if (ret) {
			hexoctl_nl_fail(nl, pol_to(dec[i].action) ? "policy: offload" :
					"policy: reclaim", ret);
			continue;
		}
		/* Held from when it got there: the call returns once it runs there. */
		v->moved_at = pol_now();
		v->probe = dec[i].action == HXP_PROBE;
	}
	pol_write_state(p, &st, map, est, now);
	return 0;
}

static int policy_run(int argc, char **argv)
{
	const char *config = NULL;
	bool once = false;
	struct hxnl nl;
	char err[512];
	struct pol *p;
	int ret;

	p = calloc(1, sizeof(*p));
	if (!p)
		return HEXOCTL_EFAIL;
	for (; argc > 0; argc--, argv++) {
		if (!strcmp(argv[0], "once")) {
			once = true;
		} else if (!strcmp(argv[0], "dry-run")) {
			p->dry = true;
		} else if (!strcmp(argv[0], "config") && argc > 1) {
			config = argv[1];
			argc--, argv++;
		} else {
			free(p);
			return hexoctl_usage_err("policy", "unexpected '%s'", argv[0]);
		}
	}
	if (!config) {
		free(p);
		return hexoctl_usage_err("policy", "run needs 'config FILE'");
	}
	hxp_conf_default(&p->conf);
	ret = hxp_conf_load(&p->conf, config, err, sizeof(err));
	if (!ret && p->conf.profile[0])
		ret = hxp_profile_load(&p->prof, p->conf.profile, err, sizeof(err));
	if (ret) {
		hexoctl_err("policy: %s", err);
		hxp_profile_free(&p->prof);
		free(p);
		return HEXOCTL_EFAIL;
	}
	p->cores = p->conf.server_cores ? p->conf.server_cores : sysconf(_SC_NPROCESSORS_ONLN);
	/*
	 * A probe is measured by its board's reports; with board-rates
	 * profile none is taken, and a probe would sit at its prior.
	 */
	if (!p->conf.board_rates)
		p->conf.params.probe_s = 0;
	/* Reclaimed VMs run in hexovm processes of their own: never zombies. */
	signal(SIGCHLD, SIG_IGN);
	if (hexoctl_open(&nl, HEXO_KVM_GENL_NAME, "hexo_kvm")) {
		hxp_profile_free(&p->prof);
		free(p);
		return HEXOCTL_EFAIL;
	}
	printf("policy: %u cores here, %u board%s, profile %s, every %u ms%s%s\n", p->cores,
	       p->conf.nr_boards, p->conf.nr_boards == 1 ? "" : "s",
	       p->conf.profile[0] ? p->conf.profile : "(none)", p->conf.interval_ms,
	       p->conf.params.probe_s > 0 ? "" : ", no probes", p->dry ? ", dry-run" : "");
	fflush(stdout);
	do {
		ret = pol_round(p, &nl);
		if (ret) {
			hexoctl_nl_fail(&nl, "policy: a round", ret);
			break;
		}
		if (!once)
			usleep(p->conf.interval_ms * 1000);
	} while (!once);
	hxnl_close(&nl);
	hxp_profile_free(&p->prof);
	free(p);
	return ret ? HEXOCTL_EFAIL : 0;
}

static int policy_show(int argc, char **argv)
{
	const char *state = "/run/hexo-policy.json";
	char buf[4096], path[HXP_CONF_PATH_MAX + 8];
	size_t n;
	FILE *f;

	if (argc == 2 && !strcmp(argv[0], "state"))
		state = argv[1];
	else if (argc)
		return hexoctl_usage_err("policy", "show takes at most 'state FILE'");
	/* What the daemon wrote at its last round, in JSON or in words. */
	snprintf(path, sizeof(path), "%s%s", state, out_json() ? "" : ".txt");
	f = fopen(path, "r");
	if (!f) {
		hexoctl_err("policy show: %s: %s (is hexoctl policy run going?)", path,
			    strerror(errno));
		return HEXOCTL_EFAIL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)))
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

static const struct hexoctl_verb policy_verbs[] = {
	{ "run", policy_run },
	{ "show", policy_show },
	{}
};

int do_policy(int argc, char **argv)
{
	return hexoctl_dispatch("policy", policy_verbs, policy_usage, argc, argv);
}

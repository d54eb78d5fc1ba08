// SPDX-License-Identifier: GPL-2.0
/*
 * hexocal: the calibration's arithmetic (Documentation/policy.rst, "The
 * calibration"). make bench-calibrate measures the rates of each round into
 * a profile file of its own; hexocal reads those rounds and
 *
 *  1. writes the calibration profile: per kernel, class and ISA, the median
 *     of the rounds, with their number and range in a comment;
 *  2. prints the rates, their ratios to x86_64 and the swap factors;
 *  3. prints the prediction error of the board's rates, per kernel, of
 *     - HEXO's model (model.c, hxp_estimate()), as the daemon uses it: the
 *       VM's x86_64 rate measured, the ratio from a profile of the other
 *       rounds (leave one round out);
 *     - the prototype's LLC heuristic, as a predictor: the ratio of the
 *       entry of another kernel nearest in LLC references per second
 *       (leave one kernel out; hxp_estimate()'s "llc" signal), and the rank
 *       correlation of LLC references with the ratio, where the profile
 *       has llc= at all.
 *
 *	hexocal [--out FILE] ROUND.profile...
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "policy.h"

#define MAX_ROUNDS	64

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: hexocal [--out FILE] ROUND.profile...\n"
		"\n"
		"Reads the rates of each calibration round (the profile format), writes\n"
		"their median per kernel, class and ISA as the calibration profile (--out),\n"
		"and prints the rates and the prediction errors of the model and of the\n"
		"LLC heuristic against the measured board rates.\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct key {
	char kernel[HXP_NAME_MAX], cls[HXP_NAME_MAX];
};

struct cal {
	struct hxp_profile rounds[MAX_ROUNDS];
	const char *names[MAX_ROUNDS];
	unsigned int nr;
	struct key *keys;
	unsigned int nkeys;
};

/* Every kernel and class of any round, in the order they first appear. */
static int collect_keys(struct cal *c)
{
	unsigned int r, i, k;

	for (r = 0; r < c->nr; r++) {
		for (i = 0; i < c->rounds[r].n; i++) {
			const struct hxp_prof_entry *e = &c->rounds[r].e[i];
			struct key *nk;

			for (k = 0; k < c->nkeys; k++)
				if (!strcmp(c->keys[k].kernel, e->kernel) &&
				    !strcmp(c->keys[k].cls, e->cls))
					break;
			if (k < c->nkeys)
				continue;
			nk = realloc(c->keys, (c->nkeys + 1) * sizeof(*nk));
			if (!nk)
				return -ENOMEM;
			c->keys = nk;
			memcpy(nk[c->nkeys].kernel, e->kernel, HXP_NAME_MAX);
			memcpy(nk[c->nkeys].cls, e->cls, HXP_NAME_MAX);
			c->nkeys++;
		}
	}
	return 0;
}

/*
 * The median profile of the rounds, leaving out round skip_round (-1: none)
 * and every entry of kernel skip_kernel (NULL: none). Entries left with no
 * rate are dropped. 0, -EINVAL (mem= differs between rounds: err says
 * where), -ENOMEM.
 */
static int median_profile(const struct cal *c, int skip_round, const char *skip_kernel,
			  struct hxp_profile *out, char *err, size_t errlen)
{
	double v[MAX_ROUNDS];
	unsigned int k, r, isa, n;

	memset(out, 0, sizeof(*out));
	out->e = calloc(c->nkeys + 1, sizeof(*out->e));
	if (!out->e)
		return -ENOMEM;
	out->cap = c->nkeys + 1;
	for (k = 0; k < c->nkeys; k++) {
		struct hxp_prof_entry e = { 0 };
		const char *mem_from = NULL;
		bool any = false;

		if (skip_kernel && !strcmp(c->keys[k].kernel, skip_kernel))
			continue;
		memcpy(e.kernel, c->keys[k].kernel, HXP_NAME_MAX);
		memcpy(e.cls, c->keys[k].cls, HXP_NAME_MAX);
		for (isa = 0; isa < HXP_NR_ISA; isa++) {
			for (n = 0, r = 0; r < c->nr; r++) {
				const struct hxp_prof_entry *re;

				if ((int)r == skip_round)
					continue;
				re = hxp_profile_find(&c->rounds[r], e.kernel, e.cls);
				if (re && re->rate[isa] > 0)
					v[n++] = re->rate[isa];
			}
			if (n) {
				e.rate[isa] = median(v, n);
				any = true;
			}
		}
		for (n = 0, r = 0; r < c->nr; r++) {
			const struct hxp_prof_entry *re;

			if ((int)r == skip_round)
				continue;
			re = hxp_profile_find(&c->rounds[r], e.kernel, e.cls);
			if (!re)
				continue;
			if (re->llc > 0)
				v[n++] = re->llc;
			if (re->mem && e.mem && re->mem != e.mem) {
				snprintf(err, errlen, "%s: mem of %s %s differs from %s's", c->names[r],
					 e.kernel, e.cls, mem_from);
				hxp_profile_free(out);
				return -EINVAL;
			}
			if (re->mem && !e.mem) {
				e.mem = re->mem;
				mem_from = c->names[r];
			}
		}
		if (n)
			e.llc = median(v, n);
		if (any)
			out->e[out->n++] = e;
	}
	return 0;
}

/* Each round's value of kernel, class, ISA: n of them into v. */
static unsigned int values(const struct cal *c, const struct key *key, int isa, double *v)
{
	unsigned int r, n = 0;

	for (r = 0; r < c->nr; r++) {
		const struct hxp_prof_entry *e = hxp_profile_find(&c->rounds[r], key->kernel,
								  key->cls);

		if (e && e->rate[isa] > 0)
			v[n++] = e->rate[isa];
	}
	return n;
}

/* The rounds' rates of e's kernel and class on isa, sorted; how many. */
static unsigned int sorted_values(const struct cal *c, const struct hxp_prof_entry *e, int isa,
				  double *v)
{
	struct key k;
	unsigned int n;

	memcpy(k.kernel, e->kernel, HXP_NAME_MAX);
	memcpy(k.cls, e->cls, HXP_NAME_MAX);
	n = values(c, &k, isa, v);
	qsort(v, n, sizeof(*v), cmp_double);
	return n;
}

static int write_profile(const struct cal *c, const struct hxp_profile *med, const char *path)
{
	FILE *f = fopen(path, "w");
	double v[MAX_ROUNDS];
	bool llc = false;
	unsigned int i, r, isa, n;
	char size[32];

	if (!f) {
		fprintf(stderr, "hexocal: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	for (i = 0; i < med->n; i++)
		llc |= med->e[i].llc > 0;
	fprintf(f, "# SPDX-License-Identifier: GPL-2.0\n#\n"
		"# HEXO calibration profile (Documentation/policy.rst, \"The calibration\"):\n"
		"# per kernel, class and ISA the median of %u round%s, written by hexocal\n"
		"# from:\n", c->nr, c->nr == 1 ? "" : "s");
	for (r = 0; r < c->nr; r++)
		fprintf(f, "#   %s\n", c->names[r]);
	fprintf(f, "#\n# RATE: migration points per CPU-second of the VMM (hexovm --stats).\n");
	if (!llc)
		fprintf(f, "# llc=: not measured (no PMU where the rounds ran): no line has it.\n");
	fprintf(f, "\n# kernel class ISA rate [llc=] [mem=]   # rounds: range\n");
	for (i = 0; i < med->n; i++) {
		const struct hxp_prof_entry *e = &med->e[i];
		bool first = true;

		for (isa = 0; isa < HXP_NR_ISA; isa++) {
			if (!(e->rate[isa] > 0))
				continue;
			n = sorted_values(c, e, isa, v);
			fprintf(f, "%-8s %-6s %-14s %-12.6g", e->kernel, e->cls, hxp_isa_name(isa),
				e->rate[isa]);
			if (isa == HXP_ISA_X86_64 && e->llc > 0)
				fprintf(f, " llc=%.6g", e->llc);
			if (first && e->mem)
				fprintf(f, " mem=%s", fmt_size(e->mem, size, sizeof(size)));
			fprintf(f, "   # %u: %.6g-%.6g\n", n, v[0], v[n - 1]);
			first = false;
		}
	}
	if (fclose(f)) {
		fprintf(stderr, "hexocal: %s: %s\n", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static void print_rates(const struct cal *c, const struct hxp_profile *med)
{
	double v[MAX_ROUNDS];
	unsigned int i, isa, n;

	printf("rates (migration points per CPU-second), median and range of the rounds:\n\n");
	printf("%-8s %-6s %-14s %3s %12s %12s %12s %8s\n", "kernel", "class", "ISA", "n",
	       "median", "min", "max", "x x86_64");
	for (i = 0; i < med->n; i++) {
		const struct hxp_prof_entry *e = &med->e[i];

		for (isa = 0; isa < HXP_NR_ISA; isa++) {
			if (!(e->rate[isa] > 0))
				continue;
			n = sorted_values(c, e, isa, v);
			printf("%-8s %-6s %-14s %3u %12.4g %12.4g %12.4g", e->kernel, e->cls,
			       hxp_isa_name(isa), n, e->rate[isa], v[0], v[n - 1]);
			if (isa != HXP_ISA_X86_64 && e->rate[HXP_ISA_X86_64] > 0)
				printf(" %8.3f", e->rate[isa] / e->rate[HXP_ISA_X86_64]);
			printf("\n");
		}
		if (e->rate[HXP_ISA_ARM64] > 0 && e->rate[HXP_ISA_ARM64_NETSWAP] > 0)
			printf("%-8s %-6s swap factor (arm64+netswap / arm64) %.3f\n", e->kernel,
			       e->cls, e->rate[HXP_ISA_ARM64_NETSWAP] / e->rate[HXP_ISA_ARM64]);
	}
	printf("\n");
}

/* Prediction errors, |predicted / measured - 1|, per kernel. */
struct errs {
	char kernel[HXP_NAME_MAX];
	double model[2][MAX_ROUNDS * 16];	/* [0] arm64, [1] arm64+netswap */
	unsigned int nmodel[2], none[2];
	double llc[MAX_ROUNDS];
	unsigned int nllc;
};

static struct errs *errs_of(struct errs *es, unsigned int *n, const char *kernel)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(es[i].kernel, kernel))
			return &es[i];
	memset(&es[*n], 0, sizeof(es[*n]));
	memcpy(es[*n].kernel, kernel, HXP_NAME_MAX);
	return &es[(*n)++];
}

static void add(double *v, unsigned int *n, unsigned int max, double x)
{
	if (*n < max)
		v[(*n)++] = x;
}

static void summary(char *buf, size_t len, double *v, unsigned int n)
{
	unsigned int i;
	double mx = 0;

	if (!n) {
		snprintf(buf, len, "%3s %9s %9s", "0", "-", "-");
		return;
	}
	for (i = 0; i < n; i++)
		mx = fmax(mx, v[i]);
	snprintf(buf, len, "%3u %8.1f%% %8.1f%%", n, 100 * median(v, n), 100 * mx);
}

/* Spearman's rank correlation of x and y (no ties expected; ties share ranks). */
static double spearman(const double *x, const double *y, unsigned int n)
{
	double rx[256], ry[256], mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		double lx = 1, ex = 0, ly = 1, ey = 0;

		for (j = 0; j < n; j++) {
			lx += x[j] < x[i];
			ex += j != i && x[j] == x[i];
			ly += y[j] < y[i];
			ey += j != i && y[j] == y[i];
		}
		rx[i] = lx + ex / 2;
		ry[i] = ly + ey / 2;
		mx += rx[i] / n;
		my += ry[i] / n;
	}
	for (i = 0; i < n; i++) {
		sxy += (rx[i] - mx) * (ry[i] - my);
		sxx += (rx[i] - mx) * (rx[i] - mx);
		syy += (ry[i] - my) * (ry[i] - my);
	}
	return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

static int print_errors(const struct cal *c, const struct hxp_profile *med)
{
	static struct errs es[64];
	struct hxp_params par;
	unsigned int nes = 0, r, i, k, nl = 0;
	double lx[256], ly[256];
	char err[256], a[64], b[64], d[64];
	int ret;

	hxp_params_default(&par);
	/* HEXO's model: each round predicted from a profile of the others. */
	for (r = 0; c->nr > 1 && r < c->nr; r++) {
		struct hxp_profile others;

		ret = median_profile(c, r, NULL, &others, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "hexocal: %s\n", err);
			return ret;
		}
		for (i = 0; i < c->rounds[r].n; i++) {
			const struct hxp_prof_entry *e = &c->rounds[r].e[i];
			struct hxp_vm vm = { .vcpus = 1, .mem = e->mem, .since_move_s = HXP_NEVER };
			struct hxp_estimate est;
			struct errs *x;
			int isa;

			if (!(e->rate[HXP_ISA_X86_64] > 0))
				continue;
			x = errs_of(es, &nes, e->kernel);
			memcpy(vm.kernel, e->kernel, HXP_NAME_MAX);
			memcpy(vm.cls, e->cls, HXP_NAME_MAX);
			vm.rate[HXP_ISA_X86_64] = e->rate[HXP_ISA_X86_64];
			hxp_estimate(&vm, &others, &par, &est);
			for (isa = HXP_ISA_ARM64; isa <= HXP_ISA_ARM64_NETSWAP; isa++) {
				double pred;

				if (!(e->rate[isa] > 0))
					continue;
				if (est.src == HXP_EST_NONE) {
					x->none[isa - 1]++;
					continue;
				}
				pred = e->rate[HXP_ISA_X86_64] * est.ratio *
				       (isa == HXP_ISA_ARM64_NETSWAP ? est.swap : 1);
				add(x->model[isa - 1], &x->nmodel[isa - 1], MAX_ROUNDS * 16,
				    fabs(pred / e->rate[isa] - 1));
			}
		}
		hxp_profile_free(&others);
	}
	/* The LLC heuristic: each kernel predicted from the others' LLC counts. */
	for (k = 0; k < med->n; k++) {
		const struct hxp_prof_entry *e = &med->e[k];
		struct hxp_vm vm = { .vcpus = 1, .since_move_s = HXP_NEVER };
		struct hxp_profile others;
		struct hxp_estimate est;
		struct errs *x = errs_of(es, &nes, e->kernel);

		if (!(e->llc > 0) || !(e->rate[HXP_ISA_X86_64] > 0) || !(e->rate[HXP_ISA_ARM64] > 0))
			continue;
		if (nl < 256) {
			lx[nl] = e->llc;
			ly[nl++] = e->rate[HXP_ISA_ARM64] / e->rate[HXP_ISA_X86_64];
		}
		ret = median_profile(c, -1, e->kernel, &others, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "hexocal: %s\n", err);
			return ret;
		}
		memcpy(vm.kernel, e->kernel, HXP_NAME_MAX);
		memcpy(vm.cls, e->cls, HXP_NAME_MAX);
		vm.llc = e->llc;
		vm.rate[HXP_ISA_X86_64] = e->rate[HXP_ISA_X86_64];
		hxp_estimate(&vm, &others, &par, &est);
		if (est.src == HXP_EST_LLC)
			add(x->llc, &x->nllc, MAX_ROUNDS,
			    fabs(est.ratio / (e->rate[HXP_ISA_ARM64] / e->rate[HXP_ISA_X86_64]) - 1));
		hxp_profile_free(&others);
	}

	printf("prediction error of the board's rate, |predicted / measured - 1|, per kernel:\n"
	       "  model: HEXO's model (hxp_estimate()) with the VM's x86_64 rate of that round\n"
	       "         and a profile of the other rounds (leave one round out)\n"
	       "  llc:   the LLC heuristic as a predictor: the ratio of the other kernels'\n"
	       "         entry nearest in LLC references/s (leave one kernel out), arm64\n\n");
	if (c->nr < 2)
		printf("model: not computed: one round, nothing to leave out (BENCH_ROUNDS >= 2)\n");
	if (!nl)
		printf("llc: not computed: no entry has llc= (LLC references/s on the server:\n"
		       "     no PMU where the rounds ran), so the heuristic has no input\n");
	printf("\n%-8s %-28s %-28s %-22s\n", "", "model, arm64", "model, arm64+netswap",
	       "llc, arm64");
	printf("%-8s %3s %9s %9s %3s %9s %9s %3s %9s %9s\n", "kernel", "n", "median", "max", "n",
	       "median", "max", "n", "median", "max");
	for (i = 0; i < nes; i++) {
		summary(a, sizeof(a), es[i].model[0], es[i].nmodel[0]);
		summary(b, sizeof(b), es[i].model[1], es[i].nmodel[1]);
		summary(d, sizeof(d), es[i].llc, es[i].nllc);
		printf("%-8s %s %s %s", es[i].kernel, a, b, d);
		if (es[i].none[0] || es[i].none[1])
			printf("   (%u without an estimate)", es[i].none[0] + es[i].none[1]);
		printf("\n");
	}
	if (nl >= 3)
		printf("\nllc: Spearman rank correlation of LLC references/s with the arm64 ratio, "
		       "over %u entries: %.2f\n     (the heuristic assumes it negative: fewer LLC "
		       "references, more ARM-friendly)\n", nl, spearman(lx, ly, nl));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cal c;
	struct hxp_profile med;
	const char *out = NULL;
	char err[512];
	unsigned int r;
	int opt, ret = 1;

	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt != 'o') {
			usage(stderr);
			return 2;
		}
		out = optarg;
	}
	if (optind == argc) {
		fprintf(stderr, "hexocal: no round given (ROUND.profile...)\n");
		return 2;
	}
	if (argc - optind > MAX_ROUNDS) {
		fprintf(stderr, "hexocal: more than %d rounds\n", MAX_ROUNDS);
		return 2;
	}
	for (; optind < argc; optind++) {
		c.names[c.nr] = argv[optind];
		if (hxp_profile_load(&c.rounds[c.nr++], argv[optind], err, sizeof(err))) {
			fprintf(stderr, "hexocal: %s\n", err);
			goto out;
		}
	}
	if (collect_keys(&c) || !c.nkeys) {
		fprintf(stderr, "hexocal: no rate in the rounds\n");
		goto out;
	}
	if (c.nkeys > 64) {
		fprintf(stderr, "hexocal: more than 64 kernels and classes\n");
		goto out;
	}
	if (median_profile(&c, -1, NULL, &med, err, sizeof(err))) {
		fprintf(stderr, "hexocal: %s\n", err);
		goto out;
	}
	printf("hexocal: %u round%s, %u kernels and classes\n\n", c.nr, c.nr == 1 ? "" : "s",
	       c.nkeys);
	print_rates(&c, &med);
	if (!print_errors(&c, &med) && (!out || !write_profile(&c, &med, out))) {
		if (out)
			printf("\nprofile: %s\n", out);
		ret = 0;
	}
	hxp_profile_free(&med);
out:
	for (r = 0; r < c.nr; r++)
		hxp_profile_free(&c.rounds[r]);
	free(c.keys);
	return ret;
}

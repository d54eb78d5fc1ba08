// SPDX-License-Identifier: GPL-2.0
/*
 * NPB CG (conjugate gradient), from the NAS Parallel Benchmarks
 * specification: the inverse power method on a random sparse symmetric
 * positive definite matrix, built from the NPB generator as the spec's
 * makea() prescribes (sums of scaled outer products of sparse random
 * vectors, plus a shifted diagonal); each outer iteration solves A z = x
 * with 25 conjugate gradient steps and estimates the smallest eigenvalue
 * (zeta), checked against the specification's value.
 *
 * Migration points: after the matrix is built (CG_POINT_MATRIX), after
 * each conjugate gradient step (CG_POINT_STEP) and after each outer
 * iteration (CG_POINT_ITER). Vectors and matrix are on the heap.
 */
#include "npb.h"

#define CG_STEPS	25
#define CG_RCOND	0.1
#define CG_EPSILON	1e-10

enum {
	CG_POINT_MATRIX = 1,
	CG_POINT_STEP = 2,
	CG_POINT_ITER = 3,
};

struct cg_class {
	char cls;
	int na, nonzer, niter;
	double shift, zeta;	/* zeta: the specification's verification value */
};

static const struct cg_class cg_classes[] = {
	{ 'S', 1400, 7, 15, 10.0, 8.5971775078648 },
	{ 'W', 7000, 8, 15, 12.0, 10.362595087124 },
	{ 'A', 14000, 11, 15, 20.0, 17.130235054029 },
};

struct cg_state {
	char cls;
	int na, nonzer, niter, nz;
	double shift;
	bool matrix_done;
	int it;			/* outer iteration; 0 is the untimed warm-up */
	bool in_solve;		/* inside the 25 CG steps of iteration it */
	int step;		/* next CG step */
	double rho, zeta;
	/* The matrix in compressed rows, and the vectors: all on the heap. */
	double *a;
	int *colidx, *rowstr;
	double *x, *z, *p, *q, *r;
};

static struct cg_state cg;

/* makea()'s generator state: one draw before makea, as the spec does. */
static uint64_t cg_tran;

static const struct cg_class *cg_class_of(char cls)
{
	for (unsigned int i = 0; i < sizeof(cg_classes) / sizeof(cg_classes[0]); i++)
		if (cg_classes[i].cls == cls)
			return &cg_classes[i];
	return NULL;
}

/* nz distinct random positions in 1..n with random values. */
static void cg_sprnvc(int n, int nz, int nn1, double *v, int *iv)
{
	int nzv = 0;

	while (nzv < nz) {
		double vecelt = npb_randlc(&cg_tran, NPB_A);
		double vecloc = npb_randlc(&cg_tran, NPB_A);
		int i = (int)(nn1 * vecloc) + 1;
		bool seen = false;

		if (i > n)
			continue;
		for (int k = 0; k < nzv && !seen; k++)
			seen = iv[k] == i;
		if (seen)
			continue;
		v[nzv] = vecelt;
		iv[nzv] = i;
		nzv++;
	}
}

/* Sets element i of the sparse vector to val, adding it if absent. */
static void cg_vecset(double *v, int *iv, int *nzv, int i, double val)
{
	bool set = false;

	for (int k = 0; k < *nzv; k++) {
		if (iv[k] == i) {
			v[k] = val;
			set = true;
		}
	}
	if (!set) {
		v[*nzv] = val;
		iv[*nzv] = i;
		(*nzv)++;
	}
}

/*
 * Assembles the matrix from the outer products (arow/acol/aelt), summing
 * duplicates, scaling row i by ratio^i and adding rcond - shift on the
 * diagonal, into compressed rows.
 */
static void cg_sparse(int n, const int *arow, const int *acol, const double *aelt,
		      int *nzloc, int w)
{
	double size = 1.0, ratio = hexo_pow(CG_RCOND, 1.0 / n);
	double *a = cg.a;
	int *colidx = cg.colidx, *rowstr = cg.rowstr;

	for (int j = 0; j <= n; j++)
		rowstr[j] = 0;
	for (int i = 0; i < n; i++)
		for (int nza = 0; nza < arow[i]; nza++)
			rowstr[acol[i * w + nza] + 1] += arow[i];
	for (int j = 1; j <= n; j++)
		rowstr[j] += rowstr[j - 1];
	if (rowstr[n] - 1 > cg.nz)
		hexo_panic("cg: %d nonzeros, room for %d", rowstr[n], cg.nz);
	for (int j = 0; j < n; j++) {
		for (int k = rowstr[j]; k < rowstr[j + 1]; k++) {
			a[k] = 0.0;
			colidx[k] = -1;
		}
		nzloc[j] = 0;
	}

	for (int i = 0; i < n; i++) {
		for (int nza = 0; nza < arow[i]; nza++) {
			int j = acol[i * w + nza];
			double scale = size * aelt[i * w + nza];

			for (int nzrow = 0; nzrow < arow[i]; nzrow++) {
				int jcol = acol[i * w + nzrow], k;
				double va = aelt[i * w + nzrow] * scale;

				if (jcol == j && j == i)
					va = va + CG_RCOND - cg.shift;
				for (k = rowstr[j]; k < rowstr[j + 1]; k++) {
					if (colidx[k] > jcol) {
						/* Insert in order, shifting the rest up. */
						for (int kk = rowstr[j + 1] - 2; kk >= k; kk--) {
							if (colidx[kk] > -1) {
								a[kk + 1] = a[kk];
								colidx[kk + 1] = colidx[kk];
							}
						}
						colidx[k] = jcol;
						a[k] = 0.0;
						break;
					} else if (colidx[k] == -1) {
						colidx[k] = jcol;
						break;
					} else if (colidx[k] == jcol) {
						nzloc[j]++;	/* a duplicate */
						break;
					}
				}
				if (k == rowstr[j + 1])
					hexo_panic("cg: internal error in sparse at row %d", i);
				a[k] = a[k] + va;
			}
		}
		size = size * ratio;
	}

	/* Squeeze out the room the duplicates did not use. */
	for (int j = 1; j < n; j++)
		nzloc[j] += nzloc[j - 1];
	for (int j = 0; j < n; j++) {
		int j1 = j > 0 ? rowstr[j] - nzloc[j - 1] : 0;
		int j2 = rowstr[j + 1] - nzloc[j];
		int nza = rowstr[j];

		for (int k = j1; k < j2; k++) {
			a[k] = a[nza];
			colidx[k] = colidx[nza];
			nza++;
		}
	}
	for (int j = 1; j <= n; j++)
		rowstr[j] -= nzloc[j - 1];
}

static void cg_makea(void)
{
	int n = cg.na, w = cg.nonzer + 1, nn1 = 1;
	int *arow = hexo_xcalloc(n, sizeof(int));
	int *acol = hexo_xcalloc((size_t)n * w, sizeof(int));
	double *aelt = hexo_xcalloc((size_t)n * w, sizeof(double));
	double *v = hexo_xcalloc(n + 1, sizeof(double));
	int *iv = hexo_xcalloc(n + 1, sizeof(int));

	do {
		nn1 *= 2;
	} while (nn1 < n);
	for (int i = 0; i < n; i++) {
		int nzv = cg.nonzer;

		cg_sprnvc(n, nzv, nn1, v, iv);
		cg_vecset(v, iv, &nzv, i + 1, 0.5);
		arow[i] = nzv;
		for (int k = 0; k < nzv; k++) {
			acol[i * w + k] = iv[k] - 1;
			aelt[i * w + k] = v[k];
		}
	}
	cg_sparse(n, arow, acol, aelt, iv, w);
	hexo_free(iv);
	hexo_free(v);
	hexo_free(aelt);
	hexo_free(acol);
	hexo_free(arow);
}

static void cg_solve_start(void)
{
	cg.rho = 0.0;
	for (int j = 0; j < cg.na; j++) {
		cg.q[j] = 0.0;
		cg.z[j] = 0.0;
		cg.r[j] = cg.x[j];
		cg.p[j] = cg.r[j];
	}
	for (int j = 0; j < cg.na; j++)
		cg.rho = cg.rho + cg.r[j] * cg.r[j];
	cg.step = 1;
	cg.in_solve = true;
}

static void cg_solve_steps(void)
{
	while (cg.step <= CG_STEPS) {
		double d = 0.0, rho0, alpha, beta;

		for (int j = 0; j < cg.na; j++) {
			double sum = 0.0;

			for (int k = cg.rowstr[j]; k < cg.rowstr[j + 1]; k++)
				sum = sum + cg.a[k] * cg.p[cg.colidx[k]];
			cg.q[j] = sum;
		}
		for (int j = 0; j < cg.na; j++)
			d = d + cg.p[j] * cg.q[j];
		alpha = cg.rho / d;
		rho0 = cg.rho;
		for (int j = 0; j < cg.na; j++) {
			cg.z[j] = cg.z[j] + alpha * cg.p[j];
			cg.r[j] = cg.r[j] - alpha * cg.q[j];
		}
		cg.rho = 0.0;
		for (int j = 0; j < cg.na; j++)
			cg.rho = cg.rho + cg.r[j] * cg.r[j];
		beta = cg.rho / rho0;
		for (int j = 0; j < cg.na; j++)
			cg.p[j] = cg.r[j] + beta * cg.p[j];
		cg.step++;
		hexo_migration_point(CG_POINT_STEP);
	}
}

/* ||x - A z||, the residual of the solve. */
static double cg_solve_finish(void)
{
	double sum = 0.0;

	for (int j = 0; j < cg.na; j++) {
		double d = 0.0;

		for (int k = cg.rowstr[j]; k < cg.rowstr[j + 1]; k++)
			d = d + cg.a[k] * cg.z[cg.colidx[k]];
		cg.r[j] = d;
	}
	for (int j = 0; j < cg.na; j++) {
		double d = cg.x[j] - cg.r[j];

		sum = sum + d * d;
	}
	cg.in_solve = false;
	return hexo_sqrt(sum);
}

static int cg_finish(void)
{
	const struct cg_class *c = cg_class_of(cg.cls);
	double err = hexo_fabs(cg.zeta - c->zeta) / c->zeta;
	bool ok = err <= CG_EPSILON;

	hexo_printf("cg: zeta %.13f, reference %.13f, relative error %.3e\n", cg.zeta, c->zeta,
		    err);
	npb_report("cg", cg.cls, hexo_double_bits(cg.zeta), ok);
	return ok ? 0 : 1;
}

static int cg_run(void)
{
	if (!cg.matrix_done) {
		cg_tran = 314159265;
		npb_randlc(&cg_tran, NPB_A);
		cg_makea();
		for (int i = 0; i <= cg.na; i++)
			cg.x[i] = 1.0;
		cg.matrix_done = true;
		hexo_migration_point(CG_POINT_MATRIX);
	}
	while (cg.it <= cg.niter) {
		double rnorm, t1 = 0.0, t2 = 0.0;

		if (!cg.in_solve)
			cg_solve_start();
		cg_solve_steps();
		rnorm = cg_solve_finish();
		for (int j = 0; j < cg.na; j++) {
			t1 = t1 + cg.x[j] * cg.z[j];
			t2 = t2 + cg.z[j] * cg.z[j];
		}
		t2 = 1.0 / hexo_sqrt(t2);
		if (cg.it == 0) {
			/* The warm-up iteration: start over from x = 1. */
			for (int j = 0; j <= cg.na; j++)
				cg.x[j] = 1.0;
			cg.zeta = 0.0;
		} else {
			cg.zeta = cg.shift + 1.0 / t1;
			hexo_printf("cg: iteration %2d rnorm %.14e zeta %.13f\n", cg.it, rnorm,
				    cg.zeta);
			for (int j = 0; j < cg.na; j++)
				cg.x[j] = t2 * cg.z[j];
		}
		cg.it++;
		hexo_migration_point(CG_POINT_ITER);
	}
	return cg_finish();
}

static int cg_main(int argc, char **argv)
{
	const struct cg_class *c;
	char cls = npb_class(argc, argv, "SWA");
	int n;

	if (!cls) {
		hexo_printf("usage: cg [S|W|A]\n");
		return 2;
	}
	c = cg_class_of(cls);
	cg.cls = cls;
	cg.na = n = c->na;
	cg.nonzer = c->nonzer;
	cg.niter = c->niter;
	cg.shift = c->shift;
	cg.nz = n * (c->nonzer + 1) * (c->nonzer + 1);
	cg.a = hexo_xcalloc(cg.nz + 1, sizeof(double));
	cg.colidx = hexo_xcalloc(cg.nz + 1, sizeof(int));
	cg.rowstr = hexo_xcalloc(n + 1, sizeof(int));
	cg.x = hexo_xcalloc(n + 2, sizeof(double));
	cg.z = hexo_xcalloc(n + 2, sizeof(double));
	cg.p = hexo_xcalloc(n + 2, sizeof(double));
	cg.q = hexo_xcalloc(n + 2, sizeof(double));
	cg.r = hexo_xcalloc(n + 2, sizeof(double));
	hexo_migration_state(&cg, sizeof(cg));
	npb_banner("cg", cls, "inverse power method, 25 CG steps per iteration");
	return cg_run();
}

static int cg_resume(uint32_t point)
{
	if (point < CG_POINT_MATRIX || point > CG_POINT_ITER)
		hexo_panic("cg: no migration point %u", point);
	npb_resumed("cg", "");
	hexo_printf("cg: at iteration %d step %d\n", cg.it, cg.in_solve ? cg.step : 0);
	return cg_run();
}

HEXO_APP("cg", cg_main, cg_resume);

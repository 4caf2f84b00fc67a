/* CPU anchor: SuiteSparse AMD (amd_order, the ordering CHOLMOD's analysis runs first) on a Poisson pattern or a
 * Matrix Market file, with its default controls (dense rows: degree > 10·√n; aggressive absorption on).
 * Prints one line: n, nnz of the pattern handed to AMD, the best ordering seconds of R runs, AMD's own nnz(L)
 * estimate (Info[AMD_LNZ] + n, an upper bound where rows were dense), the dense-row count; with --perm FILE it
 * writes the permutation (p[new] = old, one per line) so that `amd-compare` counts nnz(L) of both orderings with the
 * same exact symbolic analysis.
 * Build:  gcc -O2 -o /tmp/amd_order_bench bench/amd_order_bench.c -lcholmod -lamd -lm
 * Run:    /tmp/amd_order_bench poisson2d 1000 [--reps R] [--perm FILE]
 *         /tmp/amd_order_bench file.mtx [--reps R] [--perm FILE]                                     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <suitesparse/amd.h>
#include <suitesparse/cholmod.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

/* The full (both triangles, no diagonal) pattern of the 5- or 7-point Laplacian on an n² or n³ grid, in the
 * row-major numbering of SparseTensor.Poisson2D / Poisson3D. */
static void poisson(int dim, int n, int *pn, int **pp, int **pi) {
    int N = dim == 2 ? n * n : n * n * n, k = 0;
    int *p = malloc(sizeof(int) * (N + 1)), *ix = malloc(sizeof(int) * (size_t)(2 * dim) * N);
    for (int r = 0; r < N; r++) {
        int x = r % n, y = (r / n) % n, z = dim == 3 ? r / (n * n) : 0;
        p[r] = k;
        if (dim == 3 && z > 0) ix[k++] = r - n * n;
        if (y > 0) ix[k++] = r - n;
        if (x > 0) ix[k++] = r - 1;
        if (x + 1 < n) ix[k++] = r + 1;
        if (y + 1 < n) ix[k++] = r + n;
        if (dim == 3 && z + 1 < n) ix[k++] = r + n * n;
    }
    p[N] = k;
    *pn = N; *pp = p; *pi = ix;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s poisson2d N | poisson3d N | file.mtx [--reps R] [--perm FILE]\n", argv[0]); return 2; }
    int n, *ap, *ai, at, reps = 3;
    const char *permFile = NULL;
    if (!strcmp(argv[1], "poisson2d") || !strcmp(argv[1], "poisson3d")) {
        if (argc < 3) { fprintf(stderr, "poisson2d/poisson3d need a grid size\n"); return 2; }
        poisson(argv[1][7] - '0', atoi(argv[2]), &n, &ap, &ai);
        at = 3;
    } else {
        cholmod_common c; cholmod_start(&c);
        FILE *f = fopen(argv[1], "r"); if (!f) { perror(argv[1]); return 1; }
        cholmod_sparse *A = cholmod_read_sparse(f, &c); fclose(f);
        if (!A || A->nrow != A->ncol) { fprintf(stderr, "could not read a square matrix\n"); return 1; }
        /* One stored triangle (symmetric files) or the whole matrix: amd_order forms the pattern of A + Aᵀ itself. */
        n = (int)A->nrow;
        ap = malloc(sizeof(int) * (n + 1)); ai = malloc(sizeof(int) * ((int *)A->p)[n] + 1);
        memcpy(ap, A->p, sizeof(int) * (n + 1)); memcpy(ai, A->i, sizeof(int) * ((int *)A->p)[n]);
        cholmod_free_sparse(&A, &c); cholmod_finish(&c);
        at = 2;
    }
    for (; at < argc; at++) {
        if (!strcmp(argv[at], "--reps") && at + 1 < argc) reps = atoi(argv[++at]);
        else if (!strcmp(argv[at], "--perm") && at + 1 < argc) permFile = argv[++at];
        else { fprintf(stderr, "unknown argument %s\n", argv[at]); return 2; }
    }
    int *P = malloc(sizeof(int) * (n + 1));
    double control[AMD_CONTROL], info[AMD_INFO], best = 1e300;
    amd_defaults(control);
    for (int r = 0; r < (reps < 1 ? 1 : reps); r++) {
        double t0 = now();
        int status = amd_order(n, ap, ai, P, control, info);
        double t = now() - t0;
        if (status < AMD_OK) { fprintf(stderr, "amd_order status %d\n", status); return 1; }
        if (t < best) best = t;
    }
    printf("n=%d nnz=%d amd=%.4fs lnz=%.0f ndense=%.0f\n", n, ap[n], best, info[AMD_LNZ] + n, info[AMD_NDENSE]);
    if (permFile) {
        FILE *f = fopen(permFile, "w"); if (!f) { perror(permFile); return 1; }
        for (int k = 0; k < n; k++) fprintf(f, "%d\n", P[k]);
        fclose(f);
    }
    return 0;
}

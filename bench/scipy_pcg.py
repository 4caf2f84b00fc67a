#!/usr/bin/python3
"""Jacobi-preconditioned CG in SciPy on a matrix written by `TorchSla.Bench -- krylov-compare`.

usage: /usr/bin/python3 scipy_pcg.py DIR N RTOL
DIR holds indptr.bin, indices.bin (int32), data.bin and b.bin (float64), raw little-endian.
Runs scipy.sparse.linalg.cg(A, b, tol=RTOL, atol=0, M=diag(1/a_ii)) once, counting iterations
by the callback, and prints one JSON object: seconds, iterations, info, and the true relative
residual ‖b − A·x‖/‖b‖ recomputed from the returned x.
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as sla


def main():
    d, n, rtol = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    indptr = np.fromfile(f"{d}/indptr.bin", dtype=np.int32)
    indices = np.fromfile(f"{d}/indices.bin", dtype=np.int32)
    data = np.fromfile(f"{d}/data.bin", dtype=np.float64)
    b = np.fromfile(f"{d}/b.bin", dtype=np.float64)
    a = sp.csr_matrix((data, indices, indptr), shape=(n, n))
    m = sp.diags(1.0 / a.diagonal()).tocsr()
    count = [0]

    def callback(_):
        count[0] += 1

    t0 = time.perf_counter()
    try:
        x, info = sla.cg(a, b, rtol=rtol, atol=0.0, M=m, maxiter=10 * n, callback=callback)
    except TypeError:  # SciPy < 1.12 names the relative tolerance `tol`
        x, info = sla.cg(a, b, tol=rtol, atol=0.0, M=m, maxiter=10 * n, callback=callback)
    seconds = time.perf_counter() - t0
    relres = float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))
    print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "seconds": seconds,
                      "iterations": count[0], "info": int(info), "relres": relres}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""SciPy's sparse direct solve (SuperLU through scipy.sparse.linalg.spsolve) on the 2D Poisson matrix.

usage: /usr/bin/python3 scipy_spsolve.py N
Builds the 5-point Laplacian on an N×N grid (4 on the diagonal, −1 to each neighbour, as
SparseTensor.Poisson2D), b = A·1, times spsolve(A, b) with its defaults (CSC, COLAMD column
ordering, SuperLU) and prints one JSON object: n, seconds, and the relative residual ‖b − A·x‖/‖b‖.
"""
import json
import sys
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as sla


def main():
    n = int(sys.argv[1])
    t = sp.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1])
    i = sp.identity(n)
    a = (sp.kron(t, i) + sp.kron(i, t)).tocsc()
    b = a @ np.ones(n * n)
    t0 = time.perf_counter()
    x = sla.spsolve(a, b)
    seconds = time.perf_counter() - t0
    rel = np.linalg.norm(b - a @ x) / np.linalg.norm(b)
    print(json.dumps({"solver": "scipy-spsolve", "scipy": scipy.__version__, "n": n * n, "seconds": seconds, "relres": rel}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Times SciPy's CSR `A @ x` on a matrix written by `TorchSla.Bench -- spmv-compare`.

usage: /usr/bin/python3 scipy_spmv.py DIR DTYPE ROWS COLS NUMBER REPEAT
DIR holds indptr.bin, indices.bin (int32), data.bin and x.bin (DTYPE: float64|float32), raw
little-endian. Prints one JSON object: seconds per call of each of REPEAT samples of NUMBER
calls (timeit.repeat, the protocol of the C# side), and writes y = A @ x to DIR/y_scipy.bin so
the caller can check that both sides computed the same product.
"""
import json
import sys
import timeit

import numpy as np
import scipy
import scipy.sparse as sp


def main():
    d, dtype, rows, cols, number, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    indptr = np.fromfile(f"{d}/indptr.bin", dtype=np.int32)
    indices = np.fromfile(f"{d}/indices.bin", dtype=np.int32)
    data = np.fromfile(f"{d}/data.bin", dtype=dtype)
    x = np.fromfile(f"{d}/x.bin", dtype=dtype)
    a = sp.csr_matrix((data, indices, indptr), shape=(rows, cols))
    assert a.has_canonical_format
    y = a @ x
    y.tofile(f"{d}/y_scipy.bin")
    samples = [t / number for t in timeit.repeat(lambda: a @ x, number=number, repeat=repeat)]
    print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "samples": samples}))


if __name__ == "__main__":
    main()

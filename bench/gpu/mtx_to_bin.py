"""Converts a Matrix Market file to the GPU benchmark's binary CSR layout (see BenchMatrices.cs):
int32 rows, int32 cols, int64 nnz, int32 rowptr[rows+1], int32 colind[nnz], float64 values[nnz].
Symmetric files are expanded to both triangles. Usage: python3 mtx_to_bin.py IN.mtx OUT.bin"""
import sys
import numpy as np
import scipy.io, scipy.sparse

A = scipy.sparse.csr_matrix(scipy.io.mmread(sys.argv[1]), dtype=np.float64)
A.sum_duplicates(); A.sort_indices()
with open(sys.argv[2], "wb") as f:
    np.array(A.shape, dtype=np.int32).tofile(f)
    np.array([A.nnz], dtype=np.int64).tofile(f)
    A.indptr.astype(np.int32).tofile(f)
    A.indices.astype(np.int32).tofile(f)
    A.data.astype(np.float64).tofile(f)
print(f"converted {sys.argv[1]}: {A.shape[0]}x{A.shape[1]}, {A.nnz} nnz")

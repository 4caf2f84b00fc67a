"""PyTorch anchor for the device transpose / COO->CSR benchmark, on the files `TorchSla.Bench gpu-index DIR`
wrote: transpose of a CSR matrix (A.t().to_sparse_csr(), which sorts the CSC layout into CSR) and
coalesce + to_sparse_csr of a shuffled COO with duplicates. float64 values, CUDA, int64 indices where
PyTorch requires them. Usage: python3 torch_index.py DIR. CUDA events, median of 5 trials."""
import os, sys
import numpy as np
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_spmv import read_bin, timeit

def main():
    d = sys.argv[1]
    dev = torch.device("cuda:0")
    rows, cols, rp, ci, v = read_bin(os.path.join(d, "A.bin"))
    A = torch.sparse_csr_tensor(torch.from_numpy(rp).to(dev), torch.from_numpy(ci).to(dev),
                                torch.from_numpy(v).to(dev), size=(rows, cols))
    with open(os.path.join(d, "coo.bin"), "rb") as f:
        r, c = np.fromfile(f, dtype=np.int32, count=2)
        n = int(np.fromfile(f, dtype=np.int64, count=1)[0])
        row = np.fromfile(f, dtype=np.int32, count=n)
        col = np.fromfile(f, dtype=np.int32, count=n)
    idx = torch.stack([torch.from_numpy(row).to(dev).long(), torch.from_numpy(col).to(dev).long()])
    vals = torch.ones(n, dtype=torch.float64, device=dev)
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    print("| operation | entries in | PyTorch (ms) |")
    print("|---|---:|---:|")
    runs = [("transpose A.t().to_sparse_csr()", A._nnz(), lambda: A.t().to_sparse_csr()),
            ("COO coalesce", n, lambda: torch.sparse_coo_tensor(idx, vals, (rows, cols)).coalesce()),
            ("COO coalesce + to_sparse_csr", n, lambda: torch.sparse_coo_tensor(idx, vals, (rows, cols)).coalesce().to_sparse_csr())]
    for name, entries, fn in runs:
        try:
            fn()
            print(f"| {name} | {entries:,} | {timeit(fn) * 1e3:.3f} |", flush=True)
        except Exception as e:  # an operation this PyTorch build lacks: say so, go on
            print(f"| {name} | {entries:,} | failed: {type(e).__name__}: {e} |", flush=True)

if __name__ == "__main__":
    main()

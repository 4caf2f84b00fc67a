"""PyTorch anchor for the device SpGEMM benchmark: CSR @ CSR on CUDA (cuSPARSE SpGEMM), float64, on the
matrices `TorchSla.Bench gpu-spgemm DIR` wrote (A = 2D Poisson, P = aggregation, R = P^T).
Usage: python3 torch_spgemm.py DIR. Timing: CUDA events around R calls (~30 ms), median of 5 trials."""
import os, sys
import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_spmv import read_bin, timeit

def main():
    d = sys.argv[1]
    dev = torch.device("cuda:0")
    m = {}
    for name in ("A", "P", "R"):
        rows, cols, rp, ci, v = read_bin(os.path.join(d, name + ".bin"))
        m[name] = torch.sparse_csr_tensor(torch.from_numpy(rp).to(dev), torch.from_numpy(ci).to(dev),
                                          torch.from_numpy(v).to(dev), size=(rows, cols))
    A, P, R = m["A"], m["P"], m["R"]
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    print("| product | nnz(C) | PyTorch CSR@CSR (ms) |")
    print("|---|---:|---:|")
    AA = A @ A
    print(f"| A·A | {AA.values().numel():,} | {timeit(lambda: A @ A) * 1e3:.3f} |")
    AP = A @ P
    print(f"| A·P | {AP.values().numel():,} | {timeit(lambda: A @ P) * 1e3:.3f} |")
    RAP = R @ AP
    print(f"| R·(AP) | {RAP.values().numel():,} | {timeit(lambda: R @ AP) * 1e3:.3f} |")
    print(f"| whole RAP R·(A·P) | {RAP.values().numel():,} | {timeit(lambda: R @ (A @ P)) * 1e3:.3f} |")

if __name__ == "__main__":
    main()

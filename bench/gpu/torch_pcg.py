#!/usr/bin/env python3
"""A straightforward Jacobi-preconditioned CG in PyTorch on the GPU, the anchor of `TorchSla.Bench -- gpu-pcg`.

usage: python3 torch_pcg.py M [M ...] [--check K ...] [--rtol 1e-8]

For each M: the 2D Poisson matrix on an M x M grid (5-point, 4 on the diagonal, -1 to each neighbour,
Dirichlet; the same matrix as SparseTensor.Poisson2D), float64, b = 1, x0 = 0, as a torch.sparse_csr_tensor
with int32 indices on cuda:0, solved by the textbook PCG loop (Saad, Algorithm 9.1) with z = D^-1 r as an
elementwise product. Stopping rule: ||r_k|| <= rtol * ||b|| on the recurrence residual, tested every K
iterations (K = 1: the usual `if rnorm.item() <= tol` every iteration; K = 8: fewer host syncs), then the
true residual is recomputed and printed. Timed with CUDA events: setup (D^-1) and the loop separately.
Peak device memory of the solve (torch.cuda.max_memory_allocated, matrix included) per DOF is reported.
Prints one JSON object per (M, K) and a markdown table.
"""
import json
import sys

import numpy as np
import scipy.sparse as sp
import torch


def poisson2d(m):
    one = sp.diags([-np.ones(m - 1), 2 * np.ones(m), -np.ones(m - 1)], [-1, 0, 1], format="csr")
    eye = sp.identity(m, format="csr")
    a = (sp.kron(eye, one) + sp.kron(one, eye)).tocsr()
    a.sort_indices()
    return a


def pcg(a, b, dinv, rtol, maxiter, check):
    x = torch.zeros_like(b)
    r = b.clone()
    z = dinv * r
    p = z.clone()
    rz = torch.dot(r, z)
    tol = rtol * torch.linalg.norm(b).item()
    k = 0
    while k < maxiter:
        k += 1
        q = torch.mv(a, p)
        alpha = rz / torch.dot(p, q)
        x += alpha * p
        r -= alpha * q
        if k % check == 0 and torch.linalg.norm(r).item() <= tol:
            break
        z = dinv * r
        rz_new = torch.dot(r, z)
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x, k


def main():
    args = sys.argv[1:]
    sizes, checks, rtol = [], [], 1e-8
    i = 0
    while i < len(args):
        if args[i] == "--check":
            i += 1
            checks.append(int(args[i]))
        elif args[i] == "--rtol":
            i += 1
            rtol = float(args[i])
        else:
            sizes.append(int(args[i]))
        i += 1
    sizes = sizes or [1000, 2000, 4000]
    checks = checks or [1, 8]
    dev = torch.device("cuda:0")
    rows = []
    for m in sizes:
        h = poisson2d(m)
        n = h.shape[0]
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
        a = torch.sparse_csr_tensor(torch.from_numpy(h.indptr.astype(np.int32)), torch.from_numpy(h.indices.astype(np.int32)),
                                    torch.from_numpy(h.data), size=(n, n), device=dev)
        b = torch.ones(n, dtype=torch.float64, device=dev)
        pcg(a, b, 1.0 / torch.full((n,), 4.0, dtype=torch.float64, device=dev), rtol, 5, 1)  # warm-up (cuSPARSE handles)
        for check in checks:
            torch.cuda.synchronize()
            t0, t1, t2 = (torch.cuda.Event(enable_timing=True) for _ in range(3))
            t0.record()
            crow, col, val = a.crow_indices().long(), a.col_indices(), a.values()
            rowids = torch.repeat_interleave(torch.arange(n, device=dev), crow[1:] - crow[:-1])
            diag = torch.zeros(n, dtype=torch.float64, device=dev).index_add_(0, rowids, torch.where(col.long() == rowids, val, 0.0))
            dinv = 1.0 / diag
            del crow, rowids
            t1.record()
            x, k = pcg(a, b, dinv, rtol, 10 * n, check)
            t2.record()
            torch.cuda.synchronize()
            setup = t0.elapsed_time(t1) / 1e3
            solve = t1.elapsed_time(t2) / 1e3
            relres = (torch.linalg.norm(b - torch.mv(a, x)) / torch.linalg.norm(b)).item()
            peak = torch.cuda.max_memory_allocated()
            row = {"m": m, "n": n, "check": check, "iterations": k, "setup_s": setup, "solve_s": solve,
                   "total_s": setup + solve, "ms_per_iteration": solve / k * 1e3, "relres": relres,
                   "peak_bytes_per_dof": peak / n, "torch": torch.__version__, "device": torch.cuda.get_device_name(0)}
            print(json.dumps(row), flush=True)
            rows.append(row)
            del x, dinv, diag
        del a, b
    print()
    print("| matrix | n | solver | iterations | setup s | solve s | total s | ms/iteration | true ‖b − Ax‖/‖b‖ | peak device B/DOF |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| poisson2d:{r['m']} | {r['n']:,} | PyTorch PCG, check every {r['check']} | {r['iterations']} | {r['setup_s']:.3f} | "
              f"{r['solve_s']:.3f} | {r['total_s']:.3f} | {r['ms_per_iteration']:.3f} | {r['relres']:.2e} | {r['peak_bytes_per_dof']:.0f} |")


if __name__ == "__main__":
    main()

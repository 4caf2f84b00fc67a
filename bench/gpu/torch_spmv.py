"""PyTorch (cuSPARSE) anchor for the GPU SpMV benchmark: float64 CSR SpMV with int32 indices on the
same matrix files the C# harness reads, plus a device-to-device copy bandwidth measurement.
Usage: python3 torch_spmv.py DIR OUT.json [--small]   (DIR holds *.bin written by `gpu-gen`).
Timing: CUDA events around a loop of R calls (R so that a trial lasts ~30 ms), median of 5 trials."""
import glob, json, os, sys
import numpy as np
import torch

def read_bin(path):
    with open(path, "rb") as f:
        rows, cols = np.fromfile(f, dtype=np.int32, count=2)
        nnz = int(np.fromfile(f, dtype=np.int64, count=1)[0])
        rp = np.fromfile(f, dtype=np.int32, count=rows + 1)
        ci = np.fromfile(f, dtype=np.int32, count=nnz)
        v = np.fromfile(f, dtype=np.float64, count=nnz)
    return int(rows), int(cols), rp, ci, v

def timeit(fn):
    for _ in range(3): fn()
    torch.cuda.synchronize()
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record()
    for _ in range(5): fn()
    e.record(); e.synchronize()
    per = s.elapsed_time(e) / 1e3 / 5
    reps = int(min(5000, max(5, 0.03 / max(per, 1e-7))))
    trials = []
    for _ in range(5):
        s.record()
        for _ in range(reps): fn()
        e.record(); e.synchronize()
        trials.append(s.elapsed_time(e) / 1e3 / reps)
    return sorted(trials)[len(trials) // 2]

def main():
    d, out = sys.argv[1], sys.argv[2]
    small = "--small" in sys.argv
    dev = torch.device("cuda:0")
    n = (1 << 20) if small else (1 << 27)
    a = torch.full((n,), 0.5, dtype=torch.float64, device=dev)
    b = torch.empty_like(a)
    t = timeit(lambda: b.copy_(a))
    res = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0),
           "copy_GBs": 16.0 * n / t / 1e9, "matrices": {}}
    del a, b
    print(f"torch {torch.__version__} on {res['device']}: copy_ {res['copy_GBs']:.0f} GB/s", flush=True)
    for path in sorted(glob.glob(os.path.join(d, "*.bin"))):
        key = os.path.splitext(os.path.basename(path))[0]
        rows, cols, rp, ci, v = read_bin(path)
        A = torch.sparse_csr_tensor(torch.from_numpy(rp).to(dev), torch.from_numpy(ci).to(dev),
                                    torch.from_numpy(v).to(dev), size=(rows, cols))
        x = torch.rand(cols, dtype=torch.float64, device=dev) * 2 - 1
        y = A @ x
        # Check a sample of rows against numpy.
        xs = x.cpu().numpy(); ys = y.cpu().numpy()
        err = 0.0
        for s in range(0, rows, max(1, rows // 500)):
            ref = float(np.dot(v[rp[s]:rp[s + 1]], xs[ci[rp[s]:rp[s + 1]]]))
            err = max(err, abs(ref - ys[s]) / (1 + abs(ref)))
        sec = timeit(lambda: A @ x)
        nnz = len(ci)
        gbs = (12.0 * nnz + 4.0 * (rows + 1) + 8.0 * rows + 8.0 * cols) / sec / 1e9
        del A, x, y
        torch.cuda.empty_cache()
        # Copy of the same number of bytes as the SpMV moves (the bandwidth ceiling at this size).
        nb = int((12.0 * nnz + 4.0 * (rows + 1) + 8.0 * rows + 8.0 * cols) / 16)
        ca = torch.full((nb,), 0.5, dtype=torch.float64, device=dev); cb = torch.empty_like(ca)
        csec = timeit(lambda: cb.copy_(ca))
        del ca, cb
        res["matrices"][key] = {"seconds": sec, "rows": rows, "nnz": nnz, "GBs": gbs, "max_rel_err": err,
                                "copy_same_bytes_GBs": 16.0 * nb / csec / 1e9}
        print(f"{key}: {sec * 1e6:.1f} us, {gbs:.0f} GB/s, sampled rel err {err:.1e}, copy of same bytes {res['matrices'][key]['copy_same_bytes_GBs']:.0f} GB/s", flush=True)
    with open(out, "w") as f:
        json.dump(res, f, indent=1)

if __name__ == "__main__":
    main()

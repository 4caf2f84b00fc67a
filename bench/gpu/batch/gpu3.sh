#!/usr/bin/env bash
# GPU batch of gpu3 (issue 3): the device SpGEMM / gather tests on the real GPU, device SpGEMM vs
# PyTorch CSR@CSR (cuSPARSE), and the SpMV table on 2D Poisson 1M and R-MAT with x kept in L2.
# Run from the repository root with .device prepared, TORCHSLA_TEST_DEVICE=cuda, OUT set.
set -uo pipefail
out="$OUT/gpu3"; mkdir -p "$out"
B=.device/TorchSla.Bench/TorchSla.Bench.dll
T=.device/TorchSla.Tests/TorchSla.Tests.dll
start=$SECONDS
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "== tests on the GPU ($((SECONDS - start)) s)"
timeout 35 dotnet "$T" --filter-class "*GpuSpGemmTests" --filter-class "*IlgpuKernelTests" \
  --filter-class "*GpuSparseAlgebraTests" --filter-class "*GpuGradTests" --filter-class "*GpuTensorTests" 2>&1 | tail -15
echo "== SpGEMM, ours ($((SECONDS - start)) s)"
timeout 30 dotnet "$B" gpu-spgemm /tmp/gpu3_sg "$out/spgemm.md"
echo "== SpGEMM, PyTorch ($((SECONDS - start)) s)"
timeout 20 python3 bench/gpu/torch_spgemm.py /tmp/gpu3_sg 2>&1 | tee "$out/torch_spgemm.md"
echo "== SpMV: Poisson 1M and R-MAT ($((SECONDS - start)) s)"
mats=/tmp/gpu3_mats; rm -rf "$mats"
timeout 20 dotnet "$B" gpu-gen "$mats" --only=0,4
timeout 20 env PYTHONUNBUFFERED=1 python3 bench/gpu/torch_spmv.py "$mats" "$out/torch.json"
timeout 25 dotnet "$B" gpu-spmv "$mats" "$out/torch.json" "$out/spmv.md"
echo "== done ($((SECONDS - start)) s)"

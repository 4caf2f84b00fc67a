#!/usr/bin/env bash
# GPU batch of gpu3 (issue 3): the device SpGEMM / transpose / COO->CSR / gather tests on the real GPU,
# device SpGEMM vs PyTorch CSR@CSR (cuSPARSE), device transpose and COO->CSR vs PyTorch, and the SpMV
# table on R-MAT with and without x kept in L2. From the repository root with .device prepared,
# TORCHSLA_TEST_DEVICE=cuda and OUT set. Each step has its own time limit (sum 145 s).
set -uo pipefail
out="$OUT/gpu3"; mkdir -p "$out"
B=.device/TorchSla.Bench/TorchSla.Bench.dll
T=.device/TorchSla.Tests/TorchSla.Tests.dll
start=$SECONDS
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "== tests on the GPU ($((SECONDS - start)) s)"
timeout 25 dotnet "$T" --filter-class "*GpuSpGemmTests" --filter-class "*GpuCsrBuildTests" --filter-class "*IlgpuKernelTests" \
  --filter-class "*GpuSparseAlgebraTests" --filter-class "*GpuGradTests" --filter-class "*GpuTensorTests" 2>&1 | tail -15
echo "== SpGEMM, ours ($((SECONDS - start)) s)"
timeout 25 dotnet "$B" gpu-spgemm /tmp/gpu3_sg "$out/spgemm.md"
echo "== SpGEMM, PyTorch ($((SECONDS - start)) s)"
timeout 15 python3 bench/gpu/torch_spgemm.py /tmp/gpu3_sg 2>&1 | tee "$out/torch_spgemm.md"
echo "== transpose / COO->CSR, ours ($((SECONDS - start)) s)"
timeout 20 dotnet "$B" gpu-index /tmp/gpu3_ix "$out/index.md"
echo "== transpose / COO->CSR, PyTorch ($((SECONDS - start)) s)"
timeout 12 python3 bench/gpu/torch_index.py /tmp/gpu3_ix 2>&1 | tee "$out/torch_index.md"
echo "== SpMV: R-MAT ($((SECONDS - start)) s)"
mats=/tmp/gpu3_mats; rm -rf "$mats"
timeout 15 dotnet "$B" gpu-gen "$mats" --only=4
timeout 15 env PYTHONUNBUFFERED=1 python3 bench/gpu/torch_spmv.py "$mats" "$out/torch.json"
timeout 18 dotnet "$B" gpu-spmv "$mats" "$out/torch.json" "$out/spmv.md"
echo "== done ($((SECONDS - start)) s)"

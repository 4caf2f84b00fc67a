#!/usr/bin/env bash
# GPU batch of gpu3 (issue 3): the device SpGEMM / transpose / COO->CSR / gather tests on the real GPU,
# device SpGEMM vs PyTorch CSR@CSR (cuSPARSE), device transpose and COO->CSR vs PyTorch.
# From the repository root with .device prepared, TORCHSLA_TEST_DEVICE=cuda and OUT set.
# Each step has its own time limit (sum 150 s). Outputs: log.txt plus three tables in $OUT/gpu3.
set -uo pipefail
out="$OUT/gpu3"; mkdir -p "$out"
B=.device/TorchSla.Bench/TorchSla.Bench.dll
T=.device/TorchSla.Tests/TorchSla.Tests.dll
start=$SECONDS
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
echo "== tests on the GPU ($((SECONDS - start)) s)"
timeout 60 dotnet "$T" -class "*GpuSpGemmTests" -class "*GpuCsrBuildTests" -class "*IlgpuKernelTests" \
  -class "*GpuSparseAlgebraTests" -class "*GpuGradTests" -class "*GpuTensorTests" -class "*GpuAmgTests" 2>&1 | tail -25
echo "== SpGEMM, ours ($((SECONDS - start)) s)"
timeout 25 dotnet "$B" gpu-spgemm /tmp/gpu3_sg "$out/spgemm.md" > /dev/null
cat "$out/spgemm.md"
echo "== SpGEMM, PyTorch ($((SECONDS - start)) s)"
timeout 20 python3 -W ignore bench/gpu/torch_spgemm.py /tmp/gpu3_sg > "$out/torch.md" 2>&1
echo "== transpose / COO->CSR, ours ($((SECONDS - start)) s)"
timeout 25 dotnet "$B" gpu-index /tmp/gpu3_ix "$out/index.md" > /dev/null
cat "$out/index.md"
echo "== transpose / COO->CSR, PyTorch ($((SECONDS - start)) s)"
timeout 20 python3 -W ignore bench/gpu/torch_index.py /tmp/gpu3_ix >> "$out/torch.md" 2>&1
cat "$out/torch.md"
echo "== done ($((SECONDS - start)) s)"

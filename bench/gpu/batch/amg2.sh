#!/usr/bin/env bash
# GPU batch script of the AMG work (issue 7): the AMG tests on cuda:0, then AMG-PCG vs Jacobi-PCG on cuda:0,
# whole solves incl. setup, float64, rtol 1e-8 (bench mode amg-gpu, bench/TorchSla.Bench/AmgGpu.cs), and the
# PyTorch Jacobi-PCG anchor (bench/gpu/torch_pcg.py, krylov2's) on the same 2D problems.
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set. Budget ~180 s.
set -uo pipefail
out="${OUT:-/tmp/out}/amg2"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
echo "== GpuAmgTests on cuda:0 (TORCHSLA_TEST_DEVICE=${TORCHSLA_TEST_DEVICE:-})"
timeout 30 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GpuAmgTests" 2>&1 | tail -8
echo "== amg-gpu: ours AMG-PCG (device setup) vs ours Jacobi-PCG"
timeout 100 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"
echo "== PyTorch Jacobi-PCG (torch_pcg.py, residual checked every iteration)"
PYTHONUNBUFFERED=1 timeout 45 python3 bench/gpu/torch_pcg.py 1000 2000 4000 --check 1 2>&1 | tail -8 | tee "$out/torch_pcg.txt"

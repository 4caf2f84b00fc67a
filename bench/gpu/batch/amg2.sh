#!/usr/bin/env bash
# GPU batch script of the AMG work (issue 7): the AMG tests on cuda:0, then AMG-PCG vs Jacobi-PCG on cuda:0,
# whole solves incl. setup, float64, rtol 1e-8 (bench mode amg-gpu, bench/TorchSla.Bench/AmgGpu.cs).
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set.
set -uo pipefail
out="$OUT/amg2"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
echo "== GpuAmgTests on cuda:0 (TORCHSLA_TEST_DEVICE=${TORCHSLA_TEST_DEVICE:-})"
timeout 30 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll --filter-class "*GpuAmg*" 2>&1 | tail -12
echo "== amg-gpu (AMG with the setup products through the device SpGEMM, plans built on the host, only at 1M)"
timeout 105 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 --spgemm-max 1100000 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"

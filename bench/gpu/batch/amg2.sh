#!/usr/bin/env bash
# GPU batch script of the AMG work (issue 7): AMG-PCG vs Jacobi-PCG on cuda:0, whole solves incl. setup,
# float64, rtol 1e-8 (bench mode amg-gpu, bench/TorchSla.Bench/AmgGpu.cs), then the AMG tests on the GPU.
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set.
set -uo pipefail
out="$OUT/amg2"
mkdir -p "$out"
bench=".device/TorchSla.Bench/TorchSla.Bench.dll"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
# Jacobi-PCG on 16M needs ~7000 iterations: skipped above 5M rows to keep the batch short.
timeout 110 dotnet "$bench" amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 --jacobi-max 5000000 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"
timeout 35 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll --filter-class "*Amg*" 2>&1 | tail -15

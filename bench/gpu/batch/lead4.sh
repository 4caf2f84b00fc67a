#!/usr/bin/env bash
# Lead, session 4 (2026-12-06): where AMG-PCG overtakes Jacobi-PCG on the GPU (for AutoSolverChoice on devices):
# whole solves incl. setup, float64, rtol 1e-8, 2D and 3D Poisson below and at 1M rows (bench mode amg-gpu).
set -uo pipefail
out="${OUT:-/tmp/out}/lead4"
mkdir -p "$out"
timeout 150 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll amg-gpu 2d:200 2d:300 2d:500 2d:700 2d:1000 3d:30 3d:50 3d:70 3d:100 --jacobi-max 1000000 | tee "$out/crossover.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"

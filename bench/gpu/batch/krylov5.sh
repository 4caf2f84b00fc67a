#!/usr/bin/env bash
# Krylov, session 5 (issue 4: the GPU path of GMRES/FGMRES must not read a scalar back every Arnoldi step), run by the
# lead from the repository root on an H100:
# 1. the GMRES primitives (multi-dot, multi-axpy, scale, Arnoldi column) against the CPU twin, and GMRES/FGMRES on
#    cuda:0 against the CPU (iterations, history, x), happy breakdown between checks, limit, cancellation, no allocation;
# 2. bench mode gmres on cuda:0: GMRES(30), 300 iterations (fixed work), 2D Poisson and 2D convection–diffusion at 1M
#    and 4M DOF, check every 8 (default) and every 1, the scalar read-backs per iteration counted, Jacobi-PCG's
#    ms/iteration on the same Poisson matrices as the reference for one SpMV-bound iteration.
# Budget: ~150 s; every step capped.
set -uo pipefail
out="${OUT:-/tmp/out}/krylov5"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,clocks.max.memory,driver_version --format=csv | tee "$out/gpu.txt"
echo "== GPU tests (GMRES primitives, GMRES/FGMRES on cuda:0 vs CPU)"
timeout 70 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GmresKernelTests" -class "*GpuGmresTests" > "$out/tests.txt" 2>&1
grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" "$out/tests.txt" | head -40
echo "== GMRES(30) on cuda:0, 300 iterations, Poisson (with Jacobi-PCG as reference)"
timeout 40 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll gmres 2d:1000 2d:2000 --device cuda --maxiter 300 --check 8 --check 1 --cg --reps 2 2>&1 | tee "$out/gmres_poisson.md"
echo "== GMRES(30) and FGMRES(30) on cuda:0, 300 iterations, convection-diffusion"
timeout 40 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll gmres cd2d:1000 cd2d:2000 --device cuda --method both --maxiter 300 --check 8 --check 1 --reps 2 2>&1 | tee "$out/gmres_cd.md"

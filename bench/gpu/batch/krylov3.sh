#!/usr/bin/env bash
# GPU batch of the Krylov work, session 3 (issue 4; round 2: + BiCGStab with device scalars, Jacobi setup on the device, level-scheduled SpTRSV for ILU(0)/IC(0)), run by the lead from the repository root on an H100:
# the fused-CG kernel tests on the GPU (two-pass CG's CgDirectionSpMVDot and deferred CgUpdate against the CPU twin),
# CG on cuda:0 against the CPU, then Jacobi-PCG on 2D Poisson (1M, 4M, 16M DOF, float64, rtol 1e-8) in PyTorch
# (bench/gpu/torch_pcg.py) and ours (TorchSla.Bench gpu-pcg: two passes per iteration, check every 8 and every 1,
# and the three-pass iteration of session 2 in the same run).
# Budget: ~150 s; each step is capped so that one slow step cannot eat the others' time.
set -uo pipefail
out="${OUT:-/tmp/out}/krylov3"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,clocks.max.memory,driver_version --format=csv | tee "$out/gpu.txt"
echo "== GPU tests (fused CG and BiCGStab kernels, CG and BiCGStab on cuda:0 vs CPU)"
timeout 60 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*FusedKrylovKernelTests" -class "*GpuCgTests" -class "*GpuBatchedCgTests" -class "*GpuBiCgStabTests" -class "*TriangularSolveTests" > "$out/tests.txt" 2>&1; grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:" "$out/tests.txt" | head -60
echo "== PyTorch Jacobi-PCG"
PYTHONUNBUFFERED=1 timeout 50 python3 bench/gpu/torch_pcg.py 1000 2000 4000 --check 1 --check 8 2>&1 | tee "$out/torch_pcg.txt"
echo "== ours: TorchSla.Bench gpu-pcg (two passes: check every 8 = default, and every 1; three passes: every 8)"
timeout 60 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll gpu-pcg 1000 2000 4000 2>&1 | tee "$out/ours_pcg.txt"

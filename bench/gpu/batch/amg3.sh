#!/usr/bin/env bash
# GPU batch script of the AMG work, session 3 (issue 7): the AMG setup on the device (Backend.Amg* primitives).
# 1. The AMG tests on cuda:0: the new primitives against their CPU twins, CPU/GPU hierarchies agree.
# 2. 2D Poisson 16M and 3D Poisson 8M with TORCHSLA_AMG_PROFILE=1: per-level, per-stage setup times (each stage
#    synchronised) and one V-cycle timed level by level, plus the allocator's live/peak device bytes.
# 3. The amg-gpu table (whole solves incl. setup, float64, rtol 1e-8; device peak B/DOF counted by the allocator).
# 4. PyTorch Jacobi-PCG on 2D 1M and 16M (the anchor of the table).
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set. Budget ~150 s.
set -uo pipefail
out="${OUT:-/tmp/out}/amg3"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
bench=.device/TorchSla.Bench/TorchSla.Bench.dll
echo "== AMG tests on cuda:0 (TORCHSLA_TEST_DEVICE=${TORCHSLA_TEST_DEVICE:-})"
timeout 60 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GpuAmgTests" -class "*GpuAmgKernelTests" -class "*GpuSpMVDevicePlanTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:" | head -20
for p in 2d:4000 3d:200; do
  echo "== profile: $p (TORCHSLA_AMG_PROFILE=1)"
  TORCHSLA_AMG_PROFILE=1 timeout 60 dotnet $bench amg-gpu $p --jacobi-max 0 >"$out/profile_table_${p/:/_}.md" 2>"$out/profile_stderr_${p/:/_}.txt"
  echo "exit: $?"
  grep "AMG-PCG" "$out/profile_table_${p/:/_}.md"
  rows=$([ "$p" = 2d:4000 ] && echo 16000000 || echo 8000000)
  awk "/setup of $rows rows/{p=1} p" "$out/profile_stderr_${p/:/_}.txt" > "$out/profile_${p/:/_}.txt"
  grep -v " L[0-9] " "$out/profile_${p/:/_}.txt" | head -40
  grep " L0 \| L1 " "$out/profile_${p/:/_}.txt" | head -40
done
echo "== amg-gpu table"
timeout 80 dotnet $bench amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 --jacobi-max 1000000 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"
echo "== PyTorch Jacobi-PCG (krylov2's torch_pcg.py, residual checked every iteration), same GPU"
PYTHONUNBUFFERED=1 timeout 45 python3 bench/gpu/torch_pcg.py 1000 4000 --check 1 2>&1 | tail -6 | tee "$out/torch_pcg.txt"

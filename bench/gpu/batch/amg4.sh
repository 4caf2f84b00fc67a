#!/usr/bin/env bash
# GPU batch script of the AMG work, session 4 (issue 7): the symbolic SpGEMM's hash tables in row chunks of at most
# IlgpuBackend.SpGemmTableBudget ints, for the device-memory target (≤ 300 B/DOF on 2D Poisson 16M). The chunked path is
# opt-in (budget 0 = one table per product, the default); this batch measures it with --spgemm-budget 33554432 (128 MB).
# 1. The SpGEMM and AMG tests on cuda:0 (chunked and one-table plans agree exactly; AMG hierarchies).
# 2. 2D Poisson 16M with TORCHSLA_AMG_PROFILE=1 and chunked tables: per-stage setup times and device-byte peaks.
# 3. The amg-gpu table with chunked tables (whole solves incl. setup, float64, rtol 1e-8, device peak B/DOF).
# 4. The same 16M and 3D 200^3 solves with one table per product (the default), for comparison.
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set. Budget ~150 s.
set -uo pipefail
out="${OUT:-/tmp/out}/amg4"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
bench=.device/TorchSla.Bench/TorchSla.Bench.dll
echo "== SpGEMM + AMG tests on cuda:0 (TORCHSLA_TEST_DEVICE=${TORCHSLA_TEST_DEVICE:-})"
timeout 50 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GpuSpGemmTests" -class "*GpuAmgTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:" | head -20
echo "== profile: 2d:4000 (TORCHSLA_AMG_PROFILE=1)"
TORCHSLA_AMG_PROFILE=1 timeout 35 dotnet $bench amg-gpu 2d:4000 --jacobi-max 0 --spgemm-budget 33554432 >"$out/profile_table_2d_4000.md" 2>"$out/profile_stderr_2d_4000.txt"
echo "exit: $?"
grep "AMG-PCG" "$out/profile_table_2d_4000.md"
awk "/setup of 16000000 rows/{p=1} p" "$out/profile_stderr_2d_4000.txt" | grep -v "cycle" > "$out/profile_2d_4000.txt"
cat "$out/profile_2d_4000.txt" | head -70
echo "== amg-gpu table (chunked tables, --spgemm-budget 33554432)"
timeout 45 dotnet $bench amg-gpu 2d:1000 2d:4000 3d:200 --jacobi-max 0 --spgemm-budget 33554432 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"
echo "== amg-gpu 2d:4000 3d:200 with one table per product (the default)"
timeout 30 dotnet $bench amg-gpu 2d:4000 3d:200 --jacobi-max 0 | tee "$out/amg_gpu_one_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"

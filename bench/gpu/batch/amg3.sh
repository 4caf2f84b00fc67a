#!/usr/bin/env bash
# GPU batch script of the AMG work, session 3 (issue 7). Round 1: where the 16M setup and V-cycle go.
# 1. 2D Poisson 16M with TORCHSLA_AMG_PROFILE=1: per-level, per-stage setup times (each stage synchronised) and one
#    V-cycle timed level by level, plus the allocator's live/peak device bytes.
# 2. The amg-gpu table (whole solves incl. setup, float64, rtol 1e-8; device peak B/DOF counted by the allocator).
# Run from the repository root by the lead: dotnet on PATH, .device/ published, $OUT set. Budget ~120 s.
set -uo pipefail
out="${OUT:-/tmp/out}/amg3"
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
bench=.device/TorchSla.Bench/TorchSla.Bench.dll
echo "== profile: 2D Poisson 16M (TORCHSLA_AMG_PROFILE=1)"
TORCHSLA_AMG_PROFILE=1 timeout 60 dotnet $bench amg-gpu 2d:4000 --jacobi-max 0 >"$out/profile_table.md" 2>"$out/profile_stderr.txt"
echo "exit: $?"
cat "$out/profile_table.md"
awk '/setup of 16000000 rows/{p=1} p' "$out/profile_stderr.txt" > "$out/profile_16M.txt"
grep -v " L[0-9] " "$out/profile_16M.txt" | head -40
grep " L0 \| L1 " "$out/profile_16M.txt" | head -40
echo "== amg-gpu table"
timeout 80 dotnet $bench amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 --jacobi-max 1000000 | tee "$out/amg_gpu_table.md"
echo "amg-gpu exit: ${PIPESTATUS[0]}"

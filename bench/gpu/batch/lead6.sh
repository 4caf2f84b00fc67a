#!/usr/bin/env bash
# Lead, session 6 (2026-12-06 evening): LU solves of CUDA tensors on the device (Backend.FrontalLuSolve, issue 5: "factor
# on the CPU and solve where it is fastest"): FrontalLuSolveTests and SupernodalSolveTests on cuda:0, then bench mode
# direct-device --lu (host LU solve + refinement + copies vs uploaded factors + device sweeps + device refinement).
set -uo pipefail
out="${OUT:-/tmp/out}/lead6"
mkdir -p "$out"
timeout 90 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*FrontalLuSolveTests" -class "*SupernodalSolveTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" | head -20
timeout 200 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll direct-device --lu 2d:100 2d:300 2d:1000 3d:30 3d:50 | tee "$out/direct_device_lu.md"
echo "direct-device --lu exit: ${PIPESTATUS[0]}"

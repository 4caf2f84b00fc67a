#!/usr/bin/env bash
# Lead, session 5 (2026-12-06 afternoon): direct solves of CUDA tensors (issue 5: "factor on the CPU and solve where it
# is fastest"): SupernodalSolveTests on cuda:0, then bench mode direct-device (host solve + copies vs factor upload +
# device supernodal sweeps), 2D Poisson 10K–1M and 3D Poisson 27K–125K.
set -uo pipefail
out="${OUT:-/tmp/out}/lead5"
mkdir -p "$out"
timeout 60 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*SupernodalSolveTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" | head -20
timeout 150 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll direct-device 2d:100 2d:300 2d:500 2d:1000 3d:30 3d:50 | tee "$out/direct_device.md"
echo "direct-device exit: ${PIPESTATUS[0]}"

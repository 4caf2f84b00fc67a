#!/usr/bin/env bash
# Lead, session 10 (issue 7): the AMG hierarchy's cycle vectors are now allocated on first use (the setup's last cycle on a
# GPU) and the near-null vector as scratch storage; this checks the GPU AMG tests and the amg-gpu table (whole solves incl.
# setup, float64, rtol 1e-8) on cuda:0 after that change. Run from the repository root: dotnet on PATH, .device/ published.
set -uo pipefail
bench=.device/TorchSla.Bench/TorchSla.Bench.dll
echo "== GPU AMG tests"
timeout 60 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*GpuAmgTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" | head -20
echo "== amg-gpu 2d:1000 2d:2000 2d:4000 3d:200"
timeout 120 dotnet $bench amg-gpu 2d:1000 2d:2000 2d:4000 3d:200 --jacobi-max 1000000 2>&1 | grep -E "^\||threads|GPU|rror" | head -30

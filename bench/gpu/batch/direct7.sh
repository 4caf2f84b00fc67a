#!/usr/bin/env bash
# direct7, session 7 (2026-12-06/07 night): the multifrontal LU's U stored without its pivot block (U12 only; U11 read
# from the L blocks above their diagonals), so the CUDA sweeps (FrontalLuKernels: BackwardU, ForwardUt) read U11 from L.
# FrontalLuSolveTests on cuda:0, then bench mode direct-device --lu (same problems as lead6.sh, session 6: compare the
# upload ms and device sweeps ms with /work/gpu-results/s6-2/lead6/direct_device_lu.md; U is 127 MB smaller at 2D 1M).
set -uo pipefail
out="${OUT:-/tmp/out}/direct7"
mkdir -p "$out"
timeout 60 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*FrontalLuSolveTests" 2>&1 | tee "$out/tests_full.txt" | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" | head -20 | tee "$out/tests.txt"
echo "tests exit: ${PIPESTATUS[0]}"
timeout 85 dotnet .device/TorchSla.Bench/TorchSla.Bench.dll direct-device --lu 2d:100 2d:300 2d:1000 3d:30 3d:50 | tee "$out/direct_device_lu.md"
echo "direct-device --lu exit: ${PIPESTATUS[0]}"

#!/usr/bin/env bash
# Lead, session 6: FrontalLuSolveTests on cuda:0 after the host/device comparison's tolerance fix and the default rule.
set -uo pipefail
timeout 90 dotnet .device/TorchSla.Tests/TorchSla.Tests.dll -class "*FrontalLuSolveTests" 2>&1 | grep -E "\[FAIL\]|Assert|TEST EXECUTION|Total:|rror" | head -20

#!/usr/bin/env bash
# The whole GPU benchmark in one command, on the GPU machine, from the repository root with
# .device prepared by ../shared/tools/device-prep (TorchSla.Bench published) and the .NET runtime on PATH:
#   MTX=path/to/largest.mtx bash bench/gpu/run.sh OUTDIR [--small]
# Writes OUTDIR/gpu_table.md (also printed) and OUTDIR/torch.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?OUTDIR}; shift || true
mats=/tmp/torchsla_mats
rm -rf "$mats"
bench=".device/TorchSla.Bench/TorchSla.Bench.dll"
dotnet "$bench" gpu-gen "$mats" "$@"
# The largest SuiteSparse matrix of shared/matrices, converted to the same binary layout.
if [ -n "${MTX:-}" ] && [ -f "$MTX" ]; then
  PYTHONUNBUFFERED=1 python3 "$here/mtx_to_bin.py" "$MTX" "$mats/9_$(basename "$MTX" .mtx).bin"
fi
PYTHONUNBUFFERED=1 python3 "$here/torch_spmv.py" "$mats" "$out/torch.json" "$@"
dotnet "$bench" gpu-spmv "$mats" "$out/torch.json" "$out/gpu_table.md" "$@"

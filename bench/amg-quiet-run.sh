#!/usr/bin/env bash
# Lead's quiet AMG run (session 10): NEW (this checkout's Release build) against OLD (a base commit's checkout built in $OLD_DIR)
# and hypre BoomerAMG-PCG on 2 ranks (/tmp/hypre_amg_bench, bench anchors README), alternating in one script: the first
# 3D Poisson 50³ AMG-PCG solve of a process (default CPU smoother), ROUNDS rounds; 3D 100³ and 2D 1M twice; the iteration
# table (NEW); and, for the shared CPU code the session touched, LU 2D 1M (NEW/OLD) and krylov-compare (NEW) once.
set -uo pipefail
cd "$(dirname "$0")/.."
B=bench/TorchSla.Bench/bin/Release/net10.0/TorchSla.Bench.dll
O=${OLD_DIR:?OLD_DIR: a checkout of the base commit with its bench built}/$B
R=${ROUNDS:-8}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
row() { grep -E '^\| [23]D' | awk -F'|' '{printf "setup %s solve %s total %s it %s", $5, $6, $7, $8}'; }
echo "== $(date -u +%FT%TZ) NEW $(git log --oneline -1 | cut -c1-60) OLD $(git -C "${OLD_DIR}" log --oneline -1 | cut -c1-40) load: $(uptime | sed 's/.*average: //')"
for p in "3d 50 $R" "3d 100 2" "2d 1000 2"; do
  set -- $p
  echo "== AMG-PCG $1 $2, first solve of a process, $3 rounds: OLD, NEW, hypre 2 ranks"
  for r in $(seq "$3"); do
    echo "-- round $r $(date -u +%T) load $(uptime | sed 's/.*average: //')"
    echo "   OLD   $(dotnet $O amg-compare $1:$2 --amg-only --smoother SymmetricGaussSeidel 2>/dev/null | row)"
    echo "   NEW   $(dotnet $B amg-compare $1:$2 --amg-only --smoother SymmetricGaussSeidel 2>/dev/null | row)"
    echo "   hypre $(mpirun.openmpi -n 2 /tmp/hypre_amg_bench $1 $2 2>&1 | tail -1)"
  done
done
echo "== amg-iterations (NEW)"; dotnet $B amg-iterations 2>&1 | grep -E "^\|"
echo "== LU 2D 1M (OLD, NEW)"
for b in OLD NEW; do d=$B; [ $b = OLD ] && d=$O; echo "-- $b $(date -u +%T)"; dotnet $d direct lu poisson2d 1000 auto 2>&1 | grep torchsla; done
echo "== krylov-compare (NEW)"; dotnet $B krylov-compare 500 1000 --rounds 1 2>&1 | grep -E "^\|"
echo "== end $(date -u +%FT%TZ) load: $(uptime | sed 's/.*average: //')"

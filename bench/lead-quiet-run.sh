#!/usr/bin/env bash
# Lead's quiet CPU run (sessions 8–9): NEW (this checkout's Release build) vs OLD (a base commit's checkout built in $OLD_DIR,
# default /tmp/base8), alternating, anchors
# (SciPy, hypre at /tmp/hypre_amg_bench, CHOLMOD at /tmp/cholmod_bench, /tmp/first_touch from bench/first_touch.c) in the same script.
set -uo pipefail
cd "$(dirname "$0")/.."
B=bench/TorchSla.Bench/bin/Release/net10.0/TorchSla.Bench.dll
O=${OLD_DIR:-/tmp/base8}/$B
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T='/usr/bin/time -f "    maxrss %M KB minflt %R elapsed %e user %U sys %S"'
echo "== $(date -u +%FT%TZ) NEW $(git log --oneline -1 | cut -c1-60) load: $(uptime | sed 's/.*average: //')"
echo "== LU 2D 1M, alternating OLD/NEW, SciPy twice"
for r in 1 2 3; do
  for b in OLD NEW; do
    d=$B; [ $b = OLD ] && d=$O
    echo "-- $b round $r $(date -u +%T) load $(uptime | sed 's/.*average: //')"
    /usr/bin/time -f "    maxrss %M KB minflt %R elapsed %e user %U sys %S" dotnet $d direct lu poisson2d 1000 auto 2>&1 | grep -E "torchsla|maxrss"
  done
  [ $r != 2 ] && { echo "-- SciPy $(date -u +%T)"; /usr/bin/python3 bench/scipy_spsolve.py 1000; }
done
echo "== LU 2D 1M and SciPy on cold memory (6 s idle before) and on warm memory (1.5 GB touched in huge pages and freed just before)"
for what in cold warm; do
  sleep 6; [ $what = warm ] && /tmp/first_touch 1500 1
  echo "-- NEW $what $(date -u +%T)"; /usr/bin/time -f "    maxrss %M KB minflt %R elapsed %e user %U sys %S" dotnet $B direct lu poisson2d 1000 auto 2>&1 | grep -E "torchsla|maxrss"
  sleep 6; [ $what = warm ] && /tmp/first_touch 1500 1
  echo "-- SciPy $what $(date -u +%T)"; /usr/bin/python3 bench/scipy_spsolve.py 1000
done
echo "== AMG, 3D 50³ first in process, alternating"
for r in 1 2 3; do
  for b in OLD NEW; do
    d=$B; [ $b = OLD ] && d=$O
    echo "-- $b round $r $(date -u +%T) load $(uptime | sed 's/.*average: //')"
    dotnet $d amg-compare 3d:50 3d:100 2d:1000 2>&1 | grep -E "^\|" | grep -v -- "---"
  done
done
echo "== Cholesky vs CHOLMOD (NEW)"
for p in "poisson2d 500" "poisson2d 1000" "poisson3d 50"; do
  echo "-- $p $(date -u +%T)"; /tmp/cholmod_bench $p; dotnet $B direct cholesky $p auto
done
echo "== krylov-compare (NEW)"; dotnet $B krylov-compare 500 1000 --rounds 2
echo "== end $(date -u +%FT%TZ) load: $(uptime | sed 's/.*average: //')"

#!/usr/bin/env bash
# No hangs when a rank dies: rank 1 of a two-rank `lepton-cert run --profile ci` is killed
# (SIGKILL) three seconds in; the run must end non-zero within 120 s, the launcher's message must
# name rank 1, and no report may be written. The guard is the launcher's: Open MPI aborts the job
# when a rank exits abnormally (srun does with --kill-on-bad-exit=1); lepton-cert has no watchdog
# of its own yet, so the message names the rank but not the collective it was in.
set -uo pipefail
mpiexec=$1
cli=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

start=$(date +%s)
timeout 120 "$mpiexec" --allow-run-as-root --oversubscribe --bind-to none -n 2 bash -c '
  if [[ $OMPI_COMM_WORLD_RANK == 1 ]]; then
    "$0" run --profile ci --out "$1/report" >/dev/null 2>&1 &
    pid=$!
    sleep 3
    kill -9 $pid
    wait $pid
    exit $?
  fi
  exec "$0" run --profile ci --out "$1/report"' "$cli" "$out" >"$out/log" 2>&1
code=$?
elapsed=$(( $(date +%s) - start ))
tail -5 "$out/log"
if [[ $code -eq 124 ]]; then echo "FAIL: the run hung (killed by the 120 s timeout)"; exit 1; fi
if [[ $code -eq 0 ]]; then echo "FAIL: the run succeeded although rank 1 was killed"; exit 1; fi
grep -Eq 'rank 1|Process name: \[\[[0-9]+,[0-9]+\],1\]' "$out/log" || { echo "FAIL: nothing names rank 1"; exit 1; }
[[ ! -e "$out/report/report.json" ]] || { echo "FAIL: a report was written"; exit 1; }
echo "PASS: exit $code after ${elapsed} s, rank 1 named, no report"

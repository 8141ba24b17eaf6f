#!/usr/bin/env bash
# No hangs when a rank dies: one rank of a two-rank `lepton-cert run --profile ci` is killed
# (SIGKILL) three seconds in; the run must end non-zero within 120 s, the messages must name the
# dead rank and no report may be written.
#   rank 1 killed: rank 0 is computing a single-rank workload; the launcher names rank 1.
#   rank 0 killed: rank 1 is waiting at the barrier; Open MPI aborts the job with SIGTERM and the
#                  survivor's last words name the operation it was in (bench/comm/
#                  collective_watchdog.h; a collective that outlasts LEPTON_COLLECTIVE_TIMEOUT_S
#                  ends its rank with the same kind of message, tested in lepton_comm_test).
set -uo pipefail
mpiexec=$1
cli=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_killing() {  # RANK: kill that rank 3 s in; the log goes to $out/log-RANK
  local victim=$1
  local start=$(date +%s)
  VICTIM=$victim timeout 120 "$mpiexec" --allow-run-as-root --oversubscribe --bind-to none -n 2 \
    -x VICTIM bash -c '
    if [[ $OMPI_COMM_WORLD_RANK == $VICTIM ]]; then
      "$0" run --profile ci --out "$1/report" >/dev/null 2>&1 &
      pid=$!
      sleep 3
      kill -9 $pid
      wait $pid
      exit $?
    fi
    exec "$0" run --profile ci --out "$1/report"' "$cli" "$out" >"$out/log-$victim" 2>&1
  local code=$?
  local elapsed=$(( $(date +%s) - start ))
  tail -5 "$out/log-$victim"
  if [[ $code -eq 124 ]]; then echo "FAIL: the run hung (killed by the 120 s timeout)"; exit 1; fi
  if [[ $code -eq 0 ]]; then echo "FAIL: the run succeeded although rank $victim was killed"; exit 1; fi
  grep -Eq "rank $victim|Process name: \[\[[0-9]+,[0-9]+\],$victim\]" "$out/log-$victim" ||
    { echo "FAIL: nothing names rank $victim"; exit 1; }
  [[ ! -e "$out/report/report.json" ]] || { echo "FAIL: a report was written"; exit 1; }
  echo "rank $victim killed: exit $code after ${elapsed} s, rank $victim named, no report"
}

run_killing 1
run_killing 0
grep -q "lepton-cert: rank 1: ended by SIGTERM while in MPI_Ibarrier" "$out/log-0" ||
  { cat "$out/log-0"; echo "FAIL: the surviving rank did not name the operation it was in"; exit 1; }
echo "PASS"

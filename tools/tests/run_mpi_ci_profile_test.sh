#!/usr/bin/env bash
# End to end under MPI: `mpiexec -n 2 lepton-cert run --profile ci` runs the collectives on both
# ranks and everything else on rank 0, and rank 0 alone writes a report that says two ranks ran
# over MPI, found no wrong element, solved the data-parallel regression to the single-rank
# coefficients, and judged the bandwidth and scaling requirements (applies_if ranks >= 2).
# --bind-to none: Open MPI binds each of two ranks to one core by default, and rank 0's
# single-rank workloads should see the machine's cores. The report states each rank's CPU
# threads: half the node's cores (at least 1) while both ranks compute, unless OMP_NUM_THREADS
# says otherwise.
set -euo pipefail
mpiexec=$1
cli=$2
root=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

set +e
"$mpiexec" --allow-run-as-root --oversubscribe --bind-to none -n 2 \
  "$cli" run --profile ci --out "$out/report" >"$out/stdout" 2>"$out/stderr"
code=$?
set -e
cat "$out/stdout"
# Certified (0) or not certified (1, e.g. this machine's OpenBLAS below the ci floor) both mean
# the run completed; usage and internal errors do not.
if [[ $code -gt 1 ]]; then
  cat "$out/stderr"
  echo "FAIL: exit $code from the two-rank ci run"
  exit 1
fi
[[ $(grep -c '^Verdict: ' "$out/stdout") -eq 1 ]] || { echo "FAIL: one rank prints the verdict"; exit 1; }
grep -q '2 rank(s) on 1 node(s) (mpi), [0-9]* CPU thread(s) per rank (' "$out/stderr" ||
  { echo "FAIL: the run does not state its ranks and their CPU threads"; exit 1; }
/usr/bin/python3 "$root/tools/tests/validate_json_schema.py" "$root/spec/schema/report.schema.json" \
  "$out/report/report.json"
/usr/bin/python3 "$root/tools/tests/check_report.py" "$out/report/report.json"
/usr/bin/python3 - "$out/report/report.json" <<'PY'
import json, os, sys
report = json.load(open(sys.argv[1]))
assert report["run"]["facts"]["values"]["ranks"] == 2, report["run"]["facts"]
assert report["run"]["facts"]["values"]["nodes"] == 1, report["run"]["facts"]
threads = report["run"]["cpu_threads"]
assert threads["local_ranks"] == 2, threads
if os.environ.get("OMP_NUM_THREADS"):
    assert threads["source"] == "OMP_NUM_THREADS", threads
else:
    assert threads["source"] == "cores / local ranks", threads
    assert threads["per_rank"] == max(1, threads["node_cpus"] // 2), threads
    assert threads["rank_zero_alone"] == report["system"]["cpu_cores"], threads
[collectives] = [w for w in report["workloads"] if w["type"] == "collectives"]
timed = [run for run in collectives["runs"] if not run["warmup"]]
assert timed and all(not run["error"] for run in timed), collectives
for run in timed:
    metrics = run["metrics"]
    assert metrics["ranks"] == 2 and metrics["communicator"] == "mpi", metrics
    assert metrics["wrong_elements"] == 0, metrics
    assert metrics["allreduce_busbw_peak_gbps"] > 0, metrics
    assert metrics["allreduce_bf16_busbw_peak_gbps"] > 0, metrics  # the ci scale sweeps bf16
verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
assert verdicts["PERF-COLL-EXACT"] == "pass", verdicts
assert verdicts["PERF-LINREG-DP-EQUIVALENCE"] == "pass", verdicts
[parallel] = [w for w in report["workloads"] if w["type"] == "linear_regression_data_parallel"]
assert all(run["metrics"]["ranks"] == 2 for run in parallel["runs"]), parallel
assert verdicts["PERF-LINREG-DP-SCALING"] in ("pass", "fail"), verdicts  # judged, not excused
# The data-parallel MNIST's first step: the all-reduced gradient is the single-rank one up to the
# order of float32 sums; the untimed trace compared every one of the first 100 steps.
assert verdicts["PERF-MLP-DP-GRADIENT"] == "pass", verdicts
[mlp] = [w for w in report["workloads"] if w["type"] == "mnist_mlp_data_parallel"]
for run in mlp["runs"]:
    assert 0 < run["metrics"]["gradient_rel_l2_diff_single_rank"] < 1e-6, run["metrics"]
    assert len(run["series"]["weights_rel_l2_diff_single_rank_by_step"]) == 100, run["series"]
for rid in ("PERF-ALLREDUCE-BUSBW-PEAK", "PERF-ALLREDUCE-BUSBW-1GIB", "PERF-ALLREDUCE-LATENCY"):
    assert verdicts[rid] in ("pass", "fail"), (rid, verdicts[rid])  # judged, not excused
print("two-rank report: ranks 2 over mpi, 0 wrong elements, data-parallel = single-rank, "
      f"bandwidth and scaling judged, {threads['per_rank']} CPU thread(s) per rank "
      f"({threads['source']})")
PY
echo "PASS"

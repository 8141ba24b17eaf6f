#!/usr/bin/env bash
# End to end on any machine, meter or not: energy measured from a live external power log, as a
# lab analyser writes it (here a stand-in writing timestamp,watts at 20 Hz, a constant 150 W),
# aligned to the run's timed steps, judged against the methods the requirement accepts, and shown
# beside the figure. Then a log that does not cover the run: not measured, and a MUST blocks.
set -euo pipefail
cli=$1
root=$2
work=$(mktemp -d)
logger=
cleanup() {
  [[ -n $logger ]] && kill "$logger" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/spec"
cat >"$work/spec/lepton.yaml" <<'YAML'
spec: energy-end-to-end
version: 0.1.0
status: draft
profiles:
  lab: {devices: cpu, scale: small, energy: {min_region_s: 1, idle_s: 0.5, sample_hz: 20, max_gap_s: 1}}
workloads:
  fashion:
    type: mnist_mlp_train
    dataset: {name: fashion-mnist, train_samples: 3000, test_samples: 500}
    model: {layers: [784, 64, 10], activation: relu, loss: softmax_cross_entropy,
            init: pytorch_linear_uniform}
    optimizer: {name: adam, lr: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
    batch_size: 64
    epochs: 1
    seed: 3
    precision: fp32
    quality_target: {accuracy: 0.1}
requirements:
  - id: ENERGY-LAB-J-PER-SAMPLE
    kind: energy
    level: MUST
    title: Training energy per sample, at the wall
    workload: fashion
    metric: joules_per_sample
    unit: J/sample
    statistic: median
    runs: 2
    methods: [analyser]
    threshold: {op: "<=", lab: 1.0}
  - id: ENERGY-LAB-AVERAGE-W
    kind: energy
    level: MUST
    title: Average power over the timed steps
    workload: fashion
    metric: average_watts
    unit: W
    statistic: max
    runs: 2
    methods: [analyser, bmc]
    threshold: {op: "<=", lab: 1000}
YAML

/usr/bin/python3 -u -c '
import sys, time
with open(sys.argv[1], "w") as log:
    log.write("timestamp,watts\n")
    while True:
        log.write(f"{time.time():.6f},150\n")
        log.flush()
        time.sleep(0.05)
' "$work/power.csv" &
logger=$!
sleep 0.5

"$cli" run --spec "$work/spec" --profile lab --out "$work/out" --energy power-log \
  --power-log "$work/power.csv" --power-log-source analyser >"$work/stdout" 2>"$work/stderr" || {
  cat "$work/stdout" "$work/stderr"
  echo "FAIL: expected the lab profile to certify on the power log"
  exit 1
}
cat "$work/stdout"
/usr/bin/python3 "$root/tools/tests/validate_json_schema.py" "$root/spec/schema/report.schema.json" \
  "$work/out/report.json"
/usr/bin/python3 "$root/tools/tests/check_report.py" "$work/out/report.json"
/usr/bin/python3 - "$work/out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
runs = [run for run in report["workloads"][0]["runs"] if not run["warmup"]]
assert len(runs) == 2, runs
for run in runs:
    energy, metrics = run["energy"], run["metrics"]
    assert energy["meter"] == "power-log" and energy["tier"] == "analyser", energy
    assert energy["domains"] == ["system (at the wall)"], energy
    assert energy["covered_s"] >= 1.0 and energy["passes"] >= 1, energy
    # The log's own rate; short steps fall mostly between its samples (interpolated), so only
    # some readings lie inside the windows.
    assert 10 < energy["sample_hz"] < 30 and energy["samples"] >= 1, energy
    # A constant 150 W integrates to exactly 150 W on average, and idle is the same 150 W.
    assert abs(metrics["average_watts"] - 150) < 1e-6, metrics
    assert abs(metrics["idle_watts"] - 150) < 1e-6, metrics
    assert abs(metrics["energy_above_idle_j"]) < 1e-6, metrics
    samples = 3000 * energy["passes"]
    assert abs(metrics["joules_per_sample"] - 150 * energy["covered_s"] / samples) < 1e-9, metrics
    # Only the timed steps: one window per step of every pass, at least the recorded pass's
    # steps, and less than the whole run. (The repeated passes are not timed into the run, and on
    # a loaded machine they may take longer than the recorded one, so no tighter bound holds.)
    step_seconds = sum(step["seconds"] for step in run["steps"])
    assert energy["windows"] == energy["passes"] * len(run["steps"]), energy
    assert step_seconds <= energy["covered_s"] <= report["run"]["duration_s"], (energy, step_seconds)
for requirement in report["requirements"]:
    assert requirement["verdict"] == "pass", requirement
print("energy from the power log: method, figures and verdicts consistent")
PY
grep -q '\[analyser\]' "$work/out/report.md" || { echo "FAIL: the Markdown lacks the method"; exit 1; }
grep -q 'analyser: power-log (system (at the wall)' "$work/out/report.html" ||
  { echo "FAIL: the HTML lacks the method"; exit 1; }

# A log from another time covers none of the run: not measured, the MUST blocks (exit 1).
printf 'timestamp,watts\n1000,150\n1001,150\n' >"$work/old.csv"
set +e
"$cli" run --spec "$work/spec" --profile lab --out "$work/old" --power-log "$work/old.csv" \
  --power-log-source bmc >"$work/stdout" 2>"$work/stderr"
code=$?
set -e
cat "$work/stdout"
[[ $code -eq 1 ]] || { cat "$work/stderr"; echo "FAIL: expected exit 1, got $code"; exit 1; }
grep -q 'blocking: ENERGY-LAB-J-PER-SAMPLE (not-measured)' "$work/stdout"
grep -q "covers 1000 to 1001 (Unix time), not the timed window" "$work/stdout"
echo "PASS"

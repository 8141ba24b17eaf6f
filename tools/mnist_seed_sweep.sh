#!/usr/bin/env bash
# How reliably does the pinned MNIST workload reach the standard's 0.98? Trains the standard's
# mnist-mlp (784-256-10, Adam 1e-3, batch 64, 10 epochs, the project's pytorch_linear_uniform
# init) once per seed on official MNIST through `lepton-cert run`, on a spec derived from
# spec/lepton-v1 that differs only in the workload's seed and keeps only its requirements.
# Prints a Markdown table: per seed, the epoch and time at which 0.98 was first reached, the best
# and the final accuracy, and how many seeds reached it.
# usage: tools/mnist_seed_sweep.sh LEPTON_CERT [FIRST_SEED] [SEEDS] [PROFILE]   (default 1 10 cpu)
set -euo pipefail
cli=$1
first=${2:-1}
count=${3:-10}
profile=${4:-cpu}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for ((seed = first; seed < first + count; ++seed)); do
  /usr/bin/python3 - "$root/spec/lepton-v1" "$work/spec-$seed" "$seed" <<'PY'
import os, sys, yaml
source, target, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(f"{target}/requirements")
load = lambda name: yaml.safe_load(open(f"{source}/{name}"))
main = load("lepton.yaml")
main["status"] = "draft"
main["includes"] = ["profiles.yaml", "workloads.yaml", "requirements/mnist.yaml"]
workloads = load("workloads.yaml")["workloads"]
workload = workloads["mnist-mlp"]
workload["seed"] = seed
requirements = [r for r in load("requirements/mnist.yaml")["requirements"]
                if r["workload"] == "mnist-mlp"]
dump = lambda name, data: yaml.safe_dump(data, open(f"{target}/{name}", "w"), sort_keys=False)
dump("lepton.yaml", main)
dump("profiles.yaml", load("profiles.yaml"))
dump("workloads.yaml", {"workloads": {"mnist-mlp": workload}})
dump("requirements/mnist.yaml", {"requirements": requirements})
PY
  set +e
  "$cli" run --spec "$work/spec-$seed" --profile "$profile" --runs 1 --energy none \
    --out "$work/out-$seed" >"$work/log-$seed" 2>&1
  code=$?
  set -e
  if [[ $code -gt 1 || ! -f "$work/out-$seed/report.json" ]]; then
    cat "$work/log-$seed" >&2
    echo "seed $seed: lepton-cert exit $code and no report" >&2
    exit 1
  fi
  echo "seed $seed done" >&2
done

/usr/bin/python3 - "$work" "$first" "$count" <<'PY'
import json, statistics, sys
work, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
print("| seed | reached 0.98 | first epoch >= 0.98 | time to 0.98 (s) | best | final | accuracy by epoch |")
print("| --- | --- | --- | --- | --- | --- | --- |")
reached, times = 0, []
for seed in range(first, first + count):
    report = json.load(open(f"{work}/out-{seed}/report.json"))
    workload = next(w for w in report["workloads"] if w["name"] == "mnist-mlp")
    run = workload["runs"][-1]
    metrics, series = run["metrics"], run.get("series", {})
    curve = next((v for k, v in series.items() if "accuracy" in k and "test" in k), [])
    hit = metrics.get("reached_target") is True
    reached += hit
    tta = metrics.get("time_to_accuracy_s")
    if hit:
        times.append(tta)
    epoch = f"{metrics['epochs_to_target']:.0f}" if hit else "-"
    print(f"| {seed} | {'yes' if hit else 'no'} | {epoch} "
          f"| {f'{tta:.2f}' if hit else '-'} | {metrics['best_accuracy']:.4f} "
          f"| {metrics['final_accuracy']:.4f} | {' '.join(f'{a:.4f}' for a in curve)} |")
print()
median = f"{statistics.median(times):.2f} s" if times else "none"
print(f"{reached} of {count} seeds reached 0.98; median time to 0.98 over those: {median}")
PY

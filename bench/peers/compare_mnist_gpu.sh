#!/usr/bin/env bash
# Issue 5's peer comparison on a GPU node: lepton-cert's MNIST training against PyTorch eager
# with the same model, hyperparameters and data on the same GPU, back to back. lepton-cert runs
# the gpu profile (its fashion-mlp workload: 10 epochs of Fashion-MNIST, data on the device)
# and the peer trains the same 10 epochs; each side's per-run training times and their medians
# are printed, then the ratio of the medians (the issue's target: lepton-cert >= 5x faster, and
# under 0.5 s for 10 epochs on an H100).
#
# usage: bench/peers/compare_mnist_gpu.sh LEPTON_CERT DATA_DIR OUT_DIR [RUNS]
#   LEPTON_CERT  the lepton-cert binary (a build with the CUDA module, or the bundle's)
#   DATA_DIR     Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist)
#   OUT_DIR      where the report and the peer's JSON lines go
# Needs python3 with torch (CUDA build) for the peer.
set -euo pipefail
cli=$1
data=$2
out=$3
runs=${4:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"

set +e
"$cli" run --profile gpu --runs "$runs" --data "fashion-mnist=$data" --out "$out/lepton" \
  >"$out/lepton.log" 2>&1
code=$?
set -e
[[ -f "$out/lepton/report.json" ]] || { cat "$out/lepton.log"; echo "lepton-cert: exit $code"; exit 1; }
python3 "$here/pytorch_mnist_mlp.py" --data "$data" --runs "$runs" >"$out/pytorch.jsonl"

python3 - "$out/lepton/report.json" "$out/pytorch.jsonl" <<'PY'
import json, statistics, sys
report = json.load(open(sys.argv[1]))
workload = next(w for w in report["workloads"] if w["name"] == "fashion-mlp")
ours = [run["metrics"]["train_time_s"] for run in workload["runs"]]
device = workload["runs"][0]["metrics"].get("compute_device")
peer = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
theirs = [p["train_time_s"] for p in peer]
print(f"lepton-cert ({device}): train_time_s {ours}, median {statistics.median(ours):.4f} s")
print(f"PyTorch eager {peer[0]['torch']} ({peer[0]['device']}): train_time_s {theirs}, "
      f"median {statistics.median(theirs):.4f} s")
print(f"final accuracy: lepton-cert {[r['metrics']['final_accuracy'] for r in workload['runs']]}, "
      f"PyTorch {[p['final_accuracy'] for p in peer]}")
print(f"speed-up (PyTorch median / lepton-cert median): "
      f"{statistics.median(theirs) / statistics.median(ours):.2f}x (target >= 5x)")
PY

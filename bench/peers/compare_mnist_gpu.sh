#!/usr/bin/env bash
# Issue 5's peer comparison on a GPU node: lepton-cert's MNIST training against PyTorch eager
# with the same model, hyperparameters and data on the same GPU, back to back. lepton-cert runs
# the gpu profile (its fashion-mlp workload: 10 epochs of Fashion-MNIST, data on the device)
# and the peer trains the same 10 epochs; each side's per-run training times and their medians
# are printed, then the ratio of the medians (the issue's target: lepton-cert >= 5x faster, and
# under 0.5 s for 10 epochs on an H100).
#
# usage: bench/peers/compare_mnist_gpu.sh LEPTON_CERT DATA_DIR OUT_DIR [RUNS]
#        bench/peers/compare_mnist_gpu.sh --report REPORT.json DATA_DIR OUT_DIR [RUNS]
#   LEPTON_CERT  the lepton-cert binary (a build with the CUDA module, or the bundle's)
#   --report     a gpu profile report.json just written on this GPU (tools/gpu_check.sh's): its
#                fashion-mlp runs are lepton-cert's side, and the gpu profile is not run again
#   DATA_DIR     Fashion-MNIST IDX files (e.g. /usr/share/datasets/fashion-mnist)
#   OUT_DIR      where the report and the peer's JSON lines go
#   RUNS         the peer's runs (default: 3, or as many as the report's fashion-mlp has)
# Needs python3 with torch (CUDA build) for the peer.
set -euo pipefail
report=
cli=
if [[ $1 == --report ]]; then
  report=$2
  shift 2
else
  cli=$1
  shift
fi
data=$1
out=$2
runs=${3:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out"

if [[ -z $report ]]; then
  set +e
  "$cli" run --profile gpu --runs "${runs:-3}" --data "fashion-mnist=$data" --out "$out/lepton" \
    >"$out/lepton.log" 2>&1
  code=$?
  set -e
  report=$out/lepton/report.json
  [[ -f $report ]] || { cat "$out/lepton.log"; echo "lepton-cert: exit $code"; exit 1; }
fi
if [[ -z $runs ]]; then
  runs=$(python3 -c 'import json, sys
report = json.load(open(sys.argv[1]))
print(max(1, sum(len(w["runs"]) for w in report["workloads"] if w["name"] == "fashion-mlp")))' \
    "$report")
fi
python3 "$here/pytorch_mnist_mlp.py" --data "$data" --runs "$runs" >"$out/pytorch.jsonl"

python3 - "$report" "$out/pytorch.jsonl" <<'PY'
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

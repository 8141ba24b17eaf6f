#!/usr/bin/env bash
# The GPU evidence in one go, for a GPU node (or the device machine a session is lent): unpacks
# a bundle made by `tools/bundle.sh --with-gpu-checks`, then runs the GPU tests, the CPU-vs-CUDA
# device benchmarks, `lepton-cert run --profile gpu`, the NCCL path (the collectives and the
# data-parallel MNIST) with one rank and with ncclCommInitAll's group over the local GPUs
# (tools/tests/testdata/nccl_check), and the
# PyTorch peer comparison where python3 has torch, writing every output under OUT_DIR
# (report.json and its renderings in OUT_DIR/gpu-run, OUT_DIR/nccl-one-rank, ...). Each step's exit code is printed; the
# script itself fails only when the bundle cannot be used.
#
# usage: tools/gpu_check.sh BUNDLE.tar.gz OUT_DIR [FASHION_MNIST_DIR]
#   FASHION_MNIST_DIR  Fashion-MNIST IDX files when the node has no /usr/share/datasets copy
# The CUDA libraries come from the node: LD_LIBRARY_PATH defaults to /usr/local/cuda/lib64.
set -uo pipefail
archive=$1
out=$2
fashion=${3:-}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work" || { echo "gpu_check: cannot unpack $archive"; exit 2; }
bundle=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
[[ -x "$bundle/bin/lepton-cert" ]] || { echo "gpu_check: no bin/lepton-cert in $archive"; exit 2; }
# The test and benchmark binaries find the bundle's libraries here (lepton-cert by its RPATH).
export LD_LIBRARY_PATH=$bundle/lib:${LD_LIBRARY_PATH:-/usr/local/cuda/lib64:/usr/local/cuda/lib}

step() {
  local name=$1
  shift
  local started=$SECONDS
  "$@" >"$out/$name.log" 2>&1
  local code=$?
  echo "gpu_check: $name: exit $code ($((SECONDS - started)) s), log $out/$name.log"
  tail -n 5 "$out/$name.log" | sed 's/^/    /'
}

nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || true
step system "$bundle/bin/lepton-cert" system
if [[ -x "$bundle/bin/lepton_cuda_backend_test" ]]; then
  step gpu-tests "$bundle/bin/lepton_cuda_backend_test"
  step device-benchmarks "$bundle/bin/lepton_device_benchmarks" --benchmark_repetitions=5 \
    --benchmark_report_aggregates_only=true --benchmark_out="$out/device-benchmarks.json"
fi
data=()
[[ -n "$fashion" ]] && data=(--data "fashion-mnist=$fashion")
step gpu-run "$bundle/bin/lepton-cert" run --profile gpu --out "$out/gpu-run" "${data[@]}"
checks=$bundle/share/lepton-cert/gpu-checks
if [[ -d "$checks/nccl_check" ]]; then
  # One NCCL rank (a one-GPU machine cannot run the multi-gpu profile: NCCL refuses two ranks on
  # one GPU), and ncclCommInitAll's group over every GPU the machine has.
  step nccl-one-rank "$bundle/bin/lepton-cert" run --spec "$checks/nccl_check"     --profile nccl-here --out "$out/nccl-one-rank" "${data[@]}"
  step nccl-local "$bundle/bin/lepton-cert" run --spec "$checks/nccl_check"     --profile nccl-local-here --out "$out/nccl-local" "${data[@]}"
fi
if [[ -x "$checks/peers/compare_mnist_gpu.sh" ]] && python3 -c 'import torch' 2>/dev/null; then
  step pytorch-peer "$checks/peers/compare_mnist_gpu.sh" "$bundle/bin/lepton-cert"     "${fashion:-/usr/share/datasets/fashion-mnist}" "$out/pytorch-peer" 5
else
  echo "gpu_check: pytorch-peer: not run (no python3 with torch here)"
fi
exit 0

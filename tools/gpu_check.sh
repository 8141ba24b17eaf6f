#!/usr/bin/env bash
# The GPU evidence in one go, for a GPU node (or the device machine a session is lent): unpacks
# a bundle made by `tools/bundle.sh --with-gpu-checks`, then runs, most telling first:
#   the GPU tests; `lepton-cert run --profile gpu` (signed with --sign); the PyTorch peer against
#   that run's fashion-mlp times, where python3 has torch; the CPU-vs-CUDA device benchmarks; the
#   NCCL path (collectives and data-parallel MNIST) with one rank and with ncclCommInitAll's group
#   over the local GPUs (tools/tests/testdata/nccl_check); and, when --energy none left the gpu
#   profile's energy unmeasured, the training energy MUST alone (tools/tests/testdata/energy_check).
# Every output goes under OUT_DIR (report.json and its renderings in OUT_DIR/gpu-run,
# OUT_DIR/nccl-one-rank, ...). Each step's exit code is printed; the script itself fails only
# when the bundle cannot be used or cannot start (a shared library the node lacks), so a lease
# is not spent on nothing.
#
# usage: tools/gpu_check.sh [--deadline S] [--sign KEY] [--energy METER] BUNDLE.tar.* OUT_DIR
#                           [FASHION_MNIST_DIR]
#   --deadline S       finish within S seconds: each step is given what is left (less a margin
#                      for the ones after it is not kept: steps come most telling first), and a
#                      step with under 20 s left is not started. Default: no deadline.
#   --sign KEY         sign the gpu profile's report with this secret key (lepton-cert keygen)
#   --energy METER     lepton-cert run's --energy for the gpu profile (default: auto, i.e. NVML;
#                      its 60 s regions make a full run take several minutes per workload)
#   FASHION_MNIST_DIR  Fashion-MNIST IDX files when the node has no /usr/share/datasets copy
# The CUDA libraries come from the node: /usr/local/cuda's, and where the node has cuBLAS or NCCL
# only as Python wheels (nvidia-cublas, nvidia-nccl-cu13), those wheels' lib folders.
set -uo pipefail
deadline=
sign=()
energy=()
while [[ ${1:-} == --* ]]; do
  case $1 in
    --deadline) deadline=$2 ;;
    --sign) sign=(--sign "$(realpath "$2")") ;;
    --energy) energy=(--energy "$2") ;;
    *) echo "gpu_check: unknown option $1"; exit 2 ;;
  esac
  shift 2
done
archive=$1
out=$2
fashion=${3:-}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# tar picks the decompressor; Python's tarfile stands in where the node lacks it (xz, say).
tar -xf "$archive" -C "$work" 2>/dev/null ||
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
    "$archive" "$work" || { echo "gpu_check: cannot unpack $archive"; exit 2; }
bundle=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
[[ -x "$bundle/bin/lepton-cert" ]] || { echo "gpu_check: no bin/lepton-cert in $archive"; exit 2; }

# The loader's path: the bundle's libraries (the test and benchmark binaries have no RPATH), what
# the caller set (Open MPI's libraries, say), the CUDA toolkit's, then the wheels' where the node
# has no system copy.
library_path=$bundle/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for dir in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d $dir ]] && library_path+=:$dir
done
has_library() {
  ldconfig -p 2>/dev/null | grep -q "$1 " && return 0
  local dir
  IFS=: read -ra dirs <<<"$library_path"
  for dir in "${dirs[@]}"; do [[ -e $dir/$1 ]] && return 0; done
  return 1
}
for wheel in nccl:libnccl.so.2 cublas:libcublas.so.13; do
  has_library "${wheel#*:}" && continue
  dir=$(python3 -c "import nvidia.${wheel%%:*} as m, os; print(os.path.join(m.__path__[0], 'lib'))" \
    2>/dev/null) && [[ -e $dir/${wheel#*:} ]] && library_path+=:$dir &&
    echo "gpu_check: ${wheel#*:} from the Python wheel in $dir"
done
export LD_LIBRARY_PATH=$library_path

checks=$bundle/share/lepton-cert/gpu-checks
binaries=("$bundle/bin/lepton-cert")
[[ -x "$bundle/bin/lepton_cuda_backend_test" ]] &&
  binaries+=("$bundle/bin/lepton_cuda_backend_test" "$bundle/bin/lepton_device_benchmarks")
[[ -f "$bundle/lib/liblepton_cuda.so" ]] && binaries+=("$bundle/lib/liblepton_cuda.so")
missing=$(for binary in "${binaries[@]}"; do ldd "$binary" | grep 'not found'; done | sort -u)
if [[ -n $missing ]]; then
  echo "gpu_check: the node lacks shared libraries (LD_LIBRARY_PATH=$LD_LIBRARY_PATH):"
  echo "$missing"
  exit 3
fi

started_at=$SECONDS
# step NAME CAP_S COMMAND...: runs COMMAND with at most CAP_S seconds (less when the deadline is
# nearer), its output in OUT_DIR/NAME.log.
step() {
  local name=$1 cap=$2
  shift 2
  if [[ -n $deadline ]]; then
    local left=$((deadline - (SECONDS - started_at)))
    if ((left < 20)); then
      echo "gpu_check: $name: not run (${left} s of the ${deadline} s deadline left)"
      return
    fi
    ((cap > left - 5)) && cap=$((left - 5))
  fi
  local started=$SECONDS
  timeout --kill-after=10 "$cap" "$@" >"$out/$name.log" 2>&1
  local code=$?
  local ended="exit $code"
  ((code == 124 || code == 137)) && ended="stopped after its ${cap} s (exit $code)"
  echo "gpu_check: $name: $ended ($((SECONDS - started)) s), log $out/$name.log"
  tail -n 5 "$out/$name.log" | sed 's/^/    /'
}

nvidia-smi >"$out/nvidia-smi.txt" 2>&1 || true
nvidia-smi -q >"$out/nvidia-smi-q.txt" 2>&1 || true
step system 60 "$bundle/bin/lepton-cert" system
if [[ -x "$bundle/bin/lepton_cuda_backend_test" ]]; then
  step gpu-tests 240 "$bundle/bin/lepton_cuda_backend_test"
fi
data=()
[[ -n "$fashion" ]] && data=(--data "fashion-mnist=$fashion")
step gpu-run 600 "$bundle/bin/lepton-cert" run --profile gpu --out "$out/gpu-run" "${data[@]}" \
  "${sign[@]}" "${energy[@]}"
if [[ -x "$checks/peers/compare_mnist_gpu.sh" && -f "$out/gpu-run/report.json" ]] &&
  python3 -c 'import torch' 2>/dev/null; then
  # Right after lepton-cert's run, on its fashion-mlp times: the two are measured back to back
  # without training lepton-cert's side a second time.
  step pytorch-peer 180 "$checks/peers/compare_mnist_gpu.sh" --report "$out/gpu-run/report.json" \
    "${fashion:-/usr/share/datasets/fashion-mnist}" "$out/pytorch-peer"
else
  echo "gpu_check: pytorch-peer: not run (no gpu-run report, or no python3 with torch here)"
fi
if [[ -x "$bundle/bin/lepton_device_benchmarks" ]]; then
  step device-benchmarks 240 "$bundle/bin/lepton_device_benchmarks" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_out="$out/device-benchmarks.json"
fi
if [[ -d "$checks/nccl_check" ]]; then
  # One NCCL rank (a one-GPU machine cannot run the multi-gpu profile: NCCL refuses two ranks on
  # one GPU), and ncclCommInitAll's group over every GPU the machine has.
  step nccl-one-rank 120 "$bundle/bin/lepton-cert" run --spec "$checks/nccl_check" \
    --profile nccl-here --out "$out/nccl-one-rank" "${data[@]}"
  step nccl-local 120 "$bundle/bin/lepton-cert" run --spec "$checks/nccl_check" \
    --profile nccl-local-here --out "$out/nccl-local" "${data[@]}"
fi
if [[ -d "$checks/energy_check" && ${energy[1]:-} == none ]]; then
  # The gpu profile's training energy MUST alone (three runs of 60 s regions and the idle
  # power): for a node that cannot spend the gpu profile's energy minutes, after everything else.
  step energy 300 "$bundle/bin/lepton-cert" run --spec "$checks/energy_check" \
    --profile gpu-energy --out "$out/energy" "${data[@]}"
fi
exit 0

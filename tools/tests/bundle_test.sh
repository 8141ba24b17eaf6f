#!/usr/bin/env bash
# The relocatable bundle: its binary resolves every library but the C library's from the bundle's
# lib/, and run from an unrelated directory with a bare environment it finds the ONNX suite and
# the digits under share/lepton-cert.
set -euo pipefail
cli=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

bash "$root/tools/bundle.sh" "$(dirname "$(dirname "$cli")")" "$work/bundle" | tail -1
test -s "$work/bundle.tar.gz" || fail "no archive"
tar -xzf "$work/bundle.tar.gz" -C "$work" --one-top-level=unpacked
moved=$(realpath "$work/unpacked/bundle")  # a new place: nothing may point back at the build tree
ldd "$moved/bin/lepton-cert" | awk '$2 == "=>" {print $1, $3}' | while read -r name path; do
  case "$name" in
    libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libresolv.so.*) ;;
    # Open MPI comes from the node (it must match the launcher), with whatever it loads.
    libmpi*.so.* | libopen-rte.so.* | libopen-pal.so.* | libpmix.so.* | libhwloc.so.* | \
      libevent*.so.* | libfabric.so.* | libuc?.so.* | libpsm*.so.* | librdmacm.so.* | \
      libibverbs.so.* | libnl-*.so.* | libudev.so.* | libcap.so.* | libefa.so.* | libnuma.so.*) ;;
    *) [[ "$(realpath "$path")" == "$moved/lib/"* ]] ||
      fail "$name resolves to $path, not the bundle's lib/" ;;
  esac
done
# The CUDA module, where this build has one, takes only NVIDIA's libraries from the node.
if [[ -f "$(dirname "$(dirname "$cli")")/lib/liblepton_cuda.so" ]]; then
  [[ -f "$moved/lib/liblepton_cuda.so" ]] || fail "the CUDA backend module is not in lib/"
  ldd "$moved/lib/liblepton_cuda.so" | awk '$2 == "=>" {print $1, $3}' | while read -r name path; do
    case "$name" in
      libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | libresolv.so.* | \
        libcublas*.so.* | libcudart.so.*) ;;
      *) [[ "$(realpath "$path")" == "$moved/lib/"* ]] ||
        fail "the CUDA module's $name resolves to $path, not the bundle's lib/" ;;
    esac
  done
fi
cd "$work"
env -i PATH=/usr/bin:/bin HOME="$work" "$moved/bin/lepton-cert" onnx test \
  "$moved/share/lepton-cert/conformance/onnx/testdata/onnx-1.12.0-node" | tail -1
set +e
env -i PATH=/usr/bin:/bin HOME="$work" "$moved/bin/lepton-cert" run --profile ci --out "$work/out" \
  >"$work/run.log" 2>&1
code=$?
set -e
[[ $code -le 1 && -f "$work/out/report.json" ]] || { cat "$work/run.log"; fail "run: exit $code"; }
/usr/bin/python3 - "$work/out/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
verdicts = {r["id"]: r for r in report["requirements"]}
node = verdicts["IF-ONNX-NODE-TESTS"]
assert node["verdict"] == "pass", node["reason"]
print("bundle run from elsewhere: ONNX node tests", node["verdict"])
PY

#!/usr/bin/env bash
# Faults end to end: each gives a clear error naming what went wrong and a non-zero exit, never a
# crash and never a half-written report.
#   disk full      RLIMIT_FSIZE (ulimit -f) below the size of the run's outputs
#   bad dataset    a truncated IDX file, and a directory where an IDX file should be
set -euo pipefail
cli=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# --- Disk full: the previous report stays intact, the error names the file and the cause.
mkdir -p "$work/out"
echo '{"previous": true}' >"$work/out/report.json"
set +e
(ulimit -f 256 && exec "$cli" run --profile ci --out "$work/out") >"$work/full.log" 2>&1
code=$?
set -e
[[ $code -ne 0 && $code -lt 128 ]] || fail "disk full: expected a clean non-zero exit, got $code"
grep -q "File too large" "$work/full.log" || { cat "$work/full.log"; fail "disk full: no cause"; }
[[ "$(cat "$work/out/report.json")" == '{"previous": true}' ]] ||
  fail "disk full: the previous report was replaced or damaged"
echo "disk full: exit $code, $(grep -m1 'error' "$work/full.log")"

# --- Bad datasets: the run completes, the dataset's requirements are errors naming the file.
fashion=/usr/share/datasets/fashion-mnist
mkdir -p "$work/truncated" "$work/directory/train-images-idx3-ubyte"
cp "$fashion"/*labels* "$fashion"/t10k-images-idx3-ubyte.gz "$work/truncated/"
cp "$fashion"/*labels* "$fashion"/t10k-images-idx3-ubyte.gz "$work/directory/"
/usr/bin/python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read(100000))' \
  "$fashion/train-images-idx3-ubyte.gz" >"$work/truncated/train-images-idx3-ubyte"
check_dataset() {  # NAME EXPECTED-MESSAGE
  set +e
  "$cli" run --profile ci --data "fashion-mnist=$work/$1" --out "$work/out-$1" >"$work/$1.log" 2>&1
  local code=$?
  set -e
  [[ $code -eq 1 ]] || { cat "$work/$1.log"; fail "$1: expected exit 1 (not certified), got $code"; }
  grep -q "blocking: DATA-FMNIST-TRAIN-IMAGES (error)" "$work/$1.log" || fail "$1: not blocking"
  /usr/bin/python3 - "$work/out-$1/report.json" "$2" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
reason = next(r["reason"] for r in report["requirements"] if r["id"] == "DATA-FMNIST-TRAIN-IMAGES")
assert sys.argv[2] in reason and "train-images-idx3-ubyte" in reason, reason
print(f"bad dataset: {reason}")
PY
}
check_dataset truncated "file ends after 99984 of 47040000 data bytes the header announces"
check_dataset directory "not a regular file"

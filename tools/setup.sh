#!/usr/bin/env bash
# Fresh Debian 12 machine -> installed dependencies, a Release build and the main job:
# `lepton-cert run` on the embedded standard (default profile: cpu), report in ./lepton-out.
# Extra arguments go to `lepton-cert run` (e.g. --profile ci).
#
# Exits 0 once a verdict was reached and the report written, certified or not (lepton-cert's own
# exit code, 0 certified / 1 not certified, is printed); non-zero when set-up, the build or the
# run itself failed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/setup/install_deps.sh
bash tools/setup/install_data.sh
cmake --preset release
cmake --build --preset release

set +e
build/release/bin/lepton-cert run --out lepton-out "$@"
code=$?
set -e
case $code in
  0) echo "[setup] done: lepton-cert exit 0 (certified); report: lepton-out/report.json" ;;
  1) echo "[setup] done: lepton-cert exit 1 (not certified, see the blocking requirements above);" \
          "report: lepton-out/report.json" ;;
  *) echo "[setup] lepton-cert failed with exit code $code" >&2
     exit "$code" ;;
esac

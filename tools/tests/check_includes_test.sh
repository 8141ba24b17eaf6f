#!/usr/bin/env bash
# tools/check_includes.sh can fail: on a small tree in a temporary directory it passes a clean
# tree, fails on an injected forbidden include (naming file:line and the edge), passes it once
# allowlisted, fails on an allowlist line that no longer occurs and on a folder without a rule,
# and lets a test include what its library code may not.
# usage: check_includes_test.sh CHECK_INCLUDES_SH
set -euo pipefail
check=${1:?usage: check_includes_test.sh CHECK_INCLUDES_SH}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# expect RC PATTERN: the check on $tmp exits RC and, when PATTERN is given, prints a line
# containing it.
expect() {
  local want=$1 pattern=${2:-} rc=0
  bash "$check" "$tmp" >"$tmp.out" 2>&1 || rc=$?
  if [[ $rc != "$want" ]] || { [[ -n $pattern ]] && ! grep -qF -- "$pattern" "$tmp.out"; }; then
    echo "FAIL: expected exit $want${pattern:+ and '$pattern'}, got exit $rc:"
    sed 's/^/  /' "$tmp.out"
    failures=$((failures + 1))
  fi
  rm -f "$tmp.out"
}

mkdir -p "$tmp"/conformance/{core,judge} "$tmp"/bench/{api,backends,workloads/mlp} \
  "$tmp"/reports "$tmp"/tools/cli
printf '#pragma once\n' >"$tmp/conformance/core/status.h"
printf '#pragma once\n#include "conformance/core/status.h"\n' >"$tmp/conformance/judge/verdict.h"
printf '#pragma once\n#include "conformance/core/status.h"\n' >"$tmp/bench/api/measurement.h"
printf '#pragma once\n#include "bench/api/measurement.h"\n' >"$tmp/bench/workloads/mlp/mlp.h"
printf '#include "bench/api/measurement.h"\n' >"$tmp/bench/backends/backend.cc"
printf '#include "conformance/judge/verdict.h"\n' >"$tmp/reports/report.cc"
printf '#include "reports/report.h"\n#include "bench/workloads/mlp/mlp.h"\n' \
  >"$tmp/tools/cli/main.cc"
expect 0

# conformance/ must not include bench/.
printf '#include "bench/api/measurement.h"\n' >>"$tmp/conformance/judge/verdict.h"
expect 1 'conformance/judge/verdict.h:3: forbidden include bench/api/measurement.h (conformance/judge -> bench/api)'

# Allowlisted, it passes; the allowlist is read from ROOT/tools/include_allowlist.txt.
printf '# known\nconformance/judge/verdict.h -> bench/api/measurement.h\n' \
  >"$tmp/tools/include_allowlist.txt"
expect 0

# The include removed, the allowlist line is stale and fails.
printf '#pragma once\n#include "conformance/core/status.h"\n' >"$tmp/conformance/judge/verdict.h"
expect 1 'tools/include_allowlist.txt:2: allowlisted include no longer occurs'
rm "$tmp/tools/include_allowlist.txt"

# bench/backends must not include bench/workloads; its tests may.
printf '#include "bench/workloads/mlp/mlp.h"\n' >"$tmp/bench/backends/backend_test.cc"
expect 0
printf '#include "bench/api/measurement.h"\n#include "bench/workloads/mlp/mlp.h"\n' \
  >"$tmp/bench/backends/backend.cc"
expect 1 'bench/backends/backend.cc:2: forbidden include bench/workloads/mlp/mlp.h (bench/backends -> bench/workloads)'
printf '#include "bench/api/measurement.h"\n' >"$tmp/bench/backends/backend.cc"

# --graph counts include lines per edge between folders, library code and tests apart
# (bench/backends -> bench/api: backend.cc's one and second.cc's two), and still checks.
printf '#include "bench/api/measurement.h"\n#include "bench/api/measurement.h"\n' \
  >"$tmp/bench/backends/second.cc"
graph=$(bash "$check" --graph "$tmp")
for edge in 'library bench/backends -> bench/api: 3' 'test bench/backends -> bench/workloads: 1' \
  'library tools -> bench/workloads: 1' 'check_includes: '; do
  if ! grep -qF -- "$edge" <<<"$graph"; then
    echo "FAIL: --graph printed no line '$edge':"
    sed 's/^/  /' <<<"$graph"
    failures=$((failures + 1))
  fi
done
rm "$tmp/bench/backends/second.cc"

# reports/ must not include bench/, tests or not.
printf '#include "bench/api/measurement.h"\n' >"$tmp/reports/report_test.cc"
expect 1 'reports/report_test.cc:1: forbidden include bench/api/measurement.h (reports test -> bench/api)'
rm "$tmp/reports/report_test.cc"

# A folder the table does not know.
mkdir -p "$tmp/bench/newpart"
printf '#include "bench/api/measurement.h"\n' >"$tmp/bench/newpart/thing.cc"
expect 1 'bench/newpart/thing.cc: no rule for its folder'
rm -r "$tmp/bench/newpart"
expect 0

if ((failures)); then
  echo "check_includes_test: $failures case(s) failed"
  exit 1
fi
echo "check_includes_test: every case passed"

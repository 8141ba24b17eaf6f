#!/usr/bin/env bash
# Include directions: fails (exit 1) on every `#include "..."` that goes against the folder table
# below and is not listed in the allowlist, naming file:line and the forbidden edge, and on every
# allowlist entry that no longer occurs (the list only shrinks). docs/architecture.md explains
# the table; change both together.
# usage: tools/check_includes.sh [--graph] [ROOT] [ALLOWLIST]
#   --graph    also print the include graph, folder to folder: one line per edge between two
#              folders of the table, `library|test SRC -> DST: N` (N include lines), sorted;
#              docs/architecture.md's graphs are its output
#   ROOT       the source tree to scan (default: this script's repository)
#   ALLOWLIST  known violations, `file -> included header` per line (default:
#              ROOT/tools/include_allowlist.txt; a missing file is an empty list)
# Scans *.cc, *.h, *.cu and *.cuh under conformance/, bench/, reports/ and tools/. Includes are
# rooted at the repository root, so `#include "bench/api/measurement.h"` is folder bench/api.
set -euo pipefail
graph=0
if [[ ${1:-} == --graph ]]; then
  graph=1
  shift
fi
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
allowlist=${2:-$root/tools/include_allowlist.txt}
if [[ ! -d $root ]]; then
  echo "check_includes: no such directory: $root" >&2
  exit 2
fi

# The allowed directions, as data. A file belongs to the longest folder below that prefixes its
# path (bench/backends/cuda/x.cu is bench/backends). A folder may always include itself.
#   folder | what its library code may include | what its tests may include besides
# `name/*` is every folder under name, `*` is everything, `-` is nothing. Tests are *_test.cc,
# *_for_tests.h, test_* and anything under a testdata/ folder.
rules() {
  cat <<'RULES'
conformance/core   | -                                                            | conformance/*
conformance/spec   | conformance/core                                             | conformance/*
conformance/checks | conformance/core conformance/spec                            | conformance/*
conformance/onnx   | conformance/core                                             | conformance/*
conformance/records | conformance/core conformance/spec                           | conformance/*
conformance/judge  | conformance/core conformance/spec conformance/records        | conformance/*
bench/api          | conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/comm         | bench/api conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/energy       | bench/api conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/models       | conformance/core                                             | bench/* conformance/* reports
bench/backends     | bench/api bench/comm bench/models conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/workloads    | bench/api bench/backends bench/comm bench/models conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/telemetry    | bench/api bench/energy conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/runner       | bench/api bench/comm bench/energy bench/telemetry conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
bench/micro        | bench/* conformance/core conformance/spec conformance/records conformance/checks conformance/onnx | bench/* conformance/* reports
reports            | conformance/*                                                | -
tools              | *                                                            | *
RULES
}

cd "$root"
parts=()
for part in conformance bench reports tools; do
  [[ -d $part ]] && parts+=("$part")
done
files=()
if ((${#parts[@]})); then
  mapfile -t files < <(find "${parts[@]}" -type f \
    \( -name '*.cc' -o -name '*.h' -o -name '*.cu' -o -name '*.cuh' \) | LC_ALL=C sort)
fi
[[ -f $allowlist ]] || allowlist=/dev/null

# awk reads the rules, then the allowlist, then every source file (FILENAME tells them apart,
# even when the allowlist is empty).
awk -v graph="$graph" -v rules_file=/dev/stdin -v allowlist_file="$allowlist" -v allowlist_name="${allowlist#"$root"/}" '
function trim(s) { gsub(/^[ \t]+|[ \t\r]+$/, "", s); return s }
# The folder a path belongs to: the longest rule key that is the path or a prefix of it.
function folder_of(path,    k, best) {
  best = ""
  for (k in lib) {
    if ((path == k || substr(path, 1, length(k) + 1) == k "/") && length(k) > length(best)) best = k
  }
  return best
}
function matches(list, target,    n, i, tokens, t) {
  n = split(list, tokens, /[ \t]+/)
  for (i = 1; i <= n; i++) {
    t = tokens[i]
    if (t == "" || t == "-") continue
    if (t == "*" || t == target) return 1
    if (t ~ /\/\*$/ && substr(target, 1, length(t) - 1) == substr(t, 1, length(t) - 1)) return 1
  }
  return 0
}
function is_test(path,    base) {
  base = path; sub(/.*\//, "", base)
  return base ~ /_test\.cc$/ || base ~ /_for_tests\.h$/ || base ~ /^test_/ || path ~ /(^|\/)testdata\//
}
FILENAME == rules_file {
  n = split($0, f, "|")
  if (n != 3) next
  key = trim(f[1]); lib[key] = trim(f[2]); tst[key] = trim(f[3])
  next
}
FILENAME == allowlist_file {
  line = trim($0)
  if (line == "" || line ~ /^#/) next
  if (line !~ / -> /) { printf "%s:%d: not `file -> included header`: %s\n", allowlist_name, FNR, line; bad++; next }
  allowed[line] = FNR
  next
}
FNR == 1 { nfiles++; src = folder_of(FILENAME); test = is_test(FILENAME)
  if (src == "") { printf "%s: no rule for its folder: add one to tools/check_includes.sh and docs/architecture.md\n", FILENAME; bad++ }
}
/^[ \t]*#[ \t]*include[ \t]*"/ {
  if (src == "") next
  header = $0; sub(/^[ \t]*#[ \t]*include[ \t]*"/, "", header); sub(/".*/, "", header)
  nincludes++
  dst = folder_of(header)
  if (dst == src) next
  if (dst != "") edges[(test ? "test" : "library") " " src " -> " dst]++
  if (dst != "" && (matches(lib[src], dst) || (test && matches(tst[src], dst)))) next
  entry = FILENAME " -> " header
  if (entry in allowed) { used[entry] = 1; nallowed++; next }
  if (dst == "")
    printf "%s:%d: include not rooted at a known folder: %s (%s -> ?)\n", FILENAME, FNR, header, src
  else
    printf "%s:%d: forbidden include %s (%s%s -> %s)\n", FILENAME, FNR, header, src, test ? " test" : "", dst
  bad++
}
END {
  for (entry in allowed) if (!(entry in used)) {
    printf "%s:%d: allowlisted include no longer occurs or is now allowed, delete the line: %s\n", allowlist_name, allowed[entry], entry
    bad++
  }
  if (graph) {
    fflush()
    for (edge in edges) printf "%s: %d\n", edge, edges[edge] | "LC_ALL=C sort"
    close("LC_ALL=C sort")
  }
  printf "check_includes: %d files, %d project includes, %d allowlisted, %d problem(s)\n", nfiles, nincludes, nallowed, bad
  exit bad ? 1 : 0
}' /dev/stdin "$allowlist" "${files[@]}" < <(rules)

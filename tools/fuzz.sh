#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake presets "fuzz") and runs each for a given time on a scratch
# copy of its committed seed corpus (tools/fuzz/corpus/TARGET/), so the seeds stay as committed.
#
# usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 60 s, every target
#   LEPTON_FUZZ_JOBS=N   targets run N at a time (default 1; each target uses one core)
#
# Prints one line per target with the executions libFuzzer reached. A crash, sanitizer report,
# leak, timeout (10 s for one input), process memory over 2 GiB or one allocation over 256 MiB
# (the parsers must refuse hostile sizes before allocating) fails that target: its input is kept
# in build/fuzz/findings/TARGET/ and the script exits 1 once every target has run.
# Reproduce with: build/fuzz/fuzz/TARGET FINDING_FILE
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

seconds=${1:-60}
shift || true
all_targets=(spec_loader_fuzz idx_file_fuzz onnx_model_fuzz onnx_executor_fuzz report_fuzz
  regression_csv_fuzz power_log_fuzz)
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
jobs=${LEPTON_FUZZ_JOBS:-1}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

build=$root/build/fuzz
# Stack traces with function names and lines when a symbolizer is installed.
symbolizer=$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer || true)
[[ -z $symbolizer ]] || export ASAN_SYMBOLIZER_PATH=$symbolizer
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
run_target() {
  local target=$1
  local work=$build/work/$target findings=$build/findings/$target
  rm -rf "$work" "$findings"
  mkdir -p "$work" "$findings"
  cp -r "tools/fuzz/corpus/$target/." "$work/"
  local seeds status=0
  seeds=$(find "$work" -type f | wc -l)
  "$build/fuzz/$target" "$work" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
    -print_final_stats=1 -artifact_prefix="$findings/" >"$build/$target.log" 2>&1 || status=$?
  local executions
  executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$build/$target.log" |
    grep -o '[0-9]*$' || echo "?")
  local found
  found=$(find "$findings" -type f | wc -l)
  if ((status != 0 || found > 0)); then
    echo "FAIL $target: exit $status after $executions executions; input(s) in $findings," \
      "log in $build/$target.log"
    grep -m 3 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$build/$target.log" || true
    return 1
  fi
  echo "ok   $target: $executions executions in ${seconds} s (corpus $seeds -> $(find "$work" -type f | wc -l) inputs)"
}

for target in "${targets[@]}"; do
  if [[ ! -x $build/fuzz/$target ]]; then
    echo "unknown fuzz target '$target'; known: ${all_targets[*]}" >&2
    exit 2
  fi
done
failed=0
running=0
for target in "${targets[@]}"; do
  run_target "$target" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || failed=$((failed + 1))
    running=$((running - 1))
  fi
done
while ((running > 0)); do
  wait -n || failed=$((failed + 1))
  running=$((running - 1))
done
echo "fuzz: $((${#targets[@]} - failed)) passed, $failed failed"
((failed == 0))

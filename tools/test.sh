#!/usr/bin/env bash
# Fresh Debian 12 machine -> installed dependencies, the CI build (warnings are errors) and the
# whole test suite under CTest, then the same suite built with ASan + UBSan, then the tests that
# run threads built with TSan, then every fuzz target for a short time. GPU tests skip with their
# reason where no GPU is present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash tools/setup/install_deps.sh
bash tools/setup/install_data.sh
cmake --preset ci
cmake --build --preset ci
ctest --preset ci

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer (leaks included).
cmake --preset asan
cmake --build --preset asan
ctest --preset asan

# The tests that run threads (label threads: energy meters and their sampling thread, runner,
# leaderboard, communicators, the MPI ones under mpirun beside the collective watchdog's thread)
# under ThreadSanitizer; the tsan build preset builds only those.
cmake --preset tsan
cmake --build --preset tsan
ctest --preset tsan

# Each libFuzzer target (tools/fuzz/) for 20 s, two at a time on CI's two cores, from its
# committed seeds; any crash, sanitizer report, leak, hang or huge allocation fails the run.
LEPTON_FUZZ_JOBS=2 bash tools/fuzz.sh 20

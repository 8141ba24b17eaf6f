#!/usr/bin/env bash
# Fresh Debian 12 machine -> installed dependencies, the CI build (warnings are errors) and the
# whole test suite under CTest, then the same suite built with ASan + UBSan. GPU tests skip with
# their reason where no GPU is present.
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

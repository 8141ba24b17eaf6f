#include "tools/cli/hung_device_exit.h"

#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>

#include "bench/backends/cuda_backend.h"

namespace lepton::cli {

int EndRun(int code) { return EndRun(code, bench::HungCudaDevices()); }

int EndRun(int code, const std::vector<std::string>& hung) {
  if (hung.empty()) return code;
  for (const std::string& line : hung) fmt::print(stderr, "lepton-cert: {}\n", line);
  fmt::print(stderr,
             "lepton-cert: ending with exit code {} without releasing the GPU: its work never "
             "finishes, and CUDA's teardown would wait for it forever\n",
             code);
  // _Exit flushes no stdio buffer: the summary on stdout must be out first.
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}

}  // namespace lepton::cli

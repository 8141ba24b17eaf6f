#pragma once
// How a run whose GPU hung ends. A kernel that never finishes leaves its device busy for good,
// and everything that waits for the device's work then blocks forever: destroying an NCCL
// communicator or the CUDA module's objects, and the CUDA runtime's own exit handlers. The
// module's waits are bounded (LEPTON_DEVICE_TIMEOUT_S) and it refuses the hung device from then
// on, so the run carries on and writes its complete, signed report; then, here, the process ends
// with the run's exit code without running destructors or exit handlers (std::_Exit). This is
// the one place lepton-cert ends a process that way; a run whose devices all worked returns
// normally.

#include <string>
#include <vector>

namespace lepton::cli {

// Returns `code` when no CUDA device hung in this run (bench::HungCudaDevices()); else prints
// which did to stderr, flushes stdout and stderr, and ends the process with `code` at once.
// Called where the run returns, after its report is written.
int EndRun(int code);

// The same with the hung devices given (one line each, as CudaBackend::HungDevices words them).
int EndRun(int code, const std::vector<std::string>& hung);

}  // namespace lepton::cli

#pragma once
// The CUDA module's watch over its devices' waits: the limit every wait has
// (LEPTON_DEVICE_TIMEOUT_S, read once when the module starts) and the devices whose work
// outlasted it. A kernel that never ends makes every later synchronizing call on its device block
// as well, including the ones hidden in teardown (cudaFree, cublasDestroy, the runtime's exit
// handlers), so a hung device is not a per-call error but a state of the process, like a sticky
// CUDA error: once one wait reports it, every engine, DeviceMemory and factory of the module
// refuses that device at once (Check), owners leave what they hold on it unreleased (hung), and
// the host ends the process without teardown after writing its report (CudaBackend::HungDevices).
//
// C++20 without CUDA types (the engines' .cu code uses it); one per module, shared by reference
// by everything the module makes, safe to use from any thread.

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "bench/backends/cuda/device_status.h"
#include "bench/backends/cuda/device_wait.h"

namespace lepton::bench::cuda {

class DeviceWatch {
 public:
  explicit DeviceWatch(double timeout_s) : timeout_s_(timeout_s) {}
  DeviceWatch(const DeviceWatch&) = delete;
  DeviceWatch& operator=(const DeviceWatch&) = delete;

  [[nodiscard]] double timeout_s() const { return timeout_s_; }

  // WaitForDevice (device_wait.h) for `what` on CUDA device `device`; a timeout marks the
  // device hung.
  template <class Query, class Clock = SteadyWaitClock>
  DeviceStatus Wait(int device, const std::string& what, Query&& query, Clock&& clock = Clock{}) {
    DeviceStatus waited =
        WaitForDevice(what, timeout_s_, std::forward<Query>(query), std::forward<Clock>(clock));
    if (waited.hung) {
      const std::lock_guard lock(mutex_);
      causes_.try_emplace(device, what + " did not complete within " + SecondsText(timeout_s_));
    }
    return waited;
  }

  [[nodiscard]] bool hung(int device) const {
    const std::lock_guard lock(mutex_);
    return causes_.contains(device);
  }

  // OK while `device` has not hung; else `what` refused, marked hung: "WHAT: refused, cuda:0 hung
  // earlier in this run (TrainEpoch did not complete within 600.0 s, LEPTON_DEVICE_TIMEOUT_S)".
  [[nodiscard]] DeviceStatus Check(int device, const std::string& what) const {
    const std::lock_guard lock(mutex_);
    const auto found = causes_.find(device);
    if (found == causes_.end()) return {};
    DeviceStatus refused;
    refused.error = what + ": refused, " + Name(device) + " hung earlier in this run (" +
                    found->second + ", " + kDeviceTimeoutVariable + ")";
    refused.hung = true;
    return refused;
  }

  // One line per hung device, in device order: "cuda:0 hung: TrainEpoch did not complete within
  // 600.0 s (LEPTON_DEVICE_TIMEOUT_S)".
  [[nodiscard]] std::vector<std::string> HungDevices() const {
    const std::lock_guard lock(mutex_);
    std::vector<std::string> lines;
    for (const auto& [device, cause] : causes_) {
      lines.push_back(Name(device) + " hung: " + cause + " (" + kDeviceTimeoutVariable + ")");
    }
    return lines;
  }

 private:
  static std::string Name(int device) { return "cuda:" + std::to_string(device); }

  double timeout_s_;
  mutable std::mutex mutex_;
  std::map<int, std::string> causes_;  // by CUDA device: what outlasted the limit
};

}  // namespace lepton::bench::cuda

#pragma once
// The knobs of the stand-in libnvidia-ml (fake_nvml.cc), reached through a handle of our own on
// the same library, so the code under test (which dlopens it too) sees the same instance. Shared
// by the NVML probe's, the energy meter's and the telemetry sampler's tests.

#include <dlfcn.h>

namespace lepton::checks {

class FakeNvmlControl {
 public:
  using U64 = unsigned long long;  // NOLINT(google-runtime-int): the fake's knob type

  explicit FakeNvmlControl(const char* path) : handle_(::dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) return;
    reset_ = Bind<void (*)()>("fake_nvml_reset");
    device_count_ = Bind<void (*)(unsigned int)>("fake_nvml_set_device_count");
    power_ = Bind<void (*)(unsigned int)>("fake_nvml_set_power_mw");
    fail_ = Bind<void (*)(const char*, int)>("fake_nvml_fail");
    sample_ = Bind<int (*)(unsigned int, const char*, U64)>("fake_nvml_set_sample");
    calls_ = Bind<int (*)(const char*)>("fake_nvml_calls");
    if (reset_ != nullptr) reset_();
  }
  FakeNvmlControl(const FakeNvmlControl&) = delete;
  FakeNvmlControl& operator=(const FakeNvmlControl&) = delete;
  ~FakeNvmlControl() {
    if (handle_ != nullptr) ::dlclose(handle_);
  }

  // The library and every knob were found; the tests assert this before using any.
  [[nodiscard]] bool loaded() const {
    return handle_ != nullptr && reset_ != nullptr && device_count_ != nullptr &&
           power_ != nullptr && fail_ != nullptr && sample_ != nullptr && calls_ != nullptr;
  }
  void SetDeviceCount(unsigned int count) { device_count_(count); }
  void SetPowerMilliwatts(unsigned int milliwatts) { power_(milliwatts); }
  void Fail(const char* function, int code) { fail_(function, code); }
  // 0 when the field is known to the fake, else non-zero.
  int SetSample(unsigned int device, const char* field, U64 value) {
    return sample_(device, field, value);
  }
  int Calls(const char* function) { return calls_(function); }

 private:
  template <typename Fn>
  Fn Bind(const char* name) {
    return reinterpret_cast<Fn>(::dlsym(handle_, name));
  }
  void* handle_;
  void (*reset_)() = nullptr;
  void (*device_count_)(unsigned int) = nullptr;
  void (*power_)(unsigned int) = nullptr;
  void (*fail_)(const char*, int) = nullptr;
  int (*sample_)(unsigned int, const char*, U64) = nullptr;
  int (*calls_)(const char*) = nullptr;
};

}  // namespace lepton::checks

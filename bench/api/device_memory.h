#pragma once
// Memory of the device a workload runs on, for workloads that fill and check their data on the
// host and compute on the device (the collectives on `devices: cuda` hand device buffers to the
// NCCL communicator). The CUDA backend module implements it (CudaBackend::MakeDeviceMemory);
// tests use a host stand-in. DeviceBuffer owns one allocation on the main binary's side.

#include <cstddef>
#include <string>
#include <utility>

#include "conformance/core/status.h"

namespace lepton::bench {

class DeviceMemory {
 public:
  virtual ~DeviceMemory() = default;

  // "cuda:1 NVIDIA H200": stated where a workload reports what it ran on.
  [[nodiscard]] virtual std::string description() const = 0;
  // The device's index among those the process sees (CUDA's device ordinal), so that a workload
  // computes on the memory's device (MlpModelOptions::cuda_device).
  [[nodiscard]] virtual int device_index() const = 0;
  // ResourceExhausted (naming the size) when the device has no room; Unavailable without one.
  virtual Result<void*> Allocate(std::size_t bytes) = 0;
  virtual void Free(void* device) = 0;
  // Both return once the copy is complete and visible to work on the device's other streams.
  virtual Status CopyToDevice(void* device, const void* host, std::size_t bytes) = 0;
  virtual Status CopyToHost(void* host, const void* device, std::size_t bytes) = 0;
};

// One allocation, freed when the buffer ends; moves, never copies.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  static Result<DeviceBuffer> Allocate(DeviceMemory& memory, std::size_t bytes) {
    LEPTON_ASSIGN_OR_RETURN(void* data, memory.Allocate(bytes));
    return DeviceBuffer(&memory, data, bytes);
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : memory_(std::exchange(other.memory_, nullptr)),
        data_(std::exchange(other.data_, nullptr)),
        bytes_(std::exchange(other.bytes_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      Reset();
      memory_ = std::exchange(other.memory_, nullptr);
      data_ = std::exchange(other.data_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { Reset(); }

  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

  Status Upload(const void* host, std::size_t bytes) {
    if (bytes > bytes_) return InternalError("upload larger than the device buffer");
    return memory_->CopyToDevice(data_, host, bytes);
  }
  Status Download(void* host, std::size_t bytes) const {
    if (bytes > bytes_) return InternalError("download larger than the device buffer");
    return memory_->CopyToHost(host, data_, bytes);
  }

 private:
  DeviceBuffer(DeviceMemory* memory, void* data, std::size_t bytes)
      : memory_(memory), data_(data), bytes_(bytes) {}
  void Reset() {
    if (memory_ != nullptr && data_ != nullptr) memory_->Free(data_);
    memory_ = nullptr;
    data_ = nullptr;
    bytes_ = 0;
  }

  DeviceMemory* memory_ = nullptr;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace lepton::bench

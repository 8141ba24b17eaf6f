#pragma once
// TEST ONLY: host allocations posing as device memory in fake DeviceMemory classes, which know
// their own buffers: a test can then tell a device pointer from a host one and count what is
// still allocated (and LeakSanitizer still sees what was never freed).

#include <cstddef>
#include <map>
#include <new>

namespace lepton::bench {

class HostAllocations {
 public:
  HostAllocations() = default;
  HostAllocations(const HostAllocations&) = delete;
  HostAllocations& operator=(const HostAllocations&) = delete;
  ~HostAllocations() = default;  // what the code under test did not free stays a leak

  void* Allocate(std::size_t bytes) {
    void* data = ::operator new(bytes);
    live_[static_cast<std::byte*>(data)] = bytes;
    return data;
  }
  void Free(void* data) {
    live_.erase(static_cast<std::byte*>(data));
    ::operator delete(data);
  }
  // True when [pointer, pointer + bytes) lies in one live allocation.
  [[nodiscard]] bool Holds(const void* pointer, std::size_t bytes) const {
    const auto* at = static_cast<const std::byte*>(pointer);
    auto it = live_.upper_bound(const_cast<std::byte*>(at));
    if (it == live_.begin()) return false;
    --it;
    return at >= it->first && at + bytes <= it->first + it->second;
  }
  [[nodiscard]] std::size_t live() const { return live_.size(); }

 private:
  std::map<std::byte*, std::size_t> live_;
};

}  // namespace lepton::bench

#pragma once
// One collective's buffers on one rank, filled with exact inputs, run, and checked element by
// element; what each collective is (sizes, expected values, the call) comes from its entry in
// collective_descriptions.h.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/device_memory.h"
#include "bench/workloads/collectives/collective_descriptions.h"

namespace lepton::bench {

// The element types the collectives run in: float32 and bf16 ("float32", "bf16").
std::optional<DataType> CollectiveTypeFromName(std::string_view name);

// One collective of `block` elements of `type` (float32 or bf16) per rank block, with its
// buffers sized and placed as its description says (CollectiveCounts). MessageBytes is
// nccl-tests' message size: one block, or ranks * block for the collectives that move rank
// blocks (the gathered or scattered whole).
//
// The buffers are on the host unless AttachDevice gives device copies of the same layout: then
// Fill writes the host copies, Upload moves them to the device, Run hands the communicator the
// device pointers (NCCL), Download brings the results back and CountWrong checks them on the
// host. Without a device Upload and Download do nothing.
class CollectiveCase {
 public:
  CollectiveCase(CollectiveKind kind, std::size_t block, bool in_place, int rank, int ranks,
                 DataType type = DataType::kFloat32);

  [[nodiscard]] CollectiveKind kind() const { return description_->kind; }
  [[nodiscard]] DataType type() const { return type_; }
  [[nodiscard]] bool in_place() const { return in_place_; }
  [[nodiscard]] std::size_t MessageBytes() const;

  // Allocates device buffers mirroring the host ones; call once, before the first Upload.
  Status AttachDevice(DeviceMemory& memory);
  [[nodiscard]] bool on_device() const { return device_send_.data() != nullptr; }

  // Writes this rank's exact inputs (also over a previous in-place result), on the host.
  void Fill();
  // Host inputs (and the unwritten sentinels of the receive buffer) to the device.
  Status Upload();
  Status Run(Communicator& communicator);
  // Device results to the host, for CountWrong.
  Status Download();
  // Result elements that differ from the exact expected value on this rank.
  [[nodiscard]] std::int64_t CountWrong() const;

 private:
  // Where the input and the result start in their buffers (non-zero only in place).
  [[nodiscard]] std::size_t SendOffset() const;
  [[nodiscard]] std::size_t RecvOffset() const;
  [[nodiscard]] std::size_t ElementBytes() const;
  // Host buffers hold elements of type_; these read and write one as a double (exact for the
  // integers used).
  void Store(std::vector<std::byte>& buffer, std::size_t at, double value) const;
  [[nodiscard]] double Load(const std::vector<std::byte>& buffer, std::size_t at) const;
  [[nodiscard]] const std::vector<std::byte>& ResultBuffer() const;
  // The buffers the communicator gets: the device copies when attached, else the host ones.
  [[nodiscard]] void* RunSendData();
  [[nodiscard]] void* RunRecvData();

  const CollectiveDescription* description_;
  std::size_t block_;
  bool in_place_;
  int rank_;
  int ranks_;
  DataType type_;
  CollectiveCounts counts_;
  std::vector<std::byte> send_;
  std::vector<std::byte> recv_;  // unused in place: results land in send_
  DeviceBuffer device_send_;
  DeviceBuffer device_recv_;  // unused in place
};

}  // namespace lepton::bench

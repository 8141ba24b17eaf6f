#pragma once
// The seven collectives as nccl-tests tabulates them: for each, the buffer sizes, the bus
// bandwidth factor, exactly predictable inputs and a count of result elements that differ from
// the expected ones. Inputs are small positive integers chosen so that every sum, and every
// partial sum in any order, is exact in the element type (ExactInput), so a correct result
// matches with zero tolerance.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bench/api/communicator.h"
#include "bench/api/device_memory.h"

namespace lepton::bench {

enum class CollectiveKind {
  kAllReduce,
  kAllGather,
  kReduceScatter,
  kBroadcast,
  kReduce,
  kAllToAll,
  kSendRecv,
};

std::span<const CollectiveKind> AllCollectives();
std::string_view CollectiveName(CollectiveKind kind);  // "allreduce", ...
std::optional<CollectiveKind> CollectiveFromName(std::string_view name);

// nccl-tests' busBw/algBw: AllReduce 2(n-1)/n; AllGather, ReduceScatter, AllToAll (n-1)/n;
// Broadcast, Reduce, SendRecv 1.
double BusBandwidthFactor(CollectiveKind kind, int ranks);

// AllGather, ReduceScatter and AllToAll move one block per rank; nccl-tests' message size for
// them is the whole (ranks x block), for the others one block.
bool MovesRankBlocks(CollectiveKind kind);
std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks, DataType type);
// AllReduce, ReduceScatter and Reduce combine the ranks' inputs (a sum here).
bool Reduces(CollectiveKind kind);

// The element types the collectives run in: float32 and bf16 ("float32", "bf16").
std::optional<DataType> CollectiveTypeFromName(std::string_view name);

// The root of Broadcast and Reduce; SendRecv sends to rank + 1 and receives from rank - 1.
inline constexpr int kCollectiveRoot = 0;

// One collective of `block` elements of `type` (float32 or bf16) per rank block, with its
// buffers. nccl-tests'
// message size: AllReduce, Broadcast, Reduce, SendRecv move `block` elements; AllGather,
// ReduceScatter and AllToAll move ranks * block (the gathered or scattered whole).
//
// The buffers are on the host unless AttachDevice gives device copies of the same layout: then
// Fill writes the host copies, Upload moves them to the device, Run hands the communicator the
// device pointers (NCCL), Download brings the results back and CountWrong checks them on the
// host. Without a device Upload and Download do nothing.
class CollectiveCase {
 public:
  CollectiveCase(CollectiveKind kind, std::size_t block, bool in_place, int rank, int ranks,
                 DataType type = DataType::kFloat32);

  [[nodiscard]] CollectiveKind kind() const { return kind_; }
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
  [[nodiscard]] std::size_t SendCount() const;
  [[nodiscard]] std::size_t RecvCount() const;
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

  CollectiveKind kind_;
  std::size_t block_;
  bool in_place_;
  int rank_;
  int ranks_;
  DataType type_;
  std::vector<std::byte> send_;
  std::vector<std::byte> recv_;  // unused in place: results land in send_
  DeviceBuffer device_send_;
  DeviceBuffer device_recv_;  // unused in place
};

// The exact float32 input of `rank` at element `index`: integers 1..257, so every sum over up
// to 65,000 ranks (partial sums included) stays below 2^24, exact in float32.
float ExactInput(int rank, std::size_t index);

// The exact input of `rank` of `ranks` at `index` for `kind` in `type`. float32: as above. bf16
// (an 8-bit significand: integers up to 256 are exact): operations that only move data use
// 1..256; reductions use 1..max(1, 256 / ranks), so every sum and every partial sum, whatever
// order NCCL or MPI adds in, is an integer of at most 256. Beyond 256 ranks, ranks 256 and up
// contribute 0 to bf16 reductions (their data movement is still checked by the other ops).
double ExactInput(CollectiveKind kind, DataType type, int rank, int ranks, std::size_t index);

}  // namespace lepton::bench

#pragma once
// The seven collectives as nccl-tests tabulates them: for each, the buffer sizes, the bus
// bandwidth factor, exactly predictable inputs and a count of result elements that differ from
// the expected ones. Inputs are integers 1..257 in float32, so every sum over up to 65,000 ranks is
// exact and a correct result matches with zero tolerance.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bench/api/communicator.h"

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
std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks);

// The root of Broadcast and Reduce; SendRecv sends to rank + 1 and receives from rank - 1.
inline constexpr int kCollectiveRoot = 0;

// One collective of `block` float32 elements per rank block, with its buffers. nccl-tests'
// message size: AllReduce, Broadcast, Reduce, SendRecv move `block` elements; AllGather,
// ReduceScatter and AllToAll move ranks * block (the gathered or scattered whole).
class CollectiveCase {
 public:
  CollectiveCase(CollectiveKind kind, std::size_t block, bool in_place, int rank, int ranks);

  [[nodiscard]] CollectiveKind kind() const { return kind_; }
  [[nodiscard]] bool in_place() const { return in_place_; }
  [[nodiscard]] std::size_t MessageBytes() const;

  // Writes this rank's exact inputs (also over a previous in-place result).
  void Fill();
  Status Run(Communicator& communicator);
  // Result elements that differ from the exact expected value on this rank.
  [[nodiscard]] std::int64_t CountWrong() const;

 private:
  [[nodiscard]] std::size_t SendCount() const;
  [[nodiscard]] std::size_t RecvCount() const;
  [[nodiscard]] std::size_t SendOffset() const;
  [[nodiscard]] std::size_t RecvOffset() const;
  [[nodiscard]] float* SendData();
  [[nodiscard]] float* RecvData();
  [[nodiscard]] const float* RecvData() const;

  CollectiveKind kind_;
  std::size_t block_;
  bool in_place_;
  int rank_;
  int ranks_;
  std::vector<float> send_;
  std::vector<float> recv_;  // unused in place: results land in send_
};

// The exact input of `rank` at element `index`: integers 1..257, so sums stay exact in float32.
float ExactInput(int rank, std::size_t index);

}  // namespace lepton::bench

#pragma once
// Everything the suite knows about each collective, in one table with one entry per collective
// (as nccl-tests keeps one testColl per operation): its name, nccl-tests' bus bandwidth factor,
// the element counts and in-place offsets of its buffers, how its inputs are chosen, the exact
// value each result element must hold, and the Communicator call that runs it. Code elsewhere
// looks a collective up here instead of branching on its kind, so adding one is one entry.
//
// Inputs are small positive integers chosen so that every sum, and every partial sum in any
// order, is exact in the element type (ExactInput), so a correct result matches with zero
// tolerance.

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "bench/api/communicator.h"

namespace lepton::bench {

// In table order (CollectiveTable()[k] describes kind k; the table's .cc checks it at compile
// time).
enum class CollectiveKind {
  kAllReduce,
  kAllGather,
  kReduceScatter,
  kBroadcast,
  kReduce,
  kAllToAll,
  kSendRecv,
};

// The root of Broadcast and Reduce; SendRecv sends to rank + 1 and receives from rank - 1.
inline constexpr int kCollectiveRoot = 0;

// Element counts of one rank's buffers for `block` elements per rank block. In place there is
// one buffer of max(send, recv) elements and the input and result start at the offsets, NCCL's
// convention: AllGather sends from the rank's slot of the result, ReduceScatter receives into
// the rank's slot of the input.
struct CollectiveCounts {
  std::size_t send = 0;
  std::size_t recv = 0;
  std::size_t in_place_send_offset = 0;
  std::size_t in_place_recv_offset = 0;
};

// One call as a Communicator takes it: `block` elements per rank block.
struct CollectiveCall {
  const void* send = nullptr;
  void* recv = nullptr;
  std::size_t block = 0;
  DataType type = DataType::kFloat32;
  int rank = 0;
  int ranks = 1;
};

// What an expected-value function sees: this rank's place and the exact inputs of every rank.
struct CollectiveExpectation {
  CollectiveKind kind;
  DataType type;
  int rank;
  int ranks;
  std::size_t block;

  // Rank `of`'s input at `index` (ExactInput below).
  [[nodiscard]] double Input(int of, std::size_t index) const;
  // The sum over all ranks of their inputs at `index`.
  [[nodiscard]] double Sum(std::size_t index) const;
};

struct CollectiveDescription {
  CollectiveKind kind;
  std::string_view name;  // as specs name it: "allreduce", ...
  // nccl-tests' busBw / algBw over `ranks` ranks.
  double (*bus_bandwidth_factor)(int ranks);
  // One block per rank (AllGather, ReduceScatter, AllToAll): nccl-tests' message size is the
  // whole (ranks x block), and a sweep's size is split into `ranks` blocks; else one block.
  bool moves_rank_blocks;
  // Combines the ranks' inputs (a sum here): the inputs are then bounded so that the sum stays
  // exact in bf16 (ExactInput). Every rank's input is ExactInput at its send offset.
  bool reduces;
  CollectiveCounts (*counts)(std::size_t block, int rank, int ranks);
  // The exact value of result element `at` (0 <= at < counts().recv) on e.rank; nullopt where
  // the collective leaves the element alone on that rank (Reduce off the root).
  std::optional<double> (*expected)(const CollectiveExpectation& e, std::size_t at);
  Status (*run)(Communicator& communicator, const CollectiveCall& call);
};

// Every collective, in CollectiveKind order.
std::span<const CollectiveDescription> CollectiveTable();
const CollectiveDescription& Describe(CollectiveKind kind);
// Null when no collective has that name.
const CollectiveDescription* FindCollective(std::string_view name);

// Lookups in the table, for callers that hold a kind.
std::span<const CollectiveKind> AllCollectives();
std::string_view CollectiveName(CollectiveKind kind);  // "allreduce", ...
std::optional<CollectiveKind> CollectiveFromName(std::string_view name);
// nccl-tests' busBw/algBw: AllReduce 2(n-1)/n; AllGather, ReduceScatter, AllToAll (n-1)/n;
// Broadcast, Reduce, SendRecv 1.
double BusBandwidthFactor(CollectiveKind kind, int ranks);
bool MovesRankBlocks(CollectiveKind kind);
std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks, DataType type);
bool Reduces(CollectiveKind kind);

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

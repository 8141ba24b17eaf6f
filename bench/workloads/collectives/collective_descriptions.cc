#include "bench/workloads/collectives/collective_descriptions.h"

#include <algorithm>
#include <array>

namespace lepton::bench {
namespace {

// bf16 integers up to this are exact.
constexpr std::size_t kBfloat16ExactIntegers = 256;

// Per rank and position (a misplaced block or element is seen).
std::size_t Mixed(int rank, std::size_t index) {
  return static_cast<std::size_t>(rank) * 131 + index * 31 + index / 1024;
}

std::size_t Whole(std::size_t block, int ranks) { return block * static_cast<std::size_t>(ranks); }

// Sends one block and receives one, both at the buffer's start in place.
CollectiveCounts OneBlockEachWay(std::size_t block, int /*rank*/, int /*ranks*/) {
  return CollectiveCounts{block, block, 0, 0};
}

double NoBusTraffic(int /*ranks*/) { return 1.0; }
double OneBlockPerPeer(int ranks) { return (ranks - 1.0) / ranks; }

// The rank SendRecv receives from: the one before it, in a ring.
int Previous(int rank, int ranks) { return (rank + ranks - 1) % ranks; }

// One entry per collective, in CollectiveKind order. The lambdas are the per-collective parts;
// what they share (input values, buffer handling, counting wrong elements) is CollectiveCase's.
constexpr std::array<CollectiveDescription, 7> kTable = {{
    {
        .kind = CollectiveKind::kAllReduce,
        .name = "allreduce",
        .bus_bandwidth_factor = [](int ranks) { return 2.0 * (ranks - 1.0) / ranks; },
        .moves_rank_blocks = false,
        .reduces = true,
        .counts = OneBlockEachWay,
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Sum(at);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.AllReduce(call.send, call.recv, call.block, call.type, ReduceOp::kSum);
            },
    },
    {
        .kind = CollectiveKind::kAllGather,
        .name = "allgather",
        .bus_bandwidth_factor = OneBlockPerPeer,
        .moves_rank_blocks = true,
        .reduces = false,
        .counts =
            [](std::size_t block, int rank, int ranks) {
              return CollectiveCounts{block, Whole(block, ranks), Whole(block, rank), 0};
            },
        // Block r of the result is rank r's input.
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Input(static_cast<int>(at / e.block), at % e.block);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.AllGather(call.send, call.recv, call.block, call.type);
            },
    },
    {
        .kind = CollectiveKind::kReduceScatter,
        .name = "reducescatter",
        .bus_bandwidth_factor = OneBlockPerPeer,
        .moves_rank_blocks = true,
        .reduces = true,
        .counts =
            [](std::size_t block, int rank, int ranks) {
              return CollectiveCounts{Whole(block, ranks), block, 0, Whole(block, rank)};
            },
        // This rank's block of the sum.
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Sum(Whole(e.block, e.rank) + at);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.ReduceScatter(call.send, call.recv, call.block, call.type, ReduceOp::kSum);
            },
    },
    {
        .kind = CollectiveKind::kBroadcast,
        .name = "broadcast",
        .bus_bandwidth_factor = NoBusTraffic,
        .moves_rank_blocks = false,
        .reduces = false,
        .counts = OneBlockEachWay,
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Input(kCollectiveRoot, at);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.Broadcast(call.send, call.recv, call.block, call.type, kCollectiveRoot);
            },
    },
    {
        .kind = CollectiveKind::kReduce,
        .name = "reduce",
        .bus_bandwidth_factor = NoBusTraffic,
        .moves_rank_blocks = false,
        .reduces = true,
        .counts = OneBlockEachWay,
        // Only the root receives.
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          if (e.rank != kCollectiveRoot) return std::nullopt;
          return e.Sum(at);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.Reduce(call.send, call.recv, call.block, call.type, ReduceOp::kSum,
                              kCollectiveRoot);
            },
    },
    {
        .kind = CollectiveKind::kAllToAll,
        .name = "alltoall",
        .bus_bandwidth_factor = OneBlockPerPeer,
        .moves_rank_blocks = true,
        .reduces = false,
        .counts =
            [](std::size_t block, int, int ranks) {
              return CollectiveCounts{Whole(block, ranks), Whole(block, ranks), 0, 0};
            },
        // Block r of the result is block `rank` of rank r's input.
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Input(static_cast<int>(at / e.block), Whole(e.block, e.rank) + at % e.block);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.AllToAll(call.send, call.recv, call.block, call.type);
            },
    },
    {
        .kind = CollectiveKind::kSendRecv,
        .name = "sendrecv",
        .bus_bandwidth_factor = NoBusTraffic,
        .moves_rank_blocks = false,
        .reduces = false,
        .counts = OneBlockEachWay,
        .expected = [](const CollectiveExpectation& e, std::size_t at) -> std::optional<double> {
          return e.Input(Previous(e.rank, e.ranks), at);
        },
        .run =
            [](Communicator& c, const CollectiveCall& call) {
              return c.SendRecv(call.send, (call.rank + 1) % call.ranks, call.recv,
                                Previous(call.rank, call.ranks), call.block, call.type);
            },
    },
}};

constexpr bool InKindOrder() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (kTable[i].kind != static_cast<CollectiveKind>(i)) return false;
  }
  return kTable.back().kind == CollectiveKind::kSendRecv;
}
static_assert(InKindOrder(), "kTable must hold every CollectiveKind once, in enum order");

constexpr std::array<CollectiveKind, kTable.size()> KindsOf() {
  std::array<CollectiveKind, kTable.size()> kinds{};
  for (std::size_t i = 0; i < kTable.size(); ++i) kinds[i] = kTable[i].kind;
  return kinds;
}
constexpr std::array<CollectiveKind, kTable.size()> kKinds = KindsOf();

}  // namespace

double CollectiveExpectation::Input(int of, std::size_t index) const {
  return ExactInput(kind, type, of, ranks, index);
}

double CollectiveExpectation::Sum(std::size_t index) const {
  double sum = 0;
  for (int r = 0; r < ranks; ++r) sum += Input(r, index);
  return sum;
}

std::span<const CollectiveDescription> CollectiveTable() { return kTable; }

const CollectiveDescription& Describe(CollectiveKind kind) {
  return kTable[static_cast<std::size_t>(kind)];
}

const CollectiveDescription* FindCollective(std::string_view name) {
  for (const CollectiveDescription& description : kTable) {
    if (description.name == name) return &description;
  }
  return nullptr;
}

std::span<const CollectiveKind> AllCollectives() { return kKinds; }

std::string_view CollectiveName(CollectiveKind kind) { return Describe(kind).name; }

std::optional<CollectiveKind> CollectiveFromName(std::string_view name) {
  const CollectiveDescription* description = FindCollective(name);
  if (description == nullptr) return std::nullopt;
  return description->kind;
}

double BusBandwidthFactor(CollectiveKind kind, int ranks) {
  return Describe(kind).bus_bandwidth_factor(ranks);
}

bool MovesRankBlocks(CollectiveKind kind) { return Describe(kind).moves_rank_blocks; }

std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks, DataType type) {
  const std::size_t blocks = MovesRankBlocks(kind) ? static_cast<std::size_t>(ranks) : 1;
  return blocks * block * DataTypeSize(type);
}

bool Reduces(CollectiveKind kind) { return Describe(kind).reduces; }

float ExactInput(int rank, std::size_t index) {
  // Bounded by 257, so a sum over ranks is an integer well below 2^24, exact in float32.
  return static_cast<float>(Mixed(rank, index) % 257 + 1);
}

double ExactInput(CollectiveKind kind, DataType type, int rank, int ranks, std::size_t index) {
  if (type != DataType::kBfloat16) return ExactInput(rank, index);
  if (!Reduces(kind)) {
    return static_cast<double>(Mixed(rank, index) % kBfloat16ExactIntegers + 1);
  }
  const std::size_t bound = kBfloat16ExactIntegers / static_cast<std::size_t>(std::max(ranks, 1));
  if (bound == 0) return static_cast<std::size_t>(rank) < kBfloat16ExactIntegers ? 1.0 : 0.0;
  return static_cast<double>(Mixed(rank, index) % bound + 1);
}

}  // namespace lepton::bench

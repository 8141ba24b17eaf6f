#include "bench/workloads/collectives/collective_ops.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "bench/comm/bfloat16.h"

namespace lepton::bench {
namespace {

constexpr std::array<CollectiveKind, 7> kAll = {
    CollectiveKind::kAllReduce, CollectiveKind::kAllGather, CollectiveKind::kReduceScatter,
    CollectiveKind::kBroadcast, CollectiveKind::kReduce,    CollectiveKind::kAllToAll,
    CollectiveKind::kSendRecv,
};

// Sentinel for receive buffers: an element a collective failed to write is counted wrong.
constexpr double kUnwritten = -1.0;

// bf16 integers up to this are exact.
constexpr std::size_t kBfloat16ExactIntegers = 256;

double SumOverRanks(CollectiveKind kind, DataType type, int ranks, std::size_t index) {
  double sum = 0;
  for (int r = 0; r < ranks; ++r) sum += ExactInput(kind, type, r, ranks, index);
  return sum;
}

// Per rank and position (a misplaced block or element is seen).
std::size_t Mixed(int rank, std::size_t index) {
  return static_cast<std::size_t>(rank) * 131 + index * 31 + index / 1024;
}

}  // namespace

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

bool Reduces(CollectiveKind kind) {
  return kind == CollectiveKind::kAllReduce || kind == CollectiveKind::kReduceScatter ||
         kind == CollectiveKind::kReduce;
}

std::optional<DataType> CollectiveTypeFromName(std::string_view name) {
  for (const DataType type : {DataType::kFloat32, DataType::kBfloat16}) {
    if (DataTypeName(type) == name) return type;
  }
  return std::nullopt;
}

std::span<const CollectiveKind> AllCollectives() { return kAll; }

bool MovesRankBlocks(CollectiveKind kind) {
  return kind == CollectiveKind::kAllGather || kind == CollectiveKind::kReduceScatter ||
         kind == CollectiveKind::kAllToAll;
}

std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks, DataType type) {
  const std::size_t blocks = MovesRankBlocks(kind) ? static_cast<std::size_t>(ranks) : 1;
  return blocks * block * DataTypeSize(type);
}

std::string_view CollectiveName(CollectiveKind kind) {
  switch (kind) {
    case CollectiveKind::kAllReduce:
      return "allreduce";
    case CollectiveKind::kAllGather:
      return "allgather";
    case CollectiveKind::kReduceScatter:
      return "reducescatter";
    case CollectiveKind::kBroadcast:
      return "broadcast";
    case CollectiveKind::kReduce:
      return "reduce";
    case CollectiveKind::kAllToAll:
      return "alltoall";
    case CollectiveKind::kSendRecv:
      return "sendrecv";
  }
  return "unknown";
}

std::optional<CollectiveKind> CollectiveFromName(std::string_view name) {
  for (CollectiveKind kind : kAll) {
    if (CollectiveName(kind) == name) return kind;
  }
  return std::nullopt;
}

double BusBandwidthFactor(CollectiveKind kind, int ranks) {
  const double n = ranks;
  switch (kind) {
    case CollectiveKind::kAllReduce:
      return 2.0 * (n - 1) / n;
    case CollectiveKind::kAllGather:
    case CollectiveKind::kReduceScatter:
    case CollectiveKind::kAllToAll:
      return (n - 1) / n;
    case CollectiveKind::kBroadcast:
    case CollectiveKind::kReduce:
    case CollectiveKind::kSendRecv:
      return 1.0;
  }
  return 0.0;
}

CollectiveCase::CollectiveCase(CollectiveKind kind, std::size_t block, bool in_place, int rank,
                               int ranks, DataType type)
    : kind_(kind), block_(block), in_place_(in_place), rank_(rank), ranks_(ranks), type_(type) {
  if (in_place_) {
    send_.resize(std::max(SendCount(), RecvCount()) * ElementBytes());
  } else {
    send_.resize(SendCount() * ElementBytes());
    recv_.resize(RecvCount() * ElementBytes());
  }
}

std::size_t CollectiveCase::ElementBytes() const { return DataTypeSize(type_); }

void CollectiveCase::Store(std::vector<std::byte>& buffer, std::size_t at, double value) const {
  std::byte* to = buffer.data() + at * ElementBytes();
  switch (type_) {
    case DataType::kFloat32: {
      const auto element = static_cast<float>(value);
      std::memcpy(to, &element, sizeof(element));
      return;
    }
    case DataType::kBfloat16: {
      const std::uint16_t element = FloatToBfloat16(static_cast<float>(value));
      std::memcpy(to, &element, sizeof(element));
      return;
    }
    case DataType::kFloat64:
      std::memcpy(to, &value, sizeof(value));
      return;
    case DataType::kInt64: {
      const auto element = static_cast<std::int64_t>(value);
      std::memcpy(to, &element, sizeof(element));
      return;
    }
  }
}

double CollectiveCase::Load(const std::vector<std::byte>& buffer, std::size_t at) const {
  const std::byte* from = buffer.data() + at * ElementBytes();
  switch (type_) {
    case DataType::kFloat32: {
      float element = 0;
      std::memcpy(&element, from, sizeof(element));
      return element;
    }
    case DataType::kBfloat16: {
      std::uint16_t element = 0;
      std::memcpy(&element, from, sizeof(element));
      return Bfloat16ToFloat(element);
    }
    case DataType::kFloat64: {
      double element = 0;
      std::memcpy(&element, from, sizeof(element));
      return element;
    }
    case DataType::kInt64: {
      std::int64_t element = 0;
      std::memcpy(&element, from, sizeof(element));
      return static_cast<double>(element);
    }
  }
  return 0;
}

std::size_t CollectiveCase::SendCount() const {
  const auto whole = block_ * static_cast<std::size_t>(ranks_);
  return kind_ == CollectiveKind::kReduceScatter || kind_ == CollectiveKind::kAllToAll ? whole
                                                                                       : block_;
}

std::size_t CollectiveCase::RecvCount() const {
  const auto whole = block_ * static_cast<std::size_t>(ranks_);
  return kind_ == CollectiveKind::kAllGather || kind_ == CollectiveKind::kAllToAll ? whole : block_;
}

std::size_t CollectiveCase::MessageBytes() const {
  return bench::MessageBytes(kind_, block_, ranks_, type_);
}

// In place, NCCL's convention: AllGather sends from the rank's slot of the result buffer,
// ReduceScatter receives into the rank's slot of the input buffer.
std::size_t CollectiveCase::SendOffset() const {
  return in_place_ && kind_ == CollectiveKind::kAllGather ? rank_ * block_ : 0;
}

std::size_t CollectiveCase::RecvOffset() const {
  return in_place_ && kind_ == CollectiveKind::kReduceScatter ? rank_ * block_ : 0;
}

const std::vector<std::byte>& CollectiveCase::ResultBuffer() const {
  return in_place_ ? send_ : recv_;
}

void* CollectiveCase::RunSendData() {
  std::byte* base = on_device() ? static_cast<std::byte*>(device_send_.data()) : send_.data();
  return base + SendOffset() * ElementBytes();
}

void* CollectiveCase::RunRecvData() {
  std::byte* base = nullptr;
  if (on_device()) {
    base = static_cast<std::byte*>((in_place_ ? device_send_ : device_recv_).data());
  } else {
    base = (in_place_ ? send_ : recv_).data();
  }
  return base + RecvOffset() * ElementBytes();
}

Status CollectiveCase::AttachDevice(DeviceMemory& memory) {
  LEPTON_ASSIGN_OR_RETURN(device_send_, DeviceBuffer::Allocate(memory, send_.size()));
  if (!in_place_) {
    LEPTON_ASSIGN_OR_RETURN(device_recv_, DeviceBuffer::Allocate(memory, recv_.size()));
  }
  return OkStatus();
}

Status CollectiveCase::Upload() {
  if (!on_device()) return OkStatus();
  LEPTON_RETURN_IF_ERROR(device_send_.Upload(send_.data(), send_.size()));
  if (!in_place_) LEPTON_RETURN_IF_ERROR(device_recv_.Upload(recv_.data(), recv_.size()));
  return OkStatus();
}

Status CollectiveCase::Download() {
  if (!on_device()) return OkStatus();
  if (in_place_) return device_send_.Download(send_.data(), send_.size());
  return device_recv_.Download(recv_.data(), recv_.size());
}

void CollectiveCase::Fill() {
  if (in_place_) {
    for (std::size_t i = 0; i < send_.size() / ElementBytes(); ++i) Store(send_, i, kUnwritten);
  }
  for (std::size_t i = 0; i < recv_.size() / ElementBytes(); ++i) Store(recv_, i, kUnwritten);
  for (std::size_t i = 0; i < SendCount(); ++i) {
    Store(send_, SendOffset() + i, ExactInput(kind_, type_, rank_, ranks_, i));
  }
}

Status CollectiveCase::Run(Communicator& communicator) {
  const DataType type = type_;
  const void* send = RunSendData();
  void* recv = RunRecvData();
  switch (kind_) {
    case CollectiveKind::kAllReduce:
      return communicator.AllReduce(send, recv, block_, type, ReduceOp::kSum);
    case CollectiveKind::kAllGather:
      return communicator.AllGather(send, recv, block_, type);
    case CollectiveKind::kReduceScatter:
      return communicator.ReduceScatter(send, recv, block_, type, ReduceOp::kSum);
    case CollectiveKind::kBroadcast:
      return communicator.Broadcast(send, recv, block_, type, kCollectiveRoot);
    case CollectiveKind::kReduce:
      return communicator.Reduce(send, recv, block_, type, ReduceOp::kSum, kCollectiveRoot);
    case CollectiveKind::kAllToAll:
      return communicator.AllToAll(send, recv, block_, type);
    case CollectiveKind::kSendRecv:
      return communicator.SendRecv(send, (rank_ + 1) % ranks_, recv, (rank_ + ranks_ - 1) % ranks_,
                                   block_, type);
  }
  return InternalError("unknown collective");
}

std::int64_t CollectiveCase::CountWrong() const {
  const std::vector<std::byte>& result = ResultBuffer();
  const std::size_t offset = RecvOffset();
  std::int64_t wrong = 0;
  const auto expect = [&](std::size_t at, double expected) {
    if (Load(result, offset + at) != expected) ++wrong;
  };
  const auto input = [&](int rank, std::size_t index) {
    return ExactInput(kind_, type_, rank, ranks_, index);
  };
  const auto sum = [&](std::size_t index) { return SumOverRanks(kind_, type_, ranks_, index); };
  const auto me = static_cast<std::size_t>(rank_);
  switch (kind_) {
    case CollectiveKind::kAllReduce:
      for (std::size_t i = 0; i < block_; ++i) expect(i, sum(i));
      break;
    case CollectiveKind::kAllGather:
      for (int r = 0; r < ranks_; ++r) {
        for (std::size_t i = 0; i < block_; ++i) expect(r * block_ + i, input(r, i));
      }
      break;
    case CollectiveKind::kReduceScatter:
      for (std::size_t i = 0; i < block_; ++i) expect(i, sum(me * block_ + i));
      break;
    case CollectiveKind::kBroadcast:
      for (std::size_t i = 0; i < block_; ++i) expect(i, input(kCollectiveRoot, i));
      break;
    case CollectiveKind::kReduce:
      if (rank_ != kCollectiveRoot) break;  // only the root receives
      for (std::size_t i = 0; i < block_; ++i) expect(i, sum(i));
      break;
    case CollectiveKind::kAllToAll:
      for (int r = 0; r < ranks_; ++r) {
        for (std::size_t i = 0; i < block_; ++i) {
          expect(r * block_ + i, input(r, me * block_ + i));
        }
      }
      break;
    case CollectiveKind::kSendRecv: {
      const int from = (rank_ + ranks_ - 1) % ranks_;
      for (std::size_t i = 0; i < block_; ++i) expect(i, input(from, i));
      break;
    }
  }
  return wrong;
}

}  // namespace lepton::bench

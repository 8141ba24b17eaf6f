#include "bench/workloads/collectives/collective_ops.h"

#include <algorithm>
#include <array>

namespace lepton::bench {
namespace {

constexpr std::array<CollectiveKind, 7> kAll = {
    CollectiveKind::kAllReduce, CollectiveKind::kAllGather, CollectiveKind::kReduceScatter,
    CollectiveKind::kBroadcast, CollectiveKind::kReduce,    CollectiveKind::kAllToAll,
    CollectiveKind::kSendRecv,
};

// Sentinel for receive buffers: an element a collective failed to write is counted wrong.
constexpr float kUnwritten = -1.0F;

double SumOverRanks(int ranks, std::size_t index) {
  double sum = 0;
  for (int r = 0; r < ranks; ++r) sum += ExactInput(r, index);
  return sum;
}

}  // namespace

float ExactInput(int rank, std::size_t index) {
  // Different per rank and position (a misplaced block or element is seen) and bounded by 257,
  // so a sum over ranks is an integer well below 2^24, exactly representable in float32.
  const std::size_t mixed = static_cast<std::size_t>(rank) * 131 + index * 31 + index / 1024;
  return static_cast<float>(mixed % 257 + 1);
}

std::span<const CollectiveKind> AllCollectives() { return kAll; }

bool MovesRankBlocks(CollectiveKind kind) {
  return kind == CollectiveKind::kAllGather || kind == CollectiveKind::kReduceScatter ||
         kind == CollectiveKind::kAllToAll;
}

std::size_t MessageBytes(CollectiveKind kind, std::size_t block, int ranks) {
  const std::size_t blocks = MovesRankBlocks(kind) ? static_cast<std::size_t>(ranks) : 1;
  return blocks * block * sizeof(float);
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
                               int ranks)
    : kind_(kind), block_(block), in_place_(in_place), rank_(rank), ranks_(ranks) {
  if (in_place_) {
    send_.resize(std::max(SendCount(), RecvCount()));
  } else {
    send_.resize(SendCount());
    recv_.resize(RecvCount());
  }
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
  return bench::MessageBytes(kind_, block_, ranks_);
}

// In place, NCCL's convention: AllGather sends from the rank's slot of the result buffer,
// ReduceScatter receives into the rank's slot of the input buffer.
std::size_t CollectiveCase::SendOffset() const {
  return in_place_ && kind_ == CollectiveKind::kAllGather ? rank_ * block_ : 0;
}

std::size_t CollectiveCase::RecvOffset() const {
  return in_place_ && kind_ == CollectiveKind::kReduceScatter ? rank_ * block_ : 0;
}

float* CollectiveCase::SendData() { return send_.data() + SendOffset(); }

float* CollectiveCase::RecvData() { return (in_place_ ? send_ : recv_).data() + RecvOffset(); }

const float* CollectiveCase::RecvData() const {
  return (in_place_ ? send_ : recv_).data() + RecvOffset();
}

float* CollectiveCase::RunSendData() {
  if (!on_device()) return SendData();
  return static_cast<float*>(device_send_.data()) + SendOffset();
}

float* CollectiveCase::RunRecvData() {
  if (!on_device()) return RecvData();
  auto* base = static_cast<float*>((in_place_ ? device_send_ : device_recv_).data());
  return base + RecvOffset();
}

Status CollectiveCase::AttachDevice(DeviceMemory& memory) {
  LEPTON_ASSIGN_OR_RETURN(device_send_,
                          DeviceBuffer::Allocate(memory, send_.size() * sizeof(float)));
  if (!in_place_) {
    LEPTON_ASSIGN_OR_RETURN(device_recv_,
                            DeviceBuffer::Allocate(memory, recv_.size() * sizeof(float)));
  }
  return OkStatus();
}

Status CollectiveCase::Upload() {
  if (!on_device()) return OkStatus();
  LEPTON_RETURN_IF_ERROR(device_send_.Upload(send_.data(), send_.size() * sizeof(float)));
  if (!in_place_) {
    LEPTON_RETURN_IF_ERROR(device_recv_.Upload(recv_.data(), recv_.size() * sizeof(float)));
  }
  return OkStatus();
}

Status CollectiveCase::Download() {
  if (!on_device()) return OkStatus();
  if (in_place_) return device_send_.Download(send_.data(), send_.size() * sizeof(float));
  return device_recv_.Download(recv_.data(), recv_.size() * sizeof(float));
}

void CollectiveCase::Fill() {
  if (in_place_) send_.assign(send_.size(), kUnwritten);
  recv_.assign(recv_.size(), kUnwritten);
  float* send = SendData();
  for (std::size_t i = 0; i < SendCount(); ++i) send[i] = ExactInput(rank_, i);
}

Status CollectiveCase::Run(Communicator& communicator) {
  constexpr DataType kType = DataType::kFloat32;
  const float* send = RunSendData();
  float* recv = RunRecvData();
  switch (kind_) {
    case CollectiveKind::kAllReduce:
      return communicator.AllReduce(send, recv, block_, kType, ReduceOp::kSum);
    case CollectiveKind::kAllGather:
      return communicator.AllGather(send, recv, block_, kType);
    case CollectiveKind::kReduceScatter:
      return communicator.ReduceScatter(send, recv, block_, kType, ReduceOp::kSum);
    case CollectiveKind::kBroadcast:
      return communicator.Broadcast(send, recv, block_, kType, kCollectiveRoot);
    case CollectiveKind::kReduce:
      return communicator.Reduce(send, recv, block_, kType, ReduceOp::kSum, kCollectiveRoot);
    case CollectiveKind::kAllToAll:
      return communicator.AllToAll(send, recv, block_, kType);
    case CollectiveKind::kSendRecv:
      return communicator.SendRecv(send, (rank_ + 1) % ranks_, recv, (rank_ + ranks_ - 1) % ranks_,
                                   block_, kType);
  }
  return InternalError("unknown collective");
}

std::int64_t CollectiveCase::CountWrong() const {
  const float* recv = RecvData();
  std::int64_t wrong = 0;
  const auto expect = [&](std::size_t at, double expected) {
    if (static_cast<double>(recv[at]) != expected) ++wrong;
  };
  const auto me = static_cast<std::size_t>(rank_);
  switch (kind_) {
    case CollectiveKind::kAllReduce:
      for (std::size_t i = 0; i < block_; ++i) expect(i, SumOverRanks(ranks_, i));
      break;
    case CollectiveKind::kAllGather:
      for (int r = 0; r < ranks_; ++r) {
        for (std::size_t i = 0; i < block_; ++i) expect(r * block_ + i, ExactInput(r, i));
      }
      break;
    case CollectiveKind::kReduceScatter:
      for (std::size_t i = 0; i < block_; ++i) expect(i, SumOverRanks(ranks_, me * block_ + i));
      break;
    case CollectiveKind::kBroadcast:
      for (std::size_t i = 0; i < block_; ++i) expect(i, ExactInput(kCollectiveRoot, i));
      break;
    case CollectiveKind::kReduce:
      if (rank_ != kCollectiveRoot) break;  // only the root receives
      for (std::size_t i = 0; i < block_; ++i) expect(i, SumOverRanks(ranks_, i));
      break;
    case CollectiveKind::kAllToAll:
      for (int r = 0; r < ranks_; ++r) {
        for (std::size_t i = 0; i < block_; ++i) {
          expect(r * block_ + i, ExactInput(r, me * block_ + i));
        }
      }
      break;
    case CollectiveKind::kSendRecv: {
      const int from = (rank_ + ranks_ - 1) % ranks_;
      for (std::size_t i = 0; i < block_; ++i) expect(i, ExactInput(from, i));
      break;
    }
  }
  return wrong;
}

}  // namespace lepton::bench

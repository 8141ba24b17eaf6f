#pragma once
// TEST ONLY: a single-process group (bench/api/communicator_group.h) on host memory posing as
// one device per rank. It behaves as NCCL's group semantics demand: a rank's call is accepted
// only inside GroupStart/GroupEnd, nothing runs before GroupEnd, the calls launched by GroupEnd
// complete only at Synchronize, and any wait (a rank's Barrier or Synchronize, the group's
// Synchronize inside an open group) or a buffer read or written while work is pending is a
// violation. Every rank's calls must get that rank's device buffers (its memory()'s), unless
// the test hands the ranks host buffers of its own (host_buffers_allowed: the CPU MLP's
// gradients). Sums are taken in double in rank order and rounded once, so with two ranks they
// are the float sum exactly. Shared by the collectives' and the data-parallel MLP's tests; the
// NCCL group itself needs GPUs (bench/backends/cuda_nccl_test.cc).

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench/api/communicator_group.h"
#include "bench/api/host_allocations_for_tests.h"
#include "bench/comm/bfloat16.h"
#include "bench/workloads/collectives/collective_ops.h"

namespace lepton::bench {

class FakeGroup;

// One rank's device memory: host allocations it can recognise; no copy while work is pending.
class FakeRankMemory final : public DeviceMemory {
 public:
  FakeRankMemory(FakeGroup& group, int rank) : group_(group), rank_(rank) {}
  [[nodiscard]] std::string description() const override { return "fake:" + std::to_string(rank_); }
  [[nodiscard]] int device_index() const override { return rank_; }
  Result<void*> Allocate(std::size_t bytes) override { return allocations_.Allocate(bytes); }
  void Free(void* device) override { allocations_.Free(device); }
  Status CopyToDevice(void* device, const void* host, std::size_t bytes) override;
  Status CopyToHost(void* host, const void* device, std::size_t bytes) override;
  [[nodiscard]] bool Holds(const void* pointer, std::size_t bytes) const {
    return allocations_.Holds(pointer, bytes);
  }
  [[nodiscard]] std::size_t live() const { return allocations_.live(); }

 private:
  FakeGroup& group_;
  int rank_;
  HostAllocations allocations_;
};

struct FakeGroupCall {
  CollectiveKind kind;
  const void* send;
  void* recv;
  std::size_t count;
  DataType type;
  ReduceOp op;
  int root = 0;
  int send_to = 0;
  int recv_from = 0;
};

class FakeRankCommunicator final : public Communicator {
 public:
  FakeRankCommunicator(FakeGroup& group, int rank) : group_(group), rank_(rank) {}
  [[nodiscard]] std::string_view name() const override { return "fake-rank"; }
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override;
  Status AllReduce(const void* s, void* r, std::size_t n, DataType t, ReduceOp op) override {
    return Record({CollectiveKind::kAllReduce, s, r, n, t, op});
  }
  Status AllGather(const void* s, void* r, std::size_t n, DataType t) override {
    return Record({CollectiveKind::kAllGather, s, r, n, t, ReduceOp::kSum});
  }
  Status ReduceScatter(const void* s, void* r, std::size_t n, DataType t, ReduceOp op) override {
    return Record({CollectiveKind::kReduceScatter, s, r, n, t, op});
  }
  Status Broadcast(const void* s, void* r, std::size_t n, DataType t, int root) override {
    return Record({CollectiveKind::kBroadcast, s, r, n, t, ReduceOp::kSum, root});
  }
  Status Reduce(const void* s, void* r, std::size_t n, DataType t, ReduceOp op, int root) override {
    return Record({CollectiveKind::kReduce, s, r, n, t, op, root});
  }
  Status AllToAll(const void* s, void* r, std::size_t n, DataType t) override {
    return Record({CollectiveKind::kAllToAll, s, r, n, t, ReduceOp::kSum});
  }
  Status SendRecv(const void* s, int to, void* r, int from, std::size_t n, DataType t) override {
    return Record({CollectiveKind::kSendRecv, s, r, n, t, ReduceOp::kSum, 0, to, from});
  }
  Status Barrier() override;
  Status Synchronize() override;

 private:
  Status Record(const FakeGroupCall& call);
  FakeGroup& group_;
  int rank_;
};

class FakeGroup final : public CommunicatorGroup {
 public:
  explicit FakeGroup(int ranks) {
    for (int r = 0; r < ranks; ++r) {
      memories_.push_back(std::make_unique<FakeRankMemory>(*this, r));
      communicators_.push_back(std::make_unique<FakeRankCommunicator>(*this, r));
    }
    open_calls_.resize(static_cast<std::size_t>(ranks));
  }
  [[nodiscard]] std::string_view name() const override { return "fake-group"; }
  [[nodiscard]] int size() const override { return static_cast<int>(communicators_.size()); }
  Communicator& communicator(int rank) override {
    return *communicators_.at(static_cast<std::size_t>(rank));
  }
  DeviceMemory& memory(int rank) override { return *memories_.at(static_cast<std::size_t>(rank)); }
  [[nodiscard]] const FakeRankMemory& rank_memory(int rank) const {
    return *memories_.at(static_cast<std::size_t>(rank));
  }

  Status GroupStart() override {
    if (open_) return Violation("GroupStart inside an open group");
    open_ = true;
    log += "S";
    return OkStatus();
  }
  Status GroupEnd() override {
    if (!open_) return Violation("GroupEnd without GroupStart");
    open_ = false;
    log += "E";
    const std::size_t calls = open_calls_.front().size();
    for (const auto& pending : open_calls_) {
      if (pending.size() != calls) return Violation("ranks made unlike numbers of calls");
    }
    for (std::size_t i = 0; i < calls; ++i) {
      std::vector<FakeGroupCall> one;
      for (auto& pending : open_calls_) one.push_back(pending[i]);
      launched_.push_back(std::move(one));
    }
    for (auto& pending : open_calls_) pending.clear();
    return OkStatus();
  }
  // Runs what GroupEnd launched, in order: results exist only after it.
  Status Synchronize() override {
    if (open_) return Violation("Synchronize inside an open group");
    log += "W";
    ++synchronizations;
    for (const std::vector<FakeGroupCall>& calls : launched_)
      LEPTON_RETURN_IF_ERROR(Execute(calls));
    launched_.clear();
    return OkStatus();
  }

  Status RankCall(int rank, const FakeGroupCall& call) {
    if (!open_) return Violation("rank " + std::to_string(rank) + " called outside a group");
    const auto& memory = *memories_[static_cast<std::size_t>(rank)];
    const std::size_t elements = ElementsTouched(call);
    const bool on_device = memory.Holds(call.send, SendElements(call) * DataTypeSize(call.type)) &&
                           memory.Holds(call.recv, elements * DataTypeSize(call.type));
    if (!on_device && !host_buffers_allowed) {
      return Violation("rank " + std::to_string(rank) + " got a buffer not on its device");
    }
    log += std::to_string(rank);
    ++rank_calls;
    open_calls_[static_cast<std::size_t>(rank)].push_back(call);
    return OkStatus();
  }
  Status RankWait(int rank) {
    return Violation("rank " + std::to_string(rank) + " waited on its own");
  }
  Status Copy(int rank) {
    if (open_ || !launched_.empty()) {
      return Violation("rank " + std::to_string(rank) + "'s buffers copied with work pending");
    }
    return OkStatus();
  }

  std::string log;  // S: GroupStart, E: GroupEnd, W: Synchronize, digit: that rank's call
  std::vector<std::string> violations;
  int rank_calls = 0;
  int synchronizations = 0;
  int idle_rank = -1;  // a rank whose results are never written (its check must see it)
  // Buffers outside the ranks' memory() are accepted (a CPU model's own gradients); the ranks of
  // one operation must still pass distinct buffers.
  bool host_buffers_allowed = false;

 private:
  Status Violation(const std::string& what) {
    violations.push_back(what);
    return InternalError("fake group: " + what);
  }

  [[nodiscard]] std::size_t SendElements(const FakeGroupCall& call) const {
    const bool whole =
        call.kind == CollectiveKind::kReduceScatter || call.kind == CollectiveKind::kAllToAll;
    return whole ? call.count * static_cast<std::size_t>(size()) : call.count;
  }
  [[nodiscard]] std::size_t ElementsTouched(const FakeGroupCall& call) const {
    const bool whole =
        call.kind == CollectiveKind::kAllGather || call.kind == CollectiveKind::kAllToAll;
    return whole ? call.count * static_cast<std::size_t>(size()) : call.count;
  }
  static double Load(const void* base, std::size_t at, DataType type) {
    if (type == DataType::kBfloat16) {
      std::uint16_t bits = 0;
      std::memcpy(&bits, static_cast<const std::byte*>(base) + at * 2, 2);
      return Bfloat16ToFloat(bits);
    }
    float value = 0;
    std::memcpy(&value, static_cast<const std::byte*>(base) + at * 4, 4);
    return value;
  }
  static void Store(void* base, std::size_t at, DataType type, double value) {
    if (type == DataType::kBfloat16) {
      const std::uint16_t bits = FloatToBfloat16(static_cast<float>(value));
      std::memcpy(static_cast<std::byte*>(base) + at * 2, &bits, 2);
      return;
    }
    const auto single = static_cast<float>(value);
    std::memcpy(static_cast<std::byte*>(base) + at * 4, &single, 4);
  }

  // One collective over every rank, as NCCL defines it (sums only: the workload's operation).
  Status Execute(const std::vector<FakeGroupCall>& calls) {
    const int n = size();
    const FakeGroupCall& first = calls.front();
    const std::size_t count = first.count;
    std::vector<std::vector<double>> in(calls.size());
    for (std::size_t r = 0; r < calls.size(); ++r) {
      if (calls[r].kind != first.kind || calls[r].count != count) {
        return Violation("the ranks' calls of one group do not match");
      }
      for (std::size_t q = 0; q < r; ++q) {
        if (calls[q].recv == calls[r].recv) return Violation("two ranks passed one buffer");
      }
      for (std::size_t i = 0; i < SendElements(calls[r]); ++i) {
        in[r].push_back(Load(calls[r].send, i, first.type));
      }
    }
    const auto sum = [&](std::size_t at) {
      double total = 0;
      for (const auto& rank_in : in) total += rank_in[at];
      return total;
    };
    for (int r = 0; r < n; ++r) {
      if (r == idle_rank) continue;
      const auto me = static_cast<std::size_t>(r);
      void* out = calls[me].recv;
      for (std::size_t i = 0; i < count; ++i) {
        switch (first.kind) {
          case CollectiveKind::kAllReduce:
            Store(out, i, first.type, sum(i));
            break;
          case CollectiveKind::kReduce:
            if (r == first.root) Store(out, i, first.type, sum(i));
            break;
          case CollectiveKind::kBroadcast:
            Store(out, i, first.type, in[static_cast<std::size_t>(first.root)][i]);
            break;
          case CollectiveKind::kReduceScatter:
            Store(out, i, first.type, sum(me * count + i));
            break;
          case CollectiveKind::kAllGather:
            for (std::size_t q = 0; q < in.size(); ++q) {
              Store(out, q * count + i, first.type, in[q][i]);
            }
            break;
          case CollectiveKind::kAllToAll:
            for (std::size_t q = 0; q < in.size(); ++q) {
              Store(out, q * count + i, first.type, in[q][me * count + i]);
            }
            break;
          case CollectiveKind::kSendRecv: {
            const auto from = static_cast<std::size_t>(calls[me].recv_from);
            if (calls[from].send_to != r) return Violation("send and receive do not pair up");
            Store(out, i, first.type, in[from][i]);
            break;
          }
        }
      }
    }
    return OkStatus();
  }

  std::vector<std::unique_ptr<FakeRankMemory>> memories_;
  std::vector<std::unique_ptr<FakeRankCommunicator>> communicators_;
  bool open_ = false;
  std::vector<std::vector<FakeGroupCall>> open_calls_;  // per rank, in the open group
  std::vector<std::vector<FakeGroupCall>> launched_;  // one entry per operation, every rank's call
};

inline Status FakeRankMemory::CopyToDevice(void* device, const void* host, std::size_t bytes) {
  LEPTON_RETURN_IF_ERROR(group_.Copy(rank_));
  if (!Holds(device, bytes)) return InternalError("upload: not this rank's device memory");
  std::memcpy(device, host, bytes);
  return OkStatus();
}
inline Status FakeRankMemory::CopyToHost(void* host, const void* device, std::size_t bytes) {
  LEPTON_RETURN_IF_ERROR(group_.Copy(rank_));
  if (!Holds(device, bytes)) return InternalError("download: not this rank's device memory");
  std::memcpy(host, device, bytes);
  return OkStatus();
}
inline int FakeRankCommunicator::size() const { return group_.size(); }
inline Status FakeRankCommunicator::Record(const FakeGroupCall& call) {
  return group_.RankCall(rank_, call);
}
inline Status FakeRankCommunicator::Barrier() { return group_.RankWait(rank_); }
inline Status FakeRankCommunicator::Synchronize() { return group_.RankWait(rank_); }

}  // namespace lepton::bench

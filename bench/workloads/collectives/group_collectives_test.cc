// The collectives workload over a single-process group (comm: nccl-local), with a fake group on
// host memory posing as one device per rank. The fake behaves as NCCL's group semantics demand:
// a rank's call is accepted only inside GroupStart/GroupEnd, nothing runs before GroupEnd, the
// calls launched by GroupEnd complete only at Synchronize, and any wait (a rank's Barrier or
// Synchronize, the group's Synchronize inside an open group) or a buffer read or written while
// work is pending is a violation. Every rank's calls must get that rank's device buffers. The
// NCCL group itself needs GPUs (bench/backends/cuda_nccl_test.cc).

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/api/communicator_group.h"
#include "bench/api/host_allocations_for_tests.h"
#include "bench/api/run_workload_for_tests.h"
#include "bench/comm/bfloat16.h"
#include "bench/comm/idle_communicator_for_tests.h"
#include "bench/comm/self_communicator.h"
#include "bench/workloads/collectives/collective_ops.h"
#include "bench/workloads/collectives/collectives_workload.h"

namespace lepton::bench {
namespace {

class FakeGroup;

// One rank's device memory: host allocations it can recognise; no copy while work is pending.
class RankMemory final : public DeviceMemory {
 public:
  RankMemory(FakeGroup& group, int rank) : group_(group), rank_(rank) {}
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

struct Call {
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

class RankCommunicator final : public Communicator {
 public:
  RankCommunicator(FakeGroup& group, int rank) : group_(group), rank_(rank) {}
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
  Status Record(const Call& call);
  FakeGroup& group_;
  int rank_;
};

class FakeGroup final : public CommunicatorGroup {
 public:
  explicit FakeGroup(int ranks) {
    for (int r = 0; r < ranks; ++r) {
      memories_.push_back(std::make_unique<RankMemory>(*this, r));
      communicators_.push_back(std::make_unique<RankCommunicator>(*this, r));
    }
    open_calls_.resize(static_cast<std::size_t>(ranks));
  }
  [[nodiscard]] std::string_view name() const override { return "fake-group"; }
  [[nodiscard]] int size() const override { return static_cast<int>(communicators_.size()); }
  Communicator& communicator(int rank) override {
    return *communicators_.at(static_cast<std::size_t>(rank));
  }
  DeviceMemory& memory(int rank) override { return *memories_.at(static_cast<std::size_t>(rank)); }
  [[nodiscard]] const RankMemory& rank_memory(int rank) const {
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
      std::vector<Call> one;
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
    for (const std::vector<Call>& calls : launched_) LEPTON_RETURN_IF_ERROR(Execute(calls));
    launched_.clear();
    return OkStatus();
  }

  Status RankCall(int rank, const Call& call) {
    if (!open_) return Violation("rank " + std::to_string(rank) + " called outside a group");
    const auto& memory = *memories_[static_cast<std::size_t>(rank)];
    const std::size_t elements = ElementsTouched(call);
    if (!memory.Holds(call.send, SendElements(call) * DataTypeSize(call.type)) ||
        !memory.Holds(call.recv, elements * DataTypeSize(call.type))) {
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

 private:
  Status Violation(const std::string& what) {
    violations.push_back(what);
    return InternalError("fake group: " + what);
  }

  [[nodiscard]] std::size_t SendElements(const Call& call) const {
    const bool whole =
        call.kind == CollectiveKind::kReduceScatter || call.kind == CollectiveKind::kAllToAll;
    return whole ? call.count * static_cast<std::size_t>(size()) : call.count;
  }
  [[nodiscard]] std::size_t ElementsTouched(const Call& call) const {
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
  Status Execute(const std::vector<Call>& calls) {
    const int n = size();
    const Call& first = calls.front();
    const std::size_t count = first.count;
    std::vector<std::vector<double>> in(calls.size());
    for (std::size_t r = 0; r < calls.size(); ++r) {
      if (calls[r].kind != first.kind || calls[r].count != count) {
        return Violation("the ranks' calls of one group do not match");
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

  std::vector<std::unique_ptr<RankMemory>> memories_;
  std::vector<std::unique_ptr<RankCommunicator>> communicators_;
  bool open_ = false;
  std::vector<std::vector<Call>> open_calls_;  // per rank, in the open group
  std::vector<std::vector<Call>> launched_;    // one entry per operation, every rank's call
};

Status RankMemory::CopyToDevice(void* device, const void* host, std::size_t bytes) {
  LEPTON_RETURN_IF_ERROR(group_.Copy(rank_));
  if (!Holds(device, bytes)) return InternalError("upload: not this rank's device memory");
  std::memcpy(device, host, bytes);
  return OkStatus();
}
Status RankMemory::CopyToHost(void* host, const void* device, std::size_t bytes) {
  LEPTON_RETURN_IF_ERROR(group_.Copy(rank_));
  if (!Holds(device, bytes)) return InternalError("download: not this rank's device memory");
  std::memcpy(host, device, bytes);
  return OkStatus();
}
int RankCommunicator::size() const { return group_.size(); }
Status RankCommunicator::Record(const Call& call) { return group_.RankCall(rank_, call); }
Status RankCommunicator::Barrier() { return group_.RankWait(rank_); }
Status RankCommunicator::Synchronize() { return group_.RankWait(rank_); }

WorkloadContext GroupSweep(Communicator* host, CommunicatorGroup* group) {
  WorkloadContext context;
  std::vector<std::string> ops;
  for (CollectiveKind kind : AllCollectives()) ops.emplace_back(CollectiveName(kind));
  context.params = {
      {"ops", ops},
      {"placements", std::vector<std::string>{"out_of_place", "in_place"}},
      {"min_bytes", std::int64_t{4}},
      {"max_bytes", std::int64_t{1024}},
      {"dtypes", std::vector<std::string>{"float32", "bf16"}},
      {"warmup_iters", std::int64_t{1}},
      {"iters", std::int64_t{2}},
  };
  context.device = "cuda";
  context.communicator = host;
  context.device_group = group;
  return context;
}

TEST(GroupCollectivesWorkloadTest, EveryRankOfTheGroupRunsEveryOperationExactly) {
  constexpr int kRanks = 3;
  FakeGroup group(kRanks);
  auto host = MakeSelfCommunicator();
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(GroupSweep(host.get(), &group));
  ASSERT_TRUE(prepared.ok()) << prepared.ToString();
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 0.0);
  EXPECT_EQ(std::get<double>(metrics->values.at("ranks")), kRanks);
  EXPECT_EQ(std::get<std::string>(metrics->values.at("communicator")), "fake-group");
  EXPECT_EQ(std::get<std::string>(metrics->values.at("buffers")), "fake:0, fake:1, fake:2");
  // 2 types x 7 operations x 2 placements x 9 sizes (4 B .. 1 KiB); per point warm-up 1 +
  // timed 2 + check 1 group calls of one call per rank, and 3 waits (warm-up, timed, check).
  constexpr int kPoints = 2 * 7 * 2 * 9;
  EXPECT_EQ(group.rank_calls, kPoints * 4 * kRanks);
  EXPECT_EQ(group.synchronizations, kPoints * 3);
  // With 3 ranks the bus bandwidths are defined.
  EXPECT_TRUE(metrics->values.contains("allreduce_busbw_at_max_gbps"));
  for (int r = 0; r < kRanks; ++r) EXPECT_EQ(group.rank_memory(r).live(), 0U) << "rank " << r;
}

TEST(GroupCollectivesWorkloadTest, EachIterationIsOneGroupCallAndEachStepWaitsOnce) {
  FakeGroup group(2);
  auto host = MakeSelfCommunicator();
  WorkloadContext context = GroupSweep(host.get(), &group);
  context.params["ops"] = std::vector<std::string>{"allreduce"};
  context.params["placements"] = std::vector<std::string>{"out_of_place"};
  context.params["dtypes"] = std::vector<std::string>{"float32"};
  context.params["max_bytes"] = std::int64_t{4};
  context.params["iters"] = std::int64_t{3};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  EXPECT_TRUE(group.violations.empty()) << group.violations.front();
  // Warm-up: one group call, wait. Timed: three group calls, one wait. Check: one, wait.
  EXPECT_EQ(group.log,
            "S01EW"
            "S01ES01ES01EW"
            "S01EW");
}

TEST(GroupCollectivesWorkloadTest, WrongElementsAreSummedOverTheDevices) {
  FakeGroup group(3);
  group.idle_rank = 2;  // rank 2's results are never written: its sentinels stay
  auto host = MakeSelfCommunicator();
  WorkloadContext context = GroupSweep(host.get(), &group);
  context.params["ops"] = std::vector<std::string>{"allreduce"};
  context.params["placements"] = std::vector<std::string>{"out_of_place"};
  context.params["dtypes"] = std::vector<std::string>{"float32"};
  context.params["max_bytes"] = std::int64_t{16};
  auto workload = MakeCollectivesWorkload();
  ASSERT_TRUE(workload->Prepare(context).ok());
  const auto metrics = RunWithStepTimes(*workload, 1e-3);
  ASSERT_TRUE(metrics.has_value()) << metrics.error().ToString();
  // 1, 2 and 4 elements (4, 8 and 16 B), all wrong on rank 2 alone.
  EXPECT_EQ(std::get<double>(metrics->values.at("wrong_elements")), 1.0 + 2.0 + 4.0);
}

TEST(GroupCollectivesWorkloadTest, TheReasonTheGroupCouldNotBeMadeIsNotMeasured) {
  auto host = MakeSelfCommunicator();
  WorkloadContext context = GroupSweep(host.get(), nullptr);
  context.device_status = UnavailableError("no CUDA device to run on: cudaGetDeviceCount: ...");
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(context);
  EXPECT_EQ(prepared.code(), StatusCode::kUnavailable);
  EXPECT_NE(prepared.message().find("no CUDA device"), std::string::npos) << prepared.message();
}

TEST(GroupCollectivesWorkloadTest, AGroupUnderSeveralProcessesIsRefused) {
  // A host communicator of two ranks: the single-process group cannot span them.
  IdleCommunicator two("two", 0, 2);
  FakeGroup group(2);
  auto workload = MakeCollectivesWorkload();
  const Status prepared = workload->Prepare(GroupSweep(&two, &group));
  EXPECT_EQ(prepared.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(prepared.message().find("one process"), std::string::npos) << prepared.message();
}

}  // namespace
}  // namespace lepton::bench

#include "bench/workloads/collectives/collectives_workload.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "bench/api/device_communicator_check.h"
#include "bench/api/device_memory.h"
#include "bench/workloads/collectives/collective_ops.h"

namespace lepton::bench {
namespace {

// Decimal, as nccl-tests reports GB/s.
constexpr double kBytesPerGigabyte = 1e9;

// One (type, operation, placement, size) point of the sweep; two runner steps: warm-up, timed.
struct SweepPoint {
  DataType type;
  CollectiveKind kind;
  bool in_place;
  std::size_t block;  // elements per rank block
};

std::string PlacementName(bool in_place) { return in_place ? "in_place" : "out_of_place"; }

// float32 keeps the names it always had; another type's names carry it ("_bf16", " bf16"), so
// no series or metric of one type collides with another's.
std::string TypeTag(DataType type, char separator) {
  if (type == DataType::kFloat32) return "";
  return separator + std::string(DataTypeName(type));
}

class CollectivesWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    // The runner always supplies one (the self communicator when started alone).
    if (context.communicator == nullptr) return InternalError("no communicator in the context");
    host_ = context.communicator;
    communicator_ = host_;
    device_memory_ = nullptr;
    group_ = nullptr;
    if (context.device == "cuda") LEPTON_RETURN_IF_ERROR(UseDevice(context));
    LEPTON_ASSIGN_OR_RETURN(auto ops, GetParam<std::vector<std::string>>(context.params, "ops"));
    LEPTON_ASSIGN_OR_RETURN(auto placements,
                            GetParam<std::vector<std::string>>(context.params, "placements"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t min_bytes,
                            GetParam<std::int64_t>(context.params, "min_bytes"));
    LEPTON_ASSIGN_OR_RETURN(std::int64_t max_bytes,
                            GetParam<std::int64_t>(context.params, "max_bytes"));
    // Alone, a collective has no peer and is a local copy: its times say nothing of a network,
    // so a one-rank run checks the results over the sizes up to one_rank_max_bytes only.
    if (Ranks() == 1 && context.params.contains("one_rank_max_bytes")) {
      LEPTON_ASSIGN_OR_RETURN(const std::int64_t one_rank_max_bytes,
                              GetParam<std::int64_t>(context.params, "one_rank_max_bytes"));
      max_bytes = std::min(max_bytes, one_rank_max_bytes);
    }
    largest_message_bytes_ = max_bytes;
    LEPTON_ASSIGN_OR_RETURN(warmup_iters_, GetParam<std::int64_t>(context.params, "warmup_iters"));
    LEPTON_ASSIGN_OR_RETURN(iters_, GetParam<std::int64_t>(context.params, "iters"));
    // Optional: float32 alone when absent, the meaning every spec had before bf16.
    std::vector<std::string> type_names = {"float32"};
    if (context.params.contains("dtypes")) {
      LEPTON_ASSIGN_OR_RETURN(type_names,
                              GetParam<std::vector<std::string>>(context.params, "dtypes"));
    }
    types_.clear();
    for (const std::string& name : type_names) {
      const std::optional<DataType> type = CollectiveTypeFromName(name);
      if (!type) return InvalidArgumentError("unknown collective data type '" + name + "'");
      types_.push_back(*type);
    }

    const int ranks = Ranks();
    points_.clear();
    for (const DataType type : types_) {
      for (const std::string& op : ops) {
        const std::optional<CollectiveKind> kind = CollectiveFromName(op);
        if (!kind) return InvalidArgumentError("unknown collective '" + op + "'");
        for (const std::string& placement : placements) {
          for (std::int64_t bytes = min_bytes; bytes <= max_bytes; bytes *= 2) {
            // nccl-tests' size is the whole message; gathers and scatters split it into one
            // block per rank, rounded down (at least one element, so small sizes still run).
            const bool split = MovesRankBlocks(*kind);
            const auto elements = static_cast<std::size_t>(bytes) / DataTypeSize(type);
            const std::size_t block = std::max<std::size_t>(
                1, split ? elements / static_cast<std::size_t>(ranks) : elements);
            points_.push_back(SweepPoint{type, *kind, placement == "in_place", block});
          }
        }
      }
    }
    return OkStatus();
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    std::vector<std::string> names;
    for (const SweepPoint& point : points_) {
      const std::string name = std::string(CollectiveName(point.kind)) + " " +
                               std::to_string(Bytes(point)) + " B " +
                               PlacementName(point.in_place) + TypeTag(point.type, ' ');
      names.push_back(name + " warm-up");
      names.push_back(name);
    }
    return names;
  }

  Status BeginRun(int /*run_index*/) override {
    wrong_elements_ = 0;
    return OkStatus();
  }

  Status RunStep(std::size_t step) override {
    const SweepPoint& point = points_[step / 2];
    if (step % 2 == 0) {
      // The warm-up step's time is not used: buffers are allocated here, and the barrier plus
      // the warm-up calls bring the ranks into step before the timed iterations. A group has
      // one case per rank (every local GPU), each on its own device's memory.
      cases_.clear();
      if (group_ != nullptr) {
        for (int r = 0; r < group_->size(); ++r) {
          cases_.push_back(std::make_unique<CollectiveCase>(point.kind, point.block, point.in_place,
                                                            r, group_->size(), point.type));
          LEPTON_RETURN_IF_ERROR(cases_.back()->AttachDevice(group_->memory(r)));
        }
      } else {
        cases_.push_back(std::make_unique<CollectiveCase>(point.kind, point.block, point.in_place,
                                                          communicator_->rank(),
                                                          communicator_->size(), point.type));
        if (device_memory_ != nullptr) {
          LEPTON_RETURN_IF_ERROR(cases_.back()->AttachDevice(*device_memory_));
        }
      }
      for (const auto& one : cases_) {
        one->Fill();
        LEPTON_RETURN_IF_ERROR(one->Upload());
      }
      LEPTON_RETURN_IF_ERROR(host_->Barrier());
      return Iterate(warmup_iters_);
    }
    return Iterate(iters_);
  }

  Status AfterStep(std::size_t step) override {
    if (step % 2 == 0) return OkStatus();
    // Timed iterations in place leave sums of sums; the check runs on fresh inputs. A group is
    // always asynchronous: its check call is waited for before the results come back.
    for (const auto& one : cases_) {
      one->Fill();
      LEPTON_RETURN_IF_ERROR(one->Upload());
    }
    LEPTON_RETURN_IF_ERROR(RunOnce());
    if (group_ != nullptr) LEPTON_RETURN_IF_ERROR(group_->Synchronize());
    for (const auto& one : cases_) {
      LEPTON_RETURN_IF_ERROR(one->Download());
      wrong_elements_ += one->CountWrong();
    }
    cases_.clear();
    return OkStatus();
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    const int ranks = Ranks();
    std::vector<double> seconds_per_call;
    for (std::size_t step = 1; step < step_seconds.size(); step += 2) {
      seconds_per_call.push_back(step_seconds[step] / static_cast<double>(iters_));
    }
    // The slowest rank bounds the collective (nccl-tests reports the maximum over ranks). The
    // figures are host numbers: combined over the host communicator, whichever one measured.
    LEPTON_RETURN_IF_ERROR(host_->AllReduce(seconds_per_call.data(), seconds_per_call.data(),
                                            seconds_per_call.size(), DataType::kFloat64,
                                            ReduceOp::kMax));
    std::int64_t wrong = wrong_elements_;
    LEPTON_RETURN_IF_ERROR(host_->AllReduce(&wrong, &wrong, 1, DataType::kInt64, ReduceOp::kSum));

    Metrics metrics;
    metrics.values["ranks"] = static_cast<double>(ranks);
    metrics.values["largest_message_bytes"] = static_cast<double>(largest_message_bytes_);
    metrics.values["communicator"] =
        std::string(group_ != nullptr ? group_->name() : communicator_->name());
    metrics.values["buffers"] = BuffersDescription();
    metrics.values["wrong_elements"] = static_cast<double>(wrong);
    for (std::size_t i = 0; i < points_.size(); ++i) {
      const SweepPoint& point = points_[i];
      const std::string series = std::string(CollectiveName(point.kind)) + "_" +
                                 PlacementName(point.in_place) + TypeTag(point.type, '_');
      const auto bytes = static_cast<double>(Bytes(point));
      const double algbw = bytes / seconds_per_call[i] / kBytesPerGigabyte;
      metrics.series[series + "_bytes"].push_back(bytes);
      metrics.series[series + "_time_us"].push_back(seconds_per_call[i] * 1e6);
      metrics.series[series + "_algbw_gbps"].push_back(algbw);
      metrics.series[series + "_busbw_gbps"].push_back(algbw *
                                                       BusBandwidthFactor(point.kind, ranks));
    }
    for (const DataType type : types_) SummariseOps(metrics, seconds_per_call, type);
    return metrics;
  }

  [[nodiscard]] bool UsesAllRanks() const override { return true; }

 private:
  // On devices: cuda the measured calls go through the device communicator (NCCL) on device
  // buffers, or through the single-process group over the local GPUs; without either, the
  // reason it could not be made (or that the profile asks for none).
  Status UseDevice(const WorkloadContext& context) {
    if (!context.device_status.ok()) return context.device_status;
    if (context.device_group != nullptr) {
      // One process drives every local GPU; the host communicator only times and combines.
      LEPTON_RETURN_IF_ERROR(CheckGroupDrivesEveryRank(*context.device_group, host_));
      group_ = context.device_group;
      return OkStatus();
    }
    LEPTON_RETURN_IF_ERROR(
        CheckDeviceCommunicator(context, *host_, "the collectives on devices: cuda run"));
    communicator_ = context.device_communicator;
    device_memory_ = context.device_memory;
    return OkStatus();
  }

  // The ranks the collectives run over: the group's (one per local GPU), else the measured
  // communicator's.
  [[nodiscard]] int Ranks() const {
    return group_ != nullptr ? group_->size() : communicator_->size();
  }

  // "host", the device ("cuda:0 NVIDIA H200"), or every device of a group, in rank order.
  [[nodiscard]] std::string BuffersDescription() const {
    if (group_ != nullptr) {
      std::string text;
      for (int r = 0; r < group_->size(); ++r) {
        text += (r == 0 ? "" : ", ") + group_->memory(r).description();
      }
      return text;
    }
    return device_memory_ != nullptr ? device_memory_->description() : std::string("host");
  }

  [[nodiscard]] std::size_t Bytes(const SweepPoint& point) const {
    return MessageBytes(point.kind, point.block, Ranks(), point.type);
  }

  // One call of the current point on every rank: the communicator's, or a group call (every
  // rank's call between GroupStart and GroupEnd; GroupEnd also after a failed call, so the
  // group aborts every rank instead of leaving it open). Does not wait.
  Status RunOnce() {
    if (group_ == nullptr) return cases_.front()->Run(*communicator_);
    LEPTON_RETURN_IF_ERROR(group_->GroupStart());
    Status status = OkStatus();
    for (int r = 0; r < group_->size() && status.ok(); ++r) {
      status = cases_[static_cast<std::size_t>(r)]->Run(group_->communicator(r));
    }
    const Status ended = group_->GroupEnd();
    return status.ok() ? ended : status;
  }

  // One step's calls timed as nccl-tests times them: all enqueued, then one wait (NCCL in
  // asynchronous mode; MPI and self are blocking and their Synchronize returns at once). The
  // runner's clock covers the enqueueing and the wait, so the time per call is the loop's time
  // over `count`, without one stream synchronization per call.
  // A group is always asynchronous: `count` group calls, then one Synchronize over every rank.
  Status Iterate(std::int64_t count) {
    if (group_ != nullptr) {
      Status status = OkStatus();
      for (std::int64_t i = 0; i < count && status.ok(); ++i) status = RunOnce();
      return status.ok() ? group_->Synchronize() : status;
    }
    communicator_->SetAsynchronous(true);
    Status status = OkStatus();
    for (std::int64_t i = 0; i < count && status.ok(); ++i) status = RunOnce();
    if (status.ok()) status = communicator_->Synchronize();
    // The check in AfterStep (and any later workload) runs blocking.
    communicator_->SetAsynchronous(false);
    return status;
  }

  // Of the points of `type`: peak bus bandwidth of every operation run, and AllReduce at the
  // largest and smallest size. Names carry the type's tag after the operation
  // (allreduce_bf16_busbw_peak_gbps); float32's have none.
  void SummariseOps(Metrics& metrics, const std::vector<double>& seconds_per_call,
                    DataType type) const {
    const int ranks = Ranks();
    const std::string tag = TypeTag(type, '_');
    std::size_t largest = 0;
    std::size_t smallest = SIZE_MAX;
    for (const SweepPoint& point : points_) {
      if (point.type != type) continue;
      largest = std::max(largest, Bytes(point));
      smallest = std::min(smallest, Bytes(point));
    }
    std::optional<double> allreduce_at_max;
    std::optional<double> allreduce_small_latency;
    for (std::size_t i = 0; i < points_.size(); ++i) {
      const SweepPoint& point = points_[i];
      if (point.type != type) continue;
      const std::string name(CollectiveName(point.kind));
      const double busbw = static_cast<double>(Bytes(point)) / seconds_per_call[i] /
                           kBytesPerGigabyte * BusBandwidthFactor(point.kind, ranks);
      const std::string peak = name + tag + "_busbw_peak_gbps";
      if (BusBandwidthFactor(point.kind, ranks) == 0.0) {
        metrics.not_measured[peak] = "bus bandwidth of " + name + " is defined for 2 or more ranks";
      } else {
        auto [it, inserted] = metrics.values.try_emplace(peak, busbw);
        if (!inserted) it->second = std::max(std::get<double>(it->second), busbw);
      }
      if (point.kind != CollectiveKind::kAllReduce) continue;
      // Of the two placements, the better one: the spec asks what the system can do.
      if (Bytes(point) == largest && ranks >= 2) {
        allreduce_at_max = std::max(allreduce_at_max.value_or(0.0), busbw);
      }
      if (Bytes(point) == smallest) {
        const double latency_us = seconds_per_call[i] * 1e6;
        allreduce_small_latency =
            std::min(allreduce_small_latency.value_or(latency_us), latency_us);
      }
    }
    const std::string at_max = "allreduce" + tag + "_busbw_at_max_gbps";
    if (allreduce_at_max) {
      metrics.values[at_max] = *allreduce_at_max;
    } else {
      metrics.not_measured[at_max] =
          ranks < 2 ? "bus bandwidth of allreduce is defined for 2 or more ranks"
                    : "allreduce is not among the operations run";
    }
    const std::string latency = "allreduce" + tag + "_small_latency_us";
    if (allreduce_small_latency) {
      metrics.values[latency] = *allreduce_small_latency;
    } else {
      metrics.not_measured[latency] = "allreduce is not among the operations run";
    }
  }

  Communicator* host_ = nullptr;          // the run's ranks: barriers, combining the figures
  Communicator* communicator_ = nullptr;  // the one measured: host_, or NCCL on devices: cuda
  DeviceMemory* device_memory_ = nullptr;
  CommunicatorGroup* group_ = nullptr;  // instead of communicator_: comm: nccl-local
  std::vector<DataType> types_;
  std::vector<SweepPoint> points_;
  std::int64_t largest_message_bytes_ = 0;  // max_bytes, or one_rank_max_bytes alone
  std::int64_t warmup_iters_ = 0;
  std::int64_t iters_ = 1;
  // The current point's case: one, or one per rank of a group.
  std::vector<std::unique_ptr<CollectiveCase>> cases_;
  std::int64_t wrong_elements_ = 0;
};

}  // namespace

std::unique_ptr<Workload> MakeCollectivesWorkload() {
  return std::make_unique<CollectivesWorkload>();
}

}  // namespace lepton::bench

#include "bench/workloads/mnist_mlp/data_parallel_ranks.h"

#include <utility>

#include "bench/models/mlp_parameters.h"

namespace lepton::bench {
namespace {

std::size_t GradientCount(const MlpModel& model) { return MlpLayout(model.shape()).count; }

class AloneRank final : public DataParallelRanks {
 public:
  explicit AloneRank(MlpModel& model) : DataParallelRanks({&model}, 0, 1) {}
  Status SumGradients() override { return OkStatus(); }
};

class ProcessRank final : public DataParallelRanks {
 public:
  ProcessRank(MlpModel& model, Communicator& communicator)
      : DataParallelRanks({&model}, communicator.rank(), communicator.size()),
        communicator_(communicator) {}
  Status SumGradients() override {
    MlpModel& model = *models().front();
    float* gradients = model.gradients();
    return communicator_.AllReduce(gradients, gradients, GradientCount(model), DataType::kFloat32,
                                   ReduceOp::kSum);
  }

 private:
  Communicator& communicator_;
};

class GroupRanks final : public DataParallelRanks {
 public:
  GroupRanks(std::vector<MlpModel*> models, CommunicatorGroup& group)
      : DataParallelRanks(std::move(models), 0, group.size()), group_(group) {}
  // Every call between GroupStart and GroupEnd: one thread cannot wait in one rank's all-reduce
  // while the others have not been called. A failed call still closes the group.
  Status SumGradients() override {
    LEPTON_RETURN_IF_ERROR(group_.GroupStart());
    Status status = OkStatus();
    for (int r = 0; r < size() && status.ok(); ++r) {
      MlpModel& model = *models()[static_cast<std::size_t>(r)];
      float* gradients = model.gradients();
      status = group_.communicator(r).AllReduce(gradients, gradients, GradientCount(model),
                                                DataType::kFloat32, ReduceOp::kSum);
    }
    const Status ended = group_.GroupEnd();
    LEPTON_RETURN_IF_ERROR(status);
    LEPTON_RETURN_IF_ERROR(ended);
    return group_.Synchronize();
  }

 private:
  CommunicatorGroup& group_;
};

}  // namespace

std::unique_ptr<DataParallelRanks> MakeAloneRank(MlpModel& model) {
  return std::make_unique<AloneRank>(model);
}

std::unique_ptr<DataParallelRanks> MakeProcessRank(MlpModel& model, Communicator& communicator) {
  return std::make_unique<ProcessRank>(model, communicator);
}

std::unique_ptr<DataParallelRanks> MakeGroupRanks(std::vector<MlpModel*> models,
                                                  CommunicatorGroup& group) {
  return std::make_unique<GroupRanks>(std::move(models), group);
}

}  // namespace lepton::bench

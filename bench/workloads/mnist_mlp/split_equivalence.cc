#include "bench/workloads/mnist_mlp/split_equivalence.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include "bench/models/mlp_parameters.h"
#include "bench/workloads/mnist_mlp/mlp_data.h"

namespace lepton::bench {

double RelativeL2Difference(std::span<const float> a, std::span<const float> b) {
  double difference = 0;
  double norm = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double d = static_cast<double>(a[i]) - b[i];
    difference += d * d;
    norm += static_cast<double>(b[i]) * b[i];
  }
  return norm > 0 ? std::sqrt(difference / norm) : std::sqrt(difference);
}

double MaxRelativeDifference(std::span<const float> a, std::span<const float> b) {
  double difference = 0;
  double scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    difference = std::max(difference, std::abs(static_cast<double>(a[i]) - b[i]));
    scale = std::max(scale, std::abs(static_cast<double>(b[i])));
  }
  return scale > 0 ? difference / scale : difference;
}

Result<ReferenceTrace> TraceReference(DataParallelRanks& alone, SplitTraining training,
                                      std::vector<std::int32_t>& order,
                                      const GradientReader& read_gradients, int steps) {
  training.step_limit = steps;
  MlpModel& model = *alone.models().front();
  ReferenceTrace trace;
  LEPTON_ASSIGN_OR_RETURN(std::vector<float> initial, model.Parameters());
  trace.weights.push_back(std::move(initial));
  SplitStepHooks hooks;
  hooks.after_sum = [&](int step) -> Status {
    if (step == 1) {
      LEPTON_ASSIGN_OR_RETURN(trace.first_gradient, read_gradients(model));
    }
    return OkStatus();
  };
  hooks.after_step = [&](int /*step*/) -> Status {
    LEPTON_ASSIGN_OR_RETURN(std::vector<float> after, model.Parameters());
    trace.weights.push_back(std::move(after));
    return OkStatus();
  };
  LEPTON_RETURN_IF_ERROR(TrainSplit(alone, training, order, hooks));
  return trace;
}

ReluDisagreement CompareReluPattern(const MlpShape& shape, std::span<const float> x, int rows,
                                    std::span<const float> a, std::span<const float> b) {
  const MlpLayout layout(shape);
  const auto inputs = static_cast<std::size_t>(shape.inputs);
  const auto hidden = static_cast<std::size_t>(shape.hidden);
  ReluDisagreement result;
  result.min_relative_margin = std::numeric_limits<double>::infinity();
  // Per hidden unit under each set: the pre-activation and the sum of its terms' magnitudes.
  std::vector<double> za(hidden);
  std::vector<double> zb(hidden);
  std::vector<double> ma(hidden);
  std::vector<double> mb(hidden);
  for (std::size_t row = 0; row < static_cast<std::size_t>(rows); ++row) {
    for (std::size_t h = 0; h < hidden; ++h) {
      za[h] = a[layout.b1 + h];
      zb[h] = b[layout.b1 + h];
      ma[h] = std::abs(za[h]);
      mb[h] = std::abs(zb[h]);
    }
    for (std::size_t k = 0; k < inputs; ++k) {
      const double pixel = x[row * inputs + k];
      if (pixel == 0) continue;
      const float* wa = a.data() + k * hidden;
      const float* wb = b.data() + k * hidden;
      for (std::size_t h = 0; h < hidden; ++h) {
        za[h] += pixel * wa[h];
        zb[h] += pixel * wb[h];
        ma[h] += std::abs(pixel * wa[h]);
        mb[h] += std::abs(pixel * wb[h]);
      }
    }
    for (std::size_t h = 0; h < hidden; ++h) {
      if ((za[h] > 0) != (zb[h] > 0)) ++result.count;
      if (ma[h] > 0)
        result.min_relative_margin = std::min(result.min_relative_margin, std::abs(za[h]) / ma[h]);
      if (mb[h] > 0)
        result.min_relative_margin = std::min(result.min_relative_margin, std::abs(zb[h]) / mb[h]);
    }
  }
  return result;
}

bool PartingStep::Observe(int step, double difference) {
  constexpr double kRoundoff = 0x1p-24;
  const double growth = difference / std::max(previous_, kRoundoff);
  previous_ = difference;
  const bool exceeds = difference > kWeightsAgreement;
  const bool parting = step >= 2 ? growth > growth_ : exceeds;
  if (parting) {
    step_ = step;
    growth_ = growth;
  }
  parted_ = exceeds;
  return parting;
}

Result<EquivalenceTrace> TraceAgainstReference(DataParallelRanks& parallel, SplitTraining training,
                                               std::vector<std::int32_t>& order,
                                               const GradientReader& read_gradients, int steps,
                                               const ReferenceTrace* reference,
                                               const TraceTrainingSet& training_set) {
  training.step_limit = steps;
  MlpModel& model = *parallel.models().front();
  EquivalenceTrace trace;
  std::vector<float> before;  // the model's weights before the step being taken
  if (reference != nullptr) {
    LEPTON_ASSIGN_OR_RETURN(before, model.Parameters());
  }
  const auto count = static_cast<std::int64_t>(order.size());
  const std::int64_t batch = training.batch_size;
  const std::int64_t steps_per_epoch = (count + batch - 1) / batch;
  // The parting step so far: its weights before it and its batch's items.
  PartingStep parting;
  std::vector<float> parting_before;
  std::vector<std::int32_t> parting_items;
  SplitStepHooks hooks;
  hooks.after_sum = [&](int step) -> Status {
    if (reference == nullptr || step != 1) return OkStatus();
    LEPTON_ASSIGN_OR_RETURN(const std::vector<float> gradient, read_gradients(model));
    if (gradient.size() != reference->first_gradient.size()) {
      return InternalError("the data-parallel and single-rank gradients differ in size");
    }
    trace.first_gradient_rel_l2 = RelativeL2Difference(gradient, reference->first_gradient);
    return OkStatus();
  };
  hooks.after_step = [&](int step) -> Status {
    if (reference == nullptr) return OkStatus();
    if (static_cast<std::size_t>(step) >= reference->weights.size()) {
      return InternalError("the data-parallel trace ran past the single-rank trace's " +
                           std::to_string(reference->weights.size() - 1) + " steps");
    }
    LEPTON_ASSIGN_OR_RETURN(std::vector<float> after, model.Parameters());
    const double difference =
        RelativeL2Difference(after, reference->weights[static_cast<std::size_t>(step)]);
    trace.weights_rel_l2.push_back(difference);
    if (!parting.parted() && parting.Observe(step, difference)) {
      parting_before = before;
      // `order` holds the step's epoch order while the hooks run.
      const std::int64_t first = (step - 1) % steps_per_epoch * batch;
      const std::int64_t rows = std::min(batch, count - first);
      parting_items.assign(order.begin() + first, order.begin() + first + rows);
    }
    if (parting.parted() && trace.divergence_step == 0) {
      trace.divergence_step = parting.step();
      const int inputs = model.shape().inputs;
      const auto rows = static_cast<int>(parting_items.size());
      std::vector<float> x(parting_items.size() * static_cast<std::size_t>(inputs));
      std::vector<std::uint8_t> labels(parting_items.size());
      GatherScaledRows(training_set.pixels, training_set.labels, inputs, parting_items.data(), rows,
                       x.data(), labels.data());
      trace.at_divergence = CompareReluPattern(
          model.shape(), x, rows, reference->weights[static_cast<std::size_t>(parting.step()) - 1],
          parting_before);
    }
    before = std::move(after);
    return OkStatus();
  };
  LEPTON_RETURN_IF_ERROR(TrainSplit(parallel, training, order, hooks));
  trace.steps = static_cast<int>(trace.weights_rel_l2.size());
  if (reference != nullptr) {  // `before` now holds the weights after the last step
    trace.last_weights_max_rel =
        MaxRelativeDifference(before, reference->weights[static_cast<std::size_t>(trace.steps)]);
  }
  return trace;
}

}  // namespace lepton::bench

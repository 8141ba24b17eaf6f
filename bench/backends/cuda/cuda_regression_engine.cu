#include <cmath>
#include <vector>

#include "bench/backends/cuda/cuda_regression_engine.h"
#include "bench/backends/cuda/cuda_support.cuh"

namespace lepton::bench::cuda {

struct RegressionEngine::Impl {
  StreamContext context;
  DeviceArray<double> rows;
  std::int64_t row_count = 0;
  int stride = 0;
  DeviceArray<double> gram;
  DeviceArray<double> weights;
  DeviceArray<double> residual;
  DeviceArray<std::int64_t> block_order;
  DeviceArray<SgdState> state;
  // Results come back through pinned memory only: a copy into pageable memory returns when it is
  // done, so it would wait for a hung kernel outside the bounded wait.
  PinnedArray<double> host_gram;
  PinnedArray<double> host_weights;
  PinnedArray<SgdState> host_state;
};

RegressionEngine::RegressionEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RegressionEngine::~RegressionEngine() {
  // As ~MlpEngine: on a hung GPU, cudaFree and cublasDestroy would wait forever; leak instead.
  if (impl_ != nullptr && impl_->context.hung()) (void)impl_.release();
}

DeviceStatus RegressionEngine::Create(DeviceWatch& watch,
                                      std::unique_ptr<RegressionEngine>& engine) {
  auto impl = std::make_unique<Impl>();
  LEPTON_DEVICE_TRY(impl->context.Open(watch));
  // The fp64 SYRK of the closed form and the SGD kernels are fp64 throughout.
  LEPTON_DEVICE_TRY(
      CheckBlas(cublasSetMathMode(impl->context.blas(), CUBLAS_DEFAULT_MATH), "cublasSetMathMode"));
  LEPTON_DEVICE_TRY(impl->state.Allocate(1, "the SGD state"));
  LEPTON_DEVICE_TRY(impl->host_state.Allocate(1, "the staged SGD state"));
  engine.reset(new RegressionEngine(std::move(impl)));
  return {};
}

std::string RegressionEngine::description() const {
  return impl_->context.description() + ", fp64";
}

DeviceStatus RegressionEngine::SetRows(const double* rows, std::int64_t row_count, int stride) {
  Impl& m = *impl_;
  LEPTON_DEVICE_TRY(m.context.Select("SetRows"));
  LEPTON_DEVICE_TRY(m.rows.Allocate(row_count * stride, "the training rows"));
  LEPTON_DEVICE_TRY(m.gram.Allocate(static_cast<std::int64_t>(stride) * stride, "the Gram matrix"));
  LEPTON_DEVICE_TRY(m.weights.Allocate(stride, "the SGD weights"));
  LEPTON_DEVICE_TRY(
      m.host_gram.Allocate(static_cast<std::int64_t>(stride) * stride, "the staged Gram matrix"));
  LEPTON_DEVICE_TRY(m.host_weights.Allocate(stride, "the staged SGD weights"));
  LEPTON_DEVICE_TRY(
      Check(cudaMemcpyAsync(m.rows.get(), rows,
                            static_cast<std::size_t>(row_count * stride) * sizeof(double),
                            cudaMemcpyHostToDevice, m.context.stream()),
            "cudaMemcpyAsync of the training rows"));
  m.row_count = row_count;
  m.stride = stride;
  return m.context.Synchronize("SetRows");
}

DeviceStatus RegressionEngine::AugmentedGram(std::vector<double>& gram) {
  Impl& m = *impl_;
  if (m.row_count == 0) return {"AugmentedGram: no rows were set"};
  LEPTON_DEVICE_TRY(m.context.Select("AugmentedGram"));
  StreamDevice device(m.context.stream(), m.context.blas());
  device.Syrk(
      AugmentedGramAsSyrk(m.rows.get(), static_cast<int>(m.row_count), m.stride, m.gram.get()));
  LEPTON_DEVICE_TRY(device.Errors("Gram matrix"));
  const auto count = static_cast<std::size_t>(m.stride) * m.stride;
  LEPTON_DEVICE_TRY(Check(cudaMemcpyAsync(m.host_gram.get(), m.gram.get(), count * sizeof(double),
                                          cudaMemcpyDeviceToHost, m.context.stream()),
                          "cudaMemcpyAsync of the Gram matrix"));
  LEPTON_DEVICE_TRY(m.context.Synchronize("AugmentedGram"));
  gram.assign(m.host_gram.get(), m.host_gram.get() + count);
  return {};
}

DeviceStatus RegressionEngine::Sgd(const SgdRun& run, SgdOutcome& outcome) {
  Impl& m = *impl_;
  const int features = m.stride - 2;
  if (m.row_count == 0) return {"Sgd: no rows were set"};
  if (run.batch < 1 || run.batch > m.row_count ||
      static_cast<std::int64_t>(run.block_orders.size()) != run.epochs) {
    return {"Sgd: batches of " + std::to_string(run.batch) + " rows over " +
            std::to_string(m.row_count) + " rows, " + std::to_string(run.block_orders.size()) +
            " block orders for " + std::to_string(run.epochs) + " epochs"};
  }
  LEPTON_DEVICE_TRY(m.context.Select("Sgd"));
  const std::int64_t batches = m.row_count / run.batch;
  if (m.residual.size() < run.batch) LEPTON_DEVICE_TRY(m.residual.Allocate(run.batch, "residuals"));
  if (m.block_order.size() < batches) {
    LEPTON_DEVICE_TRY(m.block_order.Allocate(batches, "the epoch's block order"));
  }
  const cudaStream_t stream = m.context.stream();
  LEPTON_DEVICE_TRY(Check(cudaMemsetAsync(m.weights.get(), 0, sizeof(double) * features, stream),
                          "cudaMemsetAsync of the SGD weights"));
  LEPTON_DEVICE_TRY(Check(cudaMemsetAsync(m.state.get(), 0, sizeof(SgdState), stream),
                          "cudaMemsetAsync of the SGD state"));
  const SgdBuffers buffers{m.rows.get(),
                           m.stride,
                           features,
                           static_cast<int>(run.batch),
                           m.block_order.get(),
                           run.learning_rate / static_cast<double>(run.batch),
                           run.fit_intercept,
                           m.weights.get(),
                           m.residual.get(),
                           m.state.get()};
  const auto scratch_bytes =
      static_cast<std::size_t>(SgdBlockBatch{buffers, kSgdBlockThreads}.scratch() * sizeof(double));
  if (scratch_bytes > kBlockScratchBytes) {
    return {"Sgd: " + std::to_string(features) + " features need " + std::to_string(scratch_bytes) +
            " bytes of a block's shared memory, more than the " +
            std::to_string(kBlockScratchBytes) + " a block gets"};
  }

  const SgdState& state = *m.host_state.get();
  outcome = SgdOutcome{};
  for (std::int64_t epoch = 0; epoch < run.epochs; ++epoch) {
    const std::vector<std::int64_t>& order = run.block_orders[static_cast<std::size_t>(epoch)];
    if (static_cast<std::int64_t>(order.size()) != batches) {
      return {"Sgd: a block order of " + std::to_string(order.size()) + " blocks for " +
              std::to_string(batches)};
    }
    LEPTON_DEVICE_TRY(
        Check(cudaMemcpyAsync(m.block_order.get(), order.data(),
                              order.size() * sizeof(std::int64_t), cudaMemcpyHostToDevice, stream),
              "cudaMemcpyAsync of the block order"));
    StreamDevice device(stream, m.context.blas());
    device.ForEach(1, SgdStartEpoch{m.state.get()});
    EnqueueSgdEpoch(device, buffers, batches);
    LEPTON_DEVICE_TRY(device.Errors("SGD epoch"));
    LEPTON_DEVICE_TRY(Check(cudaMemcpyAsync(m.host_state.get(), m.state.get(), sizeof(SgdState),
                                            cudaMemcpyDeviceToHost, stream),
                            "cudaMemcpyAsync of the SGD state"));
    LEPTON_DEVICE_TRY(
        Check(cudaMemcpyAsync(m.host_weights.get(), m.weights.get(), sizeof(double) * features,
                              cudaMemcpyDeviceToHost, stream),
              "cudaMemcpyAsync of the SGD weights"));
    LEPTON_DEVICE_TRY(m.context.Synchronize("SGD epoch"));
    outcome.weights.assign(m.host_weights.get(), m.host_weights.get() + features);
    if (!std::isfinite(state.intercept) || (features > 0 && !std::isfinite(outcome.weights[0]))) {
      outcome.diverged_in_epoch = epoch + 1;
      return {};
    }
  }
  outcome.intercept = state.intercept;
  outcome.last_epoch_sum_squares = state.epoch_sum_squares;
  return {};
}

}  // namespace lepton::bench::cuda

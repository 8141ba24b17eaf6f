#include "conformance/spec/workload_types.h"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "conformance/core/strings.h"
#include "conformance/spec/energy_metrics.h"
#include "conformance/spec/telemetry_metrics.h"

namespace lepton::spec {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

template <std::size_t A, std::size_t B>
constexpr std::array<MetricSchema, A + B> Concat(const std::array<MetricSchema, A>& first,
                                                 const std::array<MetricSchema, B>& second) {
  std::array<MetricSchema, A + B> out{};
  for (std::size_t i = 0; i < A; ++i) out[i] = first[i];
  for (std::size_t i = 0; i < B; ++i) out[A + i] = second[i];
  return out;
}

// Energy figures (conformance/spec/energy_metrics.h); the runner measures them around the timed
// steps, and the report shows the method beside them (runs[].energy).
constexpr std::array<MetricSchema, 7> kTrainingEnergyMetrics = {{
    {kEnergyJoules, "J",
     "energy over the run's timed epochs (evaluation excluded), idle power included"},
    {kEnergyAboveIdleJoules, "J", "energy_j less idle_watts x the timed seconds"},
    {kJoulesPerSample, "J/sample", "energy_j over training samples x epochs"},
    {kSamplesPerJoule, "samples/J", "training samples x epochs over energy_j"},
    {kAverageWatts, "W", "energy_j over the timed seconds"},
    {kPeakWatts, "W",
     "highest power over one resolution interval of the meter inside the timed epochs"},
    {kIdleWatts, "W", "mean power over the profile's idle window before the workload's runs"},
}};
constexpr std::array<MetricSchema, 7> kInferenceEnergyMetrics = {{
    {kEnergyJoules, "J", "energy over the run's timed requests, idle power included"},
    {kEnergyAboveIdleJoules, "J", "energy_j less idle_watts x the timed seconds"},
    {kJoulesPerSample, "J/sample", "energy_j over the images inferred (both batch sizes)"},
    {kSamplesPerJoule, "samples/J", "images inferred over energy_j"},
    {kAverageWatts, "W", "energy_j over the timed seconds"},
    {kPeakWatts, "W",
     "highest power over one resolution interval of the meter inside the timed requests"},
    {kIdleWatts, "W", "mean power over the profile's idle window before the workload's runs"},
}};

// GPU telemetry (conformance/spec/telemetry_metrics.h): the runner forms it on devices: cuda from
// NVML readings over the timed steps (runs[].telemetry); on CPUs no requirement should read it.
constexpr std::array<MetricSchema, 1> kTelemetryMetrics = {{
    {kGpuThrottled, "bool",
     "some NVML reading inside the timed steps had a thermal or power clocks event reason (sw "
     "power cap, hw slowdown, sw or hw thermal slowdown, hw power brake)"},
}};

// system_probe -----------------------------------------------------------------------------------
constexpr std::array<MetricSchema, 14> kSystemMetrics = {{
    {"cpu_cores", "count", "logical CPUs this process may run on (sched_getaffinity)"},
    {"memory_gib", "GiB", "physical memory (MemTotal of /proc/meminfo)"},
    {"lapack_version", "version", "LAPACK version reported by ILAVER"},
    {"blas_sgemm_available", "bool", "a 64x64 SGEMM through CBLAS returned the exact product"},
    {"gpu_count", "count", "CUDA devices visible through the driver API (0 when none)"},
    {"cuda_driver_version", "version", "CUDA driver API version (cuDriverGetVersion)"},
    {"cuda_runtime_version", "version", "CUDA runtime the loader finds (cudaRuntimeGetVersion)"},
    {"nccl_version", "version", "NCCL the loader finds (ncclGetVersion)"},
    {"gpu_min_compute_capability", "version",
     "lowest compute capability over the CUDA devices (a node is as capable as its weakest GPU)"},
    {"gpu_min_memory_gib", "GiB", "smallest device memory over the CUDA devices"},
    {"gpu_min_multiprocessors", "count", "fewest streaming multiprocessors over the CUDA devices"},
    {"gpu_persistence_mode", "bool",
     "every CUDA device has NVML persistence mode enabled (nvmlDeviceGetPersistenceMode)"},
    {"gpu_mig_enabled", "bool",
     "some CUDA device has MIG mode enabled (nvmlDeviceGetMigMode; a GPU without MIG counts as "
     "not enabled)"},
    {"gpu_min_power_limit_w", "W",
     "lowest enforced power limit over the CUDA devices (nvmlDeviceGetEnforcedPowerLimit)"},
}};

Status NoCheck(const WorkloadSpec& /*workload*/, const ParamMap& /*params*/) { return OkStatus(); }

// linear_regression
// --------------------------------------------------------------------------------
constexpr std::array<std::string_view, 2> kRegressionSources = {"synthetic", "csv"};
constexpr std::array<std::string_view, 1> kSgd = {"sgd"};
constexpr std::array<std::string_view, 1> kFp64 = {"fp64"};

constexpr std::array<ParamSchema, 15> kRegressionParams = {{
    {"dataset.source", ParamKind::kString, true, 0, 0, kRegressionSources,
     "synthetic: generated from the seed; csv: read from dataset.path"},
    {"dataset.rows", ParamKind::kInt, false, 16, 1e9, {}, "synthetic: rows generated"},
    {"dataset.features", ParamKind::kInt, false, 1, 4096, {}, "synthetic: features per row"},
    {"dataset.noise_sigma",
     ParamKind::kNumber,
     false,
     0,
     1e6,
     {},
     "synthetic: standard deviation of the Gaussian noise added to y"},
    {"dataset.holdout_fraction",
     ParamKind::kNumber,
     true,
     0.001,
     0.5,
     {},
     "share of rows (the last ones) held out for MSE and R^2"},
    {"dataset.path",
     ParamKind::kString,
     false,
     0,
     0,
     {},
     "csv: file relative to the spec directory; numeric columns, y last"},
    {"dataset.has_header", ParamKind::kBool, false, 0, 0, {}, "csv: first line names columns"},
    {"dataset.coefficients",
     ParamKind::kNumberList,
     false,
     -kInf,
     kInf,
     {},
     "csv: the true coefficients (features, then intercept) when known"},
    {"model.intercept", ParamKind::kBool, true, 0, 0, {}, "fit an intercept term"},
    {"optimizer.name", ParamKind::kString, true, 0, 0, kSgd, "the iterative solver"},
    {"optimizer.lr", ParamKind::kNumber, true, 1e-9, 10, {}, "SGD learning rate"},
    {"precision", ParamKind::kString, true, 0, 0, kFp64, "arithmetic of both solvers"},
    {"seed", ParamKind::kInt, true, 0, 9.0e15, {}, "seeds data generation and SGD batch order"},
    {"batch_size", ParamKind::kInt, true, 1, 1 << 20, {}, "SGD mini-batch rows"},
    {"epochs", ParamKind::kInt, true, 1, 1000, {}, "SGD passes over the training rows"},
}};

constexpr std::array<MetricSchema, 14> kRegressionOwnMetrics = {{
    {"rows", "count", "training rows"},
    {"dataset_sha256", "sha256", "SHA-256 of the training and holdout data as little-endian fp64"},
    {"solve_time_s", "s",
     "closed-form solve: Gram matrix (DSYRK, on the device) + Cholesky (DPOSV, on the host)"},
    {"rows_per_second", "rows/s", "training rows over closed-form solve time"},
    {"coef_max_abs_error", "scalar", "closed form: max |w - w_true| over coefficients"},
    {"holdout_mse", "scalar", "closed form: mean squared error on held-out rows"},
    {"holdout_r2", "ratio", "closed form: coefficient of determination on held-out rows"},
    {"sgd_time_s", "s", "mini-batch SGD, all epochs"},
    {"sgd_rows_per_second", "rows/s", "rows x epochs over SGD time"},
    {"sgd_coef_max_abs_error", "scalar", "SGD: max |w - w_true| over coefficients"},
    {"sgd_holdout_mse", "scalar", "SGD: mean squared error on held-out rows"},
    {"sgd_holdout_r2", "ratio", "SGD: coefficient of determination on held-out rows"},
    {"sgd_final_train_mse", "scalar", "SGD: training MSE over the last epoch's batches"},
    {"compute_device", "text",
     "what ran the arithmetic: OpenBLAS and its kernels, or the CUDA device and cuBLAS"},
}};
constexpr auto kRegressionMetrics = Concat(kRegressionOwnMetrics, kTelemetryMetrics);

Status CheckRegression(const WorkloadSpec& workload, const ParamMap& params) {
  const auto& source = std::get<std::string>(params.at("dataset.source").value);
  const auto need = [&](std::string_view key) -> Status {
    if (params.contains(std::string(key))) return OkStatus();
    return ErrorAt(workload.location, "workload '" + workload.name + "': dataset.source " + source +
                                          " needs " + std::string(key));
  };
  if (source == "synthetic") {
    for (std::string_view key : {"dataset.rows", "dataset.features", "dataset.noise_sigma"}) {
      LEPTON_RETURN_IF_ERROR(need(key));
    }
    for (std::string_view key : {"dataset.path", "dataset.coefficients", "dataset.has_header"}) {
      if (auto it = params.find(std::string(key)); it != params.end()) {
        return ErrorAt(it->second.location, std::string(key) + " applies to csv data only");
      }
    }
  } else {
    LEPTON_RETURN_IF_ERROR(need("dataset.path"));
  }
  return OkStatus();
}

// mnist_mlp_train --------------------------------------------------------------------------------
constexpr std::array<std::string_view, 3> kImageDatasets = {"mnist", "fashion-mnist",
                                                            "mnist-digits"};
constexpr std::array<std::string_view, 1> kRelu = {"relu"};
constexpr std::array<std::string_view, 1> kSoftmaxCrossEntropy = {"softmax_cross_entropy"};
constexpr std::array<std::string_view, 1> kPytorchUniform = {"pytorch_linear_uniform"};
constexpr std::array<std::string_view, 1> kAdam = {"adam"};
constexpr std::array<std::string_view, 1> kFp32 = {"fp32"};
// tf32 runs the GEMMs on CUDA tensor cores with 10-bit mantissa inputs; the CPU refuses it.
constexpr std::array<std::string_view, 2> kFp32OrTf32 = {"fp32", "tf32"};

constexpr std::array<ParamSchema, 17> kMnistParams = {{
    {"dataset.name", ParamKind::kString, true, 0, 0, kImageDatasets,
     "which IDX image dataset (conformance/checks/dataset_catalog.cc says where it is found)"},
    {"dataset.train_samples",
     ParamKind::kInt,
     false,
     1,
     1e8,
     {},
     "use the first N training images (default: all)"},
    {"dataset.test_samples",
     ParamKind::kInt,
     false,
     1,
     1e8,
     {},
     "evaluate on the first N test images (default: all)"},
    {"model.layers",
     ParamKind::kIntList,
     true,
     1,
     65536,
     {},
     "[inputs, hidden, classes]: one hidden layer"},
    {"model.activation", ParamKind::kString, true, 0, 0, kRelu, "hidden activation"},
    {"model.loss", ParamKind::kString, true, 0, 0, kSoftmaxCrossEntropy, "training loss"},
    {"model.init", ParamKind::kString, true, 0, 0, kPytorchUniform,
     "weights and biases uniform in +-1/sqrt(fan_in), as torch.nn.Linear"},
    {"optimizer.name", ParamKind::kString, true, 0, 0, kAdam, "optimizer"},
    {"optimizer.lr", ParamKind::kNumber, true, 1e-9, 10, {}, "Adam learning rate"},
    {"optimizer.beta1", ParamKind::kNumber, true, 0, 0.999999, {}, "Adam beta1"},
    {"optimizer.beta2", ParamKind::kNumber, true, 0, 0.999999999, {}, "Adam beta2"},
    {"optimizer.epsilon", ParamKind::kNumber, true, 1e-12, 1, {}, "Adam epsilon"},
    {"batch_size", ParamKind::kInt, true, 1, 65536, {}, "training mini-batch"},
    {"epochs", ParamKind::kInt, true, 1, 1000, {}, "passes over the training set"},
    {"seed", ParamKind::kInt, true, 0, 9.0e15, {}, "seeds initialisation and shuffling"},
    {"precision", ParamKind::kString, true, 0, 0, kFp32OrTf32,
     "arithmetic of training's GEMMs (tf32 only on CUDA)"},
    {"quality_target.accuracy",
     ParamKind::kNumber,
     true,
     0.01,
     1,
     {},
     "test accuracy that time_to_accuracy_s waits for"},
}};

constexpr std::array<MetricSchema, 20> kMnistOwnMetrics = {{
    {"time_to_accuracy_s", "s",
     "training time until the first epoch whose test accuracy reaches the target"},
    {"reached_target", "bool", "some epoch reached quality_target.accuracy"},
    {"epochs_to_target", "count", "the first epoch (1-based) that reached the target"},
    {"final_accuracy", "ratio", "test accuracy after the last epoch"},
    {"best_accuracy", "ratio", "best test accuracy over the epochs"},
    {"final_test_loss", "loss", "mean test cross-entropy after the last epoch"},
    {"final_train_loss", "loss", "mean training cross-entropy over the last epoch's batches"},
    {"train_time_s", "s", "all epochs, evaluation excluded"},
    {"train_samples_per_second", "samples/s", "training samples x epochs over train_time_s"},
    {"train_images_sha256", "sha256", "IDX content of the training images (uncompressed)"},
    {"train_labels_sha256", "sha256", "IDX content of the training labels"},
    {"test_images_sha256", "sha256", "IDX content of the test images"},
    {"test_labels_sha256", "sha256", "IDX content of the test labels"},
    {"compute_device", "text",
     "what ran the arithmetic: the CPU library, or the CUDA device, cuBLAS and GEMM precision"},
    {"train_count", "count", "training images in the dataset's files"},
    {"test_count", "count", "test images in the dataset's files"},
    {"onnx_checker_passed", "bool",
     "the trained model exported as ONNX (IR 8, opset 17) passes onnx::checker and strict shape "
     "inference"},
    {"onnx_max_abs_diff", "scalar",
     "max |difference| of the class probabilities (the model's output) between the native model "
     "and the exported ONNX model run by the reference executor, over the test set"},
    {"onnx_max_abs_logit_diff", "scalar",
     "the same for the logits, the exported model's intermediate output (float32 rounding of "
     "values around 10-30 makes a few 1e-6)"},
    {"onnx_prediction_agreement", "ratio",
     "share of test images whose predicted class is the same in both"},
}};
constexpr auto kMnistMetrics =
    Concat(Concat(kMnistOwnMetrics, kTrainingEnergyMetrics), kTelemetryMetrics);

Status CheckMnist(const WorkloadSpec& workload, const ParamMap& params) {
  const Param& layers = params.at("model.layers");
  if (std::get<std::vector<std::int64_t>>(layers.value).size() != 3) {
    return ErrorAt(layers.location, "workload '" + workload.name +
                                        "': model.layers must be [inputs, hidden, classes]");
  }
  return OkStatus();
}

// mnist_mlp_infer --------------------------------------------------------------------------------
constexpr std::array<ParamSchema, 10> kInferParams = {{
    {"dataset.name", ParamKind::kString, true, 0, 0, kImageDatasets,
     "whose test images feed the requests"},
    {"model.layers", ParamKind::kIntList, true, 1, 65536, {}, "[inputs, hidden, classes]"},
    {"model.activation", ParamKind::kString, true, 0, 0, kRelu, "hidden activation"},
    {"model.init", ParamKind::kString, true, 0, 0, kPytorchUniform, "seeded weights"},
    {"seed", ParamKind::kInt, true, 0, 9.0e15, {}, "seeds the weights"},
    {"precision", ParamKind::kString, true, 0, 0, kFp32OrTf32,
     "arithmetic of the GEMMs (tf32 only on CUDA)"},
    {"inference.small_batch", ParamKind::kInt, true, 1, 65536, {}, "images per small request"},
    {"inference.small_batch_requests",
     ParamKind::kInt,
     true,
     10,
     1e6,
     {},
     "timed small requests per run"},
    {"inference.large_batch", ParamKind::kInt, true, 1, 65536, {}, "images per large request"},
    {"inference.large_batch_requests",
     ParamKind::kInt,
     true,
     10,
     1e6,
     {},
     "timed large requests per run"},
}};

constexpr std::array<MetricSchema, 13> kInferOwnMetrics = {{
    {"compute_device", "text",
     "what ran the arithmetic: the CPU library, or the CUDA device, cuBLAS and GEMM precision"},
    {"small_batch_latency_p50_ms", "ms", "median request latency, small batch"},
    {"small_batch_latency_p90_ms", "ms", "90th percentile request latency, small batch"},
    {"small_batch_latency_p99_ms", "ms", "99th percentile request latency, small batch"},
    {"small_batch_images_per_second", "images/s", "images over the small requests' total time"},
    {"large_batch_latency_p50_ms", "ms", "median request latency, large batch"},
    {"large_batch_latency_p90_ms", "ms", "90th percentile request latency, large batch"},
    {"large_batch_latency_p99_ms", "ms", "99th percentile request latency, large batch"},
    {"large_batch_images_per_second", "images/s", "images over the large requests' total time"},
    {"resident_images_per_second", "images/s",
     "large batches whose images are already in the device's memory and whose logits stay "
     "there (as many requests as the large ones): the device without the transfers"},
    {"resident_gflops", "GFLOP/s",
     "resident_images_per_second x the two GEMMs' 2 (inputs x hidden + hidden x outputs) FLOPs"},
    {"device_fp32_peak_gflops", "GFLOP/s",
     "CUDA cores x boost clock x 2 (GPU only; the CPU's peak is cpu-gemm's)"},
    {"resident_fp32_peak_fraction", "ratio",
     "resident_gflops over device_fp32_peak_gflops: the share of the fp32 roofline reached"},
}};
constexpr auto kInferMetrics =
    Concat(Concat(kInferOwnMetrics, kInferenceEnergyMetrics), kTelemetryMetrics);

// cpu_gemm_probe ---------------------------------------------------------------------------------
constexpr std::array<ParamSchema, 1> kGemmProbeParams = {{
    {"size", ParamKind::kInt, true, 64, 8192, {}, "M = N = K of the fp32 GEMMs"},
}};
constexpr std::array<MetricSchema, 12> kGemmProbeMetrics = {{
    {"openblas_sgemm_gflops", "GFLOP/s", "cblas_sgemm (OpenBLAS), 2 n^3 over the runner's time"},
    {"onednn_sgemm_gflops", "GFLOP/s", "dnnl_sgemm (oneDNN), timed right after in the same run"},
    {"openblas_vs_onednn", "ratio",
     "OpenBLAS over oneDNN on the same machine in the same run; oneDNN dispatches on the ISA"},
    {"cpu_peak_sgemm_gflops", "GFLOP/s",
     "cores x frequency x fp32 FLOPs per cycle from the ISA flags (conformance/checks/cpu_peak.h)"},
    {"openblas_fraction_of_peak", "ratio", "OpenBLAS sgemm over the theoretical peak"},
    {"onednn_fraction_of_peak", "ratio", "oneDNN sgemm over the theoretical peak"},
    {"openblas_core", "text", "openblas_get_corename(): the kernel family OpenBLAS picked"},
    {"onednn_isa", "text", "dnnl_get_effective_cpu_isa(): the ISA oneDNN dispatches to"},
    {"cpu_vector_isa", "text", "the widest vector ISA in /proc/cpuinfo's flags"},
    {"openblas_advice", "text", "how to make OpenBLAS use the CPU's ISA, or 'none needed'"},
    {"openblas_kernels_match_cpu", "bool",
     "openblas_core's kernels use the CPU's widest vector ISA (cpu_vector_isa): false for a "
     "BLAS running older kernels, whatever the timings"},
    {"peak_basis", "text", "how the peak was computed"},
}};

// onnx_node_tests --------------------------------------------------------------------------------
constexpr std::array<std::string_view, 1> kNodeSuites = {"onnx-1.12.0-node"};
constexpr std::array<ParamSchema, 1> kNodeTestParams = {{
    {"suite", ParamKind::kString, true, 0, 0, kNodeSuites,
     "ONNX backend node tests (conformance/onnx/testdata/SUITE, or --data SUITE=DIR)"},
}};
constexpr std::array<MetricSchema, 4> kNodeTestMetrics = {{
    {"node_tests_total", "count", "tests in the suite"},
    {"node_tests_passed", "count", "outputs within rtol 1e-3, atol 1e-7 of the expected ones"},
    {"node_tests_failed", "count", "wrong outputs, or models and tensors that do not load"},
    {"node_tests_unsupported", "count", "tests using an operator or type the executor lacks"},
}};

// collectives -------------------------------------------------------------------------------------
constexpr std::array<std::string_view, 7> kCollectiveOps = {
    "allreduce", "allgather", "reducescatter", "broadcast", "reduce", "alltoall", "sendrecv"};
constexpr std::array<std::string_view, 2> kPlacements = {"out_of_place", "in_place"};
// Every backend runs both: NCCL's ncclBfloat16, MPI through a 2-byte type and its own
// operations, self by copying.
constexpr std::array<std::string_view, 2> kCollectiveTypes = {"float32", "bf16"};

constexpr std::array<ParamSchema, 8> kCollectiveParams = {{
    {"ops", ParamKind::kStringList, true, 0, 0, kCollectiveOps,
     "operations to sweep: allreduce, allgather, reducescatter, broadcast, reduce, alltoall, "
     "sendrecv"},
    {"placements", ParamKind::kStringList, true, 0, 0, kPlacements,
     "out_of_place, in_place (NCCL's in-place convention), or both"},
    {"min_bytes",
     ParamKind::kInt,
     true,
     4,
     4294967296.0,
     {},
     "smallest message (nccl-tests' size: the whole gathered buffer for allgather, "
     "reducescatter and alltoall); sizes double up to max_bytes"},
    {"max_bytes", ParamKind::kInt, true, 4, 4294967296.0, {}, "largest message"},
    {"one_rank_max_bytes",
     ParamKind::kInt,
     false,
     4,
     4294967296.0,
     {},
     "largest message when the run has one rank (default: max_bytes): alone, every collective "
     "is a local copy with no peer, so the sweep checks results and stops here"},
    {"dtypes", ParamKind::kStringList, false, 0, 0, kCollectiveTypes,
     "element types swept, each over every operation, placement and size: float32, bf16 "
     "(default: float32 alone); integer-valued inputs make every sum exact in each"},
    {"warmup_iters", ParamKind::kInt, true, 0, 1e6, {}, "untimed calls per size before timing"},
    {"iters", ParamKind::kInt, true, 1, 1e6, {}, "timed calls per size; the mean is reported"},
}};

constexpr std::array<MetricSchema, 23> kCollectiveOwnMetrics = {{
    {"ranks", "count",
     "ranks that ran the collectives (the communicator's size; comm: nccl-local: the GPUs)"},
    {"largest_message_bytes", "bytes",
     "the largest message swept: max_bytes, or one_rank_max_bytes when the run has one rank"},
    {"communicator", "text",
     "the backend: self (one rank), mpi, nccl, or nccl (single process, ncclCommInitAll)"},
    {"buffers", "text", "where the buffers were: host, or the device (e.g. cuda:0 NVIDIA H200)"},
    {"wrong_elements", "count",
     "result elements, summed over sizes, operations and ranks, that differ from the exactly "
     "computed values (zero tolerance)"},
    {"allreduce_busbw_peak_gbps", "GB/s",
     "largest AllReduce bus bandwidth over the sweep: bytes / time x 2(n-1)/n, decimal GB/s, time "
     "the slowest rank's mean per call"},
    {"allreduce_busbw_at_max_gbps", "GB/s", "AllReduce bus bandwidth at max_bytes"},
    {"allreduce_small_latency_us", "us", "AllReduce time per call at min_bytes"},
    {"allgather_busbw_peak_gbps", "GB/s", "largest AllGather bus bandwidth, factor (n-1)/n"},
    {"reducescatter_busbw_peak_gbps", "GB/s",
     "largest ReduceScatter bus bandwidth, factor (n-1)/n"},
    {"broadcast_busbw_peak_gbps", "GB/s", "largest Broadcast bus bandwidth, factor 1"},
    {"reduce_busbw_peak_gbps", "GB/s", "largest Reduce bus bandwidth, factor 1"},
    {"alltoall_busbw_peak_gbps", "GB/s", "largest AllToAll bus bandwidth, factor (n-1)/n"},
    {"sendrecv_busbw_peak_gbps", "GB/s", "largest SendRecv bus bandwidth, factor 1"},
    // The same in bf16, when dtypes has it (the float32 ones are the names above).
    {"allreduce_bf16_busbw_peak_gbps", "GB/s", "largest AllReduce bus bandwidth in bf16"},
    {"allreduce_bf16_busbw_at_max_gbps", "GB/s", "AllReduce bus bandwidth at max_bytes in bf16"},
    {"allreduce_bf16_small_latency_us", "us", "AllReduce time per call at min_bytes in bf16"},
    {"allgather_bf16_busbw_peak_gbps", "GB/s", "largest AllGather bus bandwidth in bf16"},
    {"reducescatter_bf16_busbw_peak_gbps", "GB/s", "largest ReduceScatter bus bandwidth in bf16"},
    {"broadcast_bf16_busbw_peak_gbps", "GB/s", "largest Broadcast bus bandwidth in bf16"},
    {"reduce_bf16_busbw_peak_gbps", "GB/s", "largest Reduce bus bandwidth in bf16"},
    {"alltoall_bf16_busbw_peak_gbps", "GB/s", "largest AllToAll bus bandwidth in bf16"},
    {"sendrecv_bf16_busbw_peak_gbps", "GB/s", "largest SendRecv bus bandwidth in bf16"},
}};
constexpr auto kCollectiveMetrics = Concat(kCollectiveOwnMetrics, kTelemetryMetrics);

Status CheckCollectives(const WorkloadSpec& workload, const ParamMap& params) {
  // The loader checks single strings against their choices; list elements are checked here.
  for (const auto& [path, choices] :
       {std::pair<std::string, std::span<const std::string_view>>{"ops", kCollectiveOps},
        std::pair<std::string, std::span<const std::string_view>>{"placements", kPlacements},
        std::pair<std::string, std::span<const std::string_view>>{"dtypes", kCollectiveTypes}}) {
    if (!params.contains(path)) continue;  // dtypes is optional
    const Param& param = params.at(path);
    const auto& list = std::get<std::vector<std::string>>(param.value);
    if (list.empty()) {
      return ErrorAt(param.location, "workload '" + workload.name + "': " + path + " is empty");
    }
    for (const std::string& item : list) {
      if (std::find(choices.begin(), choices.end(), item) == choices.end()) {
        std::string message = "workload '" + workload.name + "': " + path;
        message += ": '" + item + "' is not one of: " + JoinComma(choices);
        return ErrorAt(param.location, message);
      }
    }
  }
  const auto& min_bytes = params.at("min_bytes");
  for (const std::string_view largest : {"max_bytes", "one_rank_max_bytes"}) {
    const auto it = params.find(std::string(largest));
    if (it == params.end()) continue;
    if (std::get<std::int64_t>(min_bytes.value) > std::get<std::int64_t>(it->second.value)) {
      return ErrorAt(min_bytes.location,
                     "workload '" + workload.name + "': min_bytes exceeds " + std::string(largest));
    }
  }
  return OkStatus();
}

// linear_regression_data_parallel ----------------------------------------------------------------
constexpr std::array<ParamSchema, 7> kDataParallelParams = {{
    {"dataset.rows", ParamKind::kInt, true, 16, 1e9, {}, "rows generated (training + holdout)"},
    {"dataset.features", ParamKind::kInt, true, 1, 4096, {}, "features per row"},
    {"dataset.noise_sigma", ParamKind::kNumber, true, 0, 1e6, {}, "Gaussian noise on y"},
    {"dataset.holdout_fraction",
     ParamKind::kNumber,
     true,
     0.001,
     0.5,
     {},
     "share of rows (the last ones) not trained on, as in linear_regression"},
    {"model.intercept", ParamKind::kBool, true, 0, 0, {}, "fit an intercept term"},
    {"precision", ParamKind::kString, true, 0, 0, kFp64, "arithmetic, all-reduce included"},
    {"seed",
     ParamKind::kInt,
     true,
     0,
     9.0e15,
     {},
     "seeds the data; every rank generates the same rows and keeps its block"},
}};

constexpr std::array<MetricSchema, 7> kDataParallelOwnMetrics = {{
    {"ranks", "count", "ranks sharing the rows"},
    {"rows", "count", "training rows over all ranks"},
    {"rows_per_second", "rows/s",
     "rows over the slowest rank's data-parallel solve (block Gram, all-reduce, Cholesky)"},
    {"single_rank_rows_per_second", "rows/s", "rows over rank 0's solve of every row alone"},
    {"scaling_efficiency", "ratio", "single-rank time / (ranks x data-parallel time)"},
    {"coef_max_rel_diff_single_rank", "ratio",
     "max over coefficients of |data-parallel - single-rank| / |single-rank|"},
    {"coef_max_abs_error", "scalar", "data parallel: max |w - w_true| over coefficients"},
}};
constexpr auto kDataParallelMetrics = Concat(kDataParallelOwnMetrics, kTelemetryMetrics);

// mnist_mlp_data_parallel -------------------------------------------------------------------------
constexpr std::array<MetricSchema, 17> kDataParallelMlpOwnMetrics = {{
    {"ranks", "count", "ranks sharing every global batch (comm: nccl-local: the GPUs)"},
    {"global_batch", "count", "rows per step over all ranks (batch_size)"},
    {"equivalence_steps", "count",
     "steps after which the weights are compared: 100, or every step when there are fewer"},
    {"weights_rel_l2_diff_single_rank", "ratio",
     "||data-parallel - single-rank|| / ||single-rank|| over all weights and biases after "
     "equivalence_steps (Euclidean norms)"},
    {"weights_max_rel_diff_single_rank", "ratio",
     "max |data-parallel - single-rank| over all weights and biases after equivalence_steps, "
     "relative to the largest single-rank one"},
    {"gradient_rel_l2_diff_single_rank", "ratio",
     "||all-reduced gradient - single-rank gradient|| / ||single-rank gradient|| of the first "
     "step, both from the seeded weights (untimed trace; sees a wrong share or sum, which Adam "
     "hides from the weights)"},
    {"weights_divergence_step", "count",
     "untimed trace, when the weights come to differ from the single-rank ones by more than "
     "1e-5 relative L2: the step up to then whose difference grew the most in one step, where "
     "the runs parted; absent when they stay within 1e-5"},
    {"relu_disagreements_at_divergence", "count",
     "hidden units of that step's batch on (pre-activation > 0) under one run's weights before "
     "it and off under the other's"},
    {"relu_min_relative_margin_at_divergence", "ratio",
     "the smallest |pre-activation| / (|bias| + sum of |x w|) over that batch's hidden units "
     "under either run's weights: about 1e-7 or less (float32's rounding of the dot product) "
     "when rounding carried a unit across a ReLU's kink, not a fault of the split"},
    {"final_accuracy", "ratio", "data parallel: test accuracy after the last epoch"},
    {"single_rank_final_accuracy", "ratio", "rank 0 training alone: the same"},
    {"accuracy_diff_points", "points", "|final_accuracy - single_rank_final_accuracy| x 100"},
    {"train_samples_per_second", "samples/s",
     "training samples x epochs over the slowest rank's data-parallel training time"},
    {"single_rank_samples_per_second", "samples/s", "the same for rank 0 training alone"},
    {"scaling_efficiency", "ratio", "single-rank time / (ranks x data-parallel time)"},
    {"compute_device", "text",
     "what ran the arithmetic: oneDNN on the CPU, or the CUDA device and cuBLAS (comm: "
     "nccl-local: every GPU, in rank order)"},
    {"gradient_communicator", "text",
     "what all-reduced the gradients: self (one rank), mpi (host memory), nccl (GPU memory) or "
     "nccl (single process, ncclCommInitAll) (one group call per step over the GPUs)"},
}};
constexpr auto kDataParallelMlpMetrics = Concat(kDataParallelMlpOwnMetrics, kTelemetryMetrics);

constexpr std::array<WorkloadType, 9> kTypes = {{
    {"system_probe",
     "Reads the system's interfaces (CPU, memory, BLAS/LAPACK, CUDA driver).",
     {},
     kSystemMetrics,
     NoCheck},
    {"linear_regression",
     "Least squares on data with known coefficients: closed form (Cholesky on the Gram matrix) "
     "and mini-batch SGD.",
     kRegressionParams, kRegressionMetrics, CheckRegression},
    {"mnist_mlp_train",
     "The reference MLP on an IDX image dataset: Adam, evaluation on the test set after every "
     "epoch.",
     kMnistParams, kMnistMetrics, CheckMnist},
    {"onnx_node_tests",
     "ONNX backend node tests through the project's reference executor (float32 MLP and "
     "linear-model operators).",
     kNodeTestParams, kNodeTestMetrics, NoCheck},
    {"mnist_mlp_infer",
     "Inference requests of the reference MLP, each timed: latency percentiles and throughput "
     "for a small and a large batch.",
     kInferParams, kInferMetrics, CheckMnist},
    {"cpu_gemm_probe",
     "fp32 GEMM through OpenBLAS and oneDNN, against each other and the CPU's theoretical "
     "peak; names the kernels each picked.",
     kGemmProbeParams, kGemmProbeMetrics, NoCheck},
    {"collectives",
     "Collective operations swept over message sizes on every rank (MPI on CPUs, NCCL on GPUs): "
     "algorithm and bus bandwidth as nccl-tests defines them, every result checked exactly.",
     kCollectiveParams, kCollectiveMetrics, CheckCollectives},
    {"linear_regression_data_parallel",
     "Least squares with the training rows split over the ranks: block Gram matrices all-reduced "
     "in fp64 and solved on every rank, against rank 0 solving all rows alone.",
     kDataParallelParams, kDataParallelMetrics, NoCheck},
    {"mnist_mlp_data_parallel",
     "The reference MLP trained with every global batch split over the ranks and the gradients "
     "all-reduced each step, against rank 0 training alone with the same seed.",
     kMnistParams, kDataParallelMlpMetrics, CheckMnist},
}};

}  // namespace

std::string_view ParamKindName(ParamKind kind) {
  switch (kind) {
    case ParamKind::kBool:
      return "true or false";
    case ParamKind::kInt:
      return "a whole number";
    case ParamKind::kNumber:
      return "a number";
    case ParamKind::kString:
      return "a string";
    case ParamKind::kIntList:
      return "a list of whole numbers";
    case ParamKind::kNumberList:
      return "a list of numbers";
    case ParamKind::kStringList:
      return "a list of strings";
  }
  return "unknown";
}

std::span<const WorkloadType> WorkloadTypes() { return kTypes; }

const WorkloadType* FindWorkloadType(std::string_view name) {
  for (const WorkloadType& type : kTypes) {
    if (type.name == name) return &type;
  }
  return nullptr;
}

const ParamSchema* FindParam(const WorkloadType& type, std::string_view path) {
  for (const ParamSchema& param : type.params) {
    if (param.path == path) return &param;
  }
  return nullptr;
}

const MetricSchema* FindMetric(const WorkloadType& type, std::string_view name) {
  for (const MetricSchema& metric : type.metrics) {
    if (metric.name == name) return &metric;
  }
  return nullptr;
}

}  // namespace lepton::spec

#include "bench/workloads/linear_regression/linear_regression_workload.h"

#include <algorithm>
#include <cmath>

#include "bench/backends/model_factories.h"
#include "bench/models/regression_solvers.h"
#include "bench/workloads/linear_regression/fit_quality.h"
#include "bench/workloads/linear_regression/regression_sources.h"
#include "conformance/spec/spec_source.h"

namespace lepton::bench {
namespace {

constexpr std::size_t kClosedFormStep = 0;
constexpr std::size_t kSgdStep = 1;

class LinearRegressionWorkload final : public Workload {
 public:
  Status Prepare(const WorkloadContext& context) override {
    const auto& params = context.params;
    LEPTON_ASSIGN_OR_RETURN(intercept_, GetParam<bool>(params, "model.intercept"));
    LEPTON_ASSIGN_OR_RETURN(const std::int64_t seed, GetParam<std::int64_t>(params, "seed"));
    LEPTON_ASSIGN_OR_RETURN(sgd_.learning_rate, GetParam<double>(params, "optimizer.lr"));
    LEPTON_ASSIGN_OR_RETURN(sgd_.batch_size, GetParam<std::int64_t>(params, "batch_size"));
    LEPTON_ASSIGN_OR_RETURN(sgd_.epochs, GetParam<std::int64_t>(params, "epochs"));
    sgd_.seed = static_cast<std::uint64_t>(seed);
    sgd_.intercept = intercept_;
    LEPTON_ASSIGN_OR_RETURN(const double holdout,
                            GetParam<double>(params, "dataset.holdout_fraction"));
    LEPTON_ASSIGN_OR_RETURN(const std::string source,
                            GetParam<std::string>(params, "dataset.source"));
    if (source == "synthetic") {
      SyntheticSpec spec;
      LEPTON_ASSIGN_OR_RETURN(spec.rows, GetParam<std::int64_t>(params, "dataset.rows"));
      LEPTON_ASSIGN_OR_RETURN(const std::int64_t features,
                              GetParam<std::int64_t>(params, "dataset.features"));
      spec.features = static_cast<int>(features);
      LEPTON_ASSIGN_OR_RETURN(spec.noise_sigma, GetParam<double>(params, "dataset.noise_sigma"));
      spec.holdout_fraction = holdout;
      spec.seed = static_cast<std::uint64_t>(seed);
      LEPTON_ASSIGN_OR_RETURN(data_, GenerateSynthetic(spec));
    } else {
      CsvSpec spec;
      LEPTON_ASSIGN_OR_RETURN(const std::string path,
                              GetParam<std::string>(params, "dataset.path"));
      LEPTON_RETURN_IF_ERROR(spec::CheckRelativeSpecPath(path).WithContext("dataset.path"));
      spec.path = context.data_root / path;
      if (params.contains("dataset.has_header")) {
        LEPTON_ASSIGN_OR_RETURN(spec.has_header, GetParam<bool>(params, "dataset.has_header"));
      }
      if (params.contains("dataset.coefficients")) {
        LEPTON_ASSIGN_OR_RETURN(spec.true_coefficients,
                                GetParam<std::vector<double>>(params, "dataset.coefficients"));
      }
      spec.holdout_fraction = holdout;
      LEPTON_ASSIGN_OR_RETURN(data_, LoadCsv(spec));
    }
    // Hashing a gigabyte takes seconds; only when a requirement reads the digest.
    if (context.requested_metrics.contains("dataset_sha256")) digest_ = DataDigest(data_);
    LEPTON_ASSIGN_OR_RETURN(solvers_, MakeRegressionSolvers(context.device));
    return solvers_->SetData(data_);
  }

  [[nodiscard]] std::vector<std::string> StepNames() const override {
    return {"closed_form", "sgd"};
  }

  Status BeginRun(int /*run_index*/) override {
    closed_form_.clear();
    sgd_result_ = SgdResult{};
    return OkStatus();
  }

  Status RunStep(std::size_t step) override {
    if (step == kClosedFormStep) {
      LEPTON_ASSIGN_OR_RETURN(closed_form_, solvers_->SolveClosedForm(intercept_));
      return OkStatus();
    }
    if (step == kSgdStep) {
      LEPTON_ASSIGN_OR_RETURN(sgd_result_, solvers_->SolveSgd(sgd_));
      return OkStatus();
    }
    return InternalError("linear_regression has no step " + std::to_string(step));
  }

  Result<Metrics> FinishRun(std::span<const double> step_seconds) override {
    Metrics metrics;
    const auto rows = static_cast<double>(data_.train_rows);
    metrics.values["rows"] = rows;
    metrics.values["compute_device"] = solvers_->description();
    if (digest_.empty()) {
      metrics.not_measured["dataset_sha256"] = "no requirement of this profile reads it";
    } else {
      metrics.values["dataset_sha256"] = digest_;
    }
    AddQuality(metrics, "", closed_form_);
    metrics.values["solve_time_s"] = step_seconds[kClosedFormStep];
    AddRate(metrics, "rows_per_second", rows, step_seconds[kClosedFormStep]);
    AddQuality(metrics, "sgd_", sgd_result_.coefficients);
    metrics.values["sgd_time_s"] = step_seconds[kSgdStep];
    const auto batch = static_cast<double>(std::min(sgd_.batch_size, data_.train_rows));
    const double sgd_rows = std::floor(rows / batch) * batch * static_cast<double>(sgd_.epochs);
    AddRate(metrics, "sgd_rows_per_second", sgd_rows, step_seconds[kSgdStep]);
    metrics.values["sgd_final_train_mse"] = sgd_result_.final_epoch_train_mse;
    return metrics;
  }

 private:
  void AddQuality(Metrics& metrics, const std::string& prefix,
                  const std::vector<double>& coefficients) const {
    const FitQuality quality = EvaluateHoldout(data_, coefficients);
    metrics.values[prefix + "holdout_mse"] = quality.holdout_mse;
    metrics.values[prefix + "holdout_r2"] = quality.holdout_r2;
    if (data_.true_coefficients) {
      metrics.values[prefix + "coef_max_abs_error"] =
          MaxAbsCoefficientError(coefficients, *data_.true_coefficients);
    } else {
      metrics.not_measured[prefix + "coef_max_abs_error"] =
          "the true coefficients of this CSV data are unknown (set dataset.coefficients)";
    }
  }

  static void AddRate(Metrics& metrics, const std::string& name, double amount, double seconds) {
    if (seconds > 0) {
      metrics.values[name] = amount / seconds;
    } else {
      metrics.not_measured[name] = "the timed step took no measurable time";
    }
  }

  RegressionData data_;
  std::string digest_;
  bool intercept_ = true;
  SgdSettings sgd_;
  std::unique_ptr<RegressionSolvers> solvers_;
  std::vector<double> closed_form_;
  SgdResult sgd_result_;
};

}  // namespace

std::unique_ptr<Workload> MakeLinearRegressionWorkload() {
  return std::make_unique<LinearRegressionWorkload>();
}

}  // namespace lepton::bench

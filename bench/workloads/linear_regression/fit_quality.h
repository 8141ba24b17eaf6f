#pragma once
// How well fitted coefficients [w_1 .. w_d, b] explain the held-out rows and match the
// generating ones, whichever device fitted them.

#include <vector>

#include "bench/models/regression_data.h"

namespace lepton::bench {

struct FitQuality {
  double holdout_mse = 0;
  double holdout_r2 = 0;
};

FitQuality EvaluateHoldout(const RegressionData& data, const std::vector<double>& coefficients);
double MaxAbsCoefficientError(const std::vector<double>& fitted, const std::vector<double>& truth);

}  // namespace lepton::bench

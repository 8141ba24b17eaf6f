#pragma once
// Identifies the BLAS/LAPACK in use (OpenBLAS's configuration and kernel family, LAPACK's
// version) and checks that SGEMM computes exact results where exact results are possible.

#include "conformance/checks/system_probe.h"

namespace lepton::checks {

BlasProbe ProbeBlas();

}  // namespace lepton::checks

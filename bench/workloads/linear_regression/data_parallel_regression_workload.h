#pragma once
// Data-parallel least squares: every rank generates the same seeded data and keeps its block of
// training rows (so the blocks' union is the single-rank data), computes that block's augmented
// Gram matrix (X_i^T X_i, X_i^T y, ...), the matrices are all-reduced in fp64 and every rank
// solves the normal equations. Two timed steps: the single-rank solve of all rows on rank 0 (the
// reference for equivalence and scaling; the other ranks wait, sleeping, at a barrier), then the
// data-parallel solve on every rank.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeDataParallelRegressionWorkload();

}  // namespace lepton::bench

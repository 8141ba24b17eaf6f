#pragma once
// The ONNX interface check: runs a suite of ONNX backend node tests through the reference
// executor and reports how many passed, failed and were unsupported.

#include <memory>

#include "bench/api/workload.h"

namespace lepton::bench {

std::unique_ptr<Workload> MakeOnnxNodeTestsWorkload();

}  // namespace lepton::bench

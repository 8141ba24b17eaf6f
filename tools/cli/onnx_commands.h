#pragma once
// `lepton-cert onnx test DIR...` and `lepton-cert onnx check MODEL...`. Each returns the exit code.

#include <filesystem>
#include <vector>

namespace lepton::cli {

int RunOnnxNodeTests(const std::vector<std::filesystem::path>& paths);
int CheckOnnxModels(const std::vector<std::filesystem::path>& paths);

}  // namespace lepton::cli

#pragma once
// Where data that ships with the tool (the ONNX node-test suite, the converted MNIST digits) is
// looked for when the user names no directory, in order:
//   1. the working directory (a source checkout, where tools/setup.sh provisions ./data);
//   2. <directory of the executable>/../share/lepton-cert (the relocatable bundle that
//      tools/bundle.sh makes, wherever it is unpacked).

#include <filesystem>
#include <optional>
#include <vector>

namespace lepton {

std::vector<std::filesystem::path> DataRoots();

// The first root under which `relative` exists, joined with it; nullopt when none has it.
std::optional<std::filesystem::path> FindUnderDataRoots(const std::filesystem::path& relative);

}  // namespace lepton

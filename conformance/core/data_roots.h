#pragma once
// Where data that ships with or is installed for the tool (the ONNX node-test suite, official
// MNIST and the converted MNIST digits that tools/setup/install_data.sh puts in ./data) is looked
// for when the user names no directory, in order:
//   1. <directory of the executable>/../share/lepton-cert (the relocatable bundle that
//      tools/bundle.sh makes, wherever it is unpacked);
//   2. the source checkout the executable was built from (LEPTON_SOURCE_ROOT, where
//      tools/setup.sh provisions ./data), when it still exists;
//   3. the working directory.
// So a build or a bundle finds its data from any working directory, not only the repository's.

#include <filesystem>
#include <optional>
#include <vector>

namespace lepton {

std::vector<std::filesystem::path> DataRoots();

// The first root under which `relative` exists, joined with it; nullopt when none has it.
std::optional<std::filesystem::path> FindUnderDataRoots(const std::filesystem::path& relative);

}  // namespace lepton

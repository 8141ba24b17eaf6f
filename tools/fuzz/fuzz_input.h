#pragma once
// Fuzz inputs that stand for several files: a bundle. The bytes before the first line
// "#file: NAME" are the first file (named by the target); each such marker line starts file NAME,
// which runs to the newline before the next marker or to the end. Bundles keep related files (a
// spec and its includes, a model and its input tensors) in one input, so the fuzzer mutates them
// together, and they stay readable as seeds (corpus/spec_loader_fuzz/lepton_v1.yaml).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lepton::fuzz {

struct BundleFile {
  std::string name;
  std::string bytes;
};

inline constexpr std::string_view kBundleMarker = "#file: ";

std::vector<BundleFile> SplitBundle(std::string_view data, std::string_view first_name);

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace lepton::fuzz

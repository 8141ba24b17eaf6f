#include "tools/fuzz/fuzz_input.h"

#include <algorithm>

namespace lepton::fuzz {

std::vector<BundleFile> SplitBundle(std::string_view data, std::string_view first_name) {
  std::vector<BundleFile> files;
  std::string name(first_name);
  // The newline before a marker separates; it belongs to neither file, so binary files (ONNX
  // protobuf) come back byte for byte.
  const std::string separator = "\n" + std::string(kBundleMarker);
  std::size_t start = 0;
  std::size_t marker = data.starts_with(kBundleMarker) ? 0 : data.find(separator);
  while (marker != std::string_view::npos) {
    files.push_back({name, std::string(data.substr(start, marker == 0 ? 0 : marker - start))});
    const std::size_t name_start = marker + (marker == 0 ? 0 : 1) + kBundleMarker.size();
    const std::size_t name_end = std::min(data.find('\n', name_start), data.size());
    name = std::string(data.substr(name_start, name_end - name_start));
    start = std::min(name_end + 1, data.size());
    marker = data.find(separator, name_end);
  }
  files.push_back({name, std::string(data.substr(start))});
  return files;
}

}  // namespace lepton::fuzz

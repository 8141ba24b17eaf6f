#pragma once
// Whole-file reads of outside input with a size cap, so a hostile or mistaken path (a device, a
// multi-gigabyte file) is refused before it is read into memory.

#include <cstddef>
#include <filesystem>
#include <string>

#include "conformance/core/status.h"

namespace lepton {

inline constexpr std::size_t kMaxReportFileBytes = std::size_t{64} << 20;

// NotFound when the file cannot be opened, InvalidArgument when it is not a regular file or is
// larger than `max_bytes`; every message names the path.
Result<std::string> ReadFileCapped(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace lepton

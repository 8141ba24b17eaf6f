#pragma once
// Whole-file writes that never leave a half-written file: the bytes go to a temporary file in the
// same directory, are fsync'ed, and replace the target with rename(2); the directory is fsync'ed
// so the rename survives a crash. A reader sees the old file or the new one, never a mix.

#include <filesystem>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton {

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace lepton

#include "conformance/spec/spec_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace lepton::spec {

Status CheckRelativeSpecPath(std::string_view path) {
  const std::filesystem::path p(path);
  if (path.empty()) return InvalidArgumentError("empty file name");
  if (p.is_absolute()) {
    return InvalidArgumentError("'" + std::string(path) +
                                "' is absolute; name files relative to the spec directory");
  }
  for (const auto& part : p) {
    if (part == "..") {
      return InvalidArgumentError("'" + std::string(path) +
                                  "' leaves the spec directory ('..' is not allowed)");
    }
  }
  return OkStatus();
}

Result<std::string> DirectorySource::Read(std::string_view relative_path) const {
  LEPTON_RETURN_IF_ERROR(CheckRelativeSpecPath(relative_path));
  const std::filesystem::path path = root_ / relative_path;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return std::unexpected(NotFoundError(DisplayName(relative_path) + ": no such file"));
  }
  // A plain relative path can still leave the directory through a symbolic link inside it.
  const std::filesystem::path real_root = std::filesystem::canonical(root_, error);
  const std::filesystem::path real_path = std::filesystem::canonical(path, error);
  if (error) {
    return std::unexpected(
        NotFoundError(DisplayName(relative_path) + ": cannot resolve: " + error.message()));
  }
  if (std::mismatch(real_root.begin(), real_root.end(), real_path.begin(), real_path.end()).first !=
      real_root.end()) {
    return std::unexpected(InvalidArgumentError(DisplayName(relative_path) +
                                                " leads outside the spec directory (to " +
                                                real_path.string() + " through a symbolic link)"));
  }
  const auto size = std::filesystem::file_size(path, error);
  if (!error && size > kMaxSpecFileBytes) {
    return std::unexpected(ResourceExhaustedError(
        DisplayName(relative_path) + ": file is " + std::to_string(size) +
        " bytes, more than the limit of " + std::to_string(kMaxSpecFileBytes)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(
        NotFoundError(DisplayName(relative_path) + ": cannot open: " + std::strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string DirectorySource::DisplayName(std::string_view relative_path) const {
  return (root_ / relative_path).lexically_normal().string();
}

Result<std::string> EmbeddedSource::Read(std::string_view relative_path) const {
  LEPTON_RETURN_IF_ERROR(CheckRelativeSpecPath(relative_path));
  for (const EmbeddedFile& file : files_) {
    if (file.path == relative_path) return std::string(file.bytes);
  }
  return std::unexpected(NotFoundError(DisplayName(relative_path) + ": no such embedded file"));
}

std::string EmbeddedSource::DisplayName(std::string_view relative_path) const {
  return "<embedded>/" + std::string(relative_path);
}

}  // namespace lepton::spec

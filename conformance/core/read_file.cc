#include "conformance/core/read_file.h"

#include <cstdint>
#include <fstream>

namespace lepton {

Result<std::string> ReadFileCapped(const std::filesystem::path& path, std::size_t max_bytes) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    return std::unexpected(NotFoundError(path.string() + ": cannot open: no such file"));
  }
  if (!std::filesystem::is_regular_file(status)) {
    return std::unexpected(InvalidArgumentError(path.string() + ": not a regular file"));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return std::unexpected(NotFoundError(path.string() + ": " + error.message()));
  if (size > max_bytes) {
    return std::unexpected(InvalidArgumentError(path.string() + ": " + std::to_string(size) +
                                                " bytes, larger than the limit of " +
                                                std::to_string(max_bytes)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(NotFoundError(path.string() + ": cannot open"));
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(size));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
    return std::unexpected(InvalidArgumentError(path.string() + ": short read"));
  }
  return bytes;
}

}  // namespace lepton

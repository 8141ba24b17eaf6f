#pragma once
// SHA-256 through libsodium (the only file that includes sodium.h for hashing).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton {

class Sha256 {
 public:
  Sha256();
  void Update(std::span<const std::byte> bytes);
  void Update(std::string_view text);
  // Lower-case hex digest; the object must not be updated afterwards.
  std::string FinishHex();

 private:
  alignas(64) unsigned char state_[128] = {};
};

std::string Sha256Hex(std::string_view bytes);
// Streams the file; DataLoss/NotFound with the path on I/O errors.
Result<std::string> Sha256FileHex(const std::filesystem::path& path);

}  // namespace lepton

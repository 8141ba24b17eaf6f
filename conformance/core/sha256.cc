#include "conformance/core/sha256.h"

#include <sodium.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace lepton {
namespace {

static_assert(sizeof(crypto_hash_sha256_state) <= 128, "state_ buffer too small");

crypto_hash_sha256_state* AsState(unsigned char* bytes) {
  return reinterpret_cast<crypto_hash_sha256_state*>(bytes);
}

}  // namespace

Sha256::Sha256() { crypto_hash_sha256_init(AsState(state_)); }

void Sha256::Update(std::span<const std::byte> bytes) {
  crypto_hash_sha256_update(AsState(state_), reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
}

void Sha256::Update(std::string_view text) { Update(std::as_bytes(std::span(text))); }

std::string Sha256::FinishHex() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(AsState(state_), digest.data());
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256 hasher;
  hasher.Update(bytes);
  return hasher.FinishHex();
}

Result<std::string> Sha256FileHex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::unexpected(
        NotFoundError(path.string() + ": cannot open for reading: " + std::strerror(errno)));
  }
  Sha256 hasher;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    hasher.Update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) return std::unexpected(DataLossError(path.string() + ": read error"));
  return hasher.FinishHex();
}

}  // namespace lepton

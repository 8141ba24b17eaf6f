#pragma once
// Ed25519 keys and detached signatures through libsodium. Key files are text:
//   KEYFILE      "lepton-ed25519-secret <128 hex>\n", mode 0600
//   KEYFILE.pub  "lepton-ed25519-public <64 hex>\n"

#include <filesystem>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::reports {

struct KeyPair {
  std::string public_hex;
  std::string secret_hex;
};

KeyPair GenerateKeyPair();
// Refuses to overwrite existing files; the secret key file is created with mode 0600.
Status WriteKeyFiles(const std::filesystem::path& keyfile, const KeyPair& keys);
Result<std::string> LoadSecretKey(const std::filesystem::path& keyfile);  // hex
Result<std::string> LoadPublicKey(const std::filesystem::path& pubfile);  // hex

// Hex of the detached Ed25519 signature of `message`.
Result<std::string> Sign(std::string_view message, const std::string& secret_hex);
bool Verify(std::string_view message, const std::string& signature_hex,
            const std::string& public_hex);

}  // namespace lepton::reports

#include "reports/signing.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "conformance/core/atomic_file.h"

namespace lepton::reports {
namespace {

constexpr std::string_view kSecretTag = "lepton-ed25519-secret ";
constexpr std::string_view kPublicTag = "lepton-ed25519-public ";

std::string ToHex(const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, size);
  hex.pop_back();
  return hex;
}

bool FromHex(const std::string& hex, std::vector<unsigned char>& out, std::size_t size) {
  out.assign(size, 0);
  std::size_t written = 0;
  return hex.size() == size * 2 &&
         sodium_hex2bin(out.data(), size, hex.data(), hex.size(), nullptr, &written, nullptr) ==
             0 &&
         written == size;
}

Result<std::string> LoadTagged(const std::filesystem::path& path, std::string_view tag,
                               std::size_t bytes) {
  std::ifstream in(path);
  if (!in) return std::unexpected(NotFoundError(path.string() + ": cannot open key file"));
  std::string line;
  std::getline(in, line);
  std::vector<unsigned char> decoded;
  if (!line.starts_with(tag) || !FromHex(line.substr(tag.size()), decoded, bytes)) {
    return std::unexpected(InvalidArgumentError(path.string() + ":1:1: expected '" +
                                                std::string(tag) + "' and " +
                                                std::to_string(bytes * 2) + " hex digits"));
  }
  return line.substr(tag.size());
}

}  // namespace

KeyPair GenerateKeyPair() {
  if (sodium_init() < 0) return {};
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  KeyPair keys{ToHex(public_key, sizeof(public_key)), ToHex(secret_key, sizeof(secret_key))};
  sodium_memzero(secret_key, sizeof(secret_key));
  return keys;
}

Status WriteKeyFiles(const std::filesystem::path& keyfile, const KeyPair& keys) {
  if (keys.secret_hex.empty()) return InternalError("libsodium failed to initialise");
  std::filesystem::path pubfile = keyfile;
  pubfile += ".pub";
  std::error_code error;
  if (std::filesystem::exists(keyfile, error) || std::filesystem::exists(pubfile, error)) {
    return InvalidArgumentError(keyfile.string() + ": refusing to overwrite an existing key");
  }
  const int fd = ::open(keyfile.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return InvalidArgumentError(keyfile.string() + ": cannot create the key file");
  const std::string secret = std::string(kSecretTag) + keys.secret_hex + "\n";
  const bool complete =
      ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!complete || !synced) {
    std::filesystem::remove(keyfile, error);
    return InternalError(keyfile.string() + ": could not write the secret key");
  }
  return WriteFileAtomically(pubfile, std::string(kPublicTag) + keys.public_hex + "\n");
}

Result<std::string> LoadSecretKey(const std::filesystem::path& keyfile) {
  return LoadTagged(keyfile, kSecretTag, crypto_sign_SECRETKEYBYTES);
}

Result<std::string> LoadPublicKey(const std::filesystem::path& pubfile) {
  return LoadTagged(pubfile, kPublicTag, crypto_sign_PUBLICKEYBYTES);
}

Result<std::string> Sign(std::string_view message, const std::string& secret_hex) {
  if (sodium_init() < 0) return std::unexpected(InternalError("libsodium failed to initialise"));
  std::vector<unsigned char> secret;
  if (!FromHex(secret_hex, secret, crypto_sign_SECRETKEYBYTES)) {
    return std::unexpected(InvalidArgumentError("malformed secret key"));
  }
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret.data());
  sodium_memzero(secret.data(), secret.size());
  return ToHex(signature, sizeof(signature));
}

bool Verify(std::string_view message, const std::string& signature_hex,
            const std::string& public_hex) {
  if (sodium_init() < 0) return false;
  std::vector<unsigned char> signature;
  std::vector<unsigned char> public_key;
  if (!FromHex(signature_hex, signature, crypto_sign_BYTES) ||
      !FromHex(public_hex, public_key, crypto_sign_PUBLICKEYBYTES)) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), public_key.data()) == 0;
}

}  // namespace lepton::reports

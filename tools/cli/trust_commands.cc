#include "tools/cli/trust_commands.h"

#include <fmt/core.h>

#include <algorithm>

#include "conformance/core/atomic_file.h"
#include "conformance/core/read_file.h"
#include "reports/report_verify.h"
#include "reports/signing.h"
#include "tools/cli/exit_codes.h"

namespace lepton::cli {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "lepton-cert: error: {}\n", status.message());
  return kExitUsageError;
}

}  // namespace

Result<std::vector<std::string>> LoadTrustedKeys(
    const std::optional<std::filesystem::path>& pubkey,
    const std::optional<std::filesystem::path>& trusted_dir) {
  std::vector<std::string> trusted;
  if (pubkey) {
    LEPTON_ASSIGN_OR_RETURN(std::string key, reports::LoadPublicKey(*pubkey));
    trusted.push_back(std::move(key));
  }
  if (trusted_dir) {
    std::error_code error;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(*trusted_dir, error)) {
      if (entry.path().extension() == ".pub") files.push_back(entry.path());
    }
    if (error) {
      return std::unexpected(NotFoundError(trusted_dir->string() + ": " + error.message()));
    }
    std::sort(files.begin(), files.end());
    for (const std::filesystem::path& file : files) {
      LEPTON_ASSIGN_OR_RETURN(std::string key, reports::LoadPublicKey(file));
      trusted.push_back(std::move(key));
    }
  }
  if (trusted.empty()) {
    return std::unexpected(
        InvalidArgumentError("no trusted key: pass --pubkey FILE or --trusted-keys DIR (*.pub)"));
  }
  return trusted;
}

int GenerateKeys(const std::filesystem::path& keyfile) {
  const reports::KeyPair keys = reports::GenerateKeyPair();
  if (Status written = reports::WriteKeyFiles(keyfile, keys); !written.ok()) return Fail(written);
  fmt::print("secret key: {} (mode 0600)\npublic key: {}.pub ({})\n", keyfile.string(),
             keyfile.string(), keys.public_hex);
  return kExitCertified;
}

int SignReportFile(const std::filesystem::path& report, const std::filesystem::path& keyfile,
                   const std::optional<std::filesystem::path>& output) {
  auto json = ReadFileCapped(report, kMaxReportFileBytes);
  if (!json) return Fail(json.error());
  auto secret = reports::LoadSecretKey(keyfile);
  if (!secret) return Fail(secret.error());
  std::filesystem::path pubfile = keyfile;
  pubfile += ".pub";
  auto public_key = reports::LoadPublicKey(pubfile);
  if (!public_key) return Fail(public_key.error());
  auto signed_json = reports::SignReport(*json, *secret, *public_key);
  if (!signed_json) return Fail(signed_json.error().WithContext(report.string()));
  if (Status written = WriteFileAtomically(output.value_or(report), *signed_json); !written.ok()) {
    return Fail(written);
  }
  fmt::print("signed {} with key {}...\n", output.value_or(report).string(),
             public_key->substr(0, 16));
  return kExitCertified;
}

int VerifyReportFile(const std::filesystem::path& report,
                     const std::optional<std::filesystem::path>& pubkey,
                     const std::optional<std::filesystem::path>& trusted_dir) {
  auto trusted = LoadTrustedKeys(pubkey, trusted_dir);
  if (!trusted) return Fail(trusted.error());
  auto json = ReadFileCapped(report, kMaxReportFileBytes);
  if (!json) return Fail(json.error());
  auto checks = reports::VerifyReport(*json, *trusted);
  if (!checks) return Fail(checks.error().WithContext(report.string()));
  bool all_ok = true;
  for (const reports::VerifyCheck& check : *checks) {
    all_ok = all_ok && check.ok;
    fmt::print("{:<5} {}: {}\n", check.ok ? "ok" : "FAIL", check.field, check.message);
  }
  fmt::print("{}: {}\n", report.string(), all_ok ? "verified" : "NOT verified");
  return all_ok ? kExitCertified : kExitNotCertified;
}

}  // namespace lepton::cli

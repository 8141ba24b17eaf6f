#pragma once
// `lepton-cert keygen`, `lepton-cert report sign` and `lepton-cert verify`.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::cli {

// Public keys (hex) from one key file and/or every *.pub file in a directory; InvalidArgument
// when neither yields a key.
Result<std::vector<std::string>> LoadTrustedKeys(
    const std::optional<std::filesystem::path>& pubkey,
    const std::optional<std::filesystem::path>& trusted_dir);

int GenerateKeys(const std::filesystem::path& keyfile);
int SignReportFile(const std::filesystem::path& report, const std::filesystem::path& keyfile,
                   const std::optional<std::filesystem::path>& output);
// Trusted keys: one public key file, or every *.pub file in a directory.
int VerifyReportFile(const std::filesystem::path& report,
                     const std::optional<std::filesystem::path>& pubkey,
                     const std::optional<std::filesystem::path>& trusted_dir);

}  // namespace lepton::cli

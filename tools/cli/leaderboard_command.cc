#include "tools/cli/leaderboard_command.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "conformance/core/read_file.h"
#include "conformance/spec/releases.h"
#include "reports/leaderboard.h"
#include "reports/leaderboard_site.h"
#include "tools/certify/spec_input.h"
#include "tools/cli/build_info.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/trust_commands.h"

namespace lepton::cli {
namespace {

int Fail(const Status& status) {
  fmt::print(stderr, "lepton-cert: error: {}\n", status.message());
  return kExitUsageError;
}

Result<spec::Releases> LoadReleases(const std::optional<std::filesystem::path>& path) {
  if (path) {
    LEPTON_ASSIGN_OR_RETURN(const std::string text, ReadFileCapped(*path, 1 << 20));
    return spec::ParseReleases(text, path->string());
  }
  const auto files = certify::SpecReleaseFiles();
  return spec::ParseReleases(files.front().bytes, "<embedded>/RELEASES");
}

// Files as given; directories contribute their *.json files, sorted by name.
Result<std::vector<std::filesystem::path>> ExpandInputs(
    const std::vector<std::filesystem::path>& inputs) {
  std::vector<std::filesystem::path> files;
  for (const std::filesystem::path& input : inputs) {
    if (!std::filesystem::is_directory(input)) {
      files.push_back(input);
      continue;
    }
    std::error_code error;
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(input, error)) {
      if (entry.is_regular_file() && entry.path().extension() == ".json") {
        found.push_back(entry.path());
      }
    }
    if (error) return std::unexpected(NotFoundError(input.string() + ": " + error.message()));
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace

int BuildLeaderboardSite(const LeaderboardCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  reports::LeaderboardOptions options;
  auto keys = LoadTrustedKeys(command.pubkey, command.trusted_keys_dir);
  if (!keys) return Fail(keys.error());
  options.trusted_public_keys = std::move(*keys);
  auto releases = LoadReleases(command.releases);
  if (!releases) return Fail(releases.error());
  options.releases = std::move(*releases);
  auto files = ExpandInputs(command.inputs);
  if (!files) return Fail(files.error());
  if (files->empty()) return Fail(InvalidArgumentError("no report files given"));

  // The site names reports by file name only: local directory layouts are not published.
  std::vector<reports::SubmittedReport> submitted;
  std::vector<reports::RejectedReport> unreadable;
  for (const std::filesystem::path& file : *files) {
    auto json = ReadFileCapped(file, kMaxReportFileBytes);
    if (json) {
      submitted.push_back({file.filename().string(), std::move(*json)});
    } else {
      unreadable.push_back({file.filename().string(), {json.error().message()}});
    }
  }
  reports::Leaderboard board = reports::BuildLeaderboard(std::move(submitted), options);
  board.rejected.insert(board.rejected.begin(), unreadable.begin(), unreadable.end());
  if (Status written =
          reports::WriteLeaderboardSite(board, command.output, std::string(ToolVersion()));
      !written.ok()) {
    return Fail(written);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("{} reports: {} ranked in {} group{}, {} rejected ({:.2f} s); site: {}\n",
             files->size(), board.entries.size(), board.groups.size(),
             board.groups.size() == 1 ? "" : "s", board.rejected.size(), seconds,
             (command.output / "index.html").string());
  for (const reports::RejectedReport& rejected : board.rejected) {
    for (const std::string& reason : rejected.reasons) {
      fmt::print("rejected {}: {}\n", rejected.source, reason);
    }
  }
  // The site is written either way; a publishing pipeline learns from the exit code that some
  // submission was left out (rejected.html says why).
  return board.rejected.empty() ? kExitCertified : kExitNotCertified;
}

}  // namespace lepton::cli

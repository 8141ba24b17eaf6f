#pragma once
// `lepton-cert leaderboard REPORT|DIR... --trusted-keys DIR -o SITE/ [--releases FILE]`:
// verifies every report and writes the static site (reports/leaderboard_site.h).
// Exit 0 when the site was written (rejections are listed on it), 2 on bad input.

#include <filesystem>
#include <optional>
#include <vector>

namespace lepton::cli {

struct LeaderboardCommand {
  std::vector<std::filesystem::path> inputs;  // report files, or directories of *.json
  std::optional<std::filesystem::path> trusted_keys_dir;
  std::optional<std::filesystem::path> pubkey;
  std::optional<std::filesystem::path> releases;  // default: the embedded spec/RELEASES
  std::filesystem::path output;
};

int BuildLeaderboardSite(const LeaderboardCommand& command);

}  // namespace lepton::cli

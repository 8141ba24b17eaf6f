// Released versions of the standard are frozen, and requirements graduate SHOULD -> MUST only
// across versions: checked on every spec/lepton-v*/ directory against spec/RELEASES.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "conformance/core/version.h"
#include "conformance/spec/releases.h"
#include "conformance/spec/spec_loader.h"

namespace lepton::spec {
namespace {

Releases ReadReleases(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  auto releases = ParseReleases(text.str(), path.string());
  EXPECT_TRUE(releases.has_value()) << releases.error().message();
  return releases.value_or(Releases{});
}

std::vector<Spec> LoadAllVersions() {
  std::vector<Spec> specs;
  for (const auto& entry : std::filesystem::directory_iterator("spec")) {
    if (!entry.is_directory() || !entry.path().filename().string().starts_with("lepton-v")) {
      continue;
    }
    auto spec = LoadSpecFromPath(entry.path());
    EXPECT_TRUE(spec.has_value()) << entry.path() << ": " << spec.error().ToString();
    if (spec) specs.push_back(std::move(*spec));
  }
  std::sort(specs.begin(), specs.end(), [](const Spec& a, const Spec& b) {
    return Version::Parse(a.version).value() < Version::Parse(b.version).value();
  });
  return specs;
}

TEST(SpecReleaseTest, ReleasedVersionsKeepTheirDigest) {
  const auto releases = ReadReleases("spec/RELEASES");
  const auto specs = LoadAllVersions();
  ASSERT_FALSE(specs.empty());
  for (const Spec& spec : specs) {
    auto listed = releases.find(spec.version);
    if (spec.status == "released") {
      ASSERT_NE(listed, releases.end())
          << spec.version << " is marked released but spec/RELEASES does not list its digest";
      EXPECT_EQ(spec.sha256, listed->second)
          << spec.version << " was released; its files changed (make a new version instead)";
    } else {
      EXPECT_EQ(listed, releases.end())
          << spec.version << " is listed in spec/RELEASES but its status is " << spec.status;
    }
  }
}

TEST(SpecReleaseTest, NewRequirementsEnterAsShould) {
  const auto specs = LoadAllVersions();
  for (std::size_t i = 1; i < specs.size(); ++i) {
    if (specs[i - 1].status != "released") continue;
    for (const Requirement& requirement : specs[i].requirements) {
      if (specs[i - 1].FindRequirement(requirement.id) == nullptr) {
        EXPECT_EQ(requirement.level, Level::kShould)
            << requirement.id << " is new in " << specs[i].version << " and must enter as SHOULD ("
            << requirement.location.ToString() << ")";
      }
    }
  }
}

}  // namespace
}  // namespace lepton::spec

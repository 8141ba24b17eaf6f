#pragma once
// spec/RELEASES: the released versions of the standard and their spec digests, one
// "VERSION SHA256" line each ('#' starts a comment line). Released versions are frozen; a
// leaderboard ranks only reports whose spec digest is listed here.

#include <map>
#include <string>
#include <string_view>

#include "conformance/core/status.h"

namespace lepton::spec {

using Releases = std::map<std::string, std::string>;  // version -> spec SHA-256 (hex)

// InvalidArgument naming `name:line` for a malformed line or a version listed twice.
Result<Releases> ParseReleases(std::string_view text, std::string_view name);

}  // namespace lepton::spec

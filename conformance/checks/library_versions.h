#pragma once
// Versions of the libraries the binary was built against (from their headers or, for those
// without a version macro, from CMake's find_package) and linked with at run time.

#include <map>
#include <string>

namespace lepton::checks {

std::map<std::string, std::string> LibraryVersions();

}  // namespace lepton::checks

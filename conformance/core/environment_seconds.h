#pragma once
// A time limit from an environment variable, read the same way for every limit the tool takes
// from the environment (LEPTON_COLLECTIVE_TIMEOUT_S, LEPTON_DEVICE_TIMEOUT_S). Header-only and
// C++20, since the CUDA module includes it too.

#include <cstdlib>

namespace lepton {

// The variable's value when it is a positive number of seconds as strtod reads it ("2",
// "0.25", "1e3"), else `fallback`: an unset, empty, malformed, zero or negative value keeps the
// default rather than disabling the limit.
inline double PositiveSecondsFromEnvironment(const char* variable, double fallback) {
  if (const char* text = std::getenv(variable); text != nullptr) {
    char* end = nullptr;
    const double seconds = std::strtod(text, &end);
    if (end != text && *end == '\0' && seconds > 0) return seconds;
  }
  return fallback;
}

}  // namespace lepton

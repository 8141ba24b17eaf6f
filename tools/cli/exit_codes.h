#pragma once
// The CLI's exit codes, the contract CI pipelines rely on. Only tools/ picks exit codes.

namespace lepton::cli {

inline constexpr int kExitCertified = 0;      // every MUST requirement passed
inline constexpr int kExitNotCertified = 1;   // a MUST failed, was not measured, or errored;
                                              // leaderboard: some report was rejected
inline constexpr int kExitUsageError = 2;     // bad flags, malformed input, profile refused
inline constexpr int kExitInternalError = 3;  // the suite itself failed
// A run stopped by a signal exits 128 + its number (130 for SIGINT, 143 for SIGTERM), the shell's
// convention, after writing its incomplete report and its journal.
inline constexpr int kExitSignalBase = 128;

}  // namespace lepton::cli

#pragma once
// The journal of a run in progress: `OUT/journal.json`, rewritten atomically after every
// workload that finishes, so a run stopped by SIGINT or SIGTERM (or a crash, or a power cut)
// can go on with `lepton-cert run --resume OUT` without repeating finished workloads.
//
// It holds what the run was asked (so --resume needs nothing else), what makes measurements of
// two sessions one run (the tool build, the spec and overlay digests, the machine's facts), and
// every finished workload's complete record in the report's form. Artifacts stay in files
// beside it, named as in the report, and are read back only when their SHA-256 matches.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/records/measurement.h"
#include "conformance/spec/resolve.h"

namespace lepton::reports {

inline constexpr std::string_view kJournalFileName = "journal.json";
inline constexpr std::string_view kJournalFormat = "lepton-cert-journal/1";

// The `run` command's options as given, paths absolute.
struct JournalSettings {
  std::optional<std::string> spec_path;  // the embedded spec when absent
  std::string profile;
  std::optional<int> runs;
  std::optional<int> threads_per_rank;  // absent in journals written before it was kept
  std::optional<std::string> overlay_path;
  std::map<std::string, std::string> dataset_dirs;
  std::optional<std::string> sign_key;
  std::string energy = "auto";
  std::optional<std::string> power_log;
  std::string power_log_source;  // the tier of the power log's instrument
};

struct RunJournal {
  JournalSettings settings;
  std::vector<std::string> command_line;  // the first session's
  std::string tool_version;
  std::string git_commit;
  std::string spec_sha256;
  std::string overlay_sha256;  // empty without an overlay
  spec::Facts facts;
  std::string started_at;  // the first session's start
  double elapsed_s = 0;    // wall time of the sessions so far
  int sessions = 1;        // sessions that ran workloads of this run, this one included
  std::vector<std::string> interruptions;          // one cause per interrupted session
  std::vector<records::WorkloadRecord> workloads;  // finished ones, in plan order
};

std::string JournalToJson(const RunJournal& journal);

// Reads `dir`/journal.json and the artifacts its records name (each checked against its
// SHA-256). NotFound without a journal; InvalidArgument naming the file and what is wrong
// otherwise. Params are not read back: the resumed plan supplies them.
Result<RunJournal> ReadJournal(const std::filesystem::path& dir);

}  // namespace lepton::reports

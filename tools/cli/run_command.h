#pragma once
// `lepton-cert run`: spec -> plan -> runs -> verdicts -> report. Returns the exit code.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/energy/meter_selection.h"

namespace lepton::cli {

struct RunOptions {
  std::optional<std::filesystem::path> spec_path;  // the embedded standard when absent
  std::string profile = "cpu";
  std::filesystem::path out_dir = "lepton-out";
  std::optional<int> runs;
  // CPU threads for each rank's math; by default OMP_NUM_THREADS, else the rank's share of its
  // node's cores (bench/runner/cpu_threads.h).
  std::optional<int> threads_per_rank;
  std::optional<std::filesystem::path> overlay_path;
  // Dataset directories by dataset name (`--data DIR` names official MNIST's).
  std::map<std::string, std::filesystem::path> dataset_dirs;
  std::vector<std::string> command_line;
  std::optional<std::filesystem::path> sign_key;  // Ed25519 secret key file (keygen)
  bench::MeterSelection energy;                   // --energy, --power-log, --power-log-source
  // --resume DIR: go on with the interrupted run whose journal is in DIR; every other option
  // then comes from the journal.
  std::optional<std::filesystem::path> resume_dir;
};

// Single-process runs catch SIGINT and SIGTERM: the run stops at the next step, writes its
// report marked incomplete (never certified) and keeps its journal for --resume; the exit code
// is then 128 + the signal's number, as if the signal had ended it.
int RunCertification(const RunOptions& requested);

}  // namespace lepton::cli

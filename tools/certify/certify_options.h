#pragma once
// What a certification run is asked to do: the settings of `lepton-cert run`, whoever calls it.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bench/energy/meter_selection.h"

namespace lepton::certify {

// The build that certifies: it goes into the report and the journal, and a resumed run must be
// made by the same one.
struct ToolIdentity {
  std::string version;
  std::string git_commit;
};

struct CertifyOptions {
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
  // Not journaled: the build that runs is always the caller's.
  ToolIdentity tool;
};

}  // namespace lepton::certify

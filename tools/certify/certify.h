#pragma once
// The certification pipeline without a command line: options -> spec -> facts -> plan -> runs
// -> verdicts -> report, written with its artifacts and renderings into the output directory.
// It prints nothing and ends no process: the caller hears the run through its CertifyObserver
// and decides from the outcome what to print and which exit code means it.
//
// Under mpirun or srun every rank calls Certify; rank 0 alone writes files. A single-process run
// catches SIGINT and SIGTERM while it runs (interrupt_signals.h): it stops at the next step,
// writes its report marked incomplete and keeps its journal for `resume_dir`.

#include <expected>
#include <filesystem>
#include <memory>

#include "conformance/core/status.h"
#include "reports/report_model.h"
#include "tools/certify/certify_observer.h"
#include "tools/certify/certify_options.h"

namespace lepton::certify {

enum class Outcome {
  kCertified,     // the report is written: every MUST passed
  kNotCertified,  // the report is written: a MUST did not pass
  kInterrupted,   // the report is written marked incomplete; the journal is kept for resuming
  kNotWritten,    // measured, but the artifacts or the report could not be written: `error`
  kRankMeasured,  // a rank other than 0 took part; rank 0 writes the report
  kRankFailed,    // a rank other than 0 whose share of a workload failed
};

struct CertifiedRun {
  Outcome outcome = Outcome::kNotCertified;
  Status error;                   // why, for kNotWritten
  std::string interrupted_by;     // kInterrupted: "SIGINT" or "SIGTERM"
  int interrupting_signal = 0;    // kInterrupted: its number
  std::filesystem::path out_dir;  // where the report and the journal are (resume_dir when resumed)
  std::filesystem::path report_path;
  // Rank 0's report, whether or not it could be written; null on the other ranks.
  const reports::CertificationReport* report = nullptr;
  // What the report points into, and the run's communicators and devices. Kept alive until the
  // caller lets go, so that a run whose GPU hung can end before their destructors wait for the
  // GPU forever (tools/cli/hung_device_exit.h).
  std::shared_ptr<const void> resources;
};

// Why a run did not start: the options, the spec or the profile were refused (kInput,
// kProfileRefused), or the ranks could not agree (kInternal). `quiet` on ranks other than 0
// when rank 0 says the same.
struct CertifyFailure {
  enum class Kind { kInput, kProfileRefused, kInternal };
  Kind kind = Kind::kInput;
  Status status;
  bool quiet = false;
};

std::expected<CertifiedRun, CertifyFailure> Certify(const CertifyOptions& requested,
                                                    CertifyObserver& observer);

}  // namespace lepton::certify

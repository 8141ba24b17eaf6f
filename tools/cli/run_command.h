#pragma once
// `lepton-cert run`: certifies through tools/certify, prints the run and picks its exit code.

#include "tools/certify/certify_options.h"

namespace lepton::cli {

// Single-process runs catch SIGINT and SIGTERM: the run stops at the next step, writes its
// report marked incomplete (never certified) and keeps its journal for --resume; the exit code
// is then 128 + the signal's number, as if the signal had ended it.
int RunCertification(const certify::CertifyOptions& requested);

}  // namespace lepton::cli

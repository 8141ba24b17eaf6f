#pragma once
// `lepton-cert run --resume DIR`: what connects two sessions of one run. The first session's
// options go into its journal (reports/run_journal.h); a resumed session takes them back from
// it, and refuses to mix its measurements with the journal's unless the tool build, the spec,
// the overlay and the machine's facts are the same as when the journal was written.

#include <filesystem>
#include <string>

#include "conformance/core/status.h"
#include "conformance/spec/resolve.h"
#include "reports/run_journal.h"
#include "tools/certify/certify_options.h"

namespace lepton::certify {

// The options as the journal keeps them: paths made absolute, so --resume works from any
// directory.
reports::JournalSettings SettingsFromOptions(const CertifyOptions& options);

// The options of the journaled run, writing to `dir` again.
Result<CertifyOptions> OptionsFromJournal(const reports::RunJournal& journal,
                                          const std::filesystem::path& dir);

// FailedPrecondition naming the first difference between the journal's run and this session.
Status CheckSameRun(const reports::RunJournal& journal, std::string_view tool_version,
                    std::string_view git_commit, std::string_view spec_sha256,
                    std::string_view overlay_sha256, const spec::Facts& facts);

}  // namespace lepton::certify

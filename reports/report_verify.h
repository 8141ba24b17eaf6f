#pragma once
// Signing and verifying certification reports.
//
// Canonical form: the report parsed as JSON and written back with object keys sorted by byte
// order, no insignificant whitespace, numbers in their shortest round-trip form and strings as
// UTF-8 with JSON's escapes (nlohmann::json::dump()). The signature covers the canonical form of
// the whole report except two top-level sections: "signature" itself and "descriptive", the
// fields a vendor may edit after the run (system name, notes), which carries its own SHA-256.
//
// Verification checks, each reported with the field it concerns: the signature against trusted
// public keys; every embedded spec file against its digest and the spec digest against the
// files; the descriptive section against its hash; every verdict, recomputed from the raw
// measurements with the embedded spec; and the GPU telemetry's throttle flags against the reasons
// listed beside them (and each run's gpu_throttled against its telemetry).

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"
#include "conformance/spec/spec_model.h"
#include "reports/report_document.h"

namespace lepton::reports {

// The report's JSON with a "signature" section added (or replaced).
Result<std::string> SignReport(std::string_view report_json, const std::string& secret_hex,
                               const std::string& public_hex);

struct VerifyCheck {
  bool ok = false;
  std::string field;  // e.g. "signature", "spec.files[2]", "requirements[4].verdict"
  std::string message;
};

// Parsed specs by digest, shared by the verifications of many reports (a leaderboard verifies
// hundreds against a handful of spec versions). Only specs whose embedded files matched their
// digests are stored or looked up, so a cached spec is the one those bytes would load to.
// Safe to share between threads.
class SpecCache {
 public:
  std::shared_ptr<const spec::Spec> Find(const std::string& digest) const;
  void Store(const std::string& digest, std::shared_ptr<const spec::Spec> spec);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const spec::Spec>> specs_;
};

// InvalidArgument only when the JSON cannot be read at all; every other problem is a check.
Result<std::vector<VerifyCheck>> VerifyReport(std::string_view report_json,
                                              const std::vector<std::string>& trusted_public_hex,
                                              SpecCache* cache = nullptr);
std::vector<VerifyCheck> VerifyReport(const ReportDocument& report,
                                      const std::vector<std::string>& trusted_public_hex,
                                      SpecCache* cache = nullptr);

}  // namespace lepton::reports

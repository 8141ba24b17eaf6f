// Fuzzes the reading of a signed certification report from outside: the renderers' parser
// (ParseReportView) and the verifier (VerifyReport: signature, embedded spec and overlay,
// recomputed verdicts), both on the same bytes. The seeds are signed reports; their key is
// trusted here so the fuzzer also reaches the paths after a good signature.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reports/report_verify.h"
#include "reports/report_view.h"

namespace {

// The public key that signed the seeds in corpus/report_fuzz/.
const std::vector<std::string>& TrustedKeys() {
  static const std::vector<std::string> keys = {
      "887c279fe4e5c87d4516056c6e5f3207ff56c1246842e75c187354cc54135e30"};
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  (void)lepton::reports::ParseReportView(json, "fuzz.json");
  (void)lepton::reports::VerifyReport(json, TrustedKeys());
  return 0;
}

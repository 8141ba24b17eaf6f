// Verifying and ranking signed reports: the leaderboard's cost grows with the reports submitted,
// and each one is verified in full (signature, spec digest, every verdict recomputed).
//
// LEPTON_BENCH_REPORT=path/to/report.json uses a real report (e.g. from `lepton-cert run
// --profile ci`, ~150 kB with its spec embedded); otherwise the small test-spec report is used.
// Each of the N reports gets its own start time and signature, so none is a duplicate.

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/json_report.h"
#include "reports/leaderboard.h"
#include "reports/report_verify.h"
#include "reports/signing.h"
#include "reports/test_report_fixture.h"

namespace lepton::reports {
namespace {

struct Corpus {
  KeyPair keys = GenerateKeyPair();
  std::string unsigned_report;
  LeaderboardOptions options;
  std::vector<SubmittedReport> reports;

  Corpus() {
    if (const char* path = std::getenv("LEPTON_BENCH_REPORT")) {
      std::ifstream in(path);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      unsigned_report = bytes.str();
    } else {
      Fixture fixture;
      unsigned_report = ReportToJson(fixture.report);
    }
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(unsigned_report);
    json.erase("signature");
    options.trusted_public_keys = {keys.public_hex};
    options.releases = {
        {json["spec"]["version"].get<std::string>(), json["spec"]["sha256"].get<std::string>()}};
    unsigned_report = json.dump(2);
  }

  const std::vector<SubmittedReport>& Reports(std::size_t count) {
    while (reports.size() < count) {
      nlohmann::ordered_json json = nlohmann::ordered_json::parse(unsigned_report);
      json["run"]["started_at"] = "2026-01-01T00:00:00." + std::to_string(reports.size()) + "Z";
      reports.push_back({"r" + std::to_string(reports.size()) + ".json",
                         SignReport(json.dump(2), keys.secret_hex, keys.public_hex).value()});
    }
    return reports;
  }
};

Corpus& SharedCorpus() {
  static Corpus corpus;
  return corpus;
}

void BM_VerifyOneReport(benchmark::State& state) {
  const SubmittedReport& report = SharedCorpus().Reports(1).front();
  for (auto _ : state) {
    auto checks = VerifyReport(report.json, SharedCorpus().options.trusted_public_keys);
    benchmark::DoNotOptimize(checks);
  }
  state.counters["report_kB"] = static_cast<double>(report.json.size()) / 1000;
}
BENCHMARK(BM_VerifyOneReport)->Unit(benchmark::kMillisecond);

// Arguments: reports, threads (0 = one per hardware thread).
void BM_BuildLeaderboard(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  const std::vector<SubmittedReport>& all = SharedCorpus().Reports(count);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<SubmittedReport> reports(all.begin(),
                                         all.begin() + static_cast<std::ptrdiff_t>(count));
    state.ResumeTiming();
    Leaderboard board = BuildLeaderboard(std::move(reports), SharedCorpus().options,
                                         static_cast<unsigned>(state.range(1)));
    if (board.entries.size() != count) state.SkipWithError("a report was rejected");
    benchmark::DoNotOptimize(board);
  }
  state.counters["reports_per_s"] =
      benchmark::Counter(static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_BuildLeaderboard)
    ->Args({1000, 1})
    ->Args({1000, 0})
    ->Args({10, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace lepton::reports

// lepton-cert: the command line of the Lepton Conformance Suite. The one adapter over CLI11,
// and the only place that turns outcomes into exit codes (tools/cli/exit_codes.h).

#include <fmt/core.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>

#include "tools/cli/build_info.h"
#include "tools/cli/compare_command.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/leaderboard_command.h"
#include "tools/cli/onnx_commands.h"
#include "tools/cli/report_commands.h"
#include "tools/cli/run_command.h"
#include "tools/cli/spec_commands.h"
#include "tools/cli/trust_commands.h"

namespace lepton::cli {
namespace {

int Main(int argc, char** argv) {
  CLI::App app{"lepton-cert: conformance tests and benchmarks for AI infrastructure"};
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string(ToolVersion()) + " (" + std::string(GitCommit()) + ")");

  certify::CertifyOptions run;
  std::string spec_path;
  std::string overlay_path;
  std::vector<std::string> data_dirs;
  int runs = 0;
  CLI::App* run_command = app.add_subcommand("run", "Run a profile of the spec and certify");
  run_command->add_option("--spec", spec_path, "Spec directory or main file (default: embedded)");
  run_command->add_option("--profile", run.profile, "Profile to certify")->capture_default_str();
  run_command->add_option("--out", run.out_dir, "Directory for the report")->capture_default_str();
  run_command->add_option("--runs", runs, "Repetitions of every workload (default: the spec's)")
      ->check(CLI::Range(1, 1000));
  int threads_per_rank = 0;
  run_command
      ->add_option("--threads-per-rank", threads_per_rank,
                   "CPU threads of each rank's OpenMP, oneDNN and OpenBLAS (default: "
                   "OMP_NUM_THREADS, else the rank's share of its node's cores)")
      ->check(CLI::Range(1, 4096));
  run_command
      ->add_option("--overlay", overlay_path,
                   "Vendor overlay (system fields, tighter "
                   "thresholds)")
      ->check(CLI::ExistingFile);
  std::string sign_with;
  run_command->add_option("--sign", sign_with, "Sign the report with this secret key file");
  std::string energy_choice = "auto";
  std::string power_log;
  std::string power_log_source;
  run_command
      ->add_option("--energy", energy_choice,
                   "Energy meter: auto (a power log if given, else NVML on cuda, RAPL on cpu), "
                   "nvml, nvml-sampled, rapl, power-log, none")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "nvml", "nvml-sampled", "rapl", "power-log", "none"}));
  run_command->add_option("--power-log", power_log,
                          "CSV of timestamp,watts written by a power analyser or BMC poller "
                          "during the run (spec/README.md, Energy)");
  run_command
      ->add_option("--power-log-source", power_log_source,
                   "What wrote the power log: analyser (at the wall) or bmc")
      ->check(CLI::IsMember({"analyser", "bmc"}));
  run_command->add_option("--data", data_dirs,
                          "DIR with official MNIST (train-/t10k- IDX files, raw or .gz), or "
                          "NAME=DIR for another dataset (fashion-mnist, mnist-digits)");
  std::string resume_dir;
  CLI::Option* resume_option = run_command->add_option(
      "--resume", resume_dir,
      "Go on with the interrupted run whose report directory (and journal) is DIR, with the "
      "options it was started with; finished workloads are not run again");
  // Every other option of the run comes from the journal.
  for (CLI::Option* other : run_command->get_options()) {
    if (other != resume_option && other->get_name() != "--help") resume_option->excludes(other);
  }

  CLI::App* spec_command = app.add_subcommand("spec", "Check or show specifications");
  spec_command->require_subcommand(1);
  std::vector<std::string> check_paths;
  CLI::App* check_command = spec_command->add_subcommand("check", "Validate spec files");
  check_command->add_option("files", check_paths,
                            "Spec directories or main files (default: "
                            "the embedded spec)");
  std::string show_spec;
  std::string show_profile = "cpu";
  CLI::App* show_command = spec_command->add_subcommand("show", "Print the plan for a profile");
  show_command->add_option("--spec", show_spec, "Spec directory or main file");
  show_command->add_option("--profile", show_profile, "Profile")->capture_default_str();

  CLI::App* system_command = app.add_subcommand("system", "Print the system description");

  CLI::App* report_command = app.add_subcommand("report", "Work with certification reports");
  report_command->require_subcommand(1);
  std::string render_input;
  std::string render_format;
  std::string render_output;
  CLI::App* render_command = report_command->add_subcommand(
      "render", "Render a report.json as HTML, Markdown or JUnit XML");
  render_command->add_option("report", render_input, "The report.json")->required();
  render_command->add_option("--format", render_format, "html, md or junit")
      ->required()
      ->check(CLI::IsMember({"html", "md", "junit"}));
  render_command->add_option("-o,--output", render_output, "Write here (atomically), not stdout");

  std::string sign_input;
  std::string sign_key;
  std::string sign_output;
  CLI::App* sign_command =
      report_command->add_subcommand("sign", "Sign a report.json with an Ed25519 key");
  sign_command->add_option("report", sign_input, "The report.json")->required();
  sign_command->add_option("--key", sign_key, "Secret key file from lepton-cert keygen")
      ->required();
  sign_command->add_option("-o,--output", sign_output, "Write here instead of in place");

  std::string keygen_out;
  CLI::App* keygen_command = app.add_subcommand("keygen", "Make an Ed25519 signing key pair");
  keygen_command->add_option("--out", keygen_out, "Secret key file (public key: FILE.pub)")
      ->required();

  std::string verify_input;
  std::string verify_pubkey;
  std::string verify_trusted;
  CLI::App* verify_command =
      app.add_subcommand("verify", "Check a report's signature, spec digest and every verdict");
  verify_command->add_option("report", verify_input, "The report.json")->required();
  verify_command->add_option("--pubkey", verify_pubkey, "A trusted public key file");
  verify_command->add_option("--trusted-keys", verify_trusted, "A directory of trusted *.pub");

  CompareCommand compare;
  std::string compare_margin = "5%";
  std::string compare_junit;
  CLI::App* compare_command = app.add_subcommand(
      "compare", "Gate a candidate report against a baseline: significant regressions fail");
  compare_command->add_option("baseline", compare.baseline, "The baseline report.json")->required();
  compare_command->add_option("candidate", compare.candidate, "The candidate report.json")
      ->required();
  compare_command
      ->add_option("--max-regression", compare_margin,
                   "Allowed change in the worse direction (5% or 0.05)")
      ->capture_default_str();
  compare_command->add_option("--alpha", compare.options.alpha, "Significance level")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  compare_command->add_option("--format", compare.format, "text or md")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "md"}));
  compare_command->add_option("--junit", compare_junit, "Also write JUnit XML here");

  std::vector<std::string> board_inputs;
  std::string board_trusted;
  std::string board_pubkey;
  std::string board_releases;
  std::string board_output;
  CLI::App* leaderboard_command = app.add_subcommand(
      "leaderboard", "Verify signed reports and write a static, sortable leaderboard site");
  leaderboard_command->add_option("reports", board_inputs, "Report files or directories of *.json")
      ->required();
  leaderboard_command->add_option("--trusted-keys", board_trusted, "A directory of trusted *.pub");
  leaderboard_command->add_option("--pubkey", board_pubkey, "A trusted public key file");
  leaderboard_command->add_option(
      "--releases", board_releases,
      "Released spec versions and digests (default: the spec/RELEASES built in)");
  leaderboard_command->add_option("-o,--output", board_output, "Site directory")->required();

  CLI::App* onnx_command = app.add_subcommand("onnx", "ONNX conformance of the reference executor");
  onnx_command->require_subcommand(1);
  std::vector<std::string> node_test_paths;
  CLI::App* onnx_test_command = onnx_command->add_subcommand(
      "test", "Run ONNX backend node tests (model.onnx + test_data_set_N/)");
  onnx_test_command->add_option("dirs", node_test_paths, "Test directories or their parents")
      ->required();
  std::vector<std::string> model_paths;
  CLI::App* onnx_check_command =
      onnx_command->add_subcommand("check", "Run onnx::checker and shape inference on models");
  onnx_check_command->add_option("models", model_paths, "ONNX model files")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitCertified : kExitUsageError;
  }

  if (*run_command) {
    if (!spec_path.empty()) run.spec_path = spec_path;
    if (!overlay_path.empty()) run.overlay_path = overlay_path;
    for (const std::string& entry : data_dirs) {
      const std::size_t equals = entry.find('=');
      const std::string name = equals == std::string::npos ? "mnist" : entry.substr(0, equals);
      const std::string dir = equals == std::string::npos ? entry : entry.substr(equals + 1);
      if (!std::filesystem::is_directory(dir)) {
        fmt::print(stderr, "lepton-cert: error: --data {}: {} is not a directory\n", entry, dir);
        return kExitUsageError;
      }
      run.dataset_dirs[name] = dir;
    }
    if (runs > 0) run.runs = runs;
    if (threads_per_rank > 0) run.threads_per_rank = threads_per_rank;
    run.energy.choice = *bench::ParseMeterChoice(energy_choice);
    if (!power_log.empty()) {
      if (power_log_source.empty()) {
        fmt::print(stderr,
                   "lepton-cert: error: --power-log needs --power-log-source analyser|bmc (the "
                   "instrument decides the method tier requirements accept)\n");
        return kExitUsageError;
      }
      run.energy.power_log = power_log;
      run.energy.power_log_tier = *spec::ParseEnergyTier(power_log_source);
    } else if (!power_log_source.empty()) {
      fmt::print(stderr, "lepton-cert: error: --power-log-source needs --power-log FILE.csv\n");
      return kExitUsageError;
    }
    run.command_line.assign(argv, argv + argc);
    if (!sign_with.empty()) run.sign_key = sign_with;
    if (!resume_dir.empty()) run.resume_dir = resume_dir;
    return RunCertification(run);
  }
  if (*check_command) {
    return CheckSpecs(std::vector<std::filesystem::path>(check_paths.begin(), check_paths.end()));
  }
  if (*show_command) {
    return ShowSpec(
        show_spec.empty() ? std::nullopt : std::optional<std::filesystem::path>(show_spec),
        show_profile);
  }
  if (*system_command) return ShowSystem();
  if (*keygen_command) return GenerateKeys(keygen_out);
  if (*sign_command) {
    return SignReportFile(
        sign_input, sign_key,
        sign_output.empty() ? std::nullopt : std::optional<std::filesystem::path>(sign_output));
  }
  if (*verify_command) {
    const auto optional_path = [](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional<std::filesystem::path>(text);
    };
    return VerifyReportFile(verify_input, optional_path(verify_pubkey),
                            optional_path(verify_trusted));
  }
  if (*render_command) {
    return RenderReport(
        render_input, render_format,
        render_output.empty() ? std::nullopt : std::optional<std::filesystem::path>(render_output));
  }
  if (*compare_command) {
    auto margin = ParseFraction(compare_margin);
    if (!margin || *margin < 0 || *margin >= 10) {
      fmt::print(stderr, "lepton-cert: error: --max-regression {}: expected e.g. 5% or 0.05\n",
                 compare_margin);
      return kExitUsageError;
    }
    compare.options.max_regression = *margin;
    if (!compare_junit.empty()) compare.junit = compare_junit;
    return CompareReportFiles(compare);
  }
  if (*leaderboard_command) {
    const auto optional_path = [](const std::string& text) {
      return text.empty() ? std::nullopt : std::optional<std::filesystem::path>(text);
    };
    LeaderboardCommand board{
        std::vector<std::filesystem::path>(board_inputs.begin(), board_inputs.end()),
        optional_path(board_trusted), optional_path(board_pubkey), optional_path(board_releases),
        board_output};
    return BuildLeaderboardSite(board);
  }
  if (*onnx_test_command) {
    return RunOnnxNodeTests(
        std::vector<std::filesystem::path>(node_test_paths.begin(), node_test_paths.end()));
  }
  if (*onnx_check_command) {
    return CheckOnnxModels(
        std::vector<std::filesystem::path>(model_paths.begin(), model_paths.end()));
  }
  return kExitUsageError;
}

}  // namespace
}  // namespace lepton::cli

int main(int argc, char** argv) {
  // Past RLIMIT_FSIZE a write should fail with EFBIG and be reported like a full disk, not kill
  // the process halfway through writing its report.
  std::signal(SIGXFSZ, SIG_IGN);
  try {
    return lepton::cli::Main(argc, argv);
  } catch (const std::exception& error) {
    fmt::print(stderr, "lepton-cert: internal error: {}\n", error.what());
  } catch (...) {
    fmt::print(stderr, "lepton-cert: internal error: unknown exception\n");
  }
  return lepton::cli::kExitInternalError;
}

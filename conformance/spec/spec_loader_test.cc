#include "conformance/spec/spec_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "conformance/spec/test_spec_source.h"

namespace lepton::spec {
namespace {

using ::testing::HasSubstr;

Result<Spec> LoadText(const std::string& text) {
  return LoadSpec(MapSource({{"lepton.yaml", text}}), "lepton.yaml");
}

// Replaces the first occurrence of `from` in the valid spec.
std::string Mutate(const std::string& from, const std::string& to) {
  std::string text = ValidSpecText();
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(SpecLoaderTest, LoadsValidSpec) {
  const auto spec = LoadText(ValidSpecText());
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  EXPECT_EQ(spec->id, "test-spec");
  EXPECT_EQ(spec->version, "1.2.3");
  EXPECT_EQ(spec->profiles.size(), 3u);
  ASSERT_EQ(spec->requirements.size(), 2u);
  const Requirement& rows = spec->requirements[1];
  EXPECT_EQ(rows.level, Level::kShould);
  EXPECT_EQ(rows.runs.For("ci"), 2);
  EXPECT_EQ(rows.runs.For("cpu"), 3);
  EXPECT_EQ(std::get<double>(rows.threshold.For("ci")->value), 10);
  EXPECT_EQ(rows.threshold.For("gpu"), nullptr);
  ASSERT_TRUE(rows.applies_if.has_value());
  EXPECT_EQ(rows.applies_if->ToString(), "ranks >= 2");
  EXPECT_EQ(rows.location.ToString(), "lepton.yaml:32:5");
  const WorkloadSpec& regression = spec->workloads.at("regression");
  EXPECT_EQ(std::get<std::int64_t>(regression.params.at("dataset.rows").value), 1000);
  EXPECT_EQ(std::get<double>(regression.params.at("optimizer.lr").value), 0.01);
  EXPECT_EQ(std::get<std::int64_t>(regression.scale_overrides.at("small").at("dataset.rows").value),
            200);
  EXPECT_EQ(spec->sha256.size(), 64u);
}

// Regression (crafted input to spec_loader_fuzz): std::regex recursed once per character and
// overflowed the stack on a requirement id or condition of 900,000 characters.
TEST(SpecLoaderTest, HugeScalarsAreRefusedWithoutReachingAPattern) {
  const std::string long_id(900000, 'A');
  const auto id = LoadText(Mutate("id: IF-CORES", "id: IF-" + long_id));
  ASSERT_FALSE(id.has_value());
  EXPECT_THAT(id.error().message(),
              HasSubstr("id 'IF-" + long_id.substr(0, 77) + "...' (900003 bytes) must be"));
  const auto condition = LoadText(Mutate(
      "applies_if: \"ranks >= 2\"", "applies_if: \"ranks >= " + std::string(900000, '1') + "\""));
  ASSERT_FALSE(condition.has_value());
  EXPECT_THAT(condition.error().message(), HasSubstr("expected a condition like"));
}

TEST(SpecLoaderTest, DigestCoversEveryByte) {
  const auto a = LoadText(ValidSpecText());
  const auto b = LoadText(ValidSpecText() + "# trailing comment\n");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->sha256, b->sha256);
}

struct MalformedCase {
  const char* name;
  std::string text;
  std::string expected;  // the whole message, position included
};

class MalformedSpecTest : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedSpecTest, ReportsPositionAndReason) {
  const auto spec = LoadText(GetParam().text);
  ASSERT_FALSE(spec.has_value()) << GetParam().name;
  EXPECT_EQ(spec.error().code(), StatusCode::kInvalidArgument) << spec.error().ToString();
  EXPECT_EQ(spec.error().message(), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Catalogue, MalformedSpecTest,
    ::testing::Values(
        MalformedCase{"yaml_syntax", Mutate("profiles:\n", "profiles: [\n"),
                      "lepton.yaml:6:3: YAML syntax error: end of sequence flow not found"},
        MalformedCase{"unknown_top_key", Mutate("status: draft", "status: draft\nstatuss: x"),
                      "lepton.yaml:4:1: unknown key 'statuss' in the spec's main file; expected "
                      "one of: spec, version, status, title, description, includes, profiles, "
                      "workloads, requirements"},
        MalformedCase{"duplicate_yaml_key",
                      Mutate("version: 1.2.3", "version: 1.2.3\nversion: 2.0.0"),
                      "lepton.yaml:3:1: duplicate key 'version'"},
        MalformedCase{"bad_version", Mutate("version: 1.2.3", "version: 1.2"),
                      "lepton.yaml:2:10: version: expected MAJOR.MINOR.PATCH, found '1.2'"},
        MalformedCase{"bad_status", Mutate("status: draft", "status: final"),
                      "lepton.yaml:3:9: status: 'final' is not one of: draft, released"},
        MalformedCase{
            "unknown_unit", Mutate("unit: rows/s", "unit: rows/sec"),
            "lepton.yaml:38:11: unknown unit 'rows/sec'; known: s, ms, us, ratio, "
            "points, count, B, GiB, GB/s, GFLOP/s, rows/s, samples/s, images/s, J, J/sample, "
            "samples/J, W, MHz, loss, version, scalar, bool, sha256, text"},
        MalformedCase{"unit_mismatch", Mutate("unit: rows/s", "unit: s"),
                      "lepton.yaml:38:11: requirement 'PERF-ROWS': metric 'rows_per_second' is "
                      "measured in 'rows/s', not 's'"},
        MalformedCase{"duplicate_id", Mutate("id: PERF-ROWS", "id: IF-CORES"),
                      "lepton.yaml:32:9: duplicate requirement id 'IF-CORES', first defined at "
                      "lepton.yaml:23:5"},
        MalformedCase{"bad_id", Mutate("id: PERF-ROWS", "id: perf-rows"),
                      "lepton.yaml:32:9: id 'perf-rows' must be upper-case words joined by '-', "
                      "like PERF-MNIST-TTA"},
        MalformedCase{"dangling_workload", Mutate("workload: regression", "workload: regresion"),
                      "lepton.yaml:36:15: requirement 'PERF-ROWS': unknown workload 'regresion'"},
        MalformedCase{"unknown_metric", Mutate("metric: rows_per_second", "metric: rows_per_sec"),
                      "lepton.yaml:37:13: requirement 'PERF-ROWS': workload type "
                      "'linear_regression' has no metric 'rows_per_sec'; known: rows, "
                      "dataset_sha256, solve_time_s, rows_per_second, coef_max_abs_error, "
                      "holdout_mse, holdout_r2, sgd_time_s, sgd_rows_per_second, "
                      "sgd_coef_max_abs_error, sgd_holdout_mse, sgd_holdout_r2, "
                      "sgd_final_train_mse, compute_device, gpu_throttled"},
        MalformedCase{"dangling_profile", Mutate("cpu: 100, ci: 10", "cpu: 100, cl: 10"),
                      "lepton.yaml:41:41: requirement 'PERF-ROWS': threshold: unknown profile "
                      "'cl'; known: ci, cpu, gpu (or 'all')"},
        MalformedCase{"threshold_wrong_type", Mutate("cpu: 100, ci: 10", "cpu: \"100\", ci: 10"),
                      "lepton.yaml:41:32: threshold.cpu: expected a number, found the string "
                      "'100'"},
        MalformedCase{"missing_statistic", Mutate("    statistic: median\n", ""),
                      "lepton.yaml:32:5: requirement 'PERF-ROWS': missing required key "
                      "'statistic' (numbers need one)"},
        MalformedCase{"unknown_statistic", Mutate("statistic: median", "statistic: p95"),
                      "lepton.yaml:39:16: statistic: 'p95' is not one of: median, mean, min, "
                      "max, p90, p99"},
        MalformedCase{"bad_op", Mutate("op: \">=\", cpu", "op: \"=>\", cpu"),
                      "lepton.yaml:41:21: threshold.op: '=>' is not one of: <, <=, >, >=, =="},
        MalformedCase{"zero_runs", Mutate("runs: {all: 3, ci: 2}", "runs: {all: 0, ci: 2}"),
                      "lepton.yaml:40:17: runs: must be between 1 and 1000"},
        MalformedCase{"bad_condition", Mutate("\"ranks >= 2\"", "\"ranks at least 2\""),
                      "lepton.yaml:42:17: applies_if: expected a condition like \"ranks >= 2\", "
                      "found 'ranks at least 2'"},
        MalformedCase{"unknown_fact", Mutate("\"ranks >= 2\"", "\"racks >= 2\""),
                      "lepton.yaml:42:17: unknown fact 'racks'; known facts: gpus, ranks, nodes, "
                      "cpu_cores, memory_gib"},
        MalformedCase{"unknown_workload_type", Mutate("type: linear_regression", "type: linreg"),
                      "lepton.yaml:12:11: unknown workload type 'linreg'; known: system_probe, "
                      "linear_regression, mnist_mlp_train, onnx_node_tests, mnist_mlp_infer, "
                      "cpu_gemm_probe, collectives, linear_regression_data_parallel, "
                      "mnist_mlp_data_parallel"},
        MalformedCase{"unknown_param", Mutate("noise_sigma: 0.1", "noise: 0.1"),
                      "lepton.yaml:13:59: unknown parameter 'dataset.noise' for workload type "
                      "'linear_regression'; known: dataset.source, dataset.rows, "
                      "dataset.features, dataset.noise_sigma, dataset.holdout_fraction, "
                      "dataset.path, dataset.has_header, dataset.coefficients"},
        MalformedCase{"param_out_of_range",
                      Mutate("holdout_fraction: 0.1", "holdout_fraction: 0.9"),
                      "lepton.yaml:13:95: dataset.holdout_fraction: 0.9 is outside [0.001, 0.5]"},
        MalformedCase{"param_bad_choice", Mutate("name: sgd", "name: adam"),
                      "lepton.yaml:15:23: optimizer.name: 'adam' is not one of: sgd"},
        MalformedCase{"missing_param", Mutate("    seed: 7\n", ""),
                      "lepton.yaml:12:5: workload 'regression': missing required parameter "
                      "'seed'"},
        MalformedCase{"float_for_int", Mutate("batch_size: 32", "batch_size: 32.5"),
                      "lepton.yaml:16:17: batch_size: expected a whole number, found '32.5'"},
        MalformedCase{"unknown_scale", Mutate("small: {dataset", "tiny: {dataset"),
                      "lepton.yaml:21:7: unknown scale 'tiny'; known: full, small"},
        MalformedCase{"bool_op",
                      Mutate("metric: cpu_cores\n    unit: count\n    statistic: min\n"
                             "    threshold: {op: \">=\", all: 1}",
                             "metric: cpu_cores\n    unit: count\n    statistic: min\n"
                             "    threshold: {op: \">=\"}"),
                      "lepton.yaml:31:16: threshold: names no profile; add e.g. 'all: VALUE'"},
        MalformedCase{"unknown_precondition_fact", Mutate("gpus: \">= 1\"", "tpus: \">= 1\""),
                      "lepton.yaml:7:41: unknown fact 'tpus'; known facts: gpus, ranks, nodes, "
                      "cpu_cores, memory_gib"},
        MalformedCase{"headline_not_bool", Mutate("headline: true", "headline: yes please"),
                      "lepton.yaml:43:15: headline: expected true or false, found 'yes please'"},
        MalformedCase{"headline_on_interface",
                      Mutate("statistic: min\n    threshold: {op: \">=\", all: 1}",
                             "statistic: min\n    threshold: {op: \">=\", all: 1}\n"
                             "    headline: true"),
                      "lepton.yaml:32:15: headline: only a performance or energy requirement on "
                      "a number with an upper or lower bound can rank systems"},
        MalformedCase{"profile_named_all",
                      Mutate("  ci: {devices: cpu, scale: small}", "  all: {devices: cpu}"),
                      "lepton.yaml:6:3: profile name 'all' must be lower-case words joined by "
                      "'-' and not 'all'"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
      return param_info.param.name;
    });

TEST(SpecLoaderTest, IncludesResolveInsideTheSpecDirectory) {
  const std::string main = "spec: s\nversion: 1.0.0\nstatus: draft\nincludes: [parts/p.yaml]\n";
  const std::string part = "profiles:\n  cpu: {devices: cpu}\n";
  const auto spec = LoadSpec(MapSource({{"lepton.yaml", main}, {"parts/p.yaml", part}}));
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  EXPECT_EQ(spec->files.size(), 2u);
  EXPECT_EQ(spec->profiles.at("cpu").location.ToString(), "parts/p.yaml:2:3");
}

TEST(SpecLoaderTest, RejectsIncludeEscapes) {
  for (const char* path : {"../outside.yaml", "/etc/passwd", "a/../../b.yaml"}) {
    const std::string main = std::string("spec: s\nversion: 1.0.0\nstatus: draft\nincludes: [") +
                             path + "]\nprofiles: {cpu: {}}\n";
    const auto spec = LoadSpec(MapSource({{"lepton.yaml", main}}));
    ASSERT_FALSE(spec.has_value()) << path;
    EXPECT_THAT(spec.error().message(), HasSubstr("lepton.yaml:4:12: includes: '"));
  }
}

// On disk a plain relative include can still leave the directory through a symbolic link.
TEST(SpecLoaderTest, RejectsIncludesThatLeaveTheDirectoryThroughASymlink) {
  namespace fs = std::filesystem;
  const fs::path base =
      fs::path(::testing::TempDir()) /
      ("lepton-symlink-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::remove_all(base);
  fs::create_directories(base / "spec");
  std::ofstream(base / "outside.yaml") << "profiles:\n  cpu: {devices: cpu}\n";
  std::ofstream(base / "spec" / "lepton.yaml")
      << "spec: s\nversion: 1.0.0\nstatus: draft\nincludes: [p.yaml]\n";
  fs::create_symlink(base / "outside.yaml", base / "spec" / "p.yaml");
  const auto spec = LoadSpecFromPath(base / "spec");
  fs::remove_all(base);
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(spec.error().message(),
              HasSubstr("cannot include: " + (base / "spec" / "p.yaml").string() +
                        " leads outside the spec directory"));
}

TEST(SpecLoaderTest, MissingIncludeNamesTheInclude) {
  const std::string main = "spec: s\nversion: 1.0.0\nstatus: draft\nincludes: [gone.yaml]\n";
  const auto spec = LoadSpec(MapSource({{"lepton.yaml", main}}));
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().message(), "lepton.yaml:4:12: cannot include: gone.yaml");
}

TEST(SpecLoaderTest, DuplicateAcrossFilesNamesBothPlaces) {
  const std::string main =
      "spec: s\nversion: 1.0.0\nstatus: draft\nincludes: [p.yaml]\n"
      "profiles:\n  cpu: {}\n";
  const auto spec =
      LoadSpec(MapSource({{"lepton.yaml", main}, {"p.yaml", "profiles:\n  cpu: {}\n"}}));
  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().message(),
            "p.yaml:2:3: duplicate profile 'cpu', first defined at lepton.yaml:6:3");
}

TEST(SpecLoaderTest, EmptyAndNonMapFiles) {
  EXPECT_EQ(LoadText("").error().message(), "lepton.yaml: file is empty");
  EXPECT_EQ(LoadText("- a\n- b\n").error().message(),
            "lepton.yaml:1:1: the spec's main file: expected a map, found a list");
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

std::string MutateEnergy(const std::string& from, const std::string& to) {
  return Replace(EnergySpecText(), from, to);
}

TEST(SpecLoaderTest, LoadsEnergyMethodsAndProfileSettings) {
  const auto spec = LoadText(EnergySpecText());
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  const Requirement& energy = spec->requirements.at(0);
  EXPECT_EQ(energy.kind, RequirementKind::kEnergy);
  EXPECT_EQ(energy.methods,
            (std::vector<EnergyTier>{EnergyTier::kAnalyser, EnergyTier::kOnDieCounter}));
  const EnergySettings& cpu = spec->profiles.at("cpu").energy;
  EXPECT_EQ(cpu.min_region_s, 30);
  EXPECT_EQ(cpu.idle_s, 5);
  EXPECT_EQ(cpu.sample_hz, 20);
  EXPECT_EQ(cpu.max_gap_s, 1.5);
  // A profile without an energy map takes the language's defaults (spec/README.md, "Energy").
  const EnergySettings& ci = spec->profiles.at("ci").energy;
  EXPECT_EQ(ci.min_region_s, 60);
  EXPECT_EQ(ci.idle_s, 10);
  EXPECT_EQ(ci.sample_hz, 10);
  EXPECT_EQ(ci.max_gap_s, 2);
}

INSTANTIATE_TEST_SUITE_P(
    Energy, MalformedSpecTest,
    ::testing::Values(
        MalformedCase{"missing_methods",
                      MutateEnergy("    methods: [analyser, on-die-counter]\n", ""),
                      "lepton.yaml:20:5: requirement 'ENERGY-MLP': missing required key "
                      "'methods' (the measurement methods it accepts, from: analyser, bmc, "
                      "on-die-counter, on-die-sampled)"},
        MalformedCase{"unknown_method", MutateEnergy("[analyser, on-die-counter]", "[analyzer]"),
                      "lepton.yaml:28:15: methods: 'analyzer' is not one of: analyser, bmc, "
                      "on-die-counter, on-die-sampled"},
        MalformedCase{"duplicate_method", MutateEnergy("[analyser, on-die-counter]", "[bmc, bmc]"),
                      "lepton.yaml:28:20: methods: 'bmc' is listed twice"},
        MalformedCase{"empty_methods", MutateEnergy("[analyser, on-die-counter]", "[]"),
                      "lepton.yaml:28:14: methods: expected a non-empty list of methods from: "
                      "analyser, bmc, on-die-counter, on-die-sampled"},
        MalformedCase{"methods_on_performance", MutateEnergy("kind: energy", "kind: performance"),
                      "lepton.yaml:28:14: requirement 'ENERGY-MLP': methods applies to energy "
                      "requirements only"},
        MalformedCase{"energy_metric_judged_as_performance",
                      Replace(MutateEnergy("kind: energy", "kind: performance"),
                              "    methods: [analyser, on-die-counter]\n", ""),
                      "lepton.yaml:25:13: requirement 'ENERGY-MLP': 'joules_per_sample' is an "
                      "energy figure; only a requirement of kind 'energy' (which states the "
                      "methods it accepts) may judge it"},
        MalformedCase{"energy_kind_on_other_metric",
                      MutateEnergy("metric: joules_per_sample\n    unit: J/sample",
                                   "metric: train_time_s\n    unit: s"),
                      "lepton.yaml:25:13: requirement 'ENERGY-MLP': an energy requirement judges "
                      "an energy figure (energy_j, energy_above_idle_j, joules_per_sample, "
                      "samples_per_joule, average_watts, peak_watts, idle_watts), not "
                      "'train_time_s'"},
        MalformedCase{"energy_setting_out_of_range", MutateEnergy("idle_s: 5", "idle_s: 0"),
                      "lepton.yaml:5:58: energy.idle_s: 0 is outside [0.1, 600]"},
        MalformedCase{"unknown_energy_setting", MutateEnergy("sample_hz: 20", "sample_rate: 20"),
                      "lepton.yaml:5:61: unknown key 'sample_rate' in profile 'cpu': energy; "
                      "expected one of: min_region_s, idle_s, sample_hz, max_gap_s"}),
    [](const ::testing::TestParamInfo<MalformedCase>& param_info) {
      return param_info.param.name;
    });

// The collectives type checks its list parameters' elements and the size bounds' order.
TEST(SpecLoaderTest, CollectivesListsAndBoundsAreChecked) {
  const std::string collectives = R"(  system:
    type: collectives
    ops: [allreduce, OPS]
    placements: [out_of_place]
    min_bytes: MIN
    max_bytes: 1024
    dtypes: [float32, TYPE]
    warmup_iters: 1
    iters: 2
  regression:)";
  const auto load = [&](const std::string& op, const std::string& min_bytes,
                        const std::string& type = "bf16") {
    std::string text = collectives;
    text.replace(text.find("OPS"), 3, op);
    text.replace(text.find("MIN"), 3, min_bytes);
    text.replace(text.find("TYPE"), 4, type);
    // The probe's requirement would read a metric collectives lacks; drop it with the probe.
    std::string spec = Mutate("  system:\n    type: system_probe\n  regression:", text);
    const std::size_t first = spec.find("  - id: IF-CORES");
    spec.erase(first, spec.find("  - id: PERF-ROWS") - first);
    return LoadText(spec);
  };
  const auto valid = load("sendrecv", "8");
  ASSERT_TRUE(valid.has_value()) << valid.error().ToString();
  const auto gossip = load("gossip", "8");
  ASSERT_FALSE(gossip.has_value());
  EXPECT_THAT(gossip.error().message(), HasSubstr("ops: 'gossip' is not one of: allreduce"));
  const auto inverted = load("sendrecv", "4096");
  ASSERT_FALSE(inverted.has_value());
  EXPECT_THAT(inverted.error().message(), HasSubstr("min_bytes exceeds max_bytes"));
  const auto half = load("sendrecv", "8", "fp16");
  ASSERT_FALSE(half.has_value());
  EXPECT_THAT(half.error().message(), HasSubstr("dtypes: 'fp16' is not one of: float32, bf16"));
  const auto twice = load("allreduce", "8");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().message(), "lepton.yaml:11:22: ops: 'allreduce' is listed twice");
  const auto type_twice = load("sendrecv", "8", "float32");
  ASSERT_FALSE(type_twice.has_value());
  EXPECT_THAT(type_twice.error().message(), HasSubstr(": dtypes: 'float32' is listed twice"));
}

TEST(SpecLoaderTest, CommNcclLocalNeedsCudaDevices) {
  const auto local = LoadText(Mutate("gpu: {devices: cuda, requires: {gpus: \">= 1\"}}",
                                     "gpu: {devices: cuda, comm: nccl-local}"));
  ASSERT_TRUE(local.has_value()) << local.error().ToString();
  EXPECT_EQ(local->profiles.at("gpu").comm, "nccl-local");
  const auto on_cpu = LoadText(Mutate("ci: {devices: cpu, scale: small}",
                                      "ci: {devices: cpu, scale: small, comm: nccl-local}"));
  ASSERT_FALSE(on_cpu.has_value());
  EXPECT_EQ(on_cpu.error().message(),
            "lepton.yaml:6:42: profile 'ci': comm: nccl-local (one process over every local GPU, "
            "ncclCommInitAll) needs devices: cuda");
  const auto unknown =
      LoadText(Mutate("gpu: {devices: cuda,", "gpu: {devices: cuda, comm: nccl-all,"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_THAT(unknown.error().message(),
              HasSubstr("comm: 'nccl-all' is not one of: none, mpi, nccl, nccl-local"));
}

TEST(SpecLoaderTest, RepositorySpecLoads) {
  const auto spec = LoadSpecFromPath("spec/lepton-v1");
  ASSERT_TRUE(spec.has_value()) << spec.error().ToString();
  for (const char* profile : {"cpu", "gpu", "multi-gpu", "multi-gpu-local", "ci"}) {
    EXPECT_TRUE(spec->profiles.contains(profile)) << profile;
  }
}

}  // namespace
}  // namespace lepton::spec

#include "tools/certify/run_facts.h"

#include <fmt/core.h>

#include <cstdlib>
#include <thread>

#include "bench/comm/world_communicator.h"

namespace lepton::certify {

Result<RunFacts> GatherRunFacts(bench::Communicator& world, std::optional<int> threads_per_rank) {
  RunFacts run;
  run.system = checks::ProbeSystem();
  const checks::SystemDescription& system = run.system;
  run.facts = checks::FactsFrom(system);
  run.facts.values["ranks"] = world.size();
  // Nodes: the distinct hostnames of the ranks (collective: every rank takes part).
  auto layout = bench::GatherNodeLayout(world);
  if (!layout) return std::unexpected(layout.error().WithContext("gathering the ranks' hostnames"));
  run.layout = *layout;
  run.facts.values["nodes"] = layout->nodes;
  const bench::EnvironmentLookup environment = [](const char* name) { return std::getenv(name); };
  // Each rank's CPU threads: its share of the node's cores unless the user said otherwise; the
  // runner sets them before each workload (bench/runner/cpu_threads.h).
  run.cpu_threads = bench::ChooseCpuThreads(
      {.rank_cpus = layout->cpus > 0 ? layout->cpus : system.cpu_cores,
       .node_cpus = layout->node_cpus > 0 ? layout->node_cpus
                                          : static_cast<int>(std::thread::hardware_concurrency()),
       .local_ranks = layout->local_ranks,
       .option = threads_per_rank,
       .omp_num_threads = bench::ParseOmpNumThreads(environment("OMP_NUM_THREADS"))});
  const bool launched = bench::DetectLaunch().under_launcher;
  if (const auto stated = launched ? bench::LauncherNodeCount(environment) : std::nullopt;
      stated && stated->value != layout->nodes) {
    run.launcher_disagrees = fmt::format(
        "the launcher states {} node(s) ({}), the ranks' hostnames show {}; the report states {}",
        stated->value, stated->source, layout->nodes, layout->nodes);
  }
  // GPUs: each rank sees only its process's devices (a launcher may show each rank one), so the
  // run's `gpus` fact counts the distinct devices over every rank, and every rank plans with the
  // same count. Each rank's device for NCCL: its local rank, or its only GPU.
  const auto launcher_local = launched ? bench::LauncherLocalRank(environment) : std::nullopt;
  const int local_rank = launcher_local ? launcher_local->value : layout->local_rank;
  run.rank_device = bench::ChooseRankDevice(system.gpus.count, local_rank, layout->local_ranks);
  bench::RankGpus my_gpus{system.hostname, {}, run.rank_device.value_or(-1)};
  for (int ordinal = 0; ordinal < system.gpus.count; ++ordinal) {
    const auto index = static_cast<std::size_t>(ordinal);
    my_gpus.pci_bus_ids.push_back(
        index < system.gpus.devices.size() ? system.gpus.devices[index].pci_bus_id : "");
  }
  auto run_gpus = bench::GatherRankGpus(world, my_gpus);
  if (!run_gpus) return std::unexpected(run_gpus.error().WithContext("gathering the ranks' GPUs"));
  run.run_gpus = std::move(*run_gpus);
  run.facts.values["gpus"] = bench::CountRunGpus(run.run_gpus);
  return run;
}

}  // namespace lepton::certify

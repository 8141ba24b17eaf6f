#include "bench/runner/cpu_threads.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <charconv>
#include <string_view>

namespace lepton::bench {

CpuThreads ChooseCpuThreads(const CpuThreadsInputs& inputs) {
  CpuThreads chosen;
  chosen.local_ranks = std::max(1, inputs.local_ranks);
  const int rank_cpus = std::max(1, inputs.rank_cpus);
  chosen.node_cpus = std::max(rank_cpus, inputs.node_cpus);
  if (inputs.option && *inputs.option > 0) {
    chosen.per_rank = chosen.rank_zero_alone = *inputs.option;
    chosen.source = kThreadsFromOption;
    chosen.apply = true;
  } else if (inputs.omp_num_threads && *inputs.omp_num_threads > 0) {
    chosen.per_rank = chosen.rank_zero_alone = *inputs.omp_num_threads;
    chosen.source = kThreadsFromOmpNumThreads;
  } else if (chosen.local_ranks == 1) {
    chosen.per_rank = chosen.rank_zero_alone = rank_cpus;
    chosen.source = kThreadsAloneOnNode;
  } else {
    chosen.per_rank = std::clamp(chosen.node_cpus / chosen.local_ranks, 1, rank_cpus);
    chosen.rank_zero_alone = rank_cpus;
    chosen.source = kThreadsNodeShare;
    chosen.apply = true;
  }
  return chosen;
}

std::optional<int> ParseOmpNumThreads(const char* value) {
  if (value == nullptr) return std::nullopt;
  std::string_view text(value);
  text = text.substr(0, text.find(','));
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  int threads = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), threads);
  if (error != std::errc{} || end != text.data() + text.size() || threads < 1) return std::nullopt;
  return threads;
}

void SetCpuThreads(int threads) {
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

}  // namespace lepton::bench

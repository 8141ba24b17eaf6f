#include "bench/comm/node_layout.h"

#include <sched.h>
#include <unistd.h>

#include <bit>
#include <charconv>
#include <climits>
#include <set>
#include <string_view>
#include <vector>

#include "bench/comm/string_gather.h"

namespace lepton::bench {
namespace {

// POSIX allows 255 bytes; Linux's HOST_NAME_MAX is 64.
constexpr std::size_t kMaxHostnameBytes = 256;
// One hexadecimal digit per 4 CPUs of a cpu_set_t (CPU_SETSIZE, 1024 on glibc).
constexpr std::size_t kMaxCpuMaskBytes = CPU_SETSIZE / 4;

// The CPUs this process may run on; empty when sched_getaffinity fails (more CPUs than a
// cpu_set_t holds).
std::vector<int> AffinityCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return {};
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// A hexadecimal digit's value; -1 when it is none.
int HexDigit(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  return -1;
}

std::optional<int> ReadInt(const EnvironmentLookup& lookup, const char* variable) {
  const char* value = lookup(variable);
  if (value == nullptr) return std::nullopt;
  const std::string_view text(value);
  int number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size() || number < 0) return std::nullopt;
  return number;
}

}  // namespace

NodeLayout LayoutFromHostnames(std::span<const std::string> hostnames, int rank) {
  NodeLayout layout;
  const std::set<std::string> distinct(hostnames.begin(), hostnames.end());
  layout.nodes = static_cast<int>(distinct.size());
  layout.local_rank = 0;
  layout.local_ranks = 0;
  const std::string& mine = hostnames[static_cast<std::size_t>(rank)];
  for (std::size_t r = 0; r < hostnames.size(); ++r) {
    if (hostnames[r] != mine) continue;
    ++layout.local_ranks;
    if (static_cast<int>(r) < rank) ++layout.local_rank;
  }
  return layout;
}

std::string CpuMaskText(std::span<const int> cpus) {
  std::string text;
  for (const int cpu : cpus) {
    if (cpu < 0) return "";
    const auto digit = static_cast<std::size_t>(cpu / 4);
    if (text.size() <= digit) text.resize(digit + 1, '0');
    const int value = HexDigit(text[digit]) | (1 << (cpu % 4));
    text[digit] = "0123456789abcdef"[value];
  }
  return text;
}

int NodeCpusFromMasks(std::span<const std::string> hostnames,
                      std::span<const std::string> cpu_masks, int rank) {
  const std::string& mine = hostnames[static_cast<std::size_t>(rank)];
  std::vector<int> node;  // the union, one digit's value per element
  for (std::size_t r = 0; r < hostnames.size() && r < cpu_masks.size(); ++r) {
    if (hostnames[r] != mine) continue;
    const std::string& mask = cpu_masks[r];
    if (mask.empty()) return 0;
    if (node.size() < mask.size()) node.resize(mask.size(), 0);
    for (std::size_t i = 0; i < mask.size(); ++i) {
      const int value = HexDigit(mask[i]);
      if (value < 0) return 0;
      node[i] |= value;
    }
  }
  int count = 0;
  for (const int value : node) count += std::popcount(static_cast<unsigned>(value));
  return count;
}

Result<NodeLayout> GatherNodeLayout(Communicator& world) {
  char name[kMaxHostnameBytes + 1] = {};
  if (gethostname(name, kMaxHostnameBytes) != 0) {
    return std::unexpected(InternalError("gethostname failed"));
  }
  LEPTON_ASSIGN_OR_RETURN(const std::vector<std::string> hostnames,
                          AllGatherStrings(world, name, kMaxHostnameBytes));
  const std::vector<int> cpus = AffinityCpus();
  LEPTON_ASSIGN_OR_RETURN(const std::vector<std::string> masks,
                          AllGatherStrings(world, CpuMaskText(cpus), kMaxCpuMaskBytes));
  NodeLayout layout = LayoutFromHostnames(hostnames, world.rank());
  layout.cpus = static_cast<int>(cpus.size());
  layout.node_cpus = NodeCpusFromMasks(hostnames, masks, world.rank());
  return layout;
}

std::optional<LauncherFigure> LauncherNodeCount(const EnvironmentLookup& lookup) {
  if (const auto nodes = ReadInt(lookup, "SLURM_STEP_NUM_NODES"); nodes && *nodes > 0) {
    return LauncherFigure{*nodes, "SLURM_STEP_NUM_NODES"};
  }
  // Outside a step (sbatch's script, an mpirun inside it) the job's node count is not the run's.
  if (lookup("SLURM_STEP_ID") != nullptr) {
    for (const char* variable : {"SLURM_NNODES", "SLURM_JOB_NUM_NODES"}) {
      if (const auto nodes = ReadInt(lookup, variable); nodes && *nodes > 0) {
        return LauncherFigure{*nodes, variable};
      }
    }
  }
  const auto world = ReadInt(lookup, "OMPI_COMM_WORLD_SIZE");
  const auto local = ReadInt(lookup, "OMPI_COMM_WORLD_LOCAL_SIZE");
  if (world && local && *local > 0 && *world % *local == 0) {
    return LauncherFigure{*world / *local, "OMPI_COMM_WORLD_SIZE / OMPI_COMM_WORLD_LOCAL_SIZE"};
  }
  return std::nullopt;
}

std::optional<LauncherFigure> LauncherLocalRank(const EnvironmentLookup& lookup) {
  for (const char* variable : {"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}) {
    if (const auto local = ReadInt(lookup, variable)) return LauncherFigure{*local, variable};
  }
  return std::nullopt;
}

}  // namespace lepton::bench

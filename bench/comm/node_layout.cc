#include "bench/comm/node_layout.h"

#include <unistd.h>

#include <charconv>
#include <climits>
#include <set>
#include <string_view>

#include "bench/comm/string_gather.h"

namespace lepton::bench {
namespace {

// POSIX allows 255 bytes; Linux's HOST_NAME_MAX is 64.
constexpr std::size_t kMaxHostnameBytes = 256;

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

Result<NodeLayout> GatherNodeLayout(Communicator& world) {
  char name[kMaxHostnameBytes + 1] = {};
  if (gethostname(name, kMaxHostnameBytes) != 0) {
    return std::unexpected(InternalError("gethostname failed"));
  }
  LEPTON_ASSIGN_OR_RETURN(const std::vector<std::string> hostnames,
                          AllGatherStrings(world, name, kMaxHostnameBytes));
  return LayoutFromHostnames(hostnames, world.rank());
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

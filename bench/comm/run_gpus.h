#pragma once
// The GPUs of a run as its ranks see them together. A rank probes only the devices its process
// can see, and a launcher may show each rank one GPU (`srun --gpus-per-task=1`, a
// CUDA_VISIBLE_DEVICES per rank), so one rank's count says little about the run: the run's `gpus`
// fact is the number of distinct physical GPUs over every rank, a GPU being its host and PCI bus
// id. From the same gathered view each rank picks its device for NCCL, and two ranks that would
// share one GPU are named before NCCL's set-up refuses them ("Duplicate GPU detected").

#include <span>
#include <string>
#include <vector>

#include "bench/api/communicator.h"
#include "conformance/core/status.h"

namespace lepton::bench {

struct RankGpus {
  std::string hostname;
  std::vector<std::string> pci_bus_ids;  // in CUDA ordinal order; "" where the probe had none
  int chosen = -1;                       // the ordinal this rank would use, -1 for none
};

// Pure: distinct (hostname, PCI bus id) pairs over the ranks. A device whose bus id is unknown
// cannot be matched with another rank's and counts once per rank that sees it.
int CountRunGpus(std::span<const RankGpus> ranks);

// The CUDA ordinal for the rank that is `local_rank` of `local_ranks` on its node and sees
// `visible` devices: its local rank when it sees at least one device per local rank (every rank
// sees the node's GPUs), 0 when it sees exactly one (the launcher gave each rank its own), and
// its local rank when it sees none (the backend then says why). FailedPrecondition in between,
// where no choice gives every rank its own GPU.
Result<int> ChooseRankDevice(int visible, int local_rank, int local_ranks);

// Pure: "ranks 0 and 2 would both use GPU 0000:3b:00.0 on node-a; ..." for every GPU that more
// than one rank chose; empty when each rank has its own (or chose none).
std::string SharedGpus(std::span<const RankGpus> ranks);

// Collective over `world`: every rank's view, in rank order.
Result<std::vector<RankGpus>> GatherRankGpus(Communicator& world, const RankGpus& mine);

}  // namespace lepton::bench

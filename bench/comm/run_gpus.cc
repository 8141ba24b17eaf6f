#include "bench/comm/run_gpus.h"

#include <charconv>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "bench/comm/string_gather.h"

namespace lepton::bench {
namespace {

// A hostname (at most 255 bytes) and the bus ids of a large node's GPUs ("0000:3b:00.0" each).
constexpr std::size_t kMaxViewBytes = 4096;
constexpr char kSeparator = '\n';

std::string Encode(const RankGpus& view) {
  std::string text = view.hostname;
  text += kSeparator;
  text += std::to_string(view.chosen);
  for (const std::string& id : view.pci_bus_ids) {
    text += kSeparator;
    text += id;
  }
  return text;
}

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t end = text.find(kSeparator);
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

Result<RankGpus> Decode(std::string_view text, std::size_t rank) {
  const std::vector<std::string_view> fields = Split(text);
  RankGpus view;
  int chosen = 0;
  if (fields.size() < 2 ||
      std::from_chars(fields[1].data(), fields[1].data() + fields[1].size(), chosen).ec !=
          std::errc{}) {
    return std::unexpected(
        InternalError("rank " + std::to_string(rank) + " sent a malformed GPU list"));
  }
  view.hostname = std::string(fields[0]);
  view.chosen = chosen;
  for (std::size_t i = 2; i < fields.size(); ++i) view.pci_bus_ids.emplace_back(fields[i]);
  return view;
}

}  // namespace

int CountRunGpus(std::span<const RankGpus> ranks) {
  std::set<std::pair<std::string, std::string>> known;
  int unmatched = 0;
  for (const RankGpus& rank : ranks) {
    for (const std::string& id : rank.pci_bus_ids) {
      if (id.empty()) {
        ++unmatched;
      } else {
        known.emplace(rank.hostname, id);
      }
    }
  }
  return static_cast<int>(known.size()) + unmatched;
}

Result<int> ChooseRankDevice(int visible, int local_rank, int local_ranks) {
  if (visible == 0 || visible >= local_ranks) return local_rank;
  if (visible == 1) return 0;
  return std::unexpected(FailedPreconditionError(
      "this rank is local rank " + std::to_string(local_rank) + " of " +
      std::to_string(local_ranks) + " on its node but sees " + std::to_string(visible) +
      " GPUs: NCCL runs one rank per GPU, so show every rank all of the node's GPUs (one rank "
      "per GPU at most) or exactly one of its own"));
}

std::string SharedGpus(std::span<const RankGpus> ranks) {
  // (host, bus id) -> the ranks that chose it; a device without a bus id cannot be matched.
  std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> users;
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    const RankGpus& rank = ranks[r];
    if (rank.chosen < 0 || static_cast<std::size_t>(rank.chosen) >= rank.pci_bus_ids.size()) {
      continue;
    }
    const std::string& id = rank.pci_bus_ids[static_cast<std::size_t>(rank.chosen)];
    if (!id.empty()) users[{rank.hostname, id}].push_back(r);
  }
  std::string shared;
  for (const auto& [gpu, sharing] : users) {
    if (sharing.size() < 2) continue;
    std::string names;
    for (std::size_t i = 0; i < sharing.size(); ++i) {
      if (i > 0) names += i + 1 == sharing.size() ? " and " : ", ";
      names += std::to_string(sharing[i]);
    }
    if (!shared.empty()) shared += "; ";
    shared += "ranks " + names +
              (sharing.size() == 2 ? " would both use GPU " : " would all use GPU ") + gpu.second +
              " on " + gpu.first;
  }
  return shared;
}

Result<std::vector<RankGpus>> GatherRankGpus(Communicator& world, const RankGpus& mine) {
  const std::string encoded = Encode(mine);
  if (encoded.size() > kMaxViewBytes) {
    return std::unexpected(InternalError("this rank's GPU list is longer than " +
                                         std::to_string(kMaxViewBytes) + " bytes"));
  }
  LEPTON_ASSIGN_OR_RETURN(const std::vector<std::string> texts,
                          AllGatherStrings(world, encoded, kMaxViewBytes));
  std::vector<RankGpus> views;
  views.reserve(texts.size());
  for (std::size_t r = 0; r < texts.size(); ++r) {
    LEPTON_ASSIGN_OR_RETURN(RankGpus view, Decode(texts[r], r));
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace lepton::bench

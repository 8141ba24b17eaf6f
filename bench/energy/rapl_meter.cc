#include "bench/energy/rapl_meter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <regex>

#include "bench/energy/polled_meter.h"

namespace lepton::bench {
namespace {

// Counters update about every millisecond (Intel SDM, MSR_PKG_ENERGY_STATUS).
constexpr double kRaplResolutionSeconds = 0.001;

std::string PermissionAdvice(const std::filesystem::path& file) {
  return "permission denied reading " + file.string() +
         ": RAPL energy counters are root-only since Linux 5.10 (CVE-2020-8694); run as root or "
         "grant read access to energy_uj (e.g. chmod a+r, or a udev rule)";
}

// A small sysfs file's text. POSIX read, so that a permission error is told apart.
Result<std::string> ReadSysfsFile(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == EACCES || error == EPERM) {
      return std::unexpected(UnavailableError(PermissionAdvice(file)));
    }
    return std::unexpected(
        UnavailableError("cannot read " + file.string() + ": " + std::strerror(error)));
  }
  std::array<char, 128> buffer{};
  const ssize_t count = ::read(fd, buffer.data(), buffer.size());
  const int error = errno;
  ::close(fd);
  if (count < 0) {
    if (error == EACCES || error == EPERM) {
      return std::unexpected(UnavailableError(PermissionAdvice(file)));
    }
    return std::unexpected(
        UnavailableError("cannot read " + file.string() + ": " + std::strerror(error)));
  }
  return std::string(buffer.data(), static_cast<std::size_t>(count));
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

Result<std::uint64_t> ReadMicrojoules(const std::filesystem::path& file) {
  LEPTON_ASSIGN_OR_RETURN(const std::string raw, ReadSysfsFile(file));
  const std::string text = Trimmed(raw);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::unexpected(DataLossError(
        file.string() + ": expected a whole number of microjoules, found '" + text + "'"));
  }
  return value;
}

struct Domain {
  std::string label;  // "package-0", "dram-0"
  std::filesystem::path energy_file;
  std::uint64_t range_uj = 0;
  std::uint64_t last_uj = 0;
  std::uint64_t total_uj = 0;  // unwrapped since the meter opened
};

// Reads every domain and returns the joules counted since opening, unwrapped.
class RaplCounters {
 public:
  explicit RaplCounters(std::vector<Domain> domains) : domains_(std::move(domains)) {}

  Result<double> ReadJoules() {
    std::uint64_t total = 0;
    for (Domain& domain : domains_) {
      LEPTON_ASSIGN_OR_RETURN(const std::uint64_t now, ReadMicrojoules(domain.energy_file));
      if (now > domain.range_uj) {
        return std::unexpected(DataLossError(domain.energy_file.string() + ": " +
                                             std::to_string(now) + " exceeds max_energy_range_uj " +
                                             std::to_string(domain.range_uj)));
      }
      domain.total_uj += UnwrappedDeltaMicrojoules(domain.last_uj, now, domain.range_uj);
      domain.last_uj = now;
      total += domain.total_uj;
    }
    return static_cast<double>(total) * 1e-6;
  }

  // The first reading of every domain: the base the totals count from.
  Status Prime() {
    for (Domain& domain : domains_) {
      LEPTON_ASSIGN_OR_RETURN(domain.last_uj, ReadMicrojoules(domain.energy_file));
      domain.total_uj = 0;
    }
    return OkStatus();
  }

 private:
  std::vector<Domain> domains_;
};

Result<std::vector<Domain>> FindDomains(const std::filesystem::path& root) {
  std::error_code error;
  if (!std::filesystem::is_directory(root, error)) {
    return std::unexpected(UnavailableError(
        root.string() + " does not exist: this kernel or VM exposes no powercap RAPL"));
  }
  static const std::regex kZone(R"(^intel-rapl:([0-9]+)(:[0-9]+)?$)");
  std::vector<Domain> domains;
  std::vector<std::string> skipped;
  std::vector<std::filesystem::path> zones;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    zones.push_back(entry.path());
  }
  std::sort(zones.begin(), zones.end());
  for (const std::filesystem::path& zone : zones) {
    std::smatch match;
    const std::string id = zone.filename().string();
    if (!std::regex_match(id, match, kZone)) continue;
    LEPTON_ASSIGN_OR_RETURN(const std::string name_text, ReadSysfsFile(zone / "name"));
    const std::string name = Trimmed(name_text);
    const bool subzone = match[2].matched;
    const bool package = !subzone && name.starts_with("package");
    const bool dram = name == "dram";
    if (!package && !dram) {
      skipped.push_back(id);
      skipped.back() += " (" + name + ")";
      continue;
    }
    Domain domain;
    domain.label = package ? name : "dram-" + match[1].str();
    domain.energy_file = zone / "energy_uj";
    LEPTON_ASSIGN_OR_RETURN(domain.range_uj, ReadMicrojoules(zone / "max_energy_range_uj"));
    if (domain.range_uj == 0) {
      return std::unexpected(
          DataLossError((zone / "max_energy_range_uj").string() + ": a range of 0 microjoules"));
    }
    domains.push_back(std::move(domain));
  }
  if (domains.empty()) {
    std::string found;
    for (const std::string& zone : skipped) found += (found.empty() ? "" : ", ") + zone;
    return std::unexpected(UnavailableError(
        root.string() + " has no intel-rapl package or DRAM domains" +
        (found.empty() ? std::string(" (RAPL is not exposed: a VM, or no intel_rapl driver)")
                       : " (found only " + found + ")")));
  }
  return domains;
}

}  // namespace

std::uint64_t UnwrappedDeltaMicrojoules(std::uint64_t previous_uj, std::uint64_t current_uj,
                                        std::uint64_t range_uj) {
  if (current_uj >= previous_uj) return current_uj - previous_uj;
  return (range_uj - previous_uj) + current_uj;
}

Result<std::unique_ptr<EnergyMeter>> OpenRaplMeter(const RaplOptions& options) {
  LEPTON_ASSIGN_OR_RETURN(std::vector<Domain> domains, FindDomains(options.root));
  MeterInfo info;
  info.name = "rapl";
  info.tier = spec::EnergyTier::kOnDieCounter;
  for (const Domain& domain : domains) info.domains.push_back(domain.label);
  info.source = options.root.string();
  info.sample_hz = options.sample_hz;
  info.resolution_s = kRaplResolutionSeconds;
  info.method =
      "RAPL energy counters read at each timed window's edges (a window's energy is the "
      "counter difference; an edge within 1 ms of the last read, before the counter can "
      "update, is interpolated), polled on a sampling thread to unwrap at "
      "max_energy_range_uj";
  info.limits =
      "CPU packages and DRAM only: not GPUs, disks, network, fans or power-supply losses; "
      "RAPL is a model-based on-die estimate";
  auto counters = std::make_shared<RaplCounters>(std::move(domains));
  // The first reading checks permission now, with its precise message, rather than mid-run.
  LEPTON_RETURN_IF_ERROR(counters->Prime());
  auto reader = [counters]() -> Result<double> { return counters->ReadJoules(); };
  return std::make_unique<PolledMeter>(std::move(info), TraceKind::kCumulativeJoules,
                                       EdgeReads::kAtEdges, std::move(reader), options.max_gap_s);
}

}  // namespace lepton::bench

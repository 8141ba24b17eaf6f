#include "conformance/checks/cpu_peak.h"

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace lepton::checks {
namespace {

bool HasFlag(std::string_view flags, std::string_view flag) {
  std::size_t at = 0;
  while ((at = flags.find(flag, at)) != std::string_view::npos) {
    const bool starts = at == 0 || flags[at - 1] == ' ' || flags[at - 1] == '\t';
    const std::size_t end = at + flag.size();
    const bool ends = end == flags.size() || flags[end] == ' ' || flags[end] == '\n';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

std::string ReadCpuInfoField(const std::string& root, std::string_view key) {
  std::ifstream in(root + "proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::size_t begin = line.find_first_not_of(" \t", colon + 1);
    return begin == std::string::npos ? "" : line.substr(begin);
  }
  return "";
}

// OpenBLAS kernel families (DYNAMIC_ARCH core names) and the widest ISA they use.
constexpr std::array<std::pair<std::string_view, VectorIsa>, 22> kCores = {{
    {"Prescott", VectorIsa::kSse},
    {"Core2", VectorIsa::kSse},
    {"Penryn", VectorIsa::kSse},
    {"Dunnington", VectorIsa::kSse},
    {"Nehalem", VectorIsa::kSse},
    {"Atom", VectorIsa::kSse},
    {"Opteron", VectorIsa::kSse},
    {"Barcelona", VectorIsa::kSse},
    {"Bobcat", VectorIsa::kSse},
    {"Katmai", VectorIsa::kSse},
    {"Northwood", VectorIsa::kSse},
    {"Sandybridge", VectorIsa::kAvx},
    {"Bulldozer", VectorIsa::kAvx},
    {"Piledriver", VectorIsa::kAvx2},
    {"Steamroller", VectorIsa::kAvx2},
    {"Excavator", VectorIsa::kAvx2},
    {"Haswell", VectorIsa::kAvx2},
    {"Zen", VectorIsa::kAvx2},
    {"SkylakeX", VectorIsa::kAvx512},
    {"Cooperlake", VectorIsa::kAvx512},
    {"SapphireRapids", VectorIsa::kAvx512},
    {"Skylake", VectorIsa::kAvx2},
}};

}  // namespace

std::string_view VectorIsaName(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::kSse:
      return "sse";
    case VectorIsa::kAvx:
      return "avx";
    case VectorIsa::kAvx2:
      return "avx2+fma";
    case VectorIsa::kAvx512:
      return "avx512";
  }
  return "unknown";
}

VectorIsa IsaFromCpuFlags(std::string_view flags) {
  if (HasFlag(flags, "avx512f")) return VectorIsa::kAvx512;
  if (HasFlag(flags, "avx2") && HasFlag(flags, "fma")) return VectorIsa::kAvx2;
  if (HasFlag(flags, "avx")) return VectorIsa::kAvx;
  return VectorIsa::kSse;
}

int Fp32FlopsPerCycle(VectorIsa isa) {
  switch (isa) {
    case VectorIsa::kSse:
      return 8;
    case VectorIsa::kAvx:
      return 16;
    case VectorIsa::kAvx2:
      return 32;
    case VectorIsa::kAvx512:
      return 64;
  }
  return 0;
}

std::optional<VectorIsa> OpenBlasCoreIsa(std::string_view corename) {
  for (const auto& [name, isa] : kCores) {
    if (name == corename) return isa;
  }
  return std::nullopt;
}

std::string OpenBlasAdvice(std::string_view corename, VectorIsa cpu) {
  const auto core = OpenBlasCoreIsa(corename);
  if (!core || *core >= cpu) return "";
  const char* fix = cpu == VectorIsa::kAvx512 ? "SkylakeX"
                    : cpu == VectorIsa::kAvx2 ? "Haswell"
                                              : "Sandybridge";
  return "OpenBLAS runs its '" + std::string(corename) + "' kernels (" +
         std::string(VectorIsaName(*core)) + ") on a CPU with " + std::string(VectorIsaName(cpu)) +
         ": set OPENBLAS_CORETYPE=" + fix + " in the environment of the run";
}

Result<CpuPeak> EstimateCpuPeak(int cores, const std::string& root) {
  CpuPeak peak;
  peak.cores = cores;
  peak.isa = IsaFromCpuFlags(ReadCpuInfoField(root, "flags"));
  peak.flops_per_cycle = Fp32FlopsPerCycle(peak.isa);
  const std::string max_freq_path = root + "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq";
  if (std::ifstream max_freq(max_freq_path); max_freq) {
    double khz = 0;
    if (max_freq >> khz && khz > 0) {
      peak.ghz = khz / 1e6;
      peak.frequency_source = max_freq_path;
    }
  }
  if (peak.ghz == 0) {
    const std::string mhz = ReadCpuInfoField(root, "cpu MHz");
    if (!mhz.empty()) {
      peak.ghz = std::stod(mhz) / 1000.0;
      peak.frequency_source = root + "proc/cpuinfo (cpu MHz, the current or nominal clock)";
    }
  }
  if (peak.ghz <= 0) {
    return std::unexpected(UnavailableError("no CPU frequency in cpufreq or /proc/cpuinfo"));
  }
  peak.gflops = cores * peak.ghz * peak.flops_per_cycle;
  return peak;
}

}  // namespace lepton::checks

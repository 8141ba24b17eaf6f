#include "conformance/checks/system_probe.h"

#include <sched.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <string>

#include "conformance/checks/blas_probe.h"
#include "conformance/checks/cuda_driver_probe.h"
#include "conformance/checks/library_versions.h"

namespace lepton::checks {
namespace {

// The value after "key:" (or "key=") on the first matching line, unquoted and trimmed.
std::string ReadKeyedLine(const char* path, std::string_view key, char separator) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with(key)) continue;
    const std::size_t at = line.find(separator);
    if (at == std::string::npos) continue;
    if (line.find_first_not_of(" \t", key.size()) != at) continue;
    std::string value = line.substr(at + 1);
    const std::size_t begin = value.find_first_not_of(" \t\"");
    const std::size_t end = value.find_last_not_of(" \t\"");
    return begin == std::string::npos ? "" : value.substr(begin, end - begin + 1);
  }
  return "";
}

}  // namespace

SystemDescription ProbeSystem() {
  SystemDescription system;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) == 0) system.hostname = host.data();
  system.os = ReadKeyedLine("/etc/os-release", "PRETTY_NAME", '=');
  if (system.os.empty()) system.unknown["os"] = "/etc/os-release has no PRETTY_NAME";
  if (utsname names{}; ::uname(&names) == 0) {
    system.kernel = std::string(names.sysname) + " " + names.release;
    system.architecture = names.machine;
  }
  system.cpu_model = ReadKeyedLine("/proc/cpuinfo", "model name", ':');
  if (system.cpu_model.empty()) system.unknown["cpu_model"] = "/proc/cpuinfo has no model name";
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) {
    system.cpu_cores = CPU_COUNT(&set);
  } else {
    system.unknown["cpu_cores"] = "sched_getaffinity failed";
  }
  const std::string mem_total = ReadKeyedLine("/proc/meminfo", "MemTotal", ':');
  if (!mem_total.empty()) {
    system.memory_gib = std::stod(mem_total) / (1024.0 * 1024.0);  // MemTotal is in KiB
  } else {
    system.unknown["memory_gib"] = "/proc/meminfo has no MemTotal";
  }
  system.compiler = "g++ " __VERSION__;
  system.build_type = LEPTON_BUILD_TYPE;
  system.blas = ProbeBlas();
  system.gpus = ProbeCudaDriver();
  system.gpus.nvml = ProbeNvml();
  MatchNvmlToCuda(system.gpus);
  system.cuda_libraries = ProbeCudaLibraries();
  system.libraries = LibraryVersions();
  return system;
}

void MatchNvmlToCuda(GpuProbe& gpus) {
  for (NvmlDevice& nvml : gpus.nvml.devices) {
    nvml.cuda_ordinal.reset();
    const auto address = ParsePciBusId(nvml.pci_bus_id);
    if (!address) {
      nvml.unknown["cuda_ordinal"] =
          "no PCI bus id from NVML to match the CUDA devices by" +
          (nvml.unknown.contains("pci_bus_id") ? " (" + nvml.unknown.at("pci_bus_id") + ")"
                                               : std::string());
      continue;
    }
    for (const GpuDevice& cuda : gpus.devices) {
      if (ParsePciBusId(cuda.pci_bus_id) == address) {
        nvml.cuda_ordinal = cuda.ordinal;
        break;
      }
    }
  }
}

spec::Facts FactsFrom(const SystemDescription& system) {
  spec::Facts facts;
  facts.values["gpus"] = system.gpus.count;
  facts.values["ranks"] = 1;  // MPI launch support arrives with the communicator backends
  facts.values["nodes"] = 1;
  if (system.cpu_cores > 0) {
    facts.values["cpu_cores"] = system.cpu_cores;
  } else {
    facts.unknown_reasons["cpu_cores"] = system.unknown.at("cpu_cores");
  }
  if (system.memory_gib) {
    facts.values["memory_gib"] = *system.memory_gib;
  } else {
    facts.unknown_reasons["memory_gib"] = system.unknown.at("memory_gib");
  }
  return facts;
}

}  // namespace lepton::checks

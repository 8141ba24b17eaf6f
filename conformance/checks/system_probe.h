#pragma once
// Describes the machine a run certifies: CPU, memory, OS, compiler, BLAS/LAPACK, libraries and
// GPUs. Every field that could not be read says why instead of holding a guess.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conformance/checks/cuda_libraries_probe.h"
#include "conformance/checks/nvml_probe.h"
#include "conformance/spec/resolve.h"

namespace lepton::checks {

// One CUDA device as the driver API describes it; fields it would not give stay empty or 0 and
// are named in `unknown` with the reason.
struct GpuDevice {
  int ordinal = 0;
  std::string name;
  std::string pci_bus_id;          // "0000:3b:00.0"
  std::string compute_capability;  // "9.0"
  double memory_gib = 0;
  int multiprocessors = 0;
  int clock_mhz = 0;  // typical SM clock
  int memory_clock_mhz = 0;
  int memory_bus_bits = 0;
  std::optional<bool> ecc_enabled;
  std::map<std::string, std::string> unknown;
};

struct GpuProbe {
  int count = 0;                   // devices visible through the CUDA driver API
  std::string driver_version;      // "13.0"; empty when unknown
  std::string unavailable_reason;  // why count is 0 or the version is missing
  std::vector<GpuDevice> devices;
  NvmlProbe nvml;  // what NVML adds per device, matched to the CUDA ordinals by PCI bus id
};

struct BlasProbe {
  std::string config;  // openblas_get_config()
  std::string core;    // openblas_get_corename(): the kernel family in use
  int threads = 0;     // openblas_get_num_threads()
  std::string lapack_version;
  bool sgemm_exact = false;  // a 64x64 SGEMM on small integers matched the exact product
  std::string onednn_isa;    // the ISA oneDNN dispatches to (dnnl_get_effective_cpu_isa)
};

struct SystemDescription {
  std::string hostname;
  std::string os;
  std::string kernel;
  std::string architecture;
  std::string cpu_model;
  int cpu_cores = 0;  // logical CPUs in this process's affinity mask
  std::optional<double> memory_gib;
  std::string compiler;
  std::string build_type;
  BlasProbe blas;
  GpuProbe gpus;
  CudaLibraries cuda_libraries;
  std::map<std::string, std::string> libraries;  // name -> version
  std::map<std::string, std::string> unknown;    // field -> why it could not be read
};

SystemDescription ProbeSystem();

// Sets each NVML device's cuda_ordinal to the CUDA device at the same PCI address. A device
// CUDA does not see (CUDA_VISIBLE_DEVICES, MIG) keeps none; one whose address NVML would not
// give is named in its `unknown`.
void MatchNvmlToCuda(GpuProbe& gpus);

// The facts profile preconditions and applies_if conditions read.
spec::Facts FactsFrom(const SystemDescription& system);

}  // namespace lepton::checks

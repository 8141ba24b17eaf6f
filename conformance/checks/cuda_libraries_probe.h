#pragma once
// Versions of the CUDA runtime, cuBLAS and NCCL libraries the loader finds, each loaded with
// dlopen (no link dependency; absent libraries are reported with the reason, never fatal).
// These answer "which CUDA stack would a GPU workload run on here", which the driver version
// alone does not: a node's runtime may be older or newer than its driver.

#include <string>
#include <vector>

namespace lepton::checks {

struct LibraryVersion {
  std::string version;             // "13.0.48"; empty when unknown
  std::string path;                // what was loaded
  std::string unavailable_reason;  // why the version is empty
};

struct CudaLibraries {
  LibraryVersion runtime;  // libcudart: cudaRuntimeGetVersion
  LibraryVersion cublas;   // libcublas: cublasGetProperty
  LibraryVersion nccl;     // libnccl: ncclGetVersion
};

struct CudaLibraryNames {
  std::vector<std::string> runtime = {"libcudart.so.13", "/usr/local/cuda/lib64/libcudart.so.13"};
  std::vector<std::string> cublas = {"libcublas.so.13", "/usr/local/cuda/lib64/libcublas.so.13"};
  std::vector<std::string> nccl = {"libnccl.so.2", "/usr/local/cuda/lib64/libnccl.so.2"};
};

// Tries each name in order; tests pass stand-in libraries.
CudaLibraries ProbeCudaLibraries(const CudaLibraryNames& names = {});

}  // namespace lepton::checks

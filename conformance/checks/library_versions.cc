#include "conformance/checks/library_versions.h"

#include <dnnl.h>
#include <fmt/core.h>
#include <google/protobuf/stubs/common.h>
#include <sodium.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

namespace lepton::checks {

std::map<std::string, std::string> LibraryVersions() {
  std::map<std::string, std::string> versions;
  const dnnl_version_t* dnnl = dnnl_version();
  versions["oneDNN"] = std::to_string(dnnl->major) + "." + std::to_string(dnnl->minor) + "." +
                       std::to_string(dnnl->patch);
  versions["fmt"] = std::to_string(FMT_VERSION / 10000) + "." +
                    std::to_string(FMT_VERSION / 100 % 100) + "." +
                    std::to_string(FMT_VERSION % 100);
  versions["nlohmann_json"] = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                              std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                              std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  versions["protobuf"] = google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION);
  versions["libsodium"] = sodium_version_string();
  versions["zlib"] = zlibVersion();
  // Libraries without a version macro: the versions CMake's find_package reported.
  versions["yaml-cpp"] = LEPTON_YAML_CPP_VERSION;
  versions["ONNX"] = LEPTON_ONNX_VERSION;
  versions["Google Benchmark"] = LEPTON_BENCHMARK_VERSION;
  versions["MPI"] = LEPTON_MPI_VERSION;
  versions["CUDA Toolkit (build)"] = LEPTON_CUDA_TOOLKIT_VERSION;
  return versions;
}

}  // namespace lepton::checks

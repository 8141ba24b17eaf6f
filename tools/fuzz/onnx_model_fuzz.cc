// Fuzzes the ONNX model loader: ParseModel (protobuf to the executor's plain graph), the ONNX
// checker with strict shape inference that `lepton-cert onnx check` runs, and ParseTensor, all on
// the same bytes, with the default limits.

#include <cstdint>
#include <string_view>

#include "conformance/onnx/onnx_model.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)lepton::onnx::ParseModel(bytes, "fuzz.onnx");
  (void)lepton::onnx::CheckModel(bytes, "fuzz.onnx");
  (void)lepton::onnx::ParseTensor(bytes, "fuzz.pb");
  return 0;
}

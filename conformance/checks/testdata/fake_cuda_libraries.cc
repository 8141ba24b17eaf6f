// A stand-in for libcudart, libcublas and libnccl in one library: the version entry points the
// probe calls, by their C ABIs. fake_cuda_libraries_fail(1) makes every call fail.

namespace {
int g_fail = 0;
}  // namespace

extern "C" {

void fake_cuda_libraries_fail(int fail) { g_fail = fail; }

int cudaRuntimeGetVersion(int* version) {
  *version = 13000;
  return g_fail != 0 ? 35 : 0;  // cudaErrorInsufficientDriver
}

int cublasGetProperty(int property, int* value) {
  static const int kParts[3] = {13, 0, 2};
  *value = kParts[property];
  return g_fail != 0 ? 7 : 0;  // CUBLAS_STATUS_INVALID_VALUE
}

int ncclGetVersion(int* version) {
  *version = 22803;
  return g_fail != 0 ? 1 : 0;  // ncclUnhandledCudaError
}

}  // extern "C"

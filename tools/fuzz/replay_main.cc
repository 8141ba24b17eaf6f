// The fuzz targets' main() outside fuzzing builds: runs LLVMFuzzerTestOneInput once on every file
// named on the command line or found (recursively) in a named directory, as libFuzzer does with
// a corpus directory. A crash, sanitizer report or hang fails the CTest test that runs it.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int RunOne(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << path.string() << ": cannot open\n";
    return 1;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in its own allocation, so ASan sees reads past the end as libFuzzer would.
  const std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(input.data(), input.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int failures = 0;
  int inputs = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path arg(argv[i]);
    std::error_code error;
    if (std::filesystem::is_directory(arg, error)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(arg)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      for (const auto& file : files) {
        failures += RunOne(file);
        ++inputs;
      }
    } else {
      failures += RunOne(arg);
      ++inputs;
    }
  }
  std::cout << "replayed " << inputs << " inputs\n";
  if (inputs == 0) {
    std::cerr << "no inputs: name corpus files or directories\n";
    return 1;
  }
  return failures == 0 ? 0 : 1;
}

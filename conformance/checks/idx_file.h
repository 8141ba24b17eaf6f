#pragma once
// IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): two zero
// bytes, a type byte, a dimension count, that many big-endian uint32 sizes, then the data in
// row-major order. Files may be gzip-compressed. The reader checks the header before allocating
// and refuses hostile headers (too many dimensions, sizes whose product overflows or exceeds the
// limit), truncated data and trailing bytes, naming the file and the byte offset.

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include "conformance/core/status.h"

namespace lepton::checks {

enum class IdxType : std::uint8_t {
  kUint8 = 0x08,
  kInt8 = 0x09,
  kInt16 = 0x0B,
  kInt32 = 0x0C,
  kFloat32 = 0x0D,
  kFloat64 = 0x0E,
};

struct IdxLimits {
  int max_dims = 4;
  std::uint64_t max_data_bytes = std::uint64_t{1} << 30;  // 1 GiB after decompression
};

struct IdxArray {
  IdxType type = IdxType::kUint8;
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  // raw bytes; for wider types still big-endian as in the file
};

// SHA-256 of the file's content as IDX (header and data, uncompressed): the same for a file
// and its gzip-compressed copy, whatever the compressor.
std::string IdxContentSha256(const IdxArray& array);

Result<IdxArray> ReadIdxFile(const std::filesystem::path& path, const IdxLimits& limits = {});

// The bytes of an IDX file already in memory (used by tests and fuzzing).
Result<IdxArray> ParseIdx(std::string_view bytes, std::string_view name,
                          const IdxLimits& limits = {});

}  // namespace lepton::checks

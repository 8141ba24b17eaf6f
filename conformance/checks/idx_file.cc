#include "conformance/checks/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "conformance/core/sha256.h"

namespace lepton::checks {
namespace {

constexpr std::uint64_t kReadChunkBytes = std::uint64_t{1} << 20;

int ElementSize(std::uint8_t type) {
  switch (static_cast<IdxType>(type)) {
    case IdxType::kUint8:
    case IdxType::kInt8:
      return 1;
    case IdxType::kInt16:
      return 2;
    case IdxType::kInt32:
    case IdxType::kFloat32:
      return 4;
    case IdxType::kFloat64:
      return 8;
  }
  return 0;
}

// A byte source: a gzip stream through zlib (which also reads uncompressed files as they are)
// or a buffer in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns how many, or an error.
  virtual Result<std::size_t> Read(void* out, std::size_t size) = 0;
};

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(gzFile file) : file_(file) {}
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;
  ~GzipSource() override { gzclose(file_); }
  Result<std::size_t> Read(void* out, std::size_t size) override {
    std::size_t total = 0;
    auto* bytes = static_cast<unsigned char*>(out);
    while (total < size) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(size - total, 1U << 30));
      const int n = gzread(file_, bytes + total, chunk);
      if (n < 0) {
        int code = 0;
        const char* message = gzerror(file_, &code);
        return std::unexpected(DataLossError(std::string("corrupt gzip stream: ") + message));
      }
      if (n == 0) break;
      total += static_cast<std::size_t>(n);
    }
    return total;
  }

 private:
  gzFile file_;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<std::size_t> Read(void* out, std::size_t size) override {
    const std::size_t n = std::min(size, bytes_.size() - offset_);
    // memcpy with a null pointer is undefined even for 0 bytes, and an empty vector's data() may
    // be null (found by idx_file_fuzz on a file with a zero dimension).
    if (n == 0) return n;
    std::memcpy(out, bytes_.data() + offset_, n);
    offset_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t offset_ = 0;
};

Result<IdxArray> Parse(ByteSource& source, const std::string& name, const IdxLimits& limits) {
  const auto at = [&](std::uint64_t offset, const std::string& message) {
    return DataLossError(name + ": byte " + std::to_string(offset) + ": " + message);
  };
  std::array<std::uint8_t, 4> magic{};
  LEPTON_ASSIGN_OR_RETURN(const std::size_t got, source.Read(magic.data(), magic.size()));
  if (got < magic.size()) {
    return std::unexpected(at(got, "file ends inside the 4-byte magic number"));
  }
  if (magic[0] != 0 || magic[1] != 0) {
    return std::unexpected(at(0,
                              "not an IDX file: the magic number must start with two zero "
                              "bytes"));
  }
  const int element_size = ElementSize(magic[2]);
  if (element_size == 0) {
    std::array<char, 8> hex{};
    std::snprintf(hex.data(), hex.size(), "0x%02X", magic[2]);
    return std::unexpected(at(2, "unknown IDX data type " + std::string(hex.data()) +
                                     " (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)"));
  }
  const int ndims = magic[3];
  if (ndims < 1 || ndims > limits.max_dims) {
    return std::unexpected(at(3, std::to_string(ndims) + " dimensions; expected 1 to " +
                                     std::to_string(limits.max_dims)));
  }
  IdxArray array;
  array.type = static_cast<IdxType>(magic[2]);
  std::uint64_t elements = 1;
  for (int d = 0; d < ndims; ++d) {
    std::array<std::uint8_t, 4> raw{};
    LEPTON_ASSIGN_OR_RETURN(const std::size_t n, source.Read(raw.data(), raw.size()));
    const std::uint64_t offset = 4 + 4 * static_cast<std::uint64_t>(d);
    if (n < raw.size()) {
      return std::unexpected(
          at(offset + n, "file ends inside the size of dimension " + std::to_string(d)));
    }
    const std::uint32_t size = (std::uint32_t{raw[0]} << 24) | (std::uint32_t{raw[1]} << 16) |
                               (std::uint32_t{raw[2]} << 8) | std::uint32_t{raw[3]};
    array.dims.push_back(size);
    // elements stays <= max_data_bytes / element_size, so the product never overflows.
    const std::uint64_t max_elements =
        limits.max_data_bytes / static_cast<std::uint64_t>(element_size);
    if (size != 0 && elements > max_elements / size) {
      return std::unexpected(at(offset, "dimensions ask for more than " +
                                            std::to_string(limits.max_data_bytes) +
                                            " bytes of data; refusing to allocate"));
    }
    elements *= size;
  }
  const std::uint64_t data_bytes = elements * static_cast<std::uint64_t>(element_size);
  const std::uint64_t header_bytes = 4 + 4 * static_cast<std::uint64_t>(ndims);
  // The buffer grows as data arrives rather than as the header announces: an 8-byte file that
  // announces 1 GiB costs one short read, not a 1 GiB allocation.
  std::uint64_t read = 0;
  while (read < data_bytes) {
    const std::uint64_t chunk = std::min(kReadChunkBytes, data_bytes - read);
    array.data.resize(static_cast<std::size_t>(read + chunk));
    LEPTON_ASSIGN_OR_RETURN(const std::size_t chunk_read,
                            source.Read(array.data.data() + read, static_cast<std::size_t>(chunk)));
    read += chunk_read;
    if (chunk_read < chunk) break;
  }
  if (read < data_bytes) {
    return std::unexpected(at(header_bytes + read, "file ends after " + std::to_string(read) +
                                                       " of " + std::to_string(data_bytes) +
                                                       " data bytes the header announces"));
  }
  std::array<std::uint8_t, 64> extra{};
  LEPTON_ASSIGN_OR_RETURN(const std::size_t trailing, source.Read(extra.data(), extra.size()));
  if (trailing > 0) {
    return std::unexpected(
        at(header_bytes + data_bytes, "trailing bytes after the data the header announces"));
  }
  return array;
}

}  // namespace

std::string IdxContentSha256(const IdxArray& array) {
  std::string header = {0, 0, static_cast<char>(array.type), static_cast<char>(array.dims.size())};
  for (std::uint32_t d : array.dims) {
    for (int shift = 24; shift >= 0; shift -= 8) header.push_back(static_cast<char>(d >> shift));
  }
  Sha256 hasher;
  hasher.Update(header);
  hasher.Update(std::as_bytes(std::span(array.data)));
  return hasher.FinishHex();
}

Result<IdxArray> ReadIdxFile(const std::filesystem::path& path, const IdxLimits& limits) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) {
    return std::unexpected(NotFoundError(path.string() + ": cannot open: " + std::strerror(errno)));
  }
  GzipSource source(file);
  return Parse(source, path.string(), limits);
}

Result<IdxArray> ParseIdx(std::string_view bytes, std::string_view name, const IdxLimits& limits) {
  MemorySource source(bytes);
  return Parse(source, std::string(name), limits);
}

}  // namespace lepton::checks

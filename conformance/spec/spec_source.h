#pragma once
// Where spec files come from: a directory on disk, or the copy embedded in the binary. Paths are
// relative to the spec's directory; absolute paths and ".." are refused, so a spec can name only
// files inside its own directory.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "conformance/core/embedded_file.h"
#include "conformance/core/status.h"

namespace lepton::spec {

inline constexpr std::size_t kMaxSpecFileBytes = 1 << 20;

class SpecSource {
 public:
  virtual ~SpecSource() = default;
  virtual Result<std::string> Read(std::string_view relative_path) const = 0;
  // How messages name the file: "spec/lepton-v1/requirements.yaml" or "<embedded>/...".
  [[nodiscard]] virtual std::string DisplayName(std::string_view relative_path) const = 0;
};

// Rejects "", absolute paths, "..", and anything but a plain relative path.
Status CheckRelativeSpecPath(std::string_view path);

class DirectorySource final : public SpecSource {
 public:
  explicit DirectorySource(std::filesystem::path root) : root_(std::move(root)) {}
  Result<std::string> Read(std::string_view relative_path) const override;
  [[nodiscard]] std::string DisplayName(std::string_view relative_path) const override;

 private:
  std::filesystem::path root_;
};

class EmbeddedSource final : public SpecSource {
 public:
  explicit EmbeddedSource(std::span<const EmbeddedFile> files) : files_(files) {}
  Result<std::string> Read(std::string_view relative_path) const override;
  [[nodiscard]] std::string DisplayName(std::string_view relative_path) const override;

 private:
  std::span<const EmbeddedFile> files_;
};

}  // namespace lepton::spec

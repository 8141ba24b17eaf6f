#include "conformance/core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lepton {
namespace {

Status ErrnoError(std::string_view what, const std::filesystem::path& path) {
  const int error = errno;
  std::string message = path.string() + ": " + std::string(what) + ": " + std::strerror(error);
  if (error == ENOSPC || error == EFBIG || error == EDQUOT) {
    return ResourceExhaustedError(std::move(message));
  }
  return InternalError(std::move(message));
}

// Closes the descriptor and removes the temporary file unless Release() was called.
class TempFileGuard {
 public:
  TempFileGuard(int fd, std::filesystem::path path) : fd_(fd), path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  [[nodiscard]] int fd() const { return fd_; }
  Status Close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return ErrnoError("close", path_);
    return OkStatus();
  }
  void Release() { released_ = true; }

 private:
  int fd_;
  std::filesystem::path path_;
  bool released_ = false;
};

}  // namespace

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string pattern = (directory / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return ErrnoError("cannot create temporary file", directory);
  TempFileGuard guard(fd, pattern);

  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("write", pattern);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0) return ErrnoError("fchmod", pattern);
  if (::fsync(fd) != 0) return ErrnoError("fsync", pattern);
  LEPTON_RETURN_IF_ERROR(guard.Close());
  if (::rename(pattern.c_str(), path.c_str()) != 0) return ErrnoError("rename", path);
  guard.Release();

  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return OkStatus();
}

}  // namespace lepton

#include "conformance/core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace lepton {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lepton_atomic_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Only the target may remain: no temporary files left behind.
  [[nodiscard]] int EntriesInDir() const {
    return static_cast<int>(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }

  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesAndReplaces) {
  const fs::path target = dir_ / "report.json";
  ASSERT_TRUE(WriteFileAtomically(target, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(target, "second").ok());
  EXPECT_EQ(ReadAll(target), "second");
  EXPECT_EQ(EntriesInDir(), 1);
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnError) {
  const Status status = WriteFileAtomically(dir_ / "missing" / "report.json", "x");
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("cannot create temporary file"), std::string::npos);
}

// A write larger than RLIMIT_FSIZE fails like a full disk: the old file stays intact.
TEST_F(AtomicFileTest, FileSizeLimitKeepsPreviousContent) {
  const fs::path target = dir_ / "report.json";
  ASSERT_TRUE(WriteFileAtomically(target, "previous").ok());
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{1024, 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    const Status status = WriteFileAtomically(target, std::string(1 << 20, 'x'));
    ::_exit(status.code() == StatusCode::kResourceExhausted ? 0 : 1);
  }
  int wait_status = 0;
  ::waitpid(child, &wait_status, 0);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 0);
  EXPECT_EQ(ReadAll(target), "previous");
  EXPECT_EQ(EntriesInDir(), 1);
}

// A writer killed at any moment (here SIGKILL, which runs no clean-up) leaves the target either
// as it was or wholly replaced: readers never see a mix.
TEST_F(AtomicFileTest, WriterKilledMidWriteLeavesACompleteFile) {
  const fs::path target = dir_ / "report.json";
  ASSERT_TRUE(WriteFileAtomically(target, "previous").ok());
  const std::size_t size = std::size_t{16} << 20;
  for (int delay_ms : {1, 5, 20, 60}) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (char fill = 'a';; fill = fill == 'a' ? 'b' : 'a') {
        if (!WriteFileAtomically(target, std::string(size, fill)).ok()) ::_exit(1);
      }
    }
    ::usleep(static_cast<useconds_t>(delay_ms) * 1000);
    ::kill(child, SIGKILL);
    int wait_status = 0;
    ::waitpid(child, &wait_status, 0);
    ASSERT_TRUE(WIFSIGNALED(wait_status));
    const std::string content = ReadAll(target);
    const bool previous = content == "previous";
    const bool whole =
        content.size() == size && content.find_first_not_of(content.front()) == std::string::npos;
    EXPECT_TRUE(previous || whole)
        << "after " << delay_ms << " ms: a " << content.size() << "-byte mix";
  }
}

}  // namespace
}  // namespace lepton

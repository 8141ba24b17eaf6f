#include "bench/comm/collective_watchdog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <future>

namespace lepton::bench {
namespace {

using ::testing::HasSubstr;

// The first timeout message, or "" when none came within `wait`.
struct Messages {
  std::mutex mutex;
  std::vector<std::string> received;
  CollectiveWatchdog::TimeoutAction Action() {
    return [this](const std::string& message) {
      const std::lock_guard lock(mutex);
      received.push_back(message);
    };
  }
  std::vector<std::string> Get() {
    const std::lock_guard lock(mutex);
    return received;
  }
};

TEST(CollectiveWatchdogTest, AnOperationOutlastingTheLimitIsReportedOnceNamingRankAndOperation) {
  Messages messages;
  {
    CollectiveWatchdog watchdog(3, 0.2, messages.Action());
    const CollectiveWatchdog::Scope scope(watchdog, "MPI_Allreduce", 203530, true);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }
  const auto received = messages.Get();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_THAT(received[0], HasSubstr("rank 3: MPI_Allreduce of 203530 elements has not completed "
                                     "after 0."));
  EXPECT_THAT(received[0], HasSubstr("the watchdog's limit is 0.2 s, "
                                     "LEPTON_COLLECTIVE_TIMEOUT_S): a peer rank is gone or stuck"));
}

TEST(CollectiveWatchdogTest, OperationsWithinTheLimitAndUntimedWaitsAreNotReported) {
  Messages messages;
  {
    CollectiveWatchdog watchdog(0, 0.3, messages.Action());
    for (int i = 0; i < 10; ++i) {
      const CollectiveWatchdog::Scope scope(watchdog, "MPI_Bcast", 8, true);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const CollectiveWatchdog::Scope barrier(watchdog, "MPI_Ibarrier", 0, false);
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
  }
  EXPECT_TRUE(messages.Get().empty());
}

TEST(CollectiveWatchdogTest, TheEnvironmentSetsTheLimit) {
  ::setenv("LEPTON_COLLECTIVE_TIMEOUT_S", "42.5", 1);
  EXPECT_EQ(CollectiveTimeoutFromEnvironment(), 42.5);
  ::setenv("LEPTON_COLLECTIVE_TIMEOUT_S", "soon", 1);
  EXPECT_EQ(CollectiveTimeoutFromEnvironment(), kDefaultCollectiveTimeoutS);
  ::unsetenv("LEPTON_COLLECTIVE_TIMEOUT_S");
  EXPECT_EQ(CollectiveTimeoutFromEnvironment(), kDefaultCollectiveTimeoutS);
}

// What mpirun does to the surviving ranks when one dies: SIGTERM. The rank's last words name the
// operation it was waiting in, and the signal still ends it.
TEST(CollectiveWatchdogTest, ASignalDuringAnOperationNamesItAndStillEndsTheRank) {
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::dup2(pipe_ends[1], STDERR_FILENO);
    CollectiveWatchdog watchdog(1, 60);
    watchdog.ReportSignals();
    const CollectiveWatchdog::Scope scope(watchdog, "MPI_Allreduce", 16, true);
    std::raise(SIGTERM);
    std::_Exit(0);  // not reached: the signal ends the process
  }
  ::close(pipe_ends[1]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::string output(512, '\0');
  const ssize_t read = ::read(pipe_ends[0], output.data(), output.size());
  ::close(pipe_ends[0]);
  output.resize(read > 0 ? static_cast<std::size_t>(read) : 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  EXPECT_EQ(output,
            "lepton-cert: rank 1: ended by SIGTERM while in MPI_Allreduce; a peer rank is gone or "
            "stopped\n");
}

}  // namespace
}  // namespace lepton::bench

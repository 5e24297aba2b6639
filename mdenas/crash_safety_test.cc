// Kills a running search with SIGKILL, again and again, some of the times
// in the middle of writing its checkpoint, and resumes it each time: the
// checkpoint on disk must be loadable after every kill, and the search must
// end with exactly the architecture and distributions of an uninterrupted run.

#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "data/test_fixtures.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"
#include "mdenas/run/checkpoint.h"
#include "mdenas/run/run_directory.h"

namespace mdenas {
namespace {

// How a search process ended.
struct Ending {
  bool finished = false;  // Exited 0.
  bool killed = false;    // By our SIGKILL.
};

// Waits for `pid`, killing it when `deadline` passes or, if
// `kill_mid_checkpoint`, as soon as it starts writing a checkpoint (its
// temporary file appears in `run_dir`).
Ending Supervise(pid_t pid, const std::string& run_dir, bool kill_mid_checkpoint,
                 std::chrono::milliseconds deadline) {
  const int watch = inotify_init1(IN_NONBLOCK);
  if (kill_mid_checkpoint) inotify_add_watch(watch, run_dir.c_str(), IN_CREATE);
  const auto start = std::chrono::steady_clock::now();
  Ending ending;
  int status = 0;
  while (true) {
    if (::waitpid(pid, &status, WNOHANG) == pid) break;
    bool kill_now = std::chrono::steady_clock::now() - start > deadline;
    alignas(inotify_event) char buffer[4096];
    const ssize_t n = ::read(watch, buffer, sizeof(buffer));
    for (ssize_t i = 0; i < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + i);
      if (event->len > 0 &&
          absl::StartsWith(event->name, absl::StrCat(kCheckpointFile, ".tmp."))) {
        kill_now = true;
      }
      i += sizeof(inotify_event) + event->len;
    }
    if (kill_now) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      ending.killed = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::close(watch);
  ending.finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return ending;
}

TEST(CrashSafetyTest, KilledAndResumedSearchEndsAsTheUninterruptedOne) {
  const absl::StatusOr<std::string> found = RunfilePath(nullptr, "mdenas/search");
  ASSERT_TRUE(found.ok()) << found.status();
  const std::string binary = *found;
  const std::string data = WriteCifar10Fixture("cifar", 8);
  const std::vector<std::string> spec_flags = {
      "--data_dir=" + data, "--epochs=8", "--batch_size=8", "--threads=1",
      "--set=space.darts.layers=3,space.darts.init_channels=4"};

  const std::string whole = MakeTestDir("whole");
  std::vector<std::string> argv = {binary, "--out=" + whole};
  argv.insert(argv.end(), spec_flags.begin(), spec_flags.end());
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult uninterrupted = RunProcess(argv);
  ASSERT_TRUE(uninterrupted.exited && uninterrupted.exit_code == 0)
      << uninterrupted.output;
  // Random kills land within the time a whole run takes, whatever the build
  // (sanitizers make it several times slower).
  const int run_ms = static_cast<int>(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started)
          .count());

  const std::string run = MakeTestDir("killed");
  std::mt19937 rng(20261122);
  int kills = 0, mid_checkpoint_kills = 0, sessions = 0;
  bool finished = false;
  while (!finished) {
    ASSERT_LT(++sessions, 20) << "the search never finished";
    const bool resume = PathExists(JoinPath(run, kCheckpointFile));
    std::vector<std::string> session = {binary};
    if (resume) {
      session.push_back("--resume=" + run);
    } else {
      session.push_back("--out=" + run);
      session.insert(session.end(), spec_flags.begin(), spec_flags.end());
    }
    // Three kills as a checkpoint is being written, then up to three at
    // random moments (a session may finish first), then the search may
    // finish.
    const bool mid_checkpoint = kills < 3;
    const bool random_kill = !mid_checkpoint && sessions <= 6;
    const auto deadline = std::chrono::milliseconds(
        random_kill
            ? std::uniform_int_distribution<int>(run_ms / 10, run_ms / 2)(rng)
            : 600000);
    const pid_t pid = StartProcess(session);
    ASSERT_GT(pid, 0);
    const Ending ending = Supervise(pid, run, mid_checkpoint, deadline);
    finished = ending.finished;
    if (ending.killed) {
      ++kills;
      if (mid_checkpoint) ++mid_checkpoint_kills;
    } else {
      ASSERT_TRUE(ending.finished) << "session " << sessions << " failed";
    }
    // Whatever moment the kill hit, the checkpoint on disk is whole.
    if (PathExists(JoinPath(run, kCheckpointFile))) {
      const absl::StatusOr<RunDirectory> directory = RunDirectory::Open(run);
      ASSERT_TRUE(directory.ok()) << directory.status();
      const absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(*directory);
      ASSERT_TRUE(checkpoint.ok()) << "after kill " << kills << ": "
                                   << checkpoint.status();
    }
  }
  RecordProperty("kills", kills);
  RecordProperty("mid_checkpoint_kills", mid_checkpoint_kills);
  EXPECT_GE(kills, 4);
  EXPECT_EQ(mid_checkpoint_kills, 3);
  for (const char* file : {kArchitectureFile, kDistributionFile}) {
    EXPECT_EQ(*ReadFile(JoinPath(run, file)), *ReadFile(JoinPath(whole, file)))
        << file;
  }
}

}  // namespace
}  // namespace mdenas

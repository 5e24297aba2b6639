#include "mdenas/distributed/launcher.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mdenas/base/status_macros.h"
#include "mdenas/distributed/local_address.h"

namespace mdenas {
namespace {

// The rank's process: its variables set, then `binary` in its place.
// Between fork and exec only async-signal-safe calls: everything is
// prepared before the fork.
pid_t StartRank(const std::string& binary, const std::vector<std::string>& command,
                const std::vector<std::string>& variables) {
  std::vector<char*> argv;
  for (const std::string& argument : command) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    environment.emplace_back(*variable);
  }
  environment.insert(environment.end(), variables.begin(), variables.end());
  std::vector<char*> envp;
  for (std::string& variable : environment) envp.push_back(variable.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // A rank outlives no launcher that was killed.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  return pid;
}

// Sends `signal` to the ranks still running (those not yet reaped: > 0).
void Signal(const std::vector<pid_t>& ranks, int signal) {
  for (pid_t rank : ranks) {
    if (rank > 0) ::kill(rank, signal);
  }
}

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace

absl::StatusOr<int> LaunchLocalRanks(int processes, const std::string& binary,
                                     const std::vector<std::string>& argv, absl::Duration grace) {
  MDENAS_ASSIGN_OR_RETURN(const int port, FreeLoopbackPort());
  std::vector<pid_t> ranks;
  for (int rank = 0; rank < processes; ++rank) {
    const pid_t pid = StartRank(
        binary, argv,
        {absl::StrCat("RANK=", rank), absl::StrCat("LOCAL_RANK=", rank),
         absl::StrCat("WORLD_SIZE=", processes), absl::StrCat("LOCAL_WORLD_SIZE=", processes),
         "MASTER_ADDR=127.0.0.1", absl::StrCat("MASTER_PORT=", port)});
    if (pid < 0) {
      const int error = errno;
      for (pid_t started : ranks) ::kill(started, SIGTERM);
      for (pid_t started : ranks) ::waitpid(started, nullptr, 0);
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot start rank ", rank, " of ", processes, ": ", std::strerror(error)));
    }
    ranks.push_back(pid);
  }
  int running = processes;
  std::optional<int> first_failure;
  absl::Time deadline = absl::InfiniteFuture();
  bool terminated = false, killed = false;
  while (running > 0) {
    for (pid_t& rank : ranks) {
      int status = 0;
      if (rank < 0 || ::waitpid(rank, &status, WNOHANG) != rank) continue;
      rank = -1;
      --running;
      const int code = ExitCodeOf(status);
      if (code != 0 && !first_failure) {
        first_failure = code;
        deadline = absl::Now() + grace;
      }
    }
    // A stopped rank (SIGSTOP, a debugger) acts on SIGTERM only once it
    // runs again, so it gets SIGCONT too, and SIGKILL if it still stays.
    if (!terminated && absl::Now() > deadline) {
      std::cerr << "launcher: a rank failed; stopping the " << running << " still running after "
                << absl::FormatDuration(grace) << "\n";
      Signal(ranks, SIGTERM);
      Signal(ranks, SIGCONT);
      terminated = true;
    }
    if (!killed && absl::Now() > deadline + absl::Seconds(10)) {
      Signal(ranks, SIGKILL);
      killed = true;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return first_failure.value_or(0);
}

}  // namespace mdenas

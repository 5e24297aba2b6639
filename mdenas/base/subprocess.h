// Running a program the way a user would (tests that drive the real
// binaries, a query of nvidia-smi): its exit status or the signal that ended
// it, and everything it printed.

#ifndef MDENAS_BASE_SUBPROCESS_H_
#define MDENAS_BASE_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace mdenas {

struct ProcessResult {
  // True if the program exited (with `exit_code`), false if a signal
  // (`signal`) ended it.
  bool exited = false;
  int exit_code = -1;
  int signal = 0;
  // Standard output and standard error, interleaved.
  std::string output;
};

// Runs argv[0] (looked up on PATH when it has no '/') with arguments
// argv[1..] and waits for it. Several threads may run processes at once.
ProcessResult RunProcess(const std::vector<std::string>& argv);

// Starts argv[0] with its output discarded and returns its process id, or -1.
pid_t StartProcess(const std::vector<std::string>& argv);

}  // namespace mdenas

#endif  // MDENAS_BASE_SUBPROCESS_H_

#include "mdenas/base/subprocess.h"

#include <signal.h>
#include <sys/wait.h>

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(SubprocessTest, CapturesOutputAndExitCode) {
  const ProcessResult result =
      RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_TRUE(result.exited);
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.output, "out\nerr\n");
}

TEST(SubprocessTest, ReportsTheSignalThatEndedIt) {
  const ProcessResult result = RunProcess({"/bin/sh", "-c", "kill -SEGV $$"});
  EXPECT_FALSE(result.exited);
  EXPECT_EQ(result.signal, SIGSEGV);
}

TEST(SubprocessTest, StartsInTheBackground) {
  const pid_t pid = StartProcess({"/bin/sleep", "10"});
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST(SubprocessTest, AMissingProgramIsReported) {
  const ProcessResult result = RunProcess({"/nonexistent/program"});
  EXPECT_FALSE(result.exited);
  EXPECT_NE(result.output.find("cannot start"), std::string::npos);
}

}  // namespace
}  // namespace mdenas

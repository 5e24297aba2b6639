// The table commands (//benchmarks:cifar10_table, :imagenet_table) as a
// user runs them: a negative --quick_random is an error that names the
// flag, before anything runs.

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

TEST(TableCommandTest, NegativeQuickRandomIsAnError) {
  const auto table = RunfilePath(nullptr, "benchmarks/cifar10_table");
  ASSERT_TRUE(table.ok()) << table.status();
  const ProcessResult run = RunProcess({*table, "--quick", "--quick_random=-1"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output,
              testing::HasSubstr("error: flag --quick_random: must be at least 0, got -1"));
}

}  // namespace
}  // namespace mdenas

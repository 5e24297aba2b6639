// //eval:ranking_study as a user runs it: a flag that lands in a training
// spec out of its range is an error that names the flag, before anything
// trains (before stop 17, --init_channels=0 aborted in libtorch and
// --test_images=-5 went on to train).

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

TEST(RankingStudyCommandTest, FlagsOutOfRangeAreErrorsThatNameTheFlag) {
  const auto study = RunfilePath(nullptr, "eval/ranking_study");
  ASSERT_TRUE(study.ok()) << study.status();
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/study");
  for (const char* flag : {"layers=0", "init_channels=0", "batch_size=0", "test_images=-5",
                           "train_images=-1", "threads=-1"}) {
    const ProcessResult run =
        RunProcess({*study, absl::StrCat("--", flag), absl::StrCat("--out=", out)});
    EXPECT_TRUE(run.exited && run.exit_code == 1) << flag << ": " << run.output;
    const std::string name(flag, std::string(flag).find('='));
    EXPECT_THAT(run.output, testing::HasSubstr(absl::StrCat("error: flag --", name, ": field")))
        << flag;
  }
}

}  // namespace
}  // namespace mdenas

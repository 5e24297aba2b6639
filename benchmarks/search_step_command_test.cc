// //benchmarks:search_step as a user runs it: flags out of range are errors
// that name the flag, a network the flags cannot build is an error (not a
// crash), --versus pairs every run with the other build's, and the
// NAS-Bench-201 supernet runs its aten configurations and lists the fast
// ones as not applicable.

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmarks/regression.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/runfiles.h"
#include "mdenas/base/subprocess.h"

namespace mdenas {
namespace {

using testing::HasSubstr;

std::string SearchStep() {
  const auto path = RunfilePath(nullptr, "benchmarks/search_step");
  EXPECT_TRUE(path.ok()) << path.status();
  return path.ok() ? *path : "";
}

// A tiny run of the fast configuration with `extra` flags.
ProcessResult RunTiny(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {SearchStep(),      "--configurations=fast", "--init_channels=4",
                                   "--layers=2",      "--batch_size=2",        "--image_size=8",
                                   "--threads=1",     "--steps=1",             "--warmup_steps=0",
                                   "--repeats=1",     "--seed=3"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(argv);
}

TEST(SearchStepCommandTest, FlagsOutOfRangeAreErrorsThatNameTheFlag) {
  for (const char* flag : {"steps=0", "repeats=0", "layers=0", "batch_size=0", "image_size=0",
                           "threads=0", "init_channels=-1", "warmup_steps=-1"}) {
    const ProcessResult run = RunTiny({absl::StrCat("--", flag)});
    EXPECT_TRUE(run.exited && run.exit_code == 1) << flag << ": " << run.output;
    const std::string name(flag, std::string(flag).find('='));
    EXPECT_THAT(run.output, HasSubstr(absl::StrCat("error: flag --", name, ": must be at least")))
        << flag;
  }
}

// Two reduction cells take a 2x2 image down to 1x1, where the factorized
// reduction has no shifted pixel: stop 17 found the fast kernels writing
// past their buffers there.
TEST(SearchStepCommandTest, AnImageTooSmallForTheNetworkIsAnError) {
  const ProcessResult run = RunTiny({"--image_size=2"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: configuration fast: the shifted 1x1 convolutions"));
}

TEST(SearchStepCommandTest, VersusPairsEveryRunWithTheOtherBuilds) {
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/versus.json");
  // This build against itself.
  const ProcessResult run =
      RunTiny({"--repeats=3", absl::StrCat("--versus=", SearchStep()), absl::StrCat("--out=", out)});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;
  const auto result = ReadSearchStepJson(out);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->versus_size(), 1);
  const SearchStepVersus& versus = result->versus(0);
  EXPECT_EQ(versus.configuration(), "fast");
  EXPECT_EQ(versus.binary(), SearchStep());
  EXPECT_GT(versus.ms_per_step(), 0);
  ASSERT_EQ(versus.ms_ratio_size(), 3);
  std::vector<double> ratios(versus.ms_ratio().begin(), versus.ms_ratio().end());
  for (double r : ratios) EXPECT_GT(r, 0);
  std::sort(ratios.begin(), ratios.end());
  EXPECT_EQ(versus.median_ms_ratio(), ratios[1]);
  EXPECT_FALSE(result->machine().processor().empty());
  // This build's own runs are counted as without --versus.
  ASSERT_EQ(result->configurations_size(), 1);
  EXPECT_EQ(result->configurations(0).runs(), 3);
}

// A tiny NAS-Bench-201 run with every configuration asked for.
ProcessResult RunTinyNb201(const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {
      SearchStep(),    "--space=nb201",    "--channels=2",    "--cells_per_stage=1",
      "--batch_size=2", "--image_size=8",  "--threads=1",     "--steps=1",
      "--warmup_steps=0", "--repeats=1",   "--seed=3"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunProcess(argv);
}

TEST(SearchStepCommandTest, NasBench201RunsItsAtenConfigurationsAndNotTheFastOnes) {
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/nb201.json");
  const ProcessResult run = RunTinyNb201({absl::StrCat("--out=", out)});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;
  EXPECT_THAT(run.output, HasSubstr("search_step: fast does not apply: the NAS-Bench-201 "
                                    "supernet runs on aten operators only"));
  const auto result = ReadSearchStepJson(out);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->settings().space(), "nb201");
  EXPECT_EQ(result->settings().channels(), 2);
  EXPECT_EQ(result->settings().cells_per_stage(), 1);
  EXPECT_FALSE(result->settings().has_init_channels());
  EXPECT_FALSE(result->settings().has_layers());
  // All five, in the order asked for: the two aten ones measured, the
  // three fast ones with why they did not run, and no measurement.
  ASSERT_EQ(result->configurations_size(), 5);
  for (const SearchStepConfiguration& c : result->configurations()) {
    if (c.kernels() == "aten") {
      EXPECT_FALSE(c.has_not_applicable()) << c.name();
      EXPECT_EQ(c.runs(), 1) << c.name();
      EXPECT_GT(c.images_per_second(), 0) << c.name();
      EXPECT_GT(c.macs_per_step(), 0) << c.name();
    } else {
      EXPECT_THAT(c.not_applicable(), HasSubstr("aten operators only")) << c.name();
      EXPECT_EQ(c.runs(), 0) << c.name();
      EXPECT_EQ(c.step_ms_size(), 0) << c.name();
      EXPECT_FALSE(c.has_images_per_second()) << c.name();
    }
  }
  EXPECT_EQ(result->configurations(0).name(), "aten_nchw");
  EXPECT_EQ(result->configurations(1).name(), "aten_channels_last");
  // No ratio of a fast configuration.
  EXPECT_FALSE(result->ratios().has_fast_over_aten_nchw());
  EXPECT_FALSE(result->ratios().has_fast_over_best_aten());
  EXPECT_FALSE(result->ratios().has_search_memory_over_standalone());
  EXPECT_FALSE(result->ratios().has_search_memory_over_mixed());
}

// The mobile supernet steps on aten and on the fast kernels (depthwise
// convolutions, BatchNorms) side by side.
TEST(SearchStepCommandTest, MobileRunsFastAndAtenConfigurations) {
  const std::string out = absl::StrCat(std::getenv("TEST_TMPDIR"), "/mobile.json");
  const ProcessResult run = RunProcess(
      {SearchStep(), "--space=mobile", "--channel_percent=5", "--batch_size=2",
       "--image_size=16", "--threads=1", "--steps=1", "--warmup_steps=0", "--repeats=1",
       "--configurations=aten_nchw,fast", absl::StrCat("--out=", out)});
  ASSERT_TRUE(run.exited && run.exit_code == 0) << run.output;
  const auto result = ReadSearchStepJson(out);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->settings().space(), "mobile");
  EXPECT_EQ(result->settings().channel_percent(), 5);
  ASSERT_EQ(result->configurations_size(), 2);
  for (const SearchStepConfiguration& c : result->configurations()) {
    EXPECT_GT(c.images_per_second(), 0) << c.name();
  }
  EXPECT_TRUE(result->ratios().has_fast_over_aten_nchw());
  const ProcessResult wide = RunProcess({SearchStep(), "--space=mobile", "--channel_percent=101",
                                         "--configurations=aten_nchw"});
  EXPECT_THAT(wide.output, HasSubstr("channel_percent 101 is above 100"));
}

TEST(SearchStepCommandTest, NasBench201ErrorsNameTheFlag) {
  ProcessResult run = RunTinyNb201({"--configurations=fast,mixed_fast"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --configurations: none of fast,mixed_fast "
                                    "applies to --space=nb201"));
  run = RunTinyNb201({"--layers=3"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --layers: sizes the darts supernet and does "
                                    "not apply to --space=nb201"));
  run = RunTinyNb201({"--channels=0"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --channels: must be at least 1"));
  run = RunTiny({"--cells_per_stage=2"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --cells_per_stage: sizes the nb201 supernet "
                                    "and does not apply to --space=darts"));
  run = RunTiny({"--space=nasnet"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --space: no space 'nasnet'; spaces: darts, "
                                    "nb201, mobile"));
  run = RunTiny({"--space=mobile"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output, HasSubstr("error: flag --init_channels: sizes the darts supernet and "
                                    "does not apply to --space=mobile, whose size flags are "
                                    "--channel_percent"));
}

TEST(SearchStepCommandTest, VersusNeedsAProgram) {
  const ProcessResult run = RunTiny({"--versus=/nonexistent/search_step"});
  EXPECT_TRUE(run.exited && run.exit_code == 1) << run.output;
  EXPECT_THAT(run.output,
              HasSubstr("error: flag --versus: /nonexistent/search_step is not an executable file"));
}

}  // namespace
}  // namespace mdenas

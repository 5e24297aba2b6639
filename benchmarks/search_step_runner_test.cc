#include "benchmarks/search_step_runner.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

SearchStepSettings Tiny() {
  SearchStepSettings s;
  s.set_init_channels(4);
  s.set_layers(3);
  s.set_batch_size(4);
  s.set_image_size(8);
  s.set_threads(1);
  s.set_steps(2);
  s.set_warmup_steps(1);
  s.set_seed(3);
  return s;
}

// The NAS-Bench-201 supernet, 3 stages of one cell of 2, 4 and 8 channels.
SearchStepSettings TinyNb201() {
  SearchStepSettings s = Tiny();
  s.clear_init_channels();
  s.clear_layers();
  s.set_space("nb201");
  s.set_channels(2);
  s.set_cells_per_stage(1);
  return s;
}

StepRun RunTiny(const std::string& name, const SearchStepSettings& settings = Tiny()) {
  const absl::StatusOr<StepConfiguration> c = FindStepConfiguration(name);
  EXPECT_TRUE(c.ok()) << c.status();
  absl::StatusOr<StepRun> run = RunStepConfiguration(*c, settings);
  EXPECT_TRUE(run.ok()) << run.status();
  return run.ok() ? *std::move(run) : StepRun();
}

TEST(SearchStepRunnerTest, TimesTheStepsAndCountsTheSameWorkOnEitherKernels) {
  const StepRun aten = RunTiny("aten_nchw");
  const StepRun fast = RunTiny("fast");
  EXPECT_EQ(aten.step_seconds.size(), 2u);
  EXPECT_EQ(fast.step_seconds.size(), 2u);
  EXPECT_GT(fast.macs, 0);
  EXPECT_EQ(fast.macs, aten.macs);
  EXPECT_EQ(RunTiny("aten_channels_last").macs, aten.macs);
}

TEST(SearchStepRunnerTest, TheMixedSupernetNeedsTheMostMemoryAndTheStandaloneNetworkTheLeast) {
  const int64_t standalone = RunTiny("standalone_fast").peak_tensor_bytes;
  const int64_t single_path = RunTiny("fast").peak_tensor_bytes;
  const int64_t mixed = RunTiny("mixed_fast").peak_tensor_bytes;
  EXPECT_GT(standalone, 0);
  EXPECT_LT(standalone, single_path);
  EXPECT_LT(single_path, mixed);
}

TEST(SearchStepRunnerTest, UnknownConfigurationsAreRejected) {
  EXPECT_FALSE(FindStepConfiguration("fast_nchw").ok());
}

TEST(SearchStepRunnerTest, TheNasBench201SupernetStepsOnAtenInEitherLayout) {
  const StepRun nchw = RunTiny("aten_nchw", TinyNb201());
  const StepRun channels_last = RunTiny("aten_channels_last", TinyNb201());
  EXPECT_EQ(nchw.step_seconds.size(), 2u);
  EXPECT_EQ(channels_last.step_seconds.size(), 2u);
  EXPECT_GT(nchw.macs, 0);
  EXPECT_EQ(channels_last.macs, nchw.macs);
  // Not the DARTS supernet's work.
  EXPECT_NE(nchw.macs, RunTiny("aten_nchw").macs);
}

TEST(SearchStepRunnerTest, TheFastConfigurationsDoNotApplyToNasBench201) {
  for (const StepConfiguration& c : StepConfigurations()) {
    const std::string why = NotApplicable(c, TinyNb201());
    EXPECT_EQ(why.empty(), c.kernels == Kernels::kAten) << c.name;
    EXPECT_EQ(NotApplicable(c, Tiny()), "") << c.name;
    if (c.kernels == Kernels::kFast) {
      const absl::StatusOr<StepRun> run = RunStepConfiguration(c, TinyNb201());
      EXPECT_FALSE(run.ok()) << c.name;
      EXPECT_THAT(std::string(run.status().message()),
                  testing::HasSubstr("runs on aten operators only"));
    }
  }
}

// bfloat16 autocast steps the aten configurations, the same work; the
// fast kernels, float32 only, do not apply.
TEST(SearchStepRunnerTest, Bfloat16StepsTheAtenConfigurationsOnly) {
  SearchStepSettings bfloat16 = Tiny();
  bfloat16.set_precision("bfloat16");
  const StepRun run = RunTiny("aten_channels_last", bfloat16);
  EXPECT_EQ(run.step_seconds.size(), 2u);
  EXPECT_EQ(run.macs, RunTiny("aten_channels_last").macs);
  const absl::StatusOr<StepConfiguration> fast = FindStepConfiguration("fast");
  ASSERT_TRUE(fast.ok());
  EXPECT_THAT(NotApplicable(*fast, bfloat16), testing::HasSubstr("bfloat16 autocast runs on aten"));
  EXPECT_FALSE(RunStepConfiguration(*fast, bfloat16).ok());
}

TEST(SearchStepRunnerTest, AnUnknownSpaceIsAnError) {
  SearchStepSettings settings = Tiny();
  settings.set_space("nasnet");
  const absl::StatusOr<StepRun> run = RunStepConfiguration(StepConfigurations()[0], settings);
  EXPECT_FALSE(run.ok());
  EXPECT_THAT(std::string(run.status().message()),
              testing::HasSubstr("no space 'nasnet' to step; spaces: darts, nb201, mobile"));
}

}  // namespace
}  // namespace mdenas

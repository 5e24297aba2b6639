#include "benchmarks/search_step_runner.h"

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

StepRun RunTiny(const std::string& name) {
  const absl::StatusOr<StepConfiguration> c = FindStepConfiguration(name);
  EXPECT_TRUE(c.ok()) << c.status();
  return RunStepConfiguration(*c, Tiny());
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

}  // namespace
}  // namespace mdenas

#include "benchmarks/regression.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

SearchStepBenchmark Result(double speed_nchw, double speed_best, int64_t fast_bytes) {
  SearchStepBenchmark b;
  b.mutable_settings()->set_init_channels(16);
  b.mutable_settings()->set_repeats(3);
  b.mutable_ratios()->set_fast_over_aten_nchw(speed_nchw);
  b.mutable_ratios()->set_fast_over_best_aten(speed_best);
  b.mutable_ratios()->set_search_memory_over_standalone(1.05);
  SearchStepConfiguration* fast = b.add_configurations();
  fast->set_name("fast");
  fast->set_kernels("fast");
  fast->set_peak_tensor_bytes(fast_bytes);
  fast->set_ms_per_step(100);
  SearchStepConfiguration* aten = b.add_configurations();
  aten->set_name("aten_nchw");
  aten->set_kernels("aten");
  aten->set_peak_tensor_bytes(5 * fast_bytes);
  return b;
}

TEST(RegressionTest, WithinTolerancesIsNoRegression) {
  const auto c = CompareSearchSteps(Result(5, 3, 1000), Result(4.2, 2.5, 1015), Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->regressed);
}

TEST(RegressionTest, ASpeedRatioFarBelowTheBaselineIsARegression) {
  const auto c = CompareSearchSteps(Result(5, 3, 1000), Result(3.5, 3, 1000), Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->regressed);
  EXPECT_THAT(c->lines, testing::Contains(testing::HasSubstr("REGRESSION")));
}

TEST(RegressionTest, MoreFastTensorMemoryIsARegressionButNotAtensOrSeconds) {
  SearchStepBenchmark now = Result(5, 3, 1100);
  EXPECT_TRUE(CompareSearchSteps(Result(5, 3, 1000), now, Tolerances())->regressed);
  now = Result(5, 3, 1000);
  now.mutable_configurations(1)->set_peak_tensor_bytes(100000);
  now.mutable_configurations(0)->set_ms_per_step(1000);
  EXPECT_FALSE(CompareSearchSteps(Result(5, 3, 1000), now, Tolerances())->regressed);
}

TEST(RegressionTest, NamesBothProcessorsAndWhetherTheyDiffer) {
  SearchStepBenchmark baseline = Result(5, 3, 1000), now = Result(5, 3, 1000);
  baseline.mutable_machine()->set_processor("AuthenticAMD family 26 model 2");
  now.mutable_machine()->set_processor("AuthenticAMD family 25 model 17");
  auto c = CompareSearchSteps(baseline, now, Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->regressed);
  EXPECT_THAT(c->lines, testing::Contains(testing::AllOf(
                            testing::HasSubstr("family 26 model 2"),
                            testing::HasSubstr("family 25 model 17"),
                            testing::HasSubstr("not the same"))));
  now.mutable_machine()->clear_processor();
  c = CompareSearchSteps(baseline, now, Tolerances());
  EXPECT_THAT(c->lines, testing::Contains(testing::AllOf(
                            testing::HasSubstr("now unrecorded"),
                            testing::HasSubstr("not known to be the same"))));
  now.mutable_machine()->set_processor("AuthenticAMD family 26 model 2");
  c = CompareSearchSteps(baseline, now, Tolerances());
  EXPECT_THAT(c->lines, testing::Contains(testing::EndsWith("(the same)")));
}

TEST(RegressionTest, OtherSettingsCannotBeCompared) {
  SearchStepBenchmark now = Result(5, 3, 1000);
  now.mutable_settings()->set_init_channels(8);
  now.mutable_settings()->set_repeats(1);  // Repeats alone would not matter.
  const auto c = CompareSearchSteps(Result(5, 3, 1000), now, Tolerances());
  EXPECT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), testing::HasSubstr("different settings"));
}

// A search of `epochs` epochs whose epochs after the first took
// `seconds` each, on one GPU.
RunResult Search(int epochs, double seconds, double images_per_second = 5000) {
  RunResult r;
  SearchSpec* spec = r.mutable_search_spec();
  spec->set_epochs(epochs);
  spec->set_batch_size(512);
  spec->mutable_runtime()->set_device("cuda");
  spec->mutable_runtime()->set_seed(epochs);  // seeds do not change the work
  r.set_device("cuda:0: NVIDIA H100 80GB HBM3, 580.159.04");
  r.set_precision("float32");
  r.set_processes(1);
  r.set_images_per_second(images_per_second);
  for (int e = 0; e < epochs; ++e) r.add_epochs()->set_seconds(e == 0 ? 100 * seconds : seconds);
  return r;
}

TEST(RegressionTest, DeviceHoursPerEpochLeaveTheFirstEpochOutAndCountProcesses) {
  RunResult r = Search(3, 36);
  EXPECT_DOUBLE_EQ(*DeviceHoursPerEpoch(r), 0.01);
  r.set_processes(2);
  EXPECT_DOUBLE_EQ(*DeviceHoursPerEpoch(r), 0.02);
  EXPECT_THAT(std::string(DeviceHoursPerEpoch(Search(1, 36)).status().message()),
              testing::HasSubstr("needs a second"));
}

TEST(RegressionTest, ASearchSlowerPerEpochThanItsBaselineIsARegression) {
  auto c = CompareSearchEpochs(Search(100, 6.0), Search(3, 6.5, 4700), Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->regressed);
  c = CompareSearchEpochs(Search(100, 6.0), Search(3, 7.0), Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->regressed);
  EXPECT_THAT(c->lines, testing::Contains(testing::AllOf(
                            testing::HasSubstr("device-hours per epoch"),
                            testing::HasSubstr("REGRESSION"))));
  c = CompareSearchEpochs(Search(100, 6.0), Search(3, 6.0, 4000), Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->regressed);
}

TEST(RegressionTest, OnlySearchesOfTheSameWorkDeviceAndPrecisionCompare) {
  auto why_not = [](const RunResult& other) {
    return std::string(CompareSearchEpochs(Search(3, 6.0), other, Tolerances()).status().message());
  };
  RunResult other = Search(3, 6.0);
  other.mutable_search_spec()->set_batch_size(256);
  EXPECT_THAT(why_not(other), testing::HasSubstr("different work per epoch"));
  other = Search(3, 6.0);
  other.set_device("cuda:0: NVIDIA H200, 580.159.04");
  EXPECT_THAT(why_not(other), testing::HasSubstr("different devices"));
  other = Search(3, 6.0);
  other.set_precision("bfloat16 autocast");
  EXPECT_THAT(why_not(other), testing::HasSubstr("different precisions"));
}

// A NAS-Bench-201 run lists its fast configurations as not applicable:
// nothing of theirs is compared, not even as zeros.
TEST(RegressionTest, ConfigurationsThatDidNotApplyAreNotCompared) {
  SearchStepBenchmark b;
  b.mutable_settings()->set_space("nb201");
  SearchStepConfiguration* aten = b.add_configurations();
  aten->set_name("aten_nchw");
  aten->set_kernels("aten");
  aten->set_ms_per_step(50);
  SearchStepConfiguration* fast = b.add_configurations();
  fast->set_name("fast");
  fast->set_kernels("fast");
  fast->set_not_applicable("no fast kernels");
  const auto c = CompareSearchSteps(b, b, Tolerances());
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->regressed);
  EXPECT_THAT(c->lines, testing::Contains(testing::HasSubstr("ms/step aten_nchw")));
  EXPECT_THAT(c->lines, testing::Not(testing::Contains(testing::HasSubstr("fast"))));
}

}  // namespace
}  // namespace mdenas

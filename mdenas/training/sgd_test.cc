#include "mdenas/training/sgd.h"

#include "gtest/gtest.h"

namespace mdenas {
namespace {

TEST(SgdTest, CosineScheduleRunsFromTheInitialToTheMinimalRate) {
  OptimizerSpec spec;
  spec.set_learning_rate(0.1);
  spec.set_learning_rate_min(0.001);
  EXPECT_DOUBLE_EQ(LearningRateAt(spec, 0, 10), 0.1);
  EXPECT_NEAR(LearningRateAt(spec, 5, 10), (0.1 + 0.001) / 2, 1e-12);
  // DARTS steps per epoch: the last epoch runs just above the minimum.
  EXPECT_GT(LearningRateAt(spec, 9, 10), 0.001);
  EXPECT_NEAR(LearningRateAt(spec, 10, 10), 0.001, 1e-12);
  spec.set_schedule(OptimizerSpec::CONSTANT);
  EXPECT_DOUBLE_EQ(LearningRateAt(spec, 7, 10), 0.1);
}

}  // namespace
}  // namespace mdenas

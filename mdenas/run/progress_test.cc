#include "mdenas/run/progress.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

TEST(ProgressTest, FormatDuration) {
  EXPECT_EQ(FormatDuration(0), "0:00");
  EXPECT_EQ(FormatDuration(65.4), "1:05");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
}

TEST(ProgressTest, EpochLineHasEveryFigure) {
  std::ostringstream lines, bar;
  ProgressReporter reporter(&lines, &bar, /*live=*/false, 20);
  reporter.StartEpoch(3, 10);
  reporter.Batch(5, 1.0, 50.0);
  EpochRecord record;
  record.set_epoch(3);
  record.set_train_loss(1.8214);
  record.set_train_top1(31.23);
  record.set_valid_top1(35.44);
  record.set_learning_rate(0.02431);
  record.set_images_per_second(412.3);
  reporter.EndEpoch(record, "n -m r ks", 45, 390);
  EXPECT_EQ(bar.str(), "");  // Not a terminal: no bar.
  EXPECT_EQ(lines.str(),
            "epoch   3/20  n -m r ks  train loss 1.821 acc  31.2%  valid  35.4%"
            "  lr 0.0243  412 img/s  0:45 elapsed  ETA 6:30\n");
}

TEST(ProgressTest, LiveBarDrawsAndClears) {
  std::ostringstream lines, bar;
  ProgressReporter reporter(&lines, &bar, /*live=*/true, 2);
  reporter.StartEpoch(1, 4);
  reporter.Batch(4, 2.0, 10.0);
  EXPECT_THAT(bar.str(), HasSubstr("epoch 1/2 [##############################] 4/4"));
  reporter.EndEpoch(EpochRecord(), "", 1, 1);
  EXPECT_THAT(bar.str(), HasSubstr("\r\033[K"));
}

}  // namespace
}  // namespace mdenas

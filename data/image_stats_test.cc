#include "data/image_stats.h"

#include <string>

#include "data/split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::DoubleNear;
using ::testing::ElementsAre;

TEST(ImageStatsTest, ComputesPerChannelMeanAndStd) {
  // Two 1x2 RGB images. Red: 0, 255, 0, 255; green: all 51; blue: 0 0 0 102.
  ImageSet set;
  set.height = 1;
  set.width = 2;
  set.channels = 3;
  set.pixels = {0, 51, 0, 255, 51, 0, 0, 51, 0, 255, 51, 102};
  set.labels = {0, 0};
  set.class_names = {"only"};
  const ImageSetSource source(std::move(set));
  const absl::StatusOr<ImageStats> stats =
      ComputeImageStats(source, FirstIndices(2));
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->images, 2);
  EXPECT_EQ(stats->min_height, 1);
  EXPECT_EQ(stats->max_width, 2);
  EXPECT_EQ(stats->max_channels, 3);
  EXPECT_THAT(stats->mean,
              ElementsAre(DoubleNear(0.5, 1e-12), DoubleNear(0.2, 1e-12),
                          DoubleNear(0.1, 1e-12)));
  EXPECT_THAT(stats->std,
              ElementsAre(DoubleNear(0.5, 1e-12), DoubleNear(0.0, 1e-12),
                          DoubleNear(std::sqrt(3.0) * 0.1, 1e-12)));
}

TEST(ImageStatsTest, ReportsAnUnreadableImage) {
  ImageSet set;
  set.height = set.width = set.channels = 1;
  set.pixels = {0};
  set.labels = {0};
  const ImageSetSource source(std::move(set));
  EXPECT_EQ(ComputeImageStats(source, {0, 1}).status().code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace mdenas

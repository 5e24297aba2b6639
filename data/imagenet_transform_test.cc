#include "data/imagenet_transform.h"

#include <string>
#include <utility>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<ImageNetTransform> Make(
    const ImageNetTransformOptions& options) {
  absl::StatusOr<std::unique_ptr<ImageNetTransform>> transform =
      ImageNetTransform::Create(options);
  EXPECT_TRUE(transform.ok()) << transform.status();
  return std::move(transform).value();
}

std::vector<float> Transformed(const Transform& transform, const Image& image,
                               uint64_t key) {
  std::vector<float> output(transform.output_shape().size());
  Random random(1, RandomPurpose::kAugment, {key});
  const absl::Status status =
      transform.Apply(image.view(), &random, output.data());
  EXPECT_TRUE(status.ok()) << status;
  return output;
}

// A grey image whose pixel value is its column (a ramp, which bilinear
// interpolation reproduces exactly).
Image ColumnRamp(int height, int width) {
  Image image;
  image.height = height;
  image.width = width;
  image.channels = 1;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) image.pixels.push_back(x);
  }
  return image;
}

// The normalised value of grey level `value` in channel `c`.
float Normalised(double value, int c) {
  const Normalization n = ImageNetNormalization();
  return static_cast<float>((value / 255.0 - n.mean[c]) / n.std[c]);
}

TEST(ImageNetTransformTest, EvaluationAtScaleOneIsACentreCrop) {
  ImageNetTransformOptions options;
  options.train = false;
  const auto transform = Make(options);
  ASSERT_EQ(transform->output_shape().size(), 3 * 224 * 224);
  const std::vector<float> output =
      Transformed(*transform, ColumnRamp(256, 256), 0);
  // Resize(256) leaves the image as it is; the crop starts at column 16.
  for (int c = 0; c < 3; ++c) {
    for (const int x : {0, 100, 223}) {
      EXPECT_NEAR(output[(c * 224 + 50) * 224 + x], Normalised(x + 16, c),
                  1e-4);
    }
  }
}

TEST(ImageNetTransformTest, EvaluationResizesTheShorterSideThenCrops) {
  ImageNetTransformOptions options;
  options.train = false;
  options.output_size = 64;
  options.resize_size = 80;
  const auto transform = Make(options);
  // 100 x 200 becomes 80 x 160; the 64 x 64 crop starts at column 48. Output
  // column i reads source column (i + 48 + 0.5) * 200 / 160 - 0.5.
  const std::vector<float> output =
      Transformed(*transform, ColumnRamp(100, 200), 0);
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 64; ++i) {
      const double source = (i + 48 + 0.5) * 200.0 / 160.0 - 0.5;
      ASSERT_NEAR(output[(c * 64 + 10) * 64 + i], Normalised(source, c), 1e-4)
          << "channel " << c << " column " << i;
    }
  }
}

TEST(ImageNetTransformTest, TrainingIsDeterministicPerKeyAndFlips) {
  const auto transform = Make({});
  const Image image = ColumnRamp(300, 250);
  EXPECT_EQ(Transformed(*transform, image, 4),
            Transformed(*transform, image, 4));
  EXPECT_NE(Transformed(*transform, image, 4),
            Transformed(*transform, image, 5));
  int flipped = 0;
  for (uint64_t key = 0; key < 100; ++key) {
    const std::vector<float> output = Transformed(*transform, image, key);
    // A ramp stays monotonic along each row, rising or (flipped) falling.
    const bool rising = output[223] >= output[0];
    for (int x = 1; x < 224; ++x) {
      ASSERT_EQ(output[x] >= output[x - 1], rising) << "key " << key;
    }
    flipped += rising ? 0 : 1;
  }
  EXPECT_GT(flipped, 30);
  EXPECT_LT(flipped, 70);
}

TEST(ImageNetTransformTest, FallsBackToACentreCropForExtremeShapes) {
  // A 1 x 100 image: no random crop fits, so the crop is the 1 x 1 centre
  // (ratio clamped to 4/3), column 49.
  ImageNetTransformOptions options;
  options.output_size = 8;
  options.horizontal_flip = false;
  const auto transform = Make(options);
  const std::vector<float> output =
      Transformed(*transform, ColumnRamp(1, 100), 0);
  EXPECT_NEAR(output[0], Normalised(49, 0), 1e-4);
  EXPECT_NEAR(output[3 * 64 - 1], Normalised(49, 2), 1e-4);
}

TEST(ImageNetTransformTest, ReplicatesGreyToRgb) {
  Image grey = ColumnRamp(300, 300);
  Image rgb;
  rgb.height = rgb.width = 300;
  rgb.channels = 3;
  for (const uint8_t value : grey.pixels) {
    rgb.pixels.insert(rgb.pixels.end(), {value, value, value});
  }
  const auto transform = Make({});
  EXPECT_EQ(Transformed(*transform, grey, 7), Transformed(*transform, rgb, 7));
}

TEST(ImageNetTransformTest, RejectsOtherChannelCounts) {
  const auto transform = Make({});
  Image image;
  image.height = image.width = 4;
  image.channels = 2;
  image.pixels.resize(32);
  std::vector<float> output(transform->output_shape().size());
  Random random(1, RandomPurpose::kAugment, {});
  const absl::Status status =
      transform->Apply(image.view(), &random, output.data());
  EXPECT_THAT(Message(status),
              HasSubstr("image is 4x4x2 (height x width x channels)"));
}

TEST(ImageNetTransformTest, RejectsBadOptions) {
  ImageNetTransformOptions options;
  options.resize_size = 200;
  EXPECT_FALSE(ImageNetTransform::Create(options).ok());
  options = {};
  options.min_scale = 0;
  EXPECT_FALSE(ImageNetTransform::Create(options).ok());
  options = {};
  options.max_aspect_ratio = 0.5;
  EXPECT_FALSE(ImageNetTransform::Create(options).ok());
}

}  // namespace
}  // namespace mdenas

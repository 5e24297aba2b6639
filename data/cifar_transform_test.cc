#include "data/cifar_transform.h"

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<CifarTransform> Make(const CifarTransformOptions& options) {
  absl::StatusOr<std::unique_ptr<CifarTransform>> transform =
      CifarTransform::Create(options);
  EXPECT_TRUE(transform.ok()) << transform.status();
  return std::move(transform).value();
}

std::vector<float> Transformed(const Transform& transform, const Image& image,
                               Random random) {
  std::vector<float> output(transform.output_shape().size());
  const absl::Status status =
      transform.Apply(image.view(), &random, output.data());
  EXPECT_TRUE(status.ok()) << status;
  return output;
}

// The transform written the obvious way: pad, crop, flip, normalise, cut
// out, with the draws in the documented order.
std::vector<float> Reference(const Image& image,
                             const CifarTransformOptions& options,
                             Random random) {
  const int h = image.height;
  const int w = image.width;
  const int p = options.padding;
  int dy = 0;
  int dx = 0;
  if (p > 0) {
    dy = static_cast<int>(random.Uniform(2 * p + 1)) - p;
    dx = static_cast<int>(random.Uniform(2 * p + 1)) - p;
  }
  const bool flip = options.horizontal_flip && random.CoinFlip();
  std::vector<float> output;
  for (int c = 0; c < image.channels; ++c) {
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        const int sy = y + dy;
        const int sx = (flip ? w - 1 - x : x) + dx;
        const bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        const float pixel =
            inside ? image.pixels[(sy * w + sx) * image.channels + c] : 0;
        output.push_back((pixel / 255.0f - options.normalization.mean[c]) /
                         options.normalization.std[c]);
      }
    }
  }
  if (options.cutout_length > 0) {
    const int cy = static_cast<int>(random.Uniform(h));
    const int cx = static_cast<int>(random.Uniform(w));
    const int half = options.cutout_length / 2;
    for (int c = 0; c < image.channels; ++c) {
      for (int y = std::max(0, cy - half); y < std::min(h, cy + half); ++y) {
        for (int x = std::max(0, cx - half); x < std::min(w, cx + half); ++x) {
          output[(c * h + y) * w + x] = 0;
        }
      }
    }
  }
  return output;
}

void ExpectNear(const std::vector<float>& actual,
                const std::vector<float>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_NEAR(actual[i], expected[i], 1e-5) << "output " << i;
  }
}

TEST(CifarTransformTest, EvaluationOnlyNormalises) {
  const CifarTransformOptions options = EvalOptions({});
  const auto transform = Make(options);
  const Image image = PatternImage(3, 32, 32, 3);
  const std::vector<float> output =
      Transformed(*transform, image, Random(1, RandomPurpose::kAugment, {}));
  const Normalization n = Cifar10Normalization();
  for (const auto& [c, y, x] : std::vector<std::tuple<int, int, int>>{
           {0, 0, 0}, {1, 5, 31}, {2, 31, 7}}) {
    EXPECT_NEAR(output[(c * 32 + y) * 32 + x],
                (PatternPixel(3, y, x, c) / 255.0f - n.mean[c]) / n.std[c],
                1e-5);
  }
}

// Compares the transform with Reference on a pattern image, over many draws.
void ExpectMatchesReference(const CifarTransformOptions& options) {
  const auto transform = Make(options);
  const Image image =
      PatternImage(1, options.height, options.width, options.channels);
  for (uint64_t key = 0; key < 200; ++key) {
    const Random random(9, RandomPurpose::kAugment, {key});
    ExpectNear(Transformed(*transform, image, random),
               Reference(image, options, random));
  }
}

TEST(CifarTransformTest, MatchesTheObviousImplementation) {
  CifarTransformOptions options;
  options.cutout_length = 16;
  ExpectMatchesReference(options);
}

TEST(CifarTransformTest, MatchesTheObviousImplementationOnGreyAndOddSizes) {
  CifarTransformOptions options;
  options.height = 28;
  options.width = 28;
  options.channels = 1;
  options.normalization = FashionMnistNormalization();
  options.cutout_length = 7;
  options.padding = 30;  // Wider than the image: whole rows of padding.
  ExpectMatchesReference(options);
}

TEST(CifarTransformTest, DrawsEveryCropAndBothFlips) {
  const auto transform = Make({});
  const Image image = PatternImage(0, 32, 32, 3);
  std::set<std::vector<float>> outputs;
  for (uint64_t key = 0; key < 2000; ++key) {
    outputs.insert(Transformed(*transform, image,
                               Random(1, RandomPurpose::kAugment, {key})));
  }
  // 9 x 9 crop positions, each flipped or not.
  EXPECT_EQ(outputs.size(), 162u);
}

TEST(CifarTransformTest, SameKeySameOutputOtherKeyOtherOutput) {
  CifarTransformOptions options;
  options.cutout_length = 16;
  const auto transform = Make(options);
  const Image image = PatternImage(0, 32, 32, 3);
  const std::vector<float> a = Transformed(
      *transform, image, Random(1, RandomPurpose::kAugment, {0, 5}));
  EXPECT_EQ(a, Transformed(*transform, image,
                           Random(1, RandomPurpose::kAugment, {0, 5})));
  EXPECT_NE(a, Transformed(*transform, image,
                           Random(1, RandomPurpose::kAugment, {1, 5})));
}

TEST(CifarTransformTest, RejectsImagesOfAnotherShape) {
  const auto transform = Make({});
  std::vector<float> output(transform->output_shape().size());
  Random random(1, RandomPurpose::kAugment, {});
  for (const Image& image :
       {PatternImage(0, 32, 31, 3), PatternImage(0, 32, 32, 1)}) {
    const absl::Status status =
        transform->Apply(image.view(), &random, output.data());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(Message(status),
                HasSubstr("the CIFAR transform takes 32x32x3"));
  }
}

TEST(CifarTransformTest, RejectsBadOptions) {
  CifarTransformOptions options;
  options.channels = 1;  // CIFAR-10's normalisation has three channels.
  EXPECT_THAT(Message(CifarTransform::Create(options).status()),
              HasSubstr("normalization has 3 means and 3 standard deviations "
                        "for 1 channels"));
  options = {};
  options.cutout_length = -1;
  EXPECT_FALSE(CifarTransform::Create(options).ok());
  options = {};
  options.normalization.std[1] = 0;
  EXPECT_FALSE(CifarTransform::Create(options).ok());
}

}  // namespace
}  // namespace mdenas

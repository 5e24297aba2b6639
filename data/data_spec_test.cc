#include "data/data_spec.h"

#include <string>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kFashionMnist[] = "/usr/share/datasets/fashion-mnist";

DataSpec Spec(DataSpec::Dataset dataset, int max_train = 0, int max_test = 0) {
  DataSpec spec;
  spec.set_dataset(dataset);
  spec.set_max_train_images(max_train);
  spec.set_max_test_images(max_test);
  return spec;
}

TEST(DataSpecTest, OpensFashionMnistWithSubsets) {
  const absl::StatusOr<SpecData> data =
      OpenDataSpec(Spec(DataSpec::FASHION_MNIST, 1000, 300), kFashionMnist, 7);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->dataset.train->size(), 60000);
  EXPECT_EQ(data->train.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(data->train.begin(), data->train.end()));
  EXPECT_EQ(data->test.size(), 300u);
  EXPECT_TRUE(std::is_sorted(data->test.begin(), data->test.end()));
  // A random subset, not the first 300: it reaches past them.
  EXPECT_GT(data->test.back(), 299);
  EXPECT_EQ(data->train, OpenDataSpec(Spec(DataSpec::FASHION_MNIST, 1000, 300),
                                      kFashionMnist, 7)
                             ->train);
}

TEST(DataSpecTest, WithoutLimitsUsesEveryImage) {
  const absl::StatusOr<SpecData> data =
      OpenDataSpec(Spec(DataSpec::FASHION_MNIST), kFashionMnist, 7);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train.size(), 60000u);
  EXPECT_EQ(data->test.size(), 10000u);
}

TEST(DataSpecTest, RejectsADataSetOfAnotherKind) {
  const absl::StatusOr<SpecData> data =
      OpenDataSpec(Spec(DataSpec::CIFAR10), kFashionMnist, 7);
  EXPECT_THAT(Message(data.status()),
              HasSubstr("fashion-mnist: holds idx data, which is not how "
                        "CIFAR10 is stored"));
  // The same check alone, before any file is decoded.
  EXPECT_EQ(Message(CheckDataFolder(Spec(DataSpec::CIFAR10), kFashionMnist)),
            Message(data.status()));
  EXPECT_TRUE(CheckDataFolder(Spec(DataSpec::FASHION_MNIST), kFashionMnist).ok());
}

TEST(DataSpecTest, RejectsCifar10JpegsOfAnotherSize) {
  const std::string root = MakeTestDir("small_jpegs");
  WriteJpegClass(JoinPath(root, "train"), "a", 1, 16, 16, 3);
  WriteJpegClass(JoinPath(root, "test"), "a", 1, 16, 16, 3);
  const absl::StatusOr<SpecData> data =
      OpenDataSpec(Spec(DataSpec::CIFAR10), root, 7);
  EXPECT_THAT(Message(data.status()),
              HasSubstr("images are 16x16x3; CIFAR10 images are 32x32x3"));
}

TEST(DataSpecTest, ImageNetIsDecodedAsItIsRead) {
  const std::string root = MakeTestDir("imagenet");
  WriteJpegClass(JoinPath(root, "train"), "n01440764", 2, 40, 60, 3);
  WriteJpegClass(JoinPath(root, "val"), "n01440764", 1, 50, 30, 1);
  const absl::StatusOr<SpecData> data =
      OpenDataSpec(Spec(DataSpec::IMAGENET), root, 7);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(dynamic_cast<const ImageSetSource*>(data->dataset.train.get()),
            nullptr);
  EXPECT_THAT(data->test, ElementsAre(0));
}

TEST(DataSpecTest, TransformsFitEachKind) {
  const struct {
    DataSpec::Dataset dataset;
    ChwShape shape;
  } kCases[] = {
      {DataSpec::CIFAR10, {3, 32, 32}},
      {DataSpec::CIFAR100, {3, 32, 32}},
      {DataSpec::FASHION_MNIST, {1, 28, 28}},
      {DataSpec::IMAGENET, {3, 224, 224}},
  };
  for (const auto& test_case : kCases) {
    const absl::StatusOr<DataTransforms> transforms =
        MakeDataTransforms(test_case.dataset, 16);
    ASSERT_TRUE(transforms.ok()) << transforms.status();
    for (const auto& transform : {transforms->train, transforms->eval}) {
      EXPECT_EQ(transform->output_shape().size(), test_case.shape.size());
      EXPECT_EQ(transform->output_shape().channels, test_case.shape.channels);
    }
  }
}

}  // namespace
}  // namespace mdenas

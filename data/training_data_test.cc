#include "data/training_data.h"

#include <algorithm>
#include <set>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

DataSpec Cifar10(const std::string& path) {
  DataSpec spec;
  spec.set_dataset(DataSpec::CIFAR10);
  spec.set_path(path);
  return spec;
}

class TrainingDataTest : public ::testing::Test {
 protected:
  // 8 images in each of the 5 training files, 8 in the test file.
  static void SetUpTestSuite() { path_ = new std::string(WriteCifar10Fixture("cifar", 8)); }
  static std::string* path_;
};
std::string* TrainingDataTest::path_ = nullptr;

// The search splits the training part in two disjoint halves, both from
// the training images, and sees nothing of the test part.
TEST_F(TrainingDataTest, SearchSplitsTheTrainingPart) {
  const absl::StatusOr<TrainingData> data = OpenSearchData(Cifar10(*path_), 0.5, 3);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_images.size() + data->eval_images.size(), 40u);
  EXPECT_EQ(data->train_images.size(), 20u);
  EXPECT_EQ(data->train_source, data->eval_source);
  std::set<int64_t> all(data->train_images.begin(), data->train_images.end());
  all.insert(data->eval_images.begin(), data->eval_images.end());
  EXPECT_EQ(all.size(), 40u);
  EXPECT_EQ(data->classes, 10);
  EXPECT_EQ(data->shape.channels, 3);
  EXPECT_EQ(data->shape.height, 32);
  EXPECT_THAT(data->description, HasSubstr("CIFAR10, cifar10-bin at "));
  EXPECT_THAT(data->description, HasSubstr(": 20 training and 20 validation images"));
}

TEST_F(TrainingDataTest, RetrainingTrainsOnTheTrainingPartAndTestsOnTheTestPart) {
  DataSpec spec = Cifar10(*path_);
  spec.set_max_train_images(30);
  const absl::StatusOr<TrainingData> data = OpenRetrainingData(spec, 16);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->train_images.size(), 30u);
  EXPECT_EQ(data->eval_images.size(), 8u);
  EXPECT_NE(data->train_source, data->eval_source);
  EXPECT_THAT(data->description, HasSubstr(": 30 training and 8 test images"));
}

TEST_F(TrainingDataTest, ASplitThatLeavesASideEmptyIsAnError) {
  DataSpec spec = Cifar10(*path_);
  spec.set_max_train_images(1);
  const absl::StatusOr<TrainingData> data = OpenSearchData(spec, 0.5, 0);
  EXPECT_THAT(Message(data.status()), HasSubstr("leaves one side empty"));
}

TEST_F(TrainingDataTest, LoadersShuffleTheTrainingImagesAndKeepTheOrderOfTheOthers) {
  const absl::StatusOr<TrainingData> data = OpenSearchData(Cifar10(*path_), 0.5, 3);
  ASSERT_TRUE(data.ok()) << data.status();
  absl::StatusOr<TrainingLoaders> loaders = MakeTrainingLoaders(*data, 2, 4, 1, 0, 1, torch::kCPU);
  ASSERT_TRUE(loaders.ok()) << loaders.status();
  EXPECT_EQ(loaders->train->batches_per_epoch(), 5);
  EXPECT_EQ(loaders->eval->batches_per_epoch(), 5);
  // The evaluation loader gives the same batches in every epoch.
  loaders->eval->StartEpoch(0);
  const torch::Tensor first = loaders->eval->Next()->labels;
  loaders->eval->StartEpoch(7);
  EXPECT_TRUE(torch::equal(loaders->eval->Next()->labels, first));
}

}  // namespace
}  // namespace mdenas

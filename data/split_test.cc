#include "data/split.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// 100 images of classes 0, 1, 2, 3 in turn, then 20 more of class 0.
std::vector<int32_t> Labels() {
  std::vector<int32_t> labels;
  for (int i = 0; i < 100; ++i) labels.push_back(i % 4);
  for (int i = 0; i < 20; ++i) labels.push_back(0);
  return labels;
}

std::map<int32_t, int> ClassCounts(const std::vector<int64_t>& indices,
                                   const std::vector<int32_t>& labels) {
  std::map<int32_t, int> counts;
  for (const int64_t index : indices) ++counts[labels[index]];
  return counts;
}

TEST(SplitTest, FirstIndices) {
  EXPECT_THAT(FirstIndices(4), ElementsAre(0, 1, 2, 3));
  EXPECT_THAT(FirstIndices(0), IsEmpty());
}

TEST(SplitTest, RandomSubsetIsSeededSortedAndBounded) {
  const std::vector<int64_t> all = FirstIndices(1000);
  const std::vector<int64_t> subset = RandomSubset(all, 100, 1);
  ASSERT_EQ(subset.size(), 100u);
  EXPECT_TRUE(std::is_sorted(subset.begin(), subset.end()));
  EXPECT_EQ(subset, RandomSubset(all, 100, 1));
  EXPECT_NE(subset, RandomSubset(all, 100, 2));
  EXPECT_NE(subset, FirstIndices(100));
  EXPECT_EQ(RandomSubset(all, 0, 1), all);
  EXPECT_EQ(RandomSubset(all, 5000, 1), all);
}

TEST(SplitTest, SplitsEachClassByTheFraction) {
  const std::vector<int32_t> labels = Labels();
  const absl::StatusOr<TrainValidationSplit> split =
      SplitTrainValidation(FirstIndices(120), labels, 0.5, 0);
  ASSERT_TRUE(split.ok()) << split.status();
  // Class 0 has 45 images: round(22.5) = 23 train; the others 25: 13 train.
  EXPECT_EQ(ClassCounts(split->train, labels),
            (std::map<int32_t, int>{{0, 23}, {1, 13}, {2, 13}, {3, 13}}));
  EXPECT_EQ(ClassCounts(split->validation, labels),
            (std::map<int32_t, int>{{0, 22}, {1, 12}, {2, 12}, {3, 12}}));
  EXPECT_TRUE(std::is_sorted(split->train.begin(), split->train.end()));
  // Disjoint and complete.
  std::vector<int64_t> both = split->train;
  both.insert(both.end(), split->validation.begin(), split->validation.end());
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, FirstIndices(120));
}

TEST(SplitTest, SameSeedSameSplitOtherSeedOtherSplit) {
  const std::vector<int32_t> labels = Labels();
  const std::vector<int64_t> indices = FirstIndices(120);
  const TrainValidationSplit a = *SplitTrainValidation(indices, labels, 0.8, 3);
  const TrainValidationSplit b = *SplitTrainValidation(indices, labels, 0.8, 3);
  const TrainValidationSplit c = *SplitTrainValidation(indices, labels, 0.8, 4);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.validation, b.validation);
  EXPECT_NE(a.train, c.train);
  EXPECT_EQ(a.train.size(), c.train.size());
}

// Of a set stored class by class, every quarter of the validation images
// holds several classes.
TEST(SplitTest, ValidationOrderMixesTheClasses) {
  std::vector<int32_t> labels;
  for (int i = 0; i < 80; ++i) labels.push_back(i / 20);
  const TrainValidationSplit split = *SplitTrainValidation(FirstIndices(80), labels, 0.5, 0);
  ASSERT_EQ(split.validation.size(), 40u);
  for (int quarter = 0; quarter < 4; ++quarter) {
    const std::vector<int64_t> part(split.validation.begin() + 10 * quarter,
                                    split.validation.begin() + 10 * (quarter + 1));
    EXPECT_GE(ClassCounts(part, labels).size(), 2u) << "quarter " << quarter;
  }
}

TEST(SplitTest, SplitsASubset) {
  const std::vector<int32_t> labels = Labels();
  const std::vector<int64_t> subset = RandomSubset(FirstIndices(120), 40, 9);
  const TrainValidationSplit split =
      *SplitTrainValidation(subset, labels, 0.5, 0);
  std::vector<int64_t> both = split.train;
  both.insert(both.end(), split.validation.begin(), split.validation.end());
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, subset);
}

TEST(SplitTest, RejectsBadArguments) {
  const std::vector<int32_t> labels = {0, 1, -1};
  EXPECT_THAT(Message(SplitTrainValidation({0, 1}, labels, 1.5, 0).status()),
              HasSubstr("train fraction 1.5 is outside [0, 1]"));
  EXPECT_EQ(SplitTrainValidation({0, 3}, labels, 0.5, 0).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_THAT(Message(SplitTrainValidation({2}, labels, 0.5, 0).status()),
              HasSubstr("image 2 has negative label -1"));
}

}  // namespace
}  // namespace mdenas

#include "mdenas/distributed/gradient_all_reduce.h"

#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/distributed/parameters_test_util.h"
#include "mdenas/distributed/ranks_test_util.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

std::string OutPrefix() { return std::string(std::getenv("TEST_TMPDIR")) + "/gradients"; }

std::vector<torch::Tensor> Load(int rank) {
  std::vector<torch::Tensor> tensors;
  torch::load(tensors, OutPrefix() + std::to_string(rank) + ".pt");
  return tensors;
}

// What every rank must hold: the sum of both ranks' gradients, for the
// parameters that have one.
std::vector<torch::Tensor> ExpectedGradients() {
  const std::vector<torch::Tensor> rank0 = TestParameters(0);
  const std::vector<torch::Tensor> rank1 = TestParameters(1);
  std::vector<torch::Tensor> sum;
  for (size_t i = 0; i < rank0.size(); ++i) {
    if (rank0[i].grad().defined()) sum.push_back(rank0[i].grad() + rank1[i].grad());
  }
  return sum;
}

void ExpectSumOnBothRanks(const std::vector<ProcessResult>& ranks) {
  const std::vector<torch::Tensor> expected = ExpectedGradients();
  for (int rank = 0; rank < 2; ++rank) {
    ASSERT_EQ(ranks[rank].exit_code, 0) << ranks[rank].output;
    EXPECT_THAT(ranks[rank].output,
                AllOf(HasSubstr("gradients: 10\n"), HasSubstr("parameter values untouched: 1")));
    const std::vector<torch::Tensor> gradients = Load(rank);
    ASSERT_EQ(gradients.size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_TRUE(torch::allclose(gradients[i], expected[i], 1e-6, 1e-6)) << "gradient " << i;
    }
  }
  const std::vector<torch::Tensor> rank0 = Load(0);
  const std::vector<torch::Tensor> rank1 = Load(1);
  for (size_t i = 0; i < rank0.size(); ++i) EXPECT_TRUE(torch::equal(rank0[i], rank1[i]));
}

TEST(SumGradientsTest, SmallBucketsSplitTheGradientsAndEveryRankHoldsTheSum) {
  // Gradient bytes in order, 3 and 7 having none: 1728 | 64 64 128 28 100
  // 256 4 | 2560 | 40: a gradient larger than a bucket goes alone.
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=gradients", "--bucket_bytes=1024", "--out=" + OutPrefix()});
  for (const ProcessResult& rank : ranks) EXPECT_THAT(rank.output, HasSubstr("buckets: 4\n"));
  ExpectSumOnBothRanks(ranks);
}

TEST(SumGradientsTest, DefaultBucketHoldsASmallNetworkWhole) {
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=gradients", "--out=" + OutPrefix()});
  for (const ProcessResult& rank : ranks) EXPECT_THAT(rank.output, HasSubstr("buckets: 1\n"));
  ExpectSumOnBothRanks(ranks);
}

TEST(SumGradientsTest, DifferentSetsOfGradientsFailOnEveryRank) {
  const std::vector<ProcessResult> ranks = RunRanks(2, {"--case=gradients_mismatch"});
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(ranks[rank].exit_code, 1) << ranks[rank].output;
    EXPECT_THAT(ranks[rank].output,
                AllOf(HasSubstr("the ranks have gradients for different parameters"),
                      HasSubstr("rank 0: \"10 gradients of 1243 values\"; "
                                "rank 1: \"9 gradients of 1233 values\"")));
  }
}

TEST(SumGradientsTest, SingleProcessKeepsItsGradients) {
  absl::StatusOr<std::unique_ptr<World>> world = World::Join(WorldConfig(), absl::Seconds(1), "k");
  ASSERT_TRUE(world.ok()) << world.status();
  std::vector<torch::Tensor> parameters = TestParameters(0);
  const torch::Tensor before = parameters[0].grad().clone();
  absl::StatusOr<GradientSum> sum = SumGradients(**world, parameters);
  ASSERT_TRUE(sum.ok()) << sum.status();
  EXPECT_EQ(sum->gradients, 10);
  EXPECT_EQ(sum->buckets, 0);
  EXPECT_TRUE(torch::equal(parameters[0].grad(), before));
}

}  // namespace
}  // namespace mdenas

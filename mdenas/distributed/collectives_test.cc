#include "mdenas/distributed/collectives.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/distributed/ranks_test_util.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class CollectivesTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CollectivesTest, TwoRanks) {
  const std::string collectives = GetParam();
  const int gpus = static_cast<int>(torch::cuda::device_count());
  if (collectives == "nccl" && gpus < 2) {
    GTEST_SKIP() << "NCCL between two ranks needs two CUDA devices; this machine has " << gpus;
  }
  const std::string out = std::string(std::getenv("TEST_TMPDIR")) + "/buffers";
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=collectives", "--out=" + out, "--collectives=" + collectives});
  for (int rank = 0; rank < 2; ++rank) {
    const std::string& output = ranks[rank].output;
    ASSERT_EQ(ranks[rank].exit_code, 0) << output;
    // {rank + 1, 10.5} summed.
    EXPECT_THAT(output, HasSubstr("sums: 3 21\n"));
    EXPECT_THAT(output,
                AllOf(HasSubstr("true only on rank 0: 0\n"), HasSubstr("true everywhere: 1\n")));
    EXPECT_THAT(output, AllOf(HasSubstr("buffers: ok"), HasSubstr("same text: ok")));
    EXPECT_THAT(output, HasSubstr(absl::StrCat("different path: FAILED_PRECONDITION: rank ", rank,
                                               " of 2: the sampled path differs across ranks "
                                               "(64-bit hashes: rank 0: \"")));
    EXPECT_THAT(output, HasSubstr("\"; rank 1: \""));

    // Means 1 and 2, variances 2 and 4, batches 4 and 7 (rounded down).
    std::vector<torch::Tensor> buffers;
    torch::load(buffers, out + std::to_string(rank) + ".pt");
    ASSERT_EQ(buffers.size(), 3u);
    EXPECT_TRUE(torch::equal(buffers[0], torch::full({3}, 1.5f)));
    EXPECT_TRUE(torch::equal(buffers[1], torch::full({3}, 3.0f)));
    EXPECT_EQ(buffers[2].item<int64_t>(), 5);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, CollectivesTest, ::testing::Values("gloo", "nccl"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(CollectivesTest, SingleProcessKeepsItsOwnValues) {
  absl::StatusOr<std::unique_ptr<World>> world = World::Join(WorldConfig(), absl::Seconds(1), "k");
  ASSERT_TRUE(world.ok()) << world.status();
  absl::StatusOr<std::vector<double>> sums = SumAcrossRanks(**world, {7, 9.5});
  ASSERT_TRUE(sums.ok());
  EXPECT_EQ(*sums, (std::vector<double>{7, 9.5}));
  absl::StatusOr<bool> no = TrueOnAllRanks(**world, false);
  ASSERT_TRUE(no.ok());
  EXPECT_FALSE(*no);
  torch::Tensor buffer = torch::full({2}, 3.0f);
  EXPECT_TRUE(AverageBuffers(**world, {buffer}).ok());
  EXPECT_TRUE(torch::equal(buffer, torch::full({2}, 3.0f)));
  EXPECT_TRUE(CheckSameOnAllRanks(**world, "x", "y").ok());
}

}  // namespace
}  // namespace mdenas

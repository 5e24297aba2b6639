#include "mdenas/distributed/all_reduce_combiner.h"

#include <torch/torch.h>

#include <memory>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/distributed/parameters_test_util.h"
#include "mdenas/distributed/ranks_test_util.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

// Both ranks of a world in this process, one thread each.
std::vector<std::unique_ptr<World>> JoinTwoRanks() {
  const int port = FreePort();
  std::vector<std::unique_ptr<World>> worlds(2);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank) {
    threads.emplace_back([rank, port, &worlds] {
      WorldConfig config;
      config.rank = config.local_rank = rank;
      config.world_size = config.local_world_size = 2;
      config.master_addr = "127.0.0.1";
      config.master_port = port;
      absl::StatusOr<std::unique_ptr<World>> world = World::Join(config, absl::Seconds(5), "k");
      EXPECT_TRUE(world.ok()) << world.status();
      if (world.ok()) worlds[rank] = *std::move(world);
    });
  }
  for (std::thread& thread : threads) thread.join();
  return worlds;
}

TEST(AllReduceGradientsTest, EveryRankGetsTheMean) {
  std::vector<std::unique_ptr<World>> worlds = JoinTwoRanks();
  ASSERT_TRUE(worlds[0] && worlds[1]);
  std::vector<std::vector<torch::Tensor>> parameters = {TestParameters(0), TestParameters(1)};
  const torch::Tensor expected = (parameters[0][0].grad() + parameters[1][0].grad()) / 2;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<AllReduceGradients>> combiners;
  for (int rank = 0; rank < 2; ++rank) {
    combiners.push_back(std::make_unique<AllReduceGradients>(worlds[rank].get(), 1024));
  }
  for (int rank = 0; rank < 2; ++rank) {
    threads.emplace_back([&, rank] { combiners[rank]->Combine(parameters[rank]); });
  }
  for (std::thread& thread : threads) thread.join();
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_TRUE(combiners[rank]->status().ok()) << combiners[rank]->status();
    EXPECT_EQ(combiners[rank]->last().buckets, 4);
    EXPECT_TRUE(torch::allclose(parameters[rank][0].grad(), expected));
    EXPECT_FALSE(parameters[rank][kParametersWithoutGradient[0]].grad().defined());
  }
}

TEST(AllReduceGradientsTest, AFailureIsKeptAndNoGradientSurvives) {
  std::vector<std::unique_ptr<World>> worlds = JoinTwoRanks();
  ASSERT_TRUE(worlds[0] && worlds[1]);
  worlds[1].reset();  // rank 1 is gone
  AllReduceGradients combiner(worlds[0].get());
  std::vector<torch::Tensor> parameters = TestParameters(0);
  combiner.Combine(parameters);
  EXPECT_THAT(combiner.status().message(), HasSubstr("failed on rank 0 of 2"));
  EXPECT_TRUE(parameters[0].grad().isnan().all().item<bool>());
  // Later steps fail at once, without waiting for the timeout again.
  std::vector<torch::Tensor> next = TestParameters(0);
  combiner.Combine(next);
  EXPECT_TRUE(next[0].grad().isnan().all().item<bool>());
}

}  // namespace
}  // namespace mdenas

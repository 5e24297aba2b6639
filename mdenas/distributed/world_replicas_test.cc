#include "mdenas/distributed/world_replicas.h"

#include <torch/torch.h>

#include <memory>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/distributed/parameters_test_util.h"
#include "mdenas/distributed/ranks_test_util.h"
#include "mdenas/proto/training.pb.h"
#include "mdenas/training/step.h"

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

TEST(WorldReplicasTest, EveryRankGetsTheSum) {
  std::vector<std::unique_ptr<World>> worlds = JoinTwoRanks();
  ASSERT_TRUE(worlds[0] && worlds[1]);
  std::vector<std::vector<torch::Tensor>> parameters = {TestParameters(0), TestParameters(1)};
  const torch::Tensor expected = parameters[0][0].grad() + parameters[1][0].grad();
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<WorldReplicas>> combiners;
  for (int rank = 0; rank < 2; ++rank) {
    combiners.push_back(std::make_unique<WorldReplicas>(worlds[rank].get(), 1024));
  }
  std::vector<absl::Status> statuses(2);
  for (int rank = 0; rank < 2; ++rank) {
    threads.emplace_back(
        [&, rank] { statuses[rank] = combiners[rank]->Combine(parameters[rank]); });
  }
  for (std::thread& thread : threads) thread.join();
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_TRUE(statuses[rank].ok()) << statuses[rank];
    EXPECT_EQ(combiners[rank]->last().buckets, 4);
    EXPECT_TRUE(torch::allclose(parameters[rank][0].grad(), expected));
    EXPECT_FALSE(parameters[rank][kParametersWithoutGradient[0]].grad().defined());
  }
}

// A rank gone is the step's error, and nothing is applied.
TEST(WorldReplicasTest, ARankGoneIsTheStepsError) {
  std::vector<std::unique_ptr<World>> worlds = JoinTwoRanks();
  ASSERT_TRUE(worlds[0] && worlds[1]);
  worlds[1].reset();
  WorldReplicas combiner(worlds[0].get());
  const std::vector<torch::Tensor> parameters = TestParameters(0);
  const torch::Tensor before = parameters[0].detach().clone();
  TrainingStep step(OptimizerSpec(), parameters, &combiner);
  const absl::StatusOr<bool> updated = step.Update();
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(std::string(updated.status().message()), HasSubstr("failed on rank 0 of 2"));
  EXPECT_TRUE(torch::equal(parameters[0].detach(), before));
}

}  // namespace
}  // namespace mdenas

#include "mdenas/distributed/process_group.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/distributed/ranks_test_util.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

WorldConfig TwoRanks(int rank, int port) {
  WorldConfig config;
  config.launcher = "torchrun";
  config.rank = rank;
  config.world_size = 2;
  config.local_rank = rank;
  config.local_world_size = 2;
  config.master_addr = "127.0.0.1";
  config.master_port = port;
  return config;
}

TEST(WorldTest, SingleProcessNeedsNoStore) {
  absl::StatusOr<std::unique_ptr<World>> world = World::Join(WorldConfig(), absl::Seconds(1), "k");
  ASSERT_TRUE(world.ok()) << world.status();
  EXPECT_EQ((*world)->world_size(), 1);
  EXPECT_EQ((*world)->process_group(), nullptr);
}

// NCCL needs a CUDA libtorch (--config=cuda) and a GPU for each process of
// a machine: a rank whose GPU is not there is refused before it waits.
TEST(WorldTest, NcclWithoutTheRanksGpuIsRefused) {
  WorldConfig config = TwoRanks(1, FreePort());
  config.local_rank = static_cast<int>(torch::cuda::device_count());
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<World>> world =
      World::Join(config, absl::Seconds(5), "k", Collectives::kNccl);
  ASSERT_FALSE(world.ok());
  EXPECT_EQ(world.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(world.status().message(), AllOf(HasSubstr("rank 1 of 2"), HasSubstr("NCCL")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
}

TEST(WorldTest, TwoRanksJoin) {
  const std::vector<ProcessResult> ranks = RunRanks(2, {"--case=join"});
  for (const ProcessResult& rank : ranks) {
    EXPECT_EQ(rank.exit_code, 0) << rank.output;
    EXPECT_THAT(rank.output, HasSubstr("join: ok"));
  }
}

TEST(WorldTest, DifferentAgreementKeysAreRefusedOnEveryRank) {
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=join", "--agreement_key=spec-{rank}"});
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(ranks[rank].exit_code, 1) << ranks[rank].output;
    EXPECT_THAT(ranks[rank].output, AllOf(HasSubstr(absl::StrCat("rank ", rank, " of 2")),
                                          HasSubstr("different agreement keys"),
                                          HasSubstr("rank 0: \"spec-0\"; rank 1: \"spec-1\"")));
  }
}

TEST(WorldTest, PortInUseOnRankZeroIsNamed) {
  // Another program listens on the port.
  const int port = FreePort();
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  address.sin_port = htons(port);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 1), 0);

  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<World>> world =
      World::Join(TwoRanks(0, port), absl::Seconds(3), "k");
  ::close(listener);
  ASSERT_FALSE(world.ok());
  EXPECT_THAT(world.status().message(),
              AllOf(HasSubstr(absl::StrCat("rank 0 cannot host the rendezvous store on port ", port,
                                           " (MASTER_PORT)")),
                    HasSubstr("another job")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
}

TEST(WorldTest, UnreachableMasterTimesOutNamingIt) {
  const int port = FreePort();  // nothing listens there
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<World>> world =
      World::Join(TwoRanks(1, port), absl::Seconds(2), "k");
  const absl::Duration waited = absl::Now() - start;
  ASSERT_FALSE(world.ok());
  EXPECT_THAT(
      world.status().message(),
      AllOf(HasSubstr(absl::StrCat("rank 1 could not reach the rendezvous store at 127.0.0.1:",
                                   port, " (MASTER_ADDR:MASTER_PORT); gave up after ")),
            HasSubstr("(timeout 2s)"), HasSubstr("is rank 0 running")));
  // c10d 1.13's client gives up after about half its timeout.
  EXPECT_GE(waited, absl::Seconds(0.5));
  EXPECT_LT(waited, absl::Seconds(6));
}

TEST(WorldTest, RanksThatNeverComeAreNamed) {
  WorldConfig config = TwoRanks(0, FreePort());
  config.world_size = 3;
  config.local_world_size = 3;
  const absl::Time start = absl::Now();
  absl::StatusOr<std::unique_ptr<World>> world = World::Join(config, absl::Seconds(2), "k");
  ASSERT_FALSE(world.ok());
  EXPECT_THAT(world.status().message(),
              AllOf(HasSubstr("rank 0 of 3 waited 2s"), HasSubstr("for ranks 1, 2 to join")));
  EXPECT_LT(absl::Now() - start, absl::Seconds(6));
}

class RankExitsEarlyTest : public ::testing::TestWithParam<int> {};

TEST_P(RankExitsEarlyTest, TheOtherFailsNamingTheOperationWithinTheTimeout) {
  const int leaver = GetParam();
  const int stayer = 1 - leaver;
  const absl::Time start = absl::Now();
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=exit_early", "--timeout_s=5", absl::StrCat("--exit_rank=", leaver)});
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(ranks[leaver].exit_code, 0) << ranks[leaver].output;
  EXPECT_EQ(ranks[stayer].exit_code, 1) << ranks[stayer].output;
  EXPECT_THAT(ranks[stayer].output,
              AllOf(HasSubstr(absl::StrCat("all-reduce of the number of gradients failed on rank ",
                                           stayer, " of 2 after")),
                    HasSubstr(absl::StrCat("rank ", leaver, " has probably exited"))));
}

TEST(RankStallsTest, TheOtherFailsAfterTheTimeoutNamingTheOperation) {
  const std::vector<ProcessResult> ranks =
      RunRanks(2, {"--case=stall", "--timeout_s=2", "--exit_rank=1"});
  EXPECT_EQ(ranks[0].exit_code, 1) << ranks[0].output;
  EXPECT_THAT(ranks[0].output,
              AllOf(HasSubstr("all-reduce of the number of gradients failed on rank 0 of 2 after"),
                    HasSubstr("(timeout 2s)")));
}

INSTANTIATE_TEST_SUITE_P(EitherRank, RankExitsEarlyTest, ::testing::Values(0, 1));

}  // namespace
}  // namespace mdenas

#include "mdenas/distributed/world_config.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using Env = std::map<std::string, std::string>;

std::string ErrorOf(const Env& env) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig(env);
  EXPECT_FALSE(config.ok());
  return config.ok() ? "" : std::string(config.status().message());
}

TEST(WorldConfigTest, NoLauncherIsOneProcess) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig({{"HOME", "/root"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->launcher, "single process");
  EXPECT_EQ(config->rank, 0);
  EXPECT_EQ(config->world_size, 1);
  EXPECT_EQ(config->local_world_size, 1);
}

TEST(WorldConfigTest, Torchrun) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig({{"RANK", "5"},
                                                         {"WORLD_SIZE", "8"},
                                                         {"LOCAL_RANK", "1"},
                                                         {"LOCAL_WORLD_SIZE", "4"},
                                                         {"MASTER_ADDR", "node0"},
                                                         {"MASTER_PORT", "29500"},
                                                         {"TORCHELASTIC_USE_AGENT_STORE", "True"},
                                                         {"TORCHELASTIC_RESTART_COUNT", "2"},
                                                         {"GLOO_SOCKET_IFNAME", "eth0"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->launcher, "torchrun");
  EXPECT_EQ(config->rank, 5);
  EXPECT_EQ(config->world_size, 8);
  EXPECT_EQ(config->local_rank, 1);
  EXPECT_EQ(config->local_world_size, 4);
  EXPECT_EQ(config->master_addr, "node0");
  EXPECT_EQ(config->master_port, 29500);
  EXPECT_TRUE(config->use_agent_store);
  EXPECT_EQ(config->restart_count, 2);
  EXPECT_EQ(config->gloo_socket_ifname, "eth0");
}

TEST(WorldConfigTest, ByHandOnOneMachineDefaultsTheLocalNumbers) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig(
      {{"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "1234"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->local_rank, 1);
  EXPECT_EQ(config->local_world_size, 2);
  EXPECT_FALSE(config->use_agent_store);
}

TEST(WorldConfigTest, OneRankNeedsNoMaster) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig({{"RANK", "0"}, {"WORLD_SIZE", "1"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->world_size, 1);
}

TEST(WorldConfigTest, SlurmWithTasksPerNodeList) {
  // 3 nodes with 2 tasks each, then one with 1; this is the fourth.
  absl::StatusOr<WorldConfig> config = ParseWorldConfig({{"SLURM_PROCID", "6"},
                                                         {"SLURM_NTASKS", "7"},
                                                         {"SLURM_LOCALID", "0"},
                                                         {"SLURM_NODEID", "3"},
                                                         {"SLURM_TASKS_PER_NODE", "2(x3),1"},
                                                         {"MASTER_ADDR", "10.0.0.1"},
                                                         {"MASTER_PORT", "29400"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->launcher, "SLURM");
  EXPECT_EQ(config->rank, 6);
  EXPECT_EQ(config->world_size, 7);
  EXPECT_EQ(config->local_rank, 0);
  EXPECT_EQ(config->local_world_size, 1);
  EXPECT_EQ(config->master_addr, "10.0.0.1");
}

TEST(WorldConfigTest, SlurmWithNtasksPerNode) {
  absl::StatusOr<WorldConfig> config = ParseWorldConfig({{"SLURM_PROCID", "3"},
                                                         {"SLURM_NTASKS", "4"},
                                                         {"SLURM_LOCALID", "1"},
                                                         {"SLURM_NTASKS_PER_NODE", "2"},
                                                         {"SLURM_TASKS_PER_NODE", "2(x2)"},
                                                         {"MASTER_ADDR", "n1"},
                                                         {"MASTER_PORT", "29400"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->local_world_size, 2);
}

TEST(WorldConfigTest, TorchrunWinsOverSlurm) {
  absl::StatusOr<WorldConfig> config =
      ParseWorldConfig({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"SLURM_PROCID", "3"}});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->launcher, "torchrun");
}

TEST(WorldConfigTest, EveryProblemIsNamedAtOnce) {
  const std::string error = ErrorOf({{"RANK", "2"},
                                     {"WORLD_SIZE", "2"},
                                     {"LOCAL_RANK", "x"},
                                     {"LOCAL_WORLD_SIZE", "3"},
                                     {"MASTER_ADDR", "h"},
                                     {"MASTER_PORT", "70000"}});
  EXPECT_THAT(error, AllOf(HasSubstr("torchrun"), HasSubstr("LOCAL_RANK=\"x\" is not an integer"),
                           HasSubstr("MASTER_PORT=70000 is not a TCP port")));
}

TEST(WorldConfigTest, RejectsRankNotBelowWorldSize) {
  EXPECT_THAT(
      ErrorOf({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "1"}}),
      HasSubstr("RANK=2 is not below WORLD_SIZE=2"));
}

TEST(WorldConfigTest, RejectsLocalNumbers) {
  const std::string error = ErrorOf({{"RANK", "0"},
                                     {"WORLD_SIZE", "2"},
                                     {"LOCAL_RANK", "3"},
                                     {"LOCAL_WORLD_SIZE", "3"},
                                     {"MASTER_ADDR", "h"},
                                     {"MASTER_PORT", "1"}});
  EXPECT_THAT(error, AllOf(HasSubstr("LOCAL_RANK=3 is not below LOCAL_WORLD_SIZE=3"),
                           HasSubstr("LOCAL_WORLD_SIZE=3 exceeds WORLD_SIZE=2")));
}

TEST(WorldConfigTest, RejectsNonNumericAndNonPositive) {
  const std::string error = ErrorOf({{"RANK", "-1"}, {"WORLD_SIZE", "0"}});
  EXPECT_THAT(error,
              AllOf(HasSubstr("WORLD_SIZE=0 is not positive"), HasSubstr("RANK=-1 is negative")));
  EXPECT_THAT(ErrorOf({{"RANK", "one"}, {"WORLD_SIZE", "2"}}),
              HasSubstr("RANK=\"one\" is not an integer"));
}

TEST(WorldConfigTest, RejectsRankWithoutWorldSize) {
  EXPECT_THAT(ErrorOf({{"RANK", "0"}}), HasSubstr("WORLD_SIZE is not set"));
}

TEST(WorldConfigTest, RejectsMissingMaster) {
  const std::string error = ErrorOf({{"RANK", "0"}, {"WORLD_SIZE", "2"}});
  EXPECT_THAT(error,
              AllOf(HasSubstr("MASTER_ADDR is not set"), HasSubstr("MASTER_PORT is not set")));
}

TEST(WorldConfigTest, RejectsAgentStoreWithoutRestartCount) {
  EXPECT_THAT(ErrorOf({{"RANK", "0"},
                       {"WORLD_SIZE", "2"},
                       {"MASTER_ADDR", "h"},
                       {"MASTER_PORT", "1"},
                       {"TORCHELASTIC_USE_AGENT_STORE", "True"}}),
              HasSubstr("TORCHELASTIC_RESTART_COUNT is not set"));
}

TEST(WorldConfigTest, SlurmRejectsNamedVariables) {
  const std::string error = ErrorOf({{"SLURM_PROCID", "4"},
                                     {"SLURM_NTASKS", "4"},
                                     {"SLURM_LOCALID", "0"},
                                     {"SLURM_TASKS_PER_NODE", "2(y2)"}});
  EXPECT_THAT(error,
              AllOf(HasSubstr("SLURM"), HasSubstr("SLURM_TASKS_PER_NODE=\"2(y2)\""),
                    HasSubstr("MASTER_ADDR is not set"), HasSubstr("scontrol show hostnames")));
  EXPECT_THAT(ErrorOf({{"SLURM_PROCID", "4"},
                       {"SLURM_NTASKS", "4"},
                       {"SLURM_LOCALID", "0"},
                       {"SLURM_NTASKS_PER_NODE", "4"},
                       {"MASTER_ADDR", "h"},
                       {"MASTER_PORT", "1"}}),
              HasSubstr("SLURM_PROCID=4 is not below SLURM_NTASKS=4"));
  EXPECT_THAT(ErrorOf({{"SLURM_PROCID", "0"},
                       {"SLURM_NTASKS", "4"},
                       {"SLURM_LOCALID", "0"},
                       {"MASTER_ADDR", "h"},
                       {"MASTER_PORT", "1"}}),
              HasSubstr("neither SLURM_NTASKS_PER_NODE nor SLURM_TASKS_PER_NODE"));
  EXPECT_THAT(ErrorOf({{"SLURM_PROCID", "0"},
                       {"SLURM_NTASKS", "4"},
                       {"SLURM_LOCALID", "0"},
                       {"SLURM_TASKS_PER_NODE", "2,2"},
                       {"MASTER_ADDR", "h"},
                       {"MASTER_PORT", "1"}}),
              HasSubstr("SLURM_NODEID is not set"));
}

}  // namespace
}  // namespace mdenas

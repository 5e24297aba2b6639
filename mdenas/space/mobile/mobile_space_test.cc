#include "mdenas/space/mobile/mobile_space.h"

#include <torch/torch.h>

#include "data/test_fixtures.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/base/file.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

MobileSpace Space(MobileSkeletonName skeleton = GPU) {
  MobileSupernetSpec spec;
  spec.set_skeleton(skeleton);
  return MobileSpace(spec);
}

TEST(MobileSpaceTest, ADecisionPerSlotOverNineBlocks) {
  const MobileSpace gpu = Space();
  ASSERT_EQ(gpu.decisions().size(), 14u);
  EXPECT_EQ(gpu.decisions()[1].label, "slot 2 (block 1, 24->32, stride 2)");
  EXPECT_EQ(gpu.decisions()[0].choices.size(), 9u);
  EXPECT_EQ(gpu.decisions()[0].zero_choice, -1);
  EXPECT_EQ(Space(CPU).decisions().size(), 20u);
  EXPECT_EQ(gpu.Description(), "gpu skeleton, 14 slots x 9 blocks");
}

TEST(MobileSpaceTest, DerivesTheMostProbableBlockOfEachSlot) {
  const MobileSpace space = Space();
  const Architecture published = *space.ParseArchitecture("MDENAS_GPU");
  const std::vector<int> path = *space.PathOf(published);
  std::vector<std::vector<double>> distributions;
  for (const int choice : path) {
    std::vector<double> p(9, 0.1);
    p[choice] = 0.2;
    distributions.push_back(p);
  }
  EXPECT_EQ(space.Derive(distributions), published);
  EXPECT_EQ(space.PathText(path).substr(0, 8), "76 56 73");
}

TEST(MobileSpaceTest, ArchitecturesOfTheOtherSkeletonHaveNoPathHere) {
  const MobileSpace gpu = Space();
  const Architecture cpu = *gpu.ParseArchitecture("MDENAS_CPU");
  EXPECT_THAT(gpu.PathOf(cpu).status().message(),
              HasSubstr("of the cpu skeleton; this space searches the gpu skeleton"));
  EXPECT_TRUE(gpu.IsArchitectureText("MDENAS_CPU"));
  EXPECT_TRUE(gpu.IsArchitectureText(" [(3, 1)]"));
  EXPECT_TRUE(gpu.IsArchitectureText("cpu [(3, 1)]"));
  EXPECT_FALSE(gpu.IsArchitectureText("runs/search/architecture.txt"));
}

TEST(MobileSpaceTest, RandomArchitecturesParseBackAndDraw) {
  const MobileSpace space = Space(CPU);
  std::mt19937_64 rng(4);
  const Architecture random = space.RandomArchitecture(&rng);
  EXPECT_EQ(*space.ParseArchitecture(random.text), random);
  EXPECT_EQ(space.PathOf(random)->size(), 20u);
  const std::string dot = *space.ArchitectureDot(*space.ParseArchitecture("MDENAS_CPU"));
  EXPECT_THAT(dot, HasSubstr("7x7 e1 /2"));
}

TEST(MobileSpaceTest, NetworksNeedTheirSettings) {
  const MobileSpace space = Space();
  const Architecture published = *space.ParseArchitecture("MDENAS_GPU");
  NetworkSpec darts;
  darts.mutable_darts();
  EXPECT_THAT(space.MakeNetwork(published, darts, NetworkInputs()).status().message(),
              HasSubstr("no mobile settings"));
  NetworkSpec mobile;
  mobile.mutable_mobile()->set_dropout(0.1);
  const auto network = space.MakeNetwork(published, mobile, NetworkInputs());
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_THAT((*network)->Description(), HasSubstr("dropout 0.1"));
}

// A table of `skeleton`: block c of every slot takes c + 1 ms, the rest 3.
std::string WriteTable(MobileSkeletonName skeleton, const std::string& name) {
  MobileLatencyTable table;
  table.skeleton = skeleton;
  table.device = "made up";
  table.fixed_ms = 3;
  table.block_ms.assign(Skeleton(skeleton).SlotBlocks().size(), {});
  for (std::vector<double>& slot : table.block_ms) {
    for (int c = 0; c < kMobileChoices; ++c) slot.push_back(c + 1);
  }
  const std::string path = JoinPath(MakeTestDir(name), "table.csv");
  EXPECT_TRUE(WriteFileAtomically(path, FormatMobileLatencyTable(table)).ok());
  return path;
}

TEST(MobileSpaceTest, PredictsLatencyFromItsTable) {
  MobileSupernetSpec spec;
  EXPECT_THAT(std::string((*MobileSpace::Create(spec))->PredictLatencyMs({}).status().message()),
              HasSubstr("no latency table: set space.mobile.latency_table"));
  spec.set_latency_table(WriteTable(GPU, "gpu_table"));
  const absl::StatusOr<std::unique_ptr<MobileSpace>> space = MobileSpace::Create(spec);
  ASSERT_TRUE(space.ok()) << space.status();
  EXPECT_DOUBLE_EQ(*(*space)->PredictLatencyMs(std::vector<int>(14, 8)), 3 + 14 * 9);
  spec.set_latency_table(WriteTable(CPU, "cpu_table"));
  EXPECT_THAT(std::string(MobileSpace::Create(spec).status().message()),
              HasSubstr("is a table of the cpu skeleton; the space searches the gpu skeleton"));
  spec.set_latency_table("/nonexistent/table.csv");
  EXPECT_THAT(std::string(MobileSpace::Create(spec).status().message()),
              HasSubstr("space.mobile.latency_table: "));
}

}  // namespace
}  // namespace mdenas

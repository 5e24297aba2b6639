#include "mdenas/space/nb201/nb201_space.h"

#include <torch/torch.h>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/nn/layers.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kAllConv3x3[] =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
    "nor_conv_3x3~2|";

Nb201SupernetSpec Tiny() {
  Nb201SupernetSpec spec;
  spec.set_channels(4);
  spec.set_cells_per_stage(1);
  return spec;
}

// A decision per edge of the one cell, over the 5 operations, `none` the
// one that computes nothing.
TEST(Nb201SpaceTest, DecisionsAreTheCellsEdges) {
  const Nb201Space space(Nb201SupernetSpec{});
  EXPECT_EQ(space.name(), "nb201");
  EXPECT_EQ(space.Description(), "3 stages x 5 cells x 16 channels");
  const std::vector<Decision>& decisions = space.decisions();
  ASSERT_EQ(decisions.size(), 6u);
  EXPECT_THAT(decisions[0].columns, ElementsAre("1<-0"));
  EXPECT_EQ(decisions[0].label, "edge 1<-0");
  EXPECT_THAT(decisions[5].columns, ElementsAre("3<-2"));
  for (const Decision& decision : decisions) {
    EXPECT_THAT(decision.choices, ElementsAre("none", "skip_connect", "nor_conv_1x1",
                                              "nor_conv_3x3", "avg_pool_3x3"));
    EXPECT_EQ(decision.zero_choice, 0);
  }
  EXPECT_THAT(space.DecisionColumns(), ElementsAre("edge"));
  EXPECT_EQ(space.ChoiceColumn(), "operation");
  EXPECT_EQ(space.PathText({3, 2, 1, 0, 4, 3}), "3|1k|-a3");
  EXPECT_THAT(space.PathLegend(), HasSubstr("3 nor_conv_3x3"));
}

TEST(Nb201SpaceTest, DerivesTheMostProbableOperationOfEachEdge) {
  const Nb201Space space(Tiny());
  std::vector<std::vector<double>> p(6, {0.1, 0.1, 0.1, 0.6, 0.1});
  p[4] = {0.5, 0.2, 0.1, 0.1, 0.1};
  EXPECT_EQ(space.Derive(p).text,
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|none~1|"
            "nor_conv_3x3~2|");
}

TEST(Nb201SpaceTest, ArchitecturesAreTheBenchmarksStrings) {
  const Nb201Space space(Tiny());
  EXPECT_THAT(space.BuiltinArchitectures(), IsEmpty());
  const absl::StatusOr<Architecture> parsed =
      space.ParseArchitecture(absl::StrCat("  ", kAllConv3x3, "\n"));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->text, kAllConv3x3);
  EXPECT_THAT(std::string(space
                              .ParseArchitecture("|nor_conv_5x5~0|+|none~0|none~1|+|none~0|"
                                                 "none~1|none~2|")
                              .status()
                              .message()),
              HasSubstr("unknown operation 'nor_conv_5x5'"));
  EXPECT_TRUE(space.IsArchitectureText(kAllConv3x3));
  EXPECT_TRUE(space.IsArchitectureText(" |none~0|"));
  EXPECT_FALSE(space.IsArchitectureText("runs/one/architecture.txt"));
  EXPECT_FALSE(space.IsArchitectureText("DARTS_V2"));
}

// The cell drawn with the benchmark's node numbers: an edge per operation
// but `none`.
TEST(Nb201SpaceTest, ArchitectureIsDrawnWithoutItsNoneEdges) {
  const Nb201Space space(Tiny());
  const absl::StatusOr<std::string> dot = space.ArchitectureDot(
      Architecture{"|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|none~1|"
                   "nor_conv_1x1~2|"});
  ASSERT_TRUE(dot.ok()) << dot.status();
  EXPECT_THAT(*dot, HasSubstr("\"0\" -> \"1\" [label=\"nor_conv_3x3\"]"));
  EXPECT_THAT(*dot, HasSubstr("\"1\" -> \"2\" [label=\"skip_connect\"]"));
  EXPECT_THAT(*dot, HasSubstr("\"0\" -> \"3\" [label=\"avg_pool_3x3\"]"));
  EXPECT_THAT(*dot, HasSubstr("\"2\" -> \"3\" [label=\"nor_conv_1x1\"]"));
  EXPECT_THAT(*dot, Not(HasSubstr("none")));
  EXPECT_THAT(*dot, Not(HasSubstr("\"0\" -> \"2\"")));
  EXPECT_FALSE(space.ArchitectureDot(Architecture{"|none~0|"}).ok());
}

// Random architectures parse, their path picks their operations, and over
// 50 draws they differ.
TEST(Nb201SpaceTest, RandomArchitecturesAndTheirPaths) {
  const Nb201Space space(Tiny());
  std::mt19937_64 rng(3);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const Architecture architecture = space.RandomArchitecture(&rng);
    seen.insert(architecture.text);
    EXPECT_EQ(*space.ParseArchitecture(architecture.text), architecture);
    const absl::StatusOr<std::vector<int>> path = space.PathOf(architecture);
    ASSERT_TRUE(path.ok()) << path.status();
    EXPECT_EQ(space.Derive([&] {
      std::vector<std::vector<double>> p(6, std::vector<double>(5, 0.0));
      for (int edge = 0; edge < 6; ++edge) p[edge][(*path)[edge]] = 1;
      return p;
    }()),
              architecture);
  }
  EXPECT_GT(seen.size(), 45u);
  EXPECT_THAT(space.PathOf(Architecture{kAllConv3x3}).value(), ElementsAre(3, 3, 3, 3, 3, 3));
}

TEST(Nb201SpaceTest, SupernetAndNetworkForTheInputs) {
  const Nb201Space space(Tiny());
  torch::manual_seed(0);
  NetworkInputs inputs;
  inputs.channels = 1;
  inputs.height = inputs.width = 8;
  inputs.classes = 5;
  const torch::Tensor images = torch::randn({2, 1, 8, 8});
  const std::shared_ptr<Supernet> supernet = space.MakeSupernet(inputs, std::nullopt);
  EXPECT_EQ(supernet->forward(images, {3, 3, 3, 3, 3, 3}).sizes(), torch::IntArrayRef({2, 5}));
  const std::shared_ptr<Supernet> only =
      space.MakeSupernet(inputs, std::vector<int>{1, 1, 1, 1, 1, 1});
  EXPECT_EQ(only->forward(images, {1, 1, 1, 1, 1, 1}).sizes(), torch::IntArrayRef({2, 5}));
  // Only the stem, residual blocks and head have parameters on that path.
  EXPECT_EQ(CountParameters(*only, true),
            CountParameters(*space.MakeSupernet(inputs, std::vector<int>(6, 0)), true));

  NetworkSpec spec;
  EXPECT_THAT(
      std::string(space.MakeNetwork(Architecture{kAllConv3x3}, spec, inputs).status().message()),
      HasSubstr("holds no nb201 settings"));
  spec.mutable_nb201()->set_channels(4);
  spec.mutable_nb201()->set_cells_per_stage(1);
  const absl::StatusOr<std::shared_ptr<Network>> network =
      space.MakeNetwork(Architecture{kAllConv3x3}, spec, inputs);
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ((*network)->forward(images).logits.sizes(), torch::IntArrayRef({2, 5}));
  EXPECT_EQ((*network)->Description(),
            "NAS-Bench-201 network, 3 stages x 1 cells, 4-8-16 channels");
}

// The network spec's defaults are the benchmark's TinyNetwork (C = 16,
// N = 5): 1,531,546 parameters for the all-nor_conv_3x3 cell on CIFAR-10
// (network_test.cc shows the arithmetic).
TEST(Nb201SpaceTest, DefaultNetworkIsTheBenchmarks) {
  const Nb201Space space(Nb201SupernetSpec{});
  NetworkSpec spec;
  spec.mutable_nb201();
  const absl::StatusOr<std::shared_ptr<Network>> network =
      space.MakeNetwork(Architecture{kAllConv3x3}, spec, NetworkInputs{});
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ(CountParameters(**network, true), 1531546);
}

}  // namespace
}  // namespace mdenas

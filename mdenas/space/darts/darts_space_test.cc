#include "mdenas/space/darts/darts_space.h"

#include <algorithm>
#include <random>
#include <set>

#include <torch/torch.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/nn/layers.h"
#include "mdenas/space/darts/genotype.h"
#include "mdenas/space/network_size.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

DartsSupernetSpec Small() {
  DartsSupernetSpec spec;
  spec.set_layers(3);
  spec.set_init_channels(4);
  spec.set_nodes(4);
  return spec;
}

// A decision per edge of the normal cell, then per edge of the reduction
// cell, each over the 8 operations, `none` the one that computes nothing.
TEST(DartsSpaceTest, DecisionsAreTheEdgesOfBothCells) {
  const DartsSpace space(Small());
  const std::vector<Decision>& decisions = space.decisions();
  ASSERT_EQ(decisions.size(), 28u);
  EXPECT_THAT(decisions[0].columns, ElementsAre("normal", "0", "2", "0"));
  EXPECT_EQ(decisions[0].label, "normal 0->2");
  EXPECT_THAT(decisions[27].columns, ElementsAre("reduce", "13", "5", "4"));
  EXPECT_EQ(decisions[27].label, "reduce 4->5");
  for (const Decision& decision : decisions) {
    ASSERT_EQ(decision.choices.size(), 8u);
    EXPECT_EQ(decision.choices[decision.zero_choice], "none");
  }
  EXPECT_THAT(space.DecisionColumns(), ElementsAre("cell", "edge", "node", "input"));
  EXPECT_EQ(space.Description(), "3 cells x 4 channels");
}

TEST(DartsSpaceTest, PathTextShowsBothCellsNodeByNode) {
  const DartsSpace space(Small());
  std::vector<int> path = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5};
  path.insert(path.end(), 14, 3);
  EXPECT_EQ(space.PathText(path), "n -m|aks|SdD-|maksS r kk|kkk|kkkk|kkkkk");
  EXPECT_THAT(space.PathLegend(), HasSubstr("s sep_conv_3x3"));
}

// Distributions peaked on sep_conv_3x3 in the normal cell and max_pool_3x3
// in the reduction cell give those cells.
TEST(DartsSpaceTest, DerivesAGenotypeFromTheDistributions) {
  const DartsSpace space(Small());
  std::vector<std::vector<double>> p(28, std::vector<double>(8, 0.1));
  for (int d = 0; d < 28; ++d) p[d][d < 14 ? 4 : 1] = 0.3;
  const Architecture found = space.Derive(p);
  const absl::StatusOr<Genotype> genotype = ParseDartsGenotype(found.text);
  ASSERT_TRUE(genotype.ok()) << genotype.status();
  for (const GenotypeEdge& edge : genotype->normal.edges) EXPECT_EQ(edge.op, "sep_conv_3x3");
  for (const GenotypeEdge& edge : genotype->reduce.edges) EXPECT_EQ(edge.op, "max_pool_3x3");
}

TEST(DartsSpaceTest, ArchitecturesAreBuiltinsOrTheTextFormPrintedCanonically) {
  const DartsSpace space(Small());
  EXPECT_THAT(space.BuiltinArchitectures(), ElementsAre("DARTS_V1", "DARTS_V2", "MDENAS"));
  const absl::StatusOr<Architecture> builtin = space.ParseArchitecture("DARTS_V2");
  ASSERT_TRUE(builtin.ok());
  EXPECT_EQ(builtin->text, FormatDartsGenotype(*BuiltinGenotype("DARTS_V2")));
  // Double quotes and extra spaces parse to the same canonical text.
  std::string spaced = builtin->text;
  for (char& c : spaced) {
    if (c == '\'') c = '"';
  }
  EXPECT_EQ(*space.ParseArchitecture("  " + spaced), *builtin);
  EXPECT_TRUE(space.IsArchitectureText("MDENAS"));
  EXPECT_TRUE(space.IsArchitectureText(" Genotype(normal=[])"));
  EXPECT_FALSE(space.IsArchitectureText("runs/one"));
  EXPECT_THAT(std::string(space.ParseArchitecture("Genotype(normal=[('conv_9x9', 0), "
                                                  "('skip_connect', 1)], normal_concat=[2], "
                                                  "reduce=[('skip_connect', 0), "
                                                  "('skip_connect', 1)], reduce_concat=[2])")
                              .status()
                              .message()),
              HasSubstr("unknown operation 'conv_9x9'"));
}

// A random architecture is a genotype of the space's node count, and its
// path through the supernet picks its operations on its edges and `none`
// elsewhere.
// Both cells drawn as DARTS's visualize.py draws them: c_{k-2}, c_{k-1},
// the nodes from 0, an edge per genotype edge labelled with its operation,
// and the concatenated nodes into c_{k}.
TEST(DartsSpaceTest, ArchitectureIsDrawnCellByCell) {
  const DartsSpace space(Small());
  const absl::StatusOr<Architecture> v2 = space.ParseArchitecture("DARTS_V2");
  ASSERT_TRUE(v2.ok()) << v2.status();
  const absl::StatusOr<std::string> dot = space.ArchitectureDot(*v2);
  ASSERT_TRUE(dot.ok()) << dot.status();
  EXPECT_THAT(*dot, HasSubstr("digraph \"normal\""));
  EXPECT_THAT(*dot, HasSubstr("digraph \"reduce\""));
  // DARTS_V2's first normal edge: ('sep_conv_3x3', 0) into node 0; its
  // first reduction edge: ('max_pool_3x3', 0).
  EXPECT_THAT(*dot, HasSubstr("\"c_{k-2}\" -> \"0\" [label=\"sep_conv_3x3\"]"));
  EXPECT_THAT(*dot, HasSubstr("\"c_{k-2}\" -> \"0\" [label=\"max_pool_3x3\"]"));
  EXPECT_THAT(*dot, HasSubstr("\"3\" -> \"c_{k}\";"));
  EXPECT_FALSE(space.ArchitectureDot(Architecture{"Genotype("}).ok());
}

TEST(DartsSpaceTest, RandomArchitecturesAndTheirPaths) {
  DartsSupernetSpec spec = Small();
  spec.set_nodes(3);
  const DartsSpace space(spec);
  std::mt19937_64 rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const Architecture architecture = space.RandomArchitecture(&rng);
    seen.insert(architecture.text);
    const absl::StatusOr<Genotype> genotype = ParseDartsGenotype(architecture.text);
    ASSERT_TRUE(genotype.ok());
    EXPECT_EQ(genotype->normal.nodes(), 3);
    const absl::StatusOr<std::vector<int>> path = space.PathOf(architecture);
    ASSERT_TRUE(path.ok()) << path.status();
    ASSERT_EQ(path->size(), space.decisions().size());
    EXPECT_EQ(std::count(path->begin(), path->end(), 0), 2 * (9 - 6));
  }
  EXPECT_GT(seen.size(), 15u);
}

TEST(DartsSpaceTest, SupernetTakesAChoicePerDecision) {
  const DartsSpace space(Small());
  torch::manual_seed(0);
  NetworkInputs inputs;
  inputs.height = inputs.width = 16;
  inputs.classes = 7;
  const std::shared_ptr<Supernet> net = space.MakeSupernet(inputs, std::nullopt);
  const std::vector<int> path(space.decisions().size(), 4);
  EXPECT_EQ(net->forward(torch::randn({2, 3, 16, 16}), path).sizes(),
            torch::IntArrayRef({2, 7}));
  // The stand-alone network of the path holds a subset of the weights.
  const std::shared_ptr<Supernet> alone = space.MakeSupernet(inputs, path);
  EXPECT_LT(CountParameters(*alone, true), CountParameters(*net, true));
}

// DARTS reports 3.3M for DARTS_V2; its own count, without the auxiliary
// head and with plain pooling, is 3,349,342 (the settings' defaults).
TEST(DartsSpaceTest, NetworkFollowsTheNetworkSettings) {
  const DartsSpace space(Small());
  NetworkSpec spec;
  spec.mutable_darts();
  const absl::StatusOr<std::shared_ptr<Network>> network =
      space.MakeNetwork(*space.ParseArchitecture("DARTS_V2"), spec, NetworkInputs());
  ASSERT_TRUE(network.ok()) << network.status();
  EXPECT_EQ(CountParameters(**network, false), 3349342);
  EXPECT_THAT((*network)->Description(), HasSubstr("CIFAR network, 20 cells x 36 channels"));
  EXPECT_NEAR(NetworkMacs(**network, NetworkInputs()) / 1e6, 528, 1);
  EXPECT_THAT(std::string(space.MakeNetwork(*space.ParseArchitecture("DARTS_V2"), NetworkSpec(),
                                            NetworkInputs())
                              .status()
                              .message()),
              HasSubstr("holds no darts settings"));
}

}  // namespace
}  // namespace mdenas

#include "mdenas/space/darts/random_genotype.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/primitives.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

TEST(RandomGenotypeTest, SamplesValidGenotypesWithDistinctInputs) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const Genotype genotype = SampleGenotype(DartsOperations(), 4, &rng);
    ASSERT_TRUE(ValidateGenotype(genotype, DartsOperations()).ok());
    for (const CellGenotype* cell : {&genotype.normal, &genotype.reduce}) {
      for (int node = 0; node < 4; ++node) {
        EXPECT_NE(cell->edges[2 * node].input, cell->edges[2 * node + 1].input);
      }
      for (const GenotypeEdge& edge : cell->edges) EXPECT_NE(edge.op, "none");
    }
  }
}

// 7 operations on 16 edges over 2,000 genotypes: every operation appears
// about 4,571 times (binomial sd ~63); node 5's inputs each about 800 times.
TEST(RandomGenotypeTest, DrawsAreUniform) {
  std::mt19937_64 rng(2);
  std::map<std::string, int> ops;
  std::map<int, int> node5_inputs;
  for (int i = 0; i < 2000; ++i) {
    const Genotype genotype = SampleGenotype(DartsOperations(), 4, &rng);
    for (const CellGenotype* cell : {&genotype.normal, &genotype.reduce}) {
      for (const GenotypeEdge& edge : cell->edges) ++ops[edge.op];
    }
    ++node5_inputs[genotype.normal.edges[6].input];
    ++node5_inputs[genotype.normal.edges[7].input];
  }
  EXPECT_EQ(ops.size(), 7u);
  for (const auto& [op, count] : ops) EXPECT_NEAR(count, 32000.0 / 7, 320) << op;
  ASSERT_EQ(node5_inputs.size(), 5u);
  for (const auto& [input, count] : node5_inputs) EXPECT_NEAR(count, 800, 130) << input;
}

TEST(RandomGenotypeTest, SameSeedSameGenotype) {
  std::mt19937_64 a(7), b(7);
  EXPECT_EQ(SampleGenotype(DartsOperations(), 4, &a),
            SampleGenotype(DartsOperations(), 4, &b));
}

TEST(RandomGenotypeTest, GenotypePathPutsEachEdgeWhereTheSupernetHasIt) {
  const Genotype genotype = *BuiltinGenotype("DARTS_V1");
  const absl::StatusOr<std::vector<int>> path =
      GenotypePath(genotype, DartsOperations(), 4);
  ASSERT_TRUE(path.ok()) << path.status();
  ASSERT_EQ(path->size(), 28u);
  // DARTS_V1 normal node 2: sep_conv_3x3 from 1 and 0; node 5: skip from 2.
  const std::vector<std::string>& ops = DartsOperations();
  EXPECT_EQ(ops[(*path)[CellEdgeIndex(2, 0)]], "sep_conv_3x3");
  EXPECT_EQ(ops[(*path)[CellEdgeIndex(2, 1)]], "sep_conv_3x3");
  EXPECT_EQ(ops[(*path)[CellEdgeIndex(5, 2)]], "skip_connect");
  EXPECT_EQ(ops[(*path)[CellEdgeIndex(5, 4)]], "none");
  // Reduce node 2: max_pool_3x3 from 0 and 1.
  EXPECT_EQ(ops[(*path)[14 + CellEdgeIndex(2, 0)]], "max_pool_3x3");
  int kept = 0;
  for (int op : *path) kept += ops[op] != "none";
  EXPECT_EQ(kept, 16);
}

TEST(RandomGenotypeTest, TwoEdgesFromOneInputCannotBeAPath) {
  Genotype genotype = *BuiltinGenotype("MDENAS");
  genotype.normal.edges[1].input = genotype.normal.edges[0].input;
  EXPECT_THAT(std::string(GenotypePath(genotype, DartsOperations(), 4)
                              .status()
                              .message()),
              HasSubstr("node 2 takes two edges from node"));
}

}  // namespace
}  // namespace mdenas

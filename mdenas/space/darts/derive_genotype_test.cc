#include "mdenas/space/darts/derive_genotype.h"

#include <vector>

#include "gtest/gtest.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/primitives.h"

namespace mdenas {
namespace {

// A distribution that puts `mass` on `op` and spreads the rest evenly.
std::vector<double> Peaked(int op, double mass) {
  std::vector<double> p(8, (1.0 - mass) / 7);
  p[op] = mass;
  return p;
}

// Operation indices in DartsOperations() order.
constexpr int kNone = 0, kMaxPool = 1, kSkip = 3, kSep3 = 4, kSep5 = 5,
              kDil3 = 6;

TEST(DeriveGenotypeTest, TakesTheBestNonNoneOperationOfTheTwoStrongestEdges) {
  std::vector<std::vector<double>> p(14, std::vector<double>(8, 0.125));
  // Node 2 (edges 0, 1): both kept, stronger first.
  p[CellEdgeIndex(2, 0)] = Peaked(kSep3, 0.3);
  p[CellEdgeIndex(2, 1)] = Peaked(kSep5, 0.5);
  // Node 3: edge from 2 strongest, then 0; input 1 weak.
  p[CellEdgeIndex(3, 0)] = Peaked(kSkip, 0.4);
  p[CellEdgeIndex(3, 1)] = Peaked(kMaxPool, 0.2);
  p[CellEdgeIndex(3, 2)] = Peaked(kDil3, 0.6);
  // Node 4: 'none' dominates edge (4, 3) but is never chosen; the best
  // other op there is tiny, so edges 0 and 1 win.
  p[CellEdgeIndex(4, 3)] = Peaked(kNone, 0.93);
  p[CellEdgeIndex(4, 0)] = Peaked(kSep5, 0.2);
  p[CellEdgeIndex(4, 1)] = Peaked(kSep3, 0.25);
  const CellGenotype cell = DeriveCell(p, DartsOperations(), 4);
  ASSERT_EQ(cell.edges.size(), 8u);
  EXPECT_EQ(cell.edges[0], (GenotypeEdge{"sep_conv_5x5", 1}));
  EXPECT_EQ(cell.edges[1], (GenotypeEdge{"sep_conv_3x3", 0}));
  EXPECT_EQ(cell.edges[2], (GenotypeEdge{"dil_conv_3x3", 2}));
  EXPECT_EQ(cell.edges[3], (GenotypeEdge{"skip_connect", 0}));
  EXPECT_EQ(cell.edges[4], (GenotypeEdge{"sep_conv_3x3", 1}));
  EXPECT_EQ(cell.edges[5], (GenotypeEdge{"sep_conv_5x5", 0}));
  EXPECT_EQ(cell.concat, (std::vector<int>{2, 3, 4, 5}));
}

// With uniform distributions every tie goes to the lower index: the first
// non-none operation on the first two inputs, as DARTS's stable sort does.
TEST(DeriveGenotypeTest, TiesGoToLowerIndices) {
  const std::vector<std::vector<double>> p(14, std::vector<double>(8, 0.125));
  const CellGenotype cell = DeriveCell(p, DartsOperations(), 4);
  for (int node = 0; node < 4; ++node) {
    EXPECT_EQ(cell.edges[2 * node], (GenotypeEdge{"max_pool_3x3", 0}));
    EXPECT_EQ(cell.edges[2 * node + 1], (GenotypeEdge{"max_pool_3x3", 1}));
  }
}

// The first 14 distributions are the normal cell's edges, the next 14 the
// reduction cell's.
TEST(DeriveGenotypeTest, SplitsTheDistributionsIntoNormalAndReductionCells) {
  std::vector<std::vector<double>> p;
  for (int edge = 0; edge < 28; ++edge) p.push_back(Peaked(edge < 14 ? kSep3 : kMaxPool, 0.5));
  const Genotype genotype = DeriveGenotype(p, DartsOperations(), 4);
  for (const GenotypeEdge& edge : genotype.normal.edges) {
    EXPECT_EQ(edge.op, "sep_conv_3x3");
  }
  for (const GenotypeEdge& edge : genotype.reduce.edges) {
    EXPECT_EQ(edge.op, "max_pool_3x3");
  }
  EXPECT_TRUE(ValidateGenotype(genotype, DartsOperations()).ok());
}

}  // namespace
}  // namespace mdenas

#include "mdenas/space/nb201/cell.h"

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPaperExample[] =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|"
    "skip_connect~2|";

std::string ParseError(const std::string& text) {
  const absl::StatusOr<Nb201Cell> cell = ParseNb201Cell(text);
  EXPECT_FALSE(cell.ok()) << text;
  return std::string(cell.status().message());
}

TEST(Nb201CellTest, OperationsAndEdgesInTheBenchmarksOrder) {
  EXPECT_THAT(Nb201OperationNames(),
              ElementsAre("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"));
  std::vector<std::string> edges;
  for (const Nb201Edge& edge : Nb201Edges()) edges.push_back(Nb201EdgeName(edge));
  EXPECT_THAT(edges, ElementsAre("1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"));
}

TEST(Nb201CellTest, ParsesAndPrintsTheBenchmarksStrings) {
  const absl::StatusOr<Nb201Cell> cell = ParseNb201Cell(kPaperExample);
  ASSERT_TRUE(cell.ok()) << cell.status();
  EXPECT_THAT(cell->ops, ElementsAre(3, 3, 4, 1, 3, 1));
  EXPECT_EQ(FormatNb201Cell(*cell), kPaperExample);
  // Surrounding whitespace is not part of it.
  EXPECT_EQ(*ParseNb201Cell(absl::StrCat(" \n", kPaperExample, "\n")), *cell);
}

// Every cell of the space prints to a string that parses back to it, and
// its code numbers the 5^6 cells one to one.
TEST(Nb201CellTest, EveryCellRoundTrips) {
  std::set<std::string> texts;
  for (int code = 0; code < kNb201CellCount; ++code) {
    const Nb201Cell cell = Nb201CellOfCode(code);
    EXPECT_EQ(Nb201CellCode(cell), code);
    const std::string text = FormatNb201Cell(cell);
    const absl::StatusOr<Nb201Cell> parsed = ParseNb201Cell(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(*parsed, cell) << text;
    texts.insert(text);
  }
  EXPECT_EQ(texts.size(), static_cast<size_t>(kNb201CellCount));
}

TEST(Nb201CellTest, RejectsEmptyText) {
  EXPECT_THAT(ParseError(""), HasSubstr("empty NAS-Bench-201 architecture; expected "
                                        "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|"));
  EXPECT_THAT(ParseError("  "), HasSubstr("empty"));
}

TEST(Nb201CellTest, RejectsAWrongNodeCount) {
  EXPECT_THAT(ParseError("|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|"),
              HasSubstr("has 2 nodes separated by '+', expected 3"));
  EXPECT_THAT(ParseError(std::string(kPaperExample) + "+|none~0|"),
              HasSubstr("has 4 nodes separated by '+', expected 3"));
}

TEST(Nb201CellTest, RejectsMissingBars) {
  EXPECT_THAT(ParseError("nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"),
              HasSubstr("node 1 'nor_conv_3x3~0|' does not start and end with '|'"));
  EXPECT_THAT(ParseError("|none~0|+|none~0|none~1+|none~0|none~1|none~2|"),
              HasSubstr("node 2 '|none~0|none~1' does not start and end with '|'"));
}

TEST(Nb201CellTest, RejectsAWrongEdgeCount) {
  EXPECT_THAT(ParseError("|none~0|+|none~0|+|none~0|none~1|none~2|"),
              HasSubstr("node 2 has 1 edges, expected 2 (one from each of nodes 0..1)"));
}

TEST(Nb201CellTest, RejectsAWrongOperation) {
  EXPECT_THAT(ParseError("|none~0|+|none~0|sep_conv_3x3~1|+|none~0|none~1|none~2|"),
              HasSubstr("node 2, edge 2 'sep_conv_3x3~1': unknown operation 'sep_conv_3x3'; "
                        "operations: none, skip_connect, nor_conv_1x1, nor_conv_3x3, "
                        "avg_pool_3x3"));
}

TEST(Nb201CellTest, RejectsAWrongSourceIndex) {
  EXPECT_THAT(ParseError("|none~0|+|none~0|none~1|+|none~0|none~2|none~1|"),
              HasSubstr("node 3, edge 2 'none~2': source '2', expected 1 (a node's edges "
                        "come in order of their source)"));
  EXPECT_THAT(ParseError("|none~x|+|none~0|none~1|+|none~0|none~1|none~2|"),
              HasSubstr("node 1, edge 1 'none~x': source 'x', expected 0"));
  EXPECT_THAT(ParseError("|none|+|none~0|none~1|+|none~0|none~1|none~2|"),
              HasSubstr("node 1, edge 1 'none': expected op~source"));
}

// The most probable operation of each edge, `none` included; the first of
// equals.
TEST(Nb201CellTest, DerivesTheMostProbableOperationOfEachEdge) {
  std::vector<std::vector<double>> p(kNb201EdgeCount, std::vector<double>(5, 0.2));
  p[0] = {0.1, 0.1, 0.2, 0.5, 0.1};      // nor_conv_3x3
  p[1] = {0.6, 0.1, 0.1, 0.1, 0.1};      // none wins
  p[2] = {0.1, 0.1, 0.1, 0.1, 0.6};      // avg_pool_3x3
  p[3] = {0.1, 0.3, 0.3, 0.2, 0.1};      // a tie: skip_connect, the first
  p[4] = {0.05, 0.05, 0.8, 0.05, 0.05};  // nor_conv_1x1
  // p[5] uniform: none, the first.
  const Nb201Cell cell = DeriveNb201Cell(p);
  EXPECT_THAT(cell.ops, ElementsAre(3, 0, 4, 1, 2, 0));
  EXPECT_EQ(FormatNb201Cell(cell),
            "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|");
}

// Each edge's operation is uniform over the 5 and independent of the
// others: over 25,000 draws every (edge, operation) count is near 5,000
// (binomial sd 63; 5 sd allowed) and most cells differ.
TEST(Nb201CellTest, SamplesCellsUniformly) {
  std::mt19937_64 rng(7);
  std::vector<std::vector<int>> counts(kNb201EdgeCount, std::vector<int>(5, 0));
  std::set<int> codes;
  constexpr int kDraws = 25000;
  for (int i = 0; i < kDraws; ++i) {
    const Nb201Cell cell = SampleNb201Cell(&rng);
    for (int edge = 0; edge < kNb201EdgeCount; ++edge) ++counts[edge][cell.ops[edge]];
    codes.insert(Nb201CellCode(cell));
  }
  for (const std::vector<int>& edge : counts) {
    for (const int count : edge) EXPECT_NEAR(count, kDraws / 5, 316);
  }
  // 15,625 * (1 - exp(-25000 / 15625)) = 12,470 distinct cells expected.
  EXPECT_NEAR(static_cast<double>(codes.size()), 12470, 200);
}

TEST(Nb201CellTest, ShortPathShowsALetterPerEdgeNodeByNode) {
  EXPECT_EQ(ShortNb201Path(std::vector<int>{3, 2, 1, 0, 4, 3}), "3|1k|-a3");
}

}  // namespace
}  // namespace mdenas

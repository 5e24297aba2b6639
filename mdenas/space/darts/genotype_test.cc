#include "mdenas/space/darts/genotype.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mdenas/space/darts/cell_topology.h"
#include "mdenas/space/darts/primitives.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ErrorOf(const absl::StatusOr<Genotype>& genotype) {
  return std::string(genotype.status().message());
}

std::string ValidationError(const Genotype& genotype) {
  return std::string(ValidateGenotype(genotype, DartsOperations()).message());
}

TEST(GenotypeTest, BuiltinsRoundTripThroughTheDartsTextForm) {
  ASSERT_EQ(BuiltinGenotypeNames().size(), 3u);
  for (const std::string& name : BuiltinGenotypeNames()) {
    const absl::StatusOr<Genotype> genotype = BuiltinGenotype(name);
    ASSERT_TRUE(genotype.ok()) << name << ": " << genotype.status();
    EXPECT_EQ(ValidationError(*genotype), "") << name;
    const std::string text = FormatDartsGenotype(*genotype);
    const absl::StatusOr<Genotype> reparsed = ParseDartsGenotype(text);
    ASSERT_TRUE(reparsed.ok()) << text;
    EXPECT_EQ(*reparsed, *genotype) << name;
    EXPECT_EQ(FormatDartsGenotype(*reparsed), text) << name;
  }
}

TEST(GenotypeTest, MdenasMatchesTheSpec) {
  const Genotype mdenas = *BuiltinGenotype("MDENAS");
  // Spec §4: normal node2 = sep_conv_5x5(1) + sep_conv_3x3(0), ...,
  // node5 = dil_conv_5x5(3) + max_pool_3x3(4).
  ASSERT_EQ(mdenas.normal.edges.size(), 8u);
  EXPECT_EQ(mdenas.normal.edges[0], (GenotypeEdge{"sep_conv_5x5", 1}));
  EXPECT_EQ(mdenas.normal.edges[7], (GenotypeEdge{"max_pool_3x3", 4}));
  EXPECT_EQ(mdenas.reduce.edges[3], (GenotypeEdge{"skip_connect", 1}));
  EXPECT_EQ(mdenas.reduce.edges[7], (GenotypeEdge{"sep_conv_5x5", 0}));
  EXPECT_EQ(mdenas.reduce.concat, (std::vector<int>{2, 3, 4, 5}));
}

TEST(GenotypeTest, FormatIsPythonsRepr) {
  const std::string text = FormatDartsGenotype(*BuiltinGenotype("DARTS_V2"));
  EXPECT_THAT(text, StartsWith("Genotype(normal=[('sep_conv_3x3', 0), "
                               "('sep_conv_3x3', 1), "));
  EXPECT_THAT(text, HasSubstr("], normal_concat=[2, 3, 4, 5], reduce=["));
  EXPECT_THAT(text, HasSubstr("('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"));
}

TEST(GenotypeTest, ReadsTheVariantsDartsFamilyCodePrints) {
  const Genotype expected = *BuiltinGenotype("MDENAS");
  // Double quotes, range(), a name in front, line breaks, trailing commas.
  const absl::StatusOr<Genotype> variant = ParseDartsGenotype(
      "genotype = Genotype(\n"
      "  normal=[(\"sep_conv_5x5\", 1), (\"sep_conv_3x3\", 0),\n"
      "          ('skip_connect', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 3),\n"
      "          ('sep_conv_3x3', 1), ('dil_conv_5x5', 3), ('max_pool_3x3', 4),],\n"
      "  normal_concat=range(2, 6),\n"
      "  reduce=[[('max_pool_3x3', 0), ('sep_conv_5x5', 1)],\n"
      "          [('skip_connect', 0), ('skip_connect', 1)],\n"
      "          [('sep_conv_3x3', 3), ('skip_connect', 2)],\n"
      "          [('dil_conv_3x3', 3), ('sep_conv_5x5', 0)]],\n"
      "  reduce_concat=[2, 3, 4, 5],\n"
      ")\n");
  ASSERT_TRUE(variant.ok()) << variant.status();
  EXPECT_EQ(*variant, expected);
  // Positional fields, as namedtuple's constructor allows.
  const absl::StatusOr<Genotype> positional = ParseDartsGenotype(
      "Genotype([('sep_conv_5x5', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), "
      "('sep_conv_5x5', 1), ('sep_conv_5x5', 3), ('sep_conv_3x3', 1), "
      "('dil_conv_5x5', 3), ('max_pool_3x3', 4)], [2, 3, 4, 5], "
      "[('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('skip_connect', 0), "
      "('skip_connect', 1), ('sep_conv_3x3', 3), ('skip_connect', 2), "
      "('dil_conv_3x3', 3), ('sep_conv_5x5', 0)], range(2, 6))");
  ASSERT_TRUE(positional.ok()) << positional.status();
  EXPECT_EQ(*positional, expected);
}

TEST(GenotypeTest, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotyp(normal=[])")),
              HasSubstr("line 1, column 1: expected 'Genotype('"));
  EXPECT_THAT(
      ErrorOf(ParseDartsGenotype("Genotype(normal=[('sep_conv_3x3', x)])")),
      HasSubstr("line 1, column 35: expected an integer (found 'x)])')"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotype(\nnormal=[(sep_conv_3x3, 0)]")),
              HasSubstr("line 2, column 10: expected a quoted operation name"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotype(normal=[], normal=[])")),
              HasSubstr("field 'normal' given twice"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotype(normal=[], normal_concat=[2])")),
              HasSubstr("field 'reduce' is missing"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotype(normals=[])")),
              HasSubstr("unknown field 'normals'"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("Genotype(normal=[('a', 0)")),
              HasSubstr("found the end of the text"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype("garbage \x01\xff text")),
              HasSubstr("expected 'Genotype('"));
  EXPECT_THAT(ErrorOf(ParseDartsGenotype(
                  "Genotype(normal=[[('a', 0), ('b', 1), ('c', 1)]], "
                  "normal_concat=[2], reduce=[], reduce_concat=[])")),
              HasSubstr("node 2 lists 3 edges; every node takes exactly 2"));
}

TEST(GenotypeTest, ValidationNamesCellEdgeAndNode) {
  Genotype genotype = *BuiltinGenotype("DARTS_V2");
  genotype.normal.edges[4].op = "sep_conv_9x9";
  EXPECT_THAT(ValidationError(genotype),
              HasSubstr("normal cell, edge 4 (node 4): unknown operation "
                        "'sep_conv_9x9'; known: none, max_pool_3x3"));

  genotype = *BuiltinGenotype("DARTS_V2");
  genotype.reduce.edges[2].input = 3;  // Node 3 reads nodes 0..2.
  EXPECT_THAT(ValidationError(genotype),
              HasSubstr("reduce cell, edge 2 (node 3): input 3 is out of "
                        "range; node 3 reads nodes 0 to 2"));

  genotype = *BuiltinGenotype("DARTS_V2");
  genotype.normal.edges[0].input = -1;
  EXPECT_THAT(ValidationError(genotype), HasSubstr("input -1 is out of range"));

  genotype = *BuiltinGenotype("DARTS_V2");
  genotype.normal.edges.pop_back();
  EXPECT_THAT(ValidationError(genotype),
              HasSubstr("normal cell has 7 edges; every intermediate node "
                        "takes exactly 2"));

  genotype = *BuiltinGenotype("DARTS_V2");
  genotype.reduce.concat = {2, 3, 6};
  EXPECT_THAT(ValidationError(genotype),
              HasSubstr("reduce_concat names node 6; the intermediate nodes "
                        "are 2 to 5"));

  genotype = *BuiltinGenotype("DARTS_V2");
  genotype.normal.concat = {2, 2};
  EXPECT_THAT(ValidationError(genotype), HasSubstr("names node 2 twice"));
}

TEST(CellTopologyTest, EdgesAreNumberedNodeByNode) {
  EXPECT_EQ(CellEdgeCount(4), 14);
  EXPECT_EQ(CellEdgeCount(1), 2);
  int edge = 0;
  for (int node = 2; node < 6; ++node) {
    for (int input = 0; input < node; ++input, ++edge) {
      EXPECT_EQ(CellEdgeIndex(node, input), edge);
      EXPECT_EQ(CellEdgeAt(edge).node, node);
      EXPECT_EQ(CellEdgeAt(edge).input, input);
    }
  }
  EXPECT_EQ(edge, 14);
}

TEST(CellTopologyTest, ReductionCellsSitAtOneAndTwoThirds) {
  std::vector<int> reductions;
  for (int i = 0; i < 20; ++i) {
    if (IsReductionCell(i, 20)) reductions.push_back(i);
  }
  EXPECT_EQ(reductions, (std::vector<int>{6, 13}));
  EXPECT_TRUE(IsReductionCell(2, 8));
  EXPECT_TRUE(IsReductionCell(5, 8));
  EXPECT_FALSE(IsReductionCell(4, 8));
}

}  // namespace
}  // namespace mdenas

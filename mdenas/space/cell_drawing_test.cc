#include "mdenas/space/cell_drawing.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;

TEST(CellDrawingTest, NodesAndLabelledEdges) {
  CellDrawing cell("normal", "normal cell");
  cell.AddNode("c_{k-1}", CellDrawing::kInput);
  cell.AddNode("0", CellDrawing::kIntermediate);
  cell.AddNode("c_{k}", CellDrawing::kOutput);
  cell.AddEdge("c_{k-1}", "0", "sep_conv_3x3");
  cell.AddEdge("0", "c_{k}", "");
  const std::string dot = cell.Dot();
  EXPECT_THAT(dot, HasSubstr("digraph \"normal\" {"));
  EXPECT_THAT(dot, HasSubstr("label=\"normal cell\""));
  EXPECT_THAT(dot, HasSubstr("\"c_{k-1}\" [fillcolor=darkseagreen2];"));
  EXPECT_THAT(dot, HasSubstr("\"0\" [fillcolor=lightblue];"));
  EXPECT_THAT(dot, HasSubstr("\"c_{k}\" [fillcolor=palegoldenrod];"));
  EXPECT_THAT(dot, HasSubstr("\"c_{k-1}\" -> \"0\" [label=\"sep_conv_3x3\"];"));
  EXPECT_THAT(dot, HasSubstr("\"0\" -> \"c_{k}\";"));
}

TEST(CellDrawingTest, QuotesAreEscaped) {
  CellDrawing cell("a\"b", "x\\y");
  EXPECT_THAT(cell.Dot(), HasSubstr("digraph \"a\\\"b\""));
  EXPECT_THAT(cell.Dot(), HasSubstr("label=\"x\\\\y\""));
}

}  // namespace
}  // namespace mdenas

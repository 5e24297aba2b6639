#include "mdenas/reports/graphviz.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kTwoGraphs[] =
    "digraph normal { label=\"normal cell\"; a -> b [label=\"sep_conv_3x3\"]; }\n"
    "digraph reduce { label=\"reduction cell\"; a -> c [label=\"max_pool_3x3\"]; }\n";

TEST(GraphvizTest, EveryGraphIsLaidOutAsSvg) {
  const absl::StatusOr<std::vector<Drawing>> drawings =
      LayOutGraphs(kTwoGraphs, DrawingFormat::kSvg);
  ASSERT_TRUE(drawings.ok()) << drawings.status();
  ASSERT_EQ(drawings->size(), 2u);
  EXPECT_EQ((*drawings)[0].name, "normal");
  EXPECT_EQ((*drawings)[0].title, "normal cell");
  EXPECT_THAT((*drawings)[0].image, HasSubstr("<svg"));
  EXPECT_THAT((*drawings)[0].image, HasSubstr("sep_conv_3x3"));
  EXPECT_EQ((*drawings)[1].name, "reduce");
  EXPECT_THAT((*drawings)[1].image, HasSubstr("max_pool_3x3"));
}

TEST(GraphvizTest, PngHasThePngSignature) {
  const absl::StatusOr<std::vector<Drawing>> drawings =
      LayOutGraphs(kTwoGraphs, DrawingFormat::kPng);
  ASSERT_TRUE(drawings.ok()) << drawings.status();
  ASSERT_EQ(drawings->size(), 2u);
  EXPECT_THAT((*drawings)[1].image, StartsWith("\x89PNG\r\n\x1a\n"));
}

TEST(GraphvizTest, SyntaxErrorsAreReportedWithGraphvizsMessage) {
  const absl::StatusOr<std::vector<Drawing>> drawings =
      LayOutGraphs("digraph ok { a -> b; }\ndigraph broken { a -> ; }", DrawingFormat::kSvg);
  ASSERT_FALSE(drawings.ok());
  EXPECT_THAT(std::string(drawings.status().message()), HasSubstr("syntax error"));
  EXPECT_THAT(std::string(drawings.status().message()), HasSubstr("line 2"));
}

TEST(GraphvizTest, NoGraphsNoDrawings) {
  const absl::StatusOr<std::vector<Drawing>> drawings = LayOutGraphs("", DrawingFormat::kSvg);
  ASSERT_TRUE(drawings.ok()) << drawings.status();
  EXPECT_TRUE(drawings->empty());
}

}  // namespace
}  // namespace mdenas

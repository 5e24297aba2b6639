#include "mdenas/reports/svg_charts.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mdenas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SvgChartsTest, EscapesMarkup) {
  EXPECT_EQ(EscapeHtml("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
}

// Points span the plot: the first x at the left edge, the last at the
// right; the highest y at the top. NaN leaves a point out.
TEST(SvgChartsTest, LineChartScalesItsSeriesToThePlot) {
  const std::string svg = LineChart("top-1 <%>", "epoch",
                                    {{"train", "#111", {1, 2, 3}, {10, 30, 20}},
                                     {"validation", "#222", {1, 2, 3}, {NAN, 15, NAN}},
                                     {"empty", "#333", {}, {}}});
  EXPECT_THAT(svg, HasSubstr("top-1 &lt;%&gt;"));
  // Plot from x = 56 to 368, y = 28 (max 30) to 168 (min 10).
  EXPECT_THAT(svg, HasSubstr("points=\"56.0,168.0 212.0,28.0 368.0,98.0 \""));
  EXPECT_THAT(svg, HasSubstr("points=\"212.0,133.0 \""));
  EXPECT_THAT(svg, HasSubstr(">train<"));
  EXPECT_THAT(svg, HasSubstr(">validation<"));
  EXPECT_THAT(svg, Not(HasSubstr(">empty<")));
}

TEST(SvgChartsTest, LineChartWithoutValuesSaysSo) {
  EXPECT_THAT(LineChart("loss", "epoch", {{"train", "#111", {1}, {NAN}}}), HasSubstr("no values"));
}

TEST(SvgChartsTest, HeatMapShadesEachCellByItsValue) {
  const std::string svg =
      HeatMap("normal 0->2", {"none", "skip"}, {"epoch 1", "epoch 2"}, {{0, 0.5}, {0.25, 0.125}},
              /*darkest=*/0.5);
  EXPECT_THAT(svg, HasSubstr("fill=\"rgb(255,255,255)\"><title>none, epoch 1: p = 0.0000"));
  EXPECT_THAT(svg, HasSubstr("fill=\"rgb(28,66,138)\"><title>none, epoch 2: p = 0.5000"));
  EXPECT_THAT(svg, HasSubstr("fill=\"rgb(142,161,197)\"><title>skip, epoch 1: p = 0.2500"));
  EXPECT_THAT(svg, HasSubstr(">normal 0-&gt;2<"));
}

}  // namespace
}  // namespace mdenas

#include "mdenas/reports/svg_charts.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mdenas {
namespace {

// A number for an axis: short, without trailing zeros.
std::string AxisNumber(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e5)) {
    return absl::StrFormat("%.2g", value);
  }
  return absl::StrFormat("%.4g", value);
}

}  // namespace

std::string EscapeHtml(absl::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string LineChart(absl::string_view title, absl::string_view x_label,
                      const std::vector<Series>& series) {
  constexpr double kWidth = 380, kHeight = 230;
  constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 62;
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Series& s : series) {
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, s.y[i]);
      y_max = std::max(y_max, s.y[i]);
    }
  }
  std::string svg = absl::StrFormat(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">"
      "<text x=\"%.0f\" y=\"18\" class=\"title\">%s</text>",
      kWidth, kHeight, kWidth, kHeight, EscapeHtml(title), kLeft, EscapeHtml(title));
  if (!std::isfinite(x_min)) {
    absl::StrAppend(&svg, "<text x=\"", kLeft, "\" y=\"", kHeight / 2,
                    "\" class=\"empty\">no values</text></svg>");
    return svg;
  }
  if (x_max == x_min) x_max = x_min + 1;
  if (y_max == y_min) {
    y_max += std::max(1.0, std::fabs(y_max) * 0.05);
    y_min -= std::max(1.0, std::fabs(y_min) * 0.05);
  }
  const double plot_width = kWidth - kLeft - kRight;
  const double plot_height = kHeight - kTop - kBottom;
  const auto px = [&](double x) { return kLeft + (x - x_min) / (x_max - x_min) * plot_width; };
  const auto py = [&](double y) { return kTop + (y_max - y) / (y_max - y_min) * plot_height; };

  absl::StrAppendFormat(&svg,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                        "class=\"plot\"/>",
                        kLeft, kTop, plot_width, plot_height);
  for (const double y : {y_min, (y_min + y_max) / 2, y_max}) {
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
        "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%s</text>",
        kLeft, kLeft + plot_width, py(y), py(y), kLeft - 4, py(y) + 4, AxisNumber(y));
  }
  for (const double x : {x_min, x_max}) {
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
                          "text-anchor=\"middle\">%s</text>",
                          px(x), kTop + plot_height + 14, AxisNumber(x));
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
                        "text-anchor=\"middle\">%s</text>",
                        kLeft + plot_width / 2, kTop + plot_height + 14, EscapeHtml(x_label));
  double legend_x = kLeft;
  for (const Series& s : series) {
    std::string points;
    for (size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      absl::StrAppendFormat(&points, "%.1f,%.1f ", px(s.x[i]), py(s.y[i]));
    }
    if (points.empty()) continue;
    absl::StrAppendFormat(&svg,
                          "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                          "stroke-width=\"2\"/>",
                          points, s.color);
    if (s.x.size() == 1) {
      absl::StrAppendFormat(&svg, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                            px(s.x[0]), py(s.y[0]), s.color);
    }
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"legend\">%s</text>",
                          legend_x, kHeight - 22, s.color, legend_x + 14, kHeight - 13,
                          EscapeHtml(s.name));
    legend_x += 24 + 7.0 * s.name.size();
  }
  svg += "</svg>";
  return svg;
}

std::string HeatMap(absl::string_view title, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels,
                    const std::vector<std::vector<double>>& values, double darkest) {
  constexpr double kLabelWidth = 104, kTop = 24, kCellHeight = 14, kBottom = 18;
  const int columns = static_cast<int>(column_labels.size());
  // Wide enough to see for few epochs, narrow enough for hundreds.
  const double cell_width = std::clamp(240.0 / std::max(columns, 1), 2.0, 24.0);
  const double width = kLabelWidth + cell_width * columns + 8;
  const double height = kTop + kCellHeight * row_labels.size() + kBottom;
  std::string svg = absl::StrFormat(
      "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s\">"
      "<text x=\"0\" y=\"14\" class=\"title\">%s</text>",
      width, height, width, height, EscapeHtml(title), EscapeHtml(title));
  for (size_t r = 0; r < row_labels.size(); ++r) {
    const double y = kTop + kCellHeight * r;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
                          "text-anchor=\"end\">%s</text>",
                          kLabelWidth - 4, y + kCellHeight - 3, EscapeHtml(row_labels[r]));
    for (int c = 0; c < columns && r < values.size() && c < static_cast<int>(values[r].size());
         ++c) {
      const double v = darkest > 0 ? std::clamp(values[r][c] / darkest, 0.0, 1.0) : 0.0;
      // White (0) to a dark blue (`darkest`).
      const int red = static_cast<int>(std::lround(255 - 227 * v));
      const int green = static_cast<int>(std::lround(255 - 189 * v));
      const int blue = static_cast<int>(std::lround(255 - 117 * v));
      absl::StrAppendFormat(&svg,
                            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                            "fill=\"rgb(%d,%d,%d)\"><title>%s, %s: p = %.4f</title></rect>",
                            kLabelWidth + cell_width * c, y, cell_width, kCellHeight - 1, red,
                            green, blue, EscapeHtml(row_labels[r]), EscapeHtml(column_labels[c]),
                            values[r][c]);
    }
  }
  if (columns > 0) {
    const double y = kTop + kCellHeight * row_labels.size() + 12;
    absl::StrAppendFormat(&svg,
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%s</text>"
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" "
                          "text-anchor=\"end\">%s</text>",
                          kLabelWidth, y, EscapeHtml(column_labels.front()),
                          kLabelWidth + cell_width * columns, y, EscapeHtml(column_labels.back()));
  }
  svg += "</svg>";
  return svg;
}

}  // namespace mdenas

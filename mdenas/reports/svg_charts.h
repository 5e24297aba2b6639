// The report's charts as inline SVG: no scripts, no external files, so the
// report opens offline and prints as it shows.

#ifndef MDENAS_REPORTS_SVG_CHARTS_H_
#define MDENAS_REPORTS_SVG_CHARTS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mdenas {

// `text` with &, <, >, " and ' escaped for HTML and SVG.
std::string EscapeHtml(absl::string_view text);

struct Series {
  std::string name;
  std::string color;  // CSS colour
  std::vector<double> x;
  std::vector<double> y;
};

// Lines of `series` over a shared x axis ("epoch"), the y range from the
// data, each line named in a legend. Series without points are left out.
std::string LineChart(absl::string_view title, absl::string_view x_label,
                      const std::vector<Series>& series);

// A grid of `values[row][column]`, white for 0 to dark blue for `darkest`
// and above, rows and columns labelled; each cell's value in its tooltip.
std::string HeatMap(absl::string_view title, const std::vector<std::string>& row_labels,
                    const std::vector<std::string>& column_labels,
                    const std::vector<std::vector<double>>& values, double darkest);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_SVG_CHARTS_H_

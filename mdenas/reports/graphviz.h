// Graphviz's `dot` layout, in process (libgvc from Debian's
// libgraphviz-dev): the architecture drawings of a run as SVG for the
// report and as PNG for TensorBoard. In process rather than by running the
// `dot` program, because a report is rebuilt after every epoch and a
// process per drawing per epoch, with temporary files, costs more than the
// layout. Graphviz keeps global state: call from one thread at a time.

#ifndef MDENAS_REPORTS_GRAPHVIZ_H_
#define MDENAS_REPORTS_GRAPHVIZ_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

struct Drawing {
  // The graph's name and its `label` attribute.
  std::string name;
  std::string title;
  // The rendered image: SVG text or PNG bytes.
  std::string image;
};

enum class DrawingFormat { kSvg, kPng };

// Every graph of the DOT text `dot`, in order, laid out by `dot` and
// rendered. Graphviz's own messages about a fault are in the error.
absl::StatusOr<std::vector<Drawing>> LayOutGraphs(absl::string_view dot, DrawingFormat format);

}  // namespace mdenas

#endif  // MDENAS_REPORTS_GRAPHVIZ_H_

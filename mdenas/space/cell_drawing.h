// A cell drawn as DARTS's visualize.py draws one: a Graphviz graph laid out
// left to right, its inputs green, intermediate nodes blue, the output
// yellow, and every edge labelled with its operation. Each space draws its
// architectures with it (SearchSpace::ArchitectureDot); the report lays the
// graphs out.
//
//   CellDrawing cell("normal", "normal cell");
//   cell.AddNode("c_{k-1}", CellDrawing::kInput);
//   cell.AddNode("0", CellDrawing::kIntermediate);
//   cell.AddEdge("c_{k-1}", "0", "sep_conv_3x3");
//   std::string dot = cell.Dot();

#ifndef MDENAS_SPACE_CELL_DRAWING_H_
#define MDENAS_SPACE_CELL_DRAWING_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mdenas {

class CellDrawing {
 public:
  enum NodeKind { kInput, kIntermediate, kOutput };

  // `name` identifies the graph in DOT; `title` is its visible label.
  CellDrawing(absl::string_view name, absl::string_view title);

  void AddNode(absl::string_view id, NodeKind kind);
  // An edge with `operation` as its label; an empty label draws a plain
  // arrow (DARTS: into the output's concatenation).
  void AddEdge(absl::string_view from, absl::string_view to, absl::string_view operation);

  // The graph in DOT, identifiers and labels quoted.
  std::string Dot() const;

 private:
  std::string name_;
  std::string title_;
  std::vector<std::string> statements_;
};

}  // namespace mdenas

#endif  // MDENAS_SPACE_CELL_DRAWING_H_

#include "mdenas/space/cell_drawing.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace mdenas {
namespace {

// `text` as a DOT string literal.
std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\\", "\\\\"}, {"\"", "\\\""}}), "\"");
}

const char* FillColor(CellDrawing::NodeKind kind) {
  switch (kind) {
    case CellDrawing::kInput:
      return "darkseagreen2";
    case CellDrawing::kIntermediate:
      return "lightblue";
    case CellDrawing::kOutput:
      return "palegoldenrod";
  }
  return "white";
}

}  // namespace

CellDrawing::CellDrawing(absl::string_view name, absl::string_view title)
    : name_(name), title_(title) {}

void CellDrawing::AddNode(absl::string_view id, NodeKind kind) {
  statements_.push_back(absl::StrCat(Quoted(id), " [fillcolor=", FillColor(kind), "];"));
}

void CellDrawing::AddEdge(absl::string_view from, absl::string_view to,
                          absl::string_view operation) {
  statements_.push_back(
      absl::StrCat(Quoted(from), " -> ", Quoted(to),
                   operation.empty() ? "" : absl::StrCat(" [label=", Quoted(operation), "]"), ";"));
}

std::string CellDrawing::Dot() const {
  std::string dot =
      absl::StrCat("digraph ", Quoted(name_), " {\n  label=", Quoted(title_),
                   "; labelloc=t; rankdir=LR; fontname=Helvetica; fontsize=18;\n"
                   "  node [style=\"filled,rounded\", shape=rect, align=center, fontname=Helvetica,"
                   " fontsize=16, height=0.5, width=0.5, penwidth=2];\n"
                   "  edge [fontname=Helvetica, fontsize=14, penwidth=1.5];\n");
  for (const std::string& statement : statements_) absl::StrAppend(&dot, "  ", statement, "\n");
  dot += "}\n";
  return dot;
}

}  // namespace mdenas

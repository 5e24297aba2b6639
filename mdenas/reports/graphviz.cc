#include "mdenas/reports/graphviz.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <cstdio>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace mdenas {
namespace {

// Graphviz reports faults through a callback (by default to stderr); they
// are gathered here for the error instead.
std::string* graphviz_messages = nullptr;

int GatherMessage(char* message) {
  if (graphviz_messages != nullptr) absl::StrAppend(graphviz_messages, message);
  return 0;
}

// One context for the whole process, never freed: Graphviz 2.43 keeps a
// cache of the last font across contexts that freeing a context leaves
// dangling, and the next context's first label reads freed memory (found by
// AddressSanitizer in the second layout of a process).
GVC_t* Context() {
  static GVC_t* const context = gvContext();
  return context;
}
struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};
struct FileDeleter {
  void operator()(FILE* file) const { fclose(file); }
};

absl::Status GraphvizError(absl::string_view what, const std::string& messages) {
  return absl::InvalidArgumentError(absl::StrCat(what, messages.empty() ? "" : ": ",
                                                 absl::StripTrailingAsciiWhitespace(messages)));
}

}  // namespace

// For LeakSanitizer (read only where it runs): the PNG renderer's fonts come
// from fontconfig, whose caches the uninstrumented system library keeps
// until exit and never frees. Nothing of this project's is suppressed.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }

absl::StatusOr<std::vector<Drawing>> LayOutGraphs(absl::string_view dot, DrawingFormat format) {
  std::string messages;
  graphviz_messages = &messages;
  agseterrf(GatherMessage);
  struct Restore {
    ~Restore() {
      agseterrf(nullptr);
      graphviz_messages = nullptr;
    }
  } restore;

  std::string text(dot);
  std::unique_ptr<FILE, FileDeleter> input(fmemopen(text.data(), text.size(), "r"));
  if (input == nullptr) return absl::InternalError("fmemopen failed");
  GVC_t* const context = Context();
  // Line numbers in messages count from this text's start, not across calls.
  agreadline(1);
  const char* renderer = format == DrawingFormat::kSvg ? "svg" : "png";

  std::vector<Drawing> drawings;
  while (true) {
    std::unique_ptr<Agraph_t, GraphDeleter> graph(agread(input.get(), nullptr));
    if (graph == nullptr) break;
    if (gvLayout(context, graph.get(), "dot") != 0) {
      return GraphvizError(absl::StrCat("graph ", agnameof(graph.get()), " has no layout"),
                           messages);
    }
    char* data = nullptr;
    unsigned int length = 0;
    const int rendered = gvRenderData(context, graph.get(), renderer, &data, &length);
    Drawing& drawing = drawings.emplace_back();
    drawing.name = agnameof(graph.get());
    const char* label = agget(graph.get(), const_cast<char*>("label"));
    drawing.title = label != nullptr ? label : "";
    if (rendered == 0) drawing.image.assign(data, length);
    gvFreeRenderData(data);
    gvFreeLayout(context, graph.get());
    if (rendered != 0) {
      return GraphvizError(absl::StrCat("graph ", drawing.name, " was not rendered as ", renderer),
                           messages);
    }
  }
  if (!messages.empty()) return GraphvizError("not a Graphviz graph", messages);
  return drawings;
}

}  // namespace mdenas

#include "mdenas/space/darts/primitives.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mdenas {

const std::vector<DartsPrimitive>& DartsPrimitives() {
  static const auto* const primitives = new std::vector<DartsPrimitive>{
      {"none", '-'},         {"max_pool_3x3", 'm'}, {"avg_pool_3x3", 'a'},
      {"skip_connect", 'k'}, {"sep_conv_3x3", 's'}, {"sep_conv_5x5", 'S'},
      {"dil_conv_3x3", 'd'}, {"dil_conv_5x5", 'D'}};
  return *primitives;
}

const std::vector<std::string>& DartsOperations() {
  static const auto* const names = [] {
    auto* names = new std::vector<std::string>;
    for (const DartsPrimitive& primitive : DartsPrimitives()) names->push_back(primitive.name);
    return names;
  }();
  return *names;
}

std::string ShortCellPath(absl::Span<const int> cell_path, int nodes) {
  std::string text;
  size_t edge = 0;
  for (int node = 2; node < nodes + 2; ++node) {
    if (node > 2) text += '|';
    for (int input = 0; input < node && edge < cell_path.size(); ++input) {
      text += DartsPrimitives()[cell_path[edge++]].letter;
    }
  }
  return text;
}

std::string ShortPathLegend() {
  std::vector<std::string> letters;
  for (const DartsPrimitive& primitive : DartsPrimitives()) {
    letters.push_back(absl::StrCat(std::string(1, primitive.letter), " ", primitive.name));
  }
  return absl::StrCat("path letters: ", absl::StrJoin(letters, ", "),
                      "; n normal cell, r reduction cell, | between nodes");
}

}  // namespace mdenas

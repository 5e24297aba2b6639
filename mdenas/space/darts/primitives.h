// The candidate operations of the DARTS space, in DARTS's PRIMITIVES order
// (cnn/genotypes.py), each with the letter that shows it in a short path:
// the one list of them. No libtorch: genotypes are checked against it.
// operations.h builds them.

#ifndef MDENAS_SPACE_DARTS_PRIMITIVES_H_
#define MDENAS_SPACE_DARTS_PRIMITIVES_H_

#include <string>
#include <vector>

#include "absl/types/span.h"

namespace mdenas {

struct DartsPrimitive {
  std::string name;
  char letter;
};

// none (-), max_pool_3x3 (m), avg_pool_3x3 (a), skip_connect (k),
// sep_conv_3x3 (s), sep_conv_5x5 (S), dil_conv_3x3 (d), dil_conv_5x5 (D).
const std::vector<DartsPrimitive>& DartsPrimitives();

// Their names, in order.
const std::vector<std::string>& DartsOperations();

// One letter per edge of a cell with `nodes` intermediate nodes, the nodes
// separated by '|': "-m|aks|SdD-|maksS".
std::string ShortCellPath(absl::Span<const int> cell_path, int nodes);

// The legend of ShortCellPath.
std::string ShortPathLegend();

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_PRIMITIVES_H_

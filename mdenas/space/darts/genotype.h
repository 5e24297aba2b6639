// Genotypes: a searched or published cell architecture as plain data, in the
// DARTS convention, with the DARTS text form that DARTS-family code prints:
//
//   Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ...],
//            normal_concat=[2, 3, 4, 5], reduce=[...], reduce_concat=[2, 3, 4, 5])
//
// No libtorch: the learner derives genotypes and the tools print them.

#ifndef MDENAS_SPACE_DARTS_GENOTYPE_H_
#define MDENAS_SPACE_DARTS_GENOTYPE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mdenas {

struct GenotypeEdge {
  std::string op;  // A registered operation name.
  int input = 0;   // Source node (see cell_topology.h).

  bool operator==(const GenotypeEdge& other) const {
    return op == other.op && input == other.input;
  }
};

struct CellGenotype {
  // Two edges per intermediate node, in node order.
  std::vector<GenotypeEdge> edges;
  // Nodes concatenated into the cell's output.
  std::vector<int> concat;

  int nodes() const { return static_cast<int>(edges.size()) / 2; }
  bool operator==(const CellGenotype& other) const {
    return edges == other.edges && concat == other.concat;
  }
};

struct Genotype {
  CellGenotype normal;
  CellGenotype reduce;

  bool operator==(const Genotype& other) const {
    return normal == other.normal && reduce == other.reduce;
  }
};

// Parses the DARTS text form: keyword or positional fields, single or double
// quotes, `range(2, 6)` for a concat, per-node nested edge lists
// ([[(op, i), (op, j)], ...]) as the authors' later code prints them, and an
// optional `name = ` in front. Syntax errors give the line and column; the
// meaning is checked by ValidateGenotype.
absl::StatusOr<Genotype> ParseDartsGenotype(absl::string_view text);

// The DARTS text form, on one line; ParseDartsGenotype reads it back.
std::string FormatDartsGenotype(const Genotype& genotype);

// Checks that every operation is in `operations`, every cell has two edges
// per node, every input exists at its node, and the concat lists name
// intermediate nodes. The message names the cell, edge and node at fault.
absl::Status ValidateGenotype(const Genotype& genotype,
                              const std::vector<std::string>& operations);

// The published genotypes: DARTS_V1 and DARTS_V2 (DARTS, cnn/genotypes.py)
// and MDENAS (MDENAS_SPEC.md §4).
const std::vector<std::string>& BuiltinGenotypeNames();
absl::StatusOr<Genotype> BuiltinGenotype(absl::string_view name);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_GENOTYPE_H_

// The DARTS space's derivation of the final architecture from the learned
// distributions (MDENAS_SPEC.md §2.4), by DARTS's rule (model_search.py
// genotype()): on every edge the most probable operation other than `none`;
// for each intermediate node the two incoming edges whose chosen operations
// are most probable, the stronger first; the cell's output concatenates
// every intermediate node.

#ifndef MDENAS_SPACE_DARTS_DERIVE_GENOTYPE_H_
#define MDENAS_SPACE_DARTS_DERIVE_GENOTYPE_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "mdenas/space/darts/genotype.h"

namespace mdenas {

// One cell from the distributions of its edges (numbered as in
// cell_topology.h) over `operations`. Ties go to the lower operation and the
// lower edge index.
CellGenotype DeriveCell(absl::Span<const std::vector<double>> probabilities,
                        const std::vector<std::string>& operations, int nodes);

// Both cells from the distributions of a search's decisions: the normal
// cell's edges, then the reduction cell's.
Genotype DeriveGenotype(absl::Span<const std::vector<double>> distributions,
                        const std::vector<std::string>& operations, int nodes);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_DERIVE_GENOTYPE_H_

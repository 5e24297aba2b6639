#include "mdenas/space/darts/derive_genotype.h"

#include <algorithm>
#include <numeric>

#include "mdenas/space/darts/cell_topology.h"

namespace mdenas {

CellGenotype DeriveCell(absl::Span<const std::vector<double>> probabilities,
                        const std::vector<std::string>& operations,
                        int nodes) {
  CellGenotype cell;
  for (int node = 2; node < nodes + 2; ++node) {
    // The best non-none operation of each incoming edge, and its probability.
    std::vector<int> best(node, -1);
    std::vector<double> score(node, -1.0);
    for (int input = 0; input < node; ++input) {
      const std::vector<double>& p = probabilities[CellEdgeIndex(node, input)];
      for (size_t op = 0; op < operations.size(); ++op) {
        if (operations[op] == "none") continue;
        if (best[input] < 0 || p[op] > score[input]) {
          best[input] = static_cast<int>(op);
          score[input] = p[op];
        }
      }
    }
    std::vector<int> inputs(node);
    std::iota(inputs.begin(), inputs.end(), 0);
    std::stable_sort(inputs.begin(), inputs.end(),
                     [&](int a, int b) { return score[a] > score[b]; });
    for (int k = 0; k < 2; ++k) {
      cell.edges.push_back({operations[best[inputs[k]]], inputs[k]});
    }
    cell.concat.push_back(node);
  }
  return cell;
}

Genotype DeriveGenotype(absl::Span<const std::vector<double>> distributions,
                        const std::vector<std::string>& operations, int nodes) {
  const int edges = CellEdgeCount(nodes);
  return {DeriveCell(distributions.subspan(0, edges), operations, nodes),
          DeriveCell(distributions.subspan(edges, edges), operations, nodes)};
}

}  // namespace mdenas

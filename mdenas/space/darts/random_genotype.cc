#include "mdenas/space/darts/random_genotype.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "mdenas/space/darts/cell_topology.h"

namespace mdenas {
namespace {

// Uniform in [0, n): the top bits of the 64-bit draw scaled, the same on
// every platform (unlike std::uniform_int_distribution).
int UniformIndex(std::mt19937_64* rng, int n) {
  return static_cast<int>((static_cast<unsigned __int128>((*rng)()) * n) >> 64);
}

CellGenotype SampleCell(const std::vector<std::string>& candidates, int nodes,
                        std::mt19937_64* rng) {
  CellGenotype cell;
  for (int node = 2; node < nodes + 2; ++node) {
    const int first = UniformIndex(rng, node);
    int second = UniformIndex(rng, node - 1);
    if (second >= first) ++second;
    for (int input : {first, second}) {
      cell.edges.push_back(
          {candidates[UniformIndex(rng, static_cast<int>(candidates.size()))],
           input});
    }
    cell.concat.push_back(node);
  }
  return cell;
}

absl::Status FillCellPath(const CellGenotype& cell,
                          const std::vector<std::string>& operations,
                          int none, int* path) {
  for (size_t i = 0; i < cell.edges.size(); ++i) {
    const GenotypeEdge& edge = cell.edges[i];
    const int node = 2 + static_cast<int>(i) / 2;
    const auto op = std::find(operations.begin(), operations.end(), edge.op);
    if (op == operations.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("operation '", edge.op, "' is not in the space"));
    }
    int& slot = path[CellEdgeIndex(node, edge.input)];
    if (slot != none) {
      return absl::InvalidArgumentError(absl::StrCat(
          "node ", node, " takes two edges from node ", edge.input,
          "; a supernet path holds one operation per edge"));
    }
    slot = static_cast<int>(op - operations.begin());
  }
  return absl::OkStatus();
}

}  // namespace

Genotype SampleGenotype(const std::vector<std::string>& operations, int nodes,
                        std::mt19937_64* rng) {
  std::vector<std::string> candidates;
  for (const std::string& op : operations) {
    if (op != "none") candidates.push_back(op);
  }
  Genotype genotype;
  genotype.normal = SampleCell(candidates, nodes, rng);
  genotype.reduce = SampleCell(candidates, nodes, rng);
  return genotype;
}

absl::StatusOr<std::vector<int>> GenotypePath(
    const Genotype& genotype, const std::vector<std::string>& operations,
    int nodes) {
  const auto none = std::find(operations.begin(), operations.end(), "none");
  if (none == operations.end()) {
    return absl::InvalidArgumentError("the space has no 'none' operation");
  }
  if (genotype.normal.nodes() != nodes || genotype.reduce.nodes() != nodes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the genotype's cells do not have ", nodes, " nodes"));
  }
  const int edges = CellEdgeCount(nodes);
  const int none_index = static_cast<int>(none - operations.begin());
  std::vector<int> path(2 * edges, none_index);
  absl::Status status =
      FillCellPath(genotype.normal, operations, none_index, path.data());
  if (status.ok()) {
    status = FillCellPath(genotype.reduce, operations, none_index,
                          path.data() + edges);
  }
  if (!status.ok()) return status;
  return path;
}

}  // namespace mdenas

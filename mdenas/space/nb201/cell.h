// A NAS-Bench-201 cell as plain data (paper/NB201.md): 4 nodes, node 0 the
// cell's input and node j (1..3) the sum of one edge from every earlier
// node, so 6 edges, each carrying one of 5 operations; and the benchmark's
// text form of it,
//
//   |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
//
// nodes 1, 2, 3 separated by '+', each node's edges `op~source` in order of
// their source. No libtorch: the accuracy table reads cells too.
//
//   absl::StatusOr<Nb201Cell> cell = ParseNb201Cell(text);
//   std::string canonical = FormatNb201Cell(*cell);

#ifndef MDENAS_SPACE_NB201_CELL_H_
#define MDENAS_SPACE_NB201_CELL_H_

#include <array>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace mdenas {

// The operations in the benchmark's order (its search space list), each with
// the letter that shows it in a short path: none (-), skip_connect (k),
// nor_conv_1x1 (1), nor_conv_3x3 (3), avg_pool_3x3 (a). A cell holds
// indices into this list.
struct Nb201Operation {
  std::string name;
  char letter;
};
const std::vector<Nb201Operation>& Nb201Operations();
// Their names, in order.
const std::vector<std::string>& Nb201OperationNames();
// Their indices.
enum Nb201OperationIndex : int {
  kNb201None,
  kNb201Skip,
  kNb201Conv1x1,
  kNb201Conv3x3,
  kNb201AvgPool,
};
inline constexpr int kNb201OperationCount = 5;

// The edges in the order of the text form: node by node, each node's edges
// by source: 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
struct Nb201Edge {
  int node;
  int input;
};
inline constexpr int kNb201Nodes = 4;
inline constexpr int kNb201EdgeCount = 6;
const std::array<Nb201Edge, kNb201EdgeCount>& Nb201Edges();
// "2<-1", the benchmark's name of an edge (its search cells' module keys).
std::string Nb201EdgeName(const Nb201Edge& edge);

// The operation of each edge, in Nb201Edges() order.
struct Nb201Cell {
  std::array<int, kNb201EdgeCount> ops = {};

  bool operator==(const Nb201Cell& other) const { return ops == other.ops; }
};

// The number of cells in the space: 5^6 = 15,625.
inline constexpr int kNb201CellCount = 15625;
// A number in [0, kNb201CellCount) for `cell`, its operations read as the
// digits of a base-5 number, first edge most significant (not the
// benchmark's arch_index, which follows no rule); and its inverse.
int Nb201CellCode(const Nb201Cell& cell);
Nb201Cell Nb201CellOfCode(int code);

// The cell `text` writes; the error says what is wrong where (which node,
// which edge, what was expected). Surrounding whitespace is ignored.
absl::StatusOr<Nb201Cell> ParseNb201Cell(absl::string_view text);
// The canonical text form.
std::string FormatNb201Cell(const Nb201Cell& cell);

// The most probable operation of each edge (`none` included, as the
// benchmark's weight-sharing searches derive), the first on ties.
// `distributions` holds one distribution per edge over Nb201Operations().
Nb201Cell DeriveNb201Cell(absl::Span<const std::vector<double>> distributions);

// A cell drawn uniformly from the 5^6.
Nb201Cell SampleNb201Cell(std::mt19937_64* rng);

// A letter per edge, nodes separated by '|': "3|1k|-a3".
std::string ShortNb201Path(absl::Span<const int> ops);

}  // namespace mdenas

#endif  // MDENAS_SPACE_NB201_CELL_H_

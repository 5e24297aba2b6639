// The shape of a DARTS cell as plain data (MDENAS_SPEC.md §1.1): two input
// nodes, intermediate nodes fed by every earlier node, and how the edges are
// numbered. No libtorch: the genotype code uses it too.
//
// Nodes are numbered as in DARTS genotypes: 0 = c_{k-2}, 1 = c_{k-1}, and
// 2, 3, ... the intermediate nodes. Intermediate node n has inputs 0..n-1.
// Edges are numbered node by node, inputs in order: for 4 intermediate nodes,
// edges 0-1 feed node 2, 2-4 node 3, 5-8 node 4 and 9-13 node 5.

#ifndef MDENAS_SPACE_DARTS_CELL_TOPOLOGY_H_
#define MDENAS_SPACE_DARTS_CELL_TOPOLOGY_H_

namespace mdenas {

struct CellEdge {
  int node;   // The intermediate node the edge feeds (2, 3, ...).
  int input;  // The node it reads (0 .. node-1).
};

// Edges of a cell with `nodes` intermediate nodes: 14 for 4.
int CellEdgeCount(int nodes);

// The endpoints of edge number `edge`.
CellEdge CellEdgeAt(int edge);

// The number of the edge from `input` into `node`.
int CellEdgeIndex(int node, int input);

// Whether cell `index` (0-based) of a network of `layers` cells is a
// reduction cell: those at layers/3 and 2*layers/3, as in DARTS.
bool IsReductionCell(int index, int layers);

}  // namespace mdenas

#endif  // MDENAS_SPACE_DARTS_CELL_TOPOLOGY_H_

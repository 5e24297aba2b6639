#include "mdenas/space/darts/cell_topology.h"

namespace mdenas {

int CellEdgeCount(int nodes) { return nodes * (nodes + 3) / 2; }

CellEdge CellEdgeAt(int edge) {
  int node = 2;
  while (edge >= node) {
    edge -= node;
    ++node;
  }
  return {node, edge};
}

int CellEdgeIndex(int node, int input) {
  // Nodes 2 .. node-1 have 2 + 3 + ... + (node-1) edges before this one.
  return (node - 2) * (node + 1) / 2 + input;
}

bool IsReductionCell(int index, int layers) {
  return index == layers / 3 || index == 2 * layers / 3;
}

}  // namespace mdenas

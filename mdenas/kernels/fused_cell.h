// A search cell on its sampled path (MDENAS_SPEC.md §1.1) as one autograd
// node on the fast kernels; the network describes the cell as plain data
// (fused_units.h). Run operation by operation, autograd keeps a node per
// operation and sums the gradients of every state that several edges read
// pairwise, each sum into new memory: about 90 additions per step of the
// 8-cell search network, each a pass over an activation and most of them
// page faults. Here the backward pass adds each edge's input gradient to
// its state's gradient image by image while the image is in cache, and an
// edge's closing BatchNorm is applied by the node sum as it reads the
// edge's output instead of in a pass of its own.
//
//   FusedCellSpec spec;  // the inputs' preprocessing, nodes, the sampled edges
//   at::Tensor out = FusedCell({s0, s1}, spec);  // [N, nodes * C, H', W']
//
// The results are those of the operations run one by one, to float
// rounding (fused_cell_test.cc).

#ifndef MDENAS_KERNELS_FUSED_CELL_H_
#define MDENAS_KERNELS_FUSED_CELL_H_

#include <cstdint>
#include <optional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/fused_units.h"

namespace mdenas {

// A cell's states are its inputs, each through its preprocessing unit
// (states 0 .. inputs - 1), then its nodes, each the sum of the edges that
// feed it; its output concatenates the nodes.
struct FusedCellEdge {
  // The state the edge reads.
  int input = 0;
  // The node it feeds, a state after `input`.
  int node = 0;
  FusedOperation operation;
};

struct FusedCellSpec {
  // A unit per input of the cell, which makes it a state.
  std::vector<ConvBatchNormUnit> inputs;
  // Nodes (states inputs.size() ..), each `channels` wide.
  int nodes = 0;
  int64_t channels = 0;
  // The stride of the edges that read the input states: the nodes' size is
  // theirs divided by it.
  int64_t input_stride = 1;
  // The edges that compute something (an edge that adds nothing is left
  // out); a node without edges is zero.
  std::vector<FusedCellEdge> edges;
};

// The cell's nodes concatenated, channels-last; differentiable in `inputs`
// (one per spec.inputs) and the weights and BatchNorm parameters of every
// unit in `spec`. Updates the BatchNorms' running statistics in training
// mode.
at::Tensor FusedCell(const std::vector<at::Tensor>& inputs, const FusedCellSpec& spec);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_FUSED_CELL_H_

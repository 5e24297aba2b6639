// A search cell on its sampled path (MDENAS_SPEC.md §1.1) as one autograd
// node on the fast kernels. Run operation by operation (supernet.cc's
// other path), autograd keeps a node per operation and sums the gradients
// of every state that several edges read pairwise, each sum into new
// memory: about 90 additions per step of the 8-cell search network, each
// a pass over an activation and most of them page faults. Here the
// backward pass adds each edge's input gradient to its state's gradient
// image by image while the image is in cache, and an edge's closing
// BatchNorm is applied by the node sum as it reads the edge's output
// instead of in a pass of its own.
//
//   FusedCellSpec spec;  // preprocessing, nodes, the sampled edges
//   at::Tensor out = FusedCell(s0, s1, spec);  // [N, nodes * C, H', W']
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

// An edge's operation: its conv units applied in turn, or its pooling
// unit; the identity where it has neither.
struct FusedOperation {
  std::vector<ConvBatchNormUnit> convs;
  std::optional<PoolBatchNormUnit> pool;
};

struct FusedCellEdge {
  // The state the edge reads: 0 and 1 are the preprocessed cell inputs,
  // 2 and on the nodes.
  int input = 0;
  // The node it feeds, after `input`.
  int node = 2;
  FusedOperation operation;
};

struct FusedCellSpec {
  // From s0 and s1 to the states 0 and 1.
  ConvBatchNormUnit preprocess0;
  ConvBatchNormUnit preprocess1;
  // Intermediate nodes (states 2 .. nodes + 1), each `channels` wide.
  int nodes = 4;
  int64_t channels = 0;
  // The stride of the edges that read states 0 and 1: 2 in a reduction cell.
  int64_t input_stride = 1;
  // The edges that compute something (a `none` edge adds nothing and is
  // left out); a node without edges is zero.
  std::vector<FusedCellEdge> edges;
};

// The cell's nodes concatenated, channels-last; differentiable in s0, s1
// and the weights and BatchNorm parameters of every unit in `spec`.
// Updates the BatchNorms' running statistics in training mode.
at::Tensor FusedCell(const at::Tensor& s0, const at::Tensor& s1, const FusedCellSpec& spec);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_FUSED_CELL_H_

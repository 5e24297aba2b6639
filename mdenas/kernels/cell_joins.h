// The joins of a cell, the two places where its paths meet: a node sums
// its incoming edges' outputs, and the cell's output concatenates its
// nodes' channels. The fast kernels write each result in one pass into
// memory from CachingCpuAllocator, where ATen adds pairwise, into a new
// tensor per addition; their gradients are those of ATen's sum and cat:
// the output's gradient, and its channel slices.

#ifndef MDENAS_KERNELS_CELL_JOINS_H_
#define MDENAS_KERNELS_CELL_JOINS_H_

#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/kernels.h"

namespace mdenas {

// The sum of `terms`, all [N, C, H, W] of one shape; at least one.
at::Tensor SumOf(const std::vector<at::Tensor>& terms, Kernels kernels);

// `parts` [N, C_i, H, W] concatenated along the channels. Fast: parts that
// lie side by side in one buffer, in order (SumInto's), are concatenated
// where they are, without a copy.
at::Tensor ConcatChannels(const std::vector<at::Tensor>& parts, Kernels kernels);

// Memory for the concatenation of `nodes` tensors shaped like `node`, for
// SumInto to write in: fast kernels only (undefined with ATen).
at::Tensor CellOutputBuffer(const at::Tensor& node, int64_t nodes, Kernels kernels);

// SumOf, written into the channels of `buffer` (from CellOutputBuffer)
// that node number `node` has in the concatenation; where `buffer` is
// undefined, SumOf itself.
at::Tensor SumInto(const std::vector<at::Tensor>& terms, const at::Tensor& buffer,
                   int64_t node, Kernels kernels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CELL_JOINS_H_

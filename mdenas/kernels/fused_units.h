// The units of the cell operations, as data: how a network's operation
// describes itself to the fast kernels, which fuse a cell's sampled path
// into one autograd node (fused_cell.h). A unit is a chain of layers that
// the fast kernels run as one, in one pass per image: ReLU -> convolutions
// -> BatchNorm (conv_bn.h), or pooling -> BatchNorm (pool_bn.h). An
// operation is one unit, two in a row (sep_conv), or none (the identity).
// conv_bn_passes.h and pool_bn_passes.h compute a unit's forward and
// backward passes. Plain data: tensors and sizes.

#ifndef MDENAS_KERNELS_FUSED_UNITS_H_
#define MDENAS_KERNELS_FUSED_UNITS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/window_geometry.h"

namespace mdenas {

// What feeds the 1x1 convolutions: a depthwise convolution of ReLU(input)
// (one 1x1 convolution follows), or else, for 1x1 convolution b, ReLU of
// the input pixels (i * stride + b, j * stride + b).
struct FrontEnd {
  bool depthwise = false;
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;
  int64_t dilation = 1;
};

// ReLU, the front end, the 1x1 convolutions (their outputs concatenated),
// BatchNorm.
struct ConvBatchNormUnit {
  FrontEnd front;
  // [C_in, 1, k, k]; undefined without the depthwise front end.
  at::Tensor depthwise_weight;
  // [C_out_b, C_in, 1, 1] each.
  std::vector<at::Tensor> pointwise_weights;
  BatchNormArgs bn;
};

// 3x3 pooling with padding 1 (average pooling not counting the padding),
// then BatchNorm where there is one.
struct PoolBatchNormUnit {
  PoolKind kind = PoolKind::kMax;
  int64_t stride = 1;
  std::optional<BatchNormArgs> bn;
};

// An operation on one edge of a cell: its conv units applied in turn, or
// its pooling unit; the identity where it has neither.
struct FusedOperation {
  std::vector<ConvBatchNormUnit> convs;
  std::optional<PoolBatchNormUnit> pool;
};

}  // namespace mdenas

#endif  // MDENAS_KERNELS_FUSED_UNITS_H_

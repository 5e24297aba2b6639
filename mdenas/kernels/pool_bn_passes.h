// The forward and backward passes of a 3x3 pooling -> BatchNorm unit
// (PoolBatchNormUnit, fused_units.h) on the fast kernels: plain functions
// on pixel matrices, outside autograd, which pool_bn.cc's autograd node
// runs and the fused search cell (fused_cell.h) strings together. Both
// passes run image by image. Internal to the kernels.

#ifndef MDENAS_KERNELS_POOL_BN_PASSES_H_
#define MDENAS_KERNELS_POOL_BN_PASSES_H_

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/fused_units.h"
#include "mdenas/kernels/pixel_matrix.h"
#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {

// What the backward pass needs of the forward pass.
struct PoolBatchNormSaved {
  PixelMatrix input;
  // The pooled values, or the normalised output that overwrote them
  // (bn.reads_output); undefined without a BatchNorm.
  PixelMatrix pooled;
  BatchNormSaved bn;
};

struct PoolBatchNormForwardResult {
  // BN(pooled), or pooled without a BatchNorm; with
  // BatchNormOutput::kDeferred and a BatchNorm, pooled itself, which the
  // consumer maps as `deferred` says (undefined without a BatchNorm).
  PixelMatrix output;
  DeferredBatchNorm deferred;
  PoolBatchNormSaved saved;
};

// Updates the BatchNorm's running statistics in training mode.
PoolBatchNormForwardResult PoolBatchNormForward(const PixelMatrix& input,
                                                const PoolBatchNormUnit& unit,
                                                BatchNormOutput output);

struct PoolBatchNormGradients {
  // Undefined without affine parameters.
  at::Tensor bn_weight;
  at::Tensor bn_bias;
};

// The BatchNorm parameters' gradients; the input's goes where `grad_input`
// says.
PoolBatchNormGradients PoolBatchNormBackward(const PoolBatchNormUnit& unit,
                                             const PoolBatchNormSaved& saved,
                                             const PixelMatrix& grad_output,
                                             const GradientTarget& grad_input);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_POOL_BN_PASSES_H_

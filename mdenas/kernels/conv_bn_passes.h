// The forward and backward passes of a ReLU -> convolutions -> BatchNorm
// unit (ConvBatchNormUnit, fused_units.h) on the fast kernels: plain
// functions on pixel matrices, outside autograd, which conv_bn.cc's
// autograd node runs and the fused search cell (fused_cell.h) strings
// together. Both passes run image by image, so that an image's
// intermediate results stay in cache from one step to the next. Internal
// to the kernels.

#ifndef MDENAS_KERNELS_CONV_BN_PASSES_H_
#define MDENAS_KERNELS_CONV_BN_PASSES_H_

#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/fused_units.h"
#include "mdenas/kernels/pixel_matrix.h"
#include "mdenas/kernels/pixel_matrix_ops.h"

namespace mdenas {

// What the backward pass needs of the forward pass.
struct ConvBatchNormSaved {
  PixelMatrix input;
  // The convolutions' result, or the normalised output that overwrote it
  // (bn.reads_output).
  PixelMatrix conv;
  BatchNormSaved bn;
};

struct ConvBatchNormForwardResult {
  // BN(conv); or with BatchNormOutput::kDeferred, conv itself, which the
  // consumer maps as `deferred` says.
  PixelMatrix output;
  DeferredBatchNorm deferred;
  ConvBatchNormSaved saved;
};

// Updates the BatchNorm's running statistics in training mode.
ConvBatchNormForwardResult ConvBatchNormForward(const PixelMatrix& input,
                                                const ConvBatchNormUnit& unit,
                                                BatchNormOutput output);

struct ConvBatchNormGradients {
  // Undefined without the depthwise front end.
  at::Tensor depthwise_weight;
  std::vector<at::Tensor> pointwise_weights;
  // Undefined without affine parameters.
  at::Tensor bn_weight;
  at::Tensor bn_bias;
};

// The gradient sums a backward pass takes or gives in place of a pass over
// a gradient of its own. Where a unit reads the normalised output of the
// unit before it (sep_conv's second unit reads the first's), its backward
// pass, image by image, gives the sums of its input's gradient against its
// input: the sums the first unit's batch-norm gradient needs, which would
// otherwise read both from memory again.
struct ChainedSums {
  // Where known, the sums of grad_output against the BatchNorm's saved
  // values (BatchNormGradientMapOf's); else the pass computes them.
  const GradientSums* of_output = nullptr;
  // Where given, set to the sums of grad_input.into, once the pass has
  // written it, against the input (v = the input itself).
  GradientSums* of_input = nullptr;
};

// The parameters' gradients; the input's goes where `grad_input` says.
ConvBatchNormGradients ConvBatchNormBackward(const ConvBatchNormUnit& unit,
                                             const ConvBatchNormSaved& saved,
                                             const PixelMatrix& grad_output,
                                             const GradientTarget& grad_input,
                                             const ChainedSums& sums = {});

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CONV_BN_PASSES_H_

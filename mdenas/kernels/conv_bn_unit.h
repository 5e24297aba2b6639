// One fused ReLU -> convolutions -> BatchNorm unit of the cell operations
// (conv_bn.h) on the fast kernels, as plain forward and backward passes on
// pixel matrices, outside autograd: what conv_bn.cc's autograd node runs,
// and what the fused search cell (fused_cell.h) strings together. Both
// passes run image by image, so that an image's intermediate results stay
// in cache from one step to the next. Internal to the kernels.

#ifndef MDENAS_KERNELS_CONV_BN_UNIT_H_
#define MDENAS_KERNELS_CONV_BN_UNIT_H_

#include <vector>

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/fast_stages.h"
#include "mdenas/kernels/fused_units.h"
#include "mdenas/kernels/pixel_matrix.h"

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

// The parameters' gradients; the input's goes where `grad_input` says.
ConvBatchNormGradients ConvBatchNormBackward(const ConvBatchNormUnit& unit,
                                             const ConvBatchNormSaved& saved,
                                             const PixelMatrix& grad_output,
                                             const GradientTarget& grad_input);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_CONV_BN_UNIT_H_

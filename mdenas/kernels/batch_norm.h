// Batch normalisation (ATen reference or fast channels-last), which the
// fused operations in conv_bn.h and pool_bn.h also end with.

#ifndef MDENAS_KERNELS_BATCH_NORM_H_
#define MDENAS_KERNELS_BATCH_NORM_H_

#include <ATen/core/Tensor.h>

#include "mdenas/kernels/batch_norm_args.h"
#include "mdenas/kernels/kernels.h"

namespace mdenas {

// BatchNorm2d of `input` [N, C, H, W].
at::Tensor BatchNorm2d(const at::Tensor& input, const BatchNormArgs& bn,
                       Kernels kernels);

// ReLU6 (a clamp to [0, 6]) of BatchNorm2d(input, bn): the mobile blocks'
// normalisation and activation; the fast kernels clamp as they normalise,
// one pass over the output and one autograd node.
at::Tensor BatchNorm2dRelu6(const at::Tensor& input, const BatchNormArgs& bn, Kernels kernels);

}  // namespace mdenas

#endif  // MDENAS_KERNELS_BATCH_NORM_H_
